import { accountsOf } from '../../sdk/accounts.ts';
import { html, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { isGaskitError, type ChargesRange, type MonthlyCharges } from '../../sdk/index.ts';
import { billingStyles, formatPeriod, renderMonthCharges } from '../shared/billing-parts.ts';
import { errorText } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { loadAccountPin } from '../shared/lazy-pin.ts';
import { baseStyles, buttonStyles, fieldStyles, titleStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import styles from './charges.styles.ts';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Charges of one account month by month, newest first (seed 004 "Начисления"): each month's
 * total and penalties on a row that expands into the lines by service with volume, tariff and
 * amount. A range of months narrows the list. Full charges are extended-mode data: for an
 * account in basic mode the widget asks for the PIN from the bill instead.
 *
 * @event gaskit-account-extended - The PIN was accepted (from the inner `gaskit-account-pin`). `detail: { account }`.
 *
 * @csspart title - The heading.
 * @csspart range - The form choosing the months shown.
 * @csspart button - The range form's buttons.
 * @csspart months - The list of months.
 * @csspart month-toggle - A month's row, expanding its lines.
 * @csspart month - A month's row without lines.
 * @csspart lines - A month's table of lines.
 * @csspart pin-required - The basic-mode prompt with the PIN form.
 * @csspart empty - The note when no month has charges.
 * @csspart status - Loading status.
 * @csspart error - An error message.
 *
 * @cssproperty --gaskit-color-primary - Buttons.
 * @cssproperty --gaskit-color-border - Row dividers and table borders.
 */
export class GaskitCharges extends GaskitElement {
  static override namespaces = ['billing'] as const;
  static override styles = [baseStyles, buttonStyles, fieldStyles, billingStyles, titleStyles, styles];

  /** The linked account whose charges are shown. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** The months listed; empty bounds are open. */
  @state() private range: ChargesRange = {};
  /** The range as typed, applied with "Show". */
  @state() private from = '';
  @state() private to = '';
  @state() private rangeError = '';
  @state() private expanded = new Set<string>();
  /** The months with charges, newest first, from the listing without a range: what the range selects offer. */
  @state() private periods: string[] = [];

  private readonly charges = new ClientTask(this, {
    task: async (client, [id, range], signal) => {
      if (!id) return null;
      const months = await accountsOf(client)
        .charges(id, range, { signal })
        .catch(async (error: unknown) => {
          // An account in the basic mode is asked for its PIN: "I have a PIN" loads with that answer.
          if (isGaskitError(error) && error.code === 'pin_required') await loadAccountPin(this.localize).catch(() => undefined);
          throw error;
        });
      if (!range.from && !range.to) this.periods = months.map((m) => m.period);
      return { id, months };
    },
    args: () => [this.accountId, this.range] as const,
    session: true,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('gaskit-account-extended', this.onExtended);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('gaskit-account-extended', this.onExtended);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('accountId') && changed.get('accountId') !== undefined) {
      this.range = {};
      this.from = '';
      this.to = '';
      this.rangeError = '';
      this.expanded = new Set();
      this.periods = [];
    }
  }

  /** The PIN was accepted here or in another widget of the page: the charges are now readable. */
  private readonly onExtended = (event: GlobalEventHandlersEventMap['gaskit-account-extended']): void => {
    if (event.detail.account.id === this.accountId) this.charges.run(this.accountId, this.range).catch(() => undefined);
  };

  private toggle(period: string): void {
    const next = new Set(this.expanded);
    if (next.has(period)) next.delete(period);
    else next.add(period);
    this.expanded = next;
  }

  private applyRange(event: SubmitEvent): void {
    event.preventDefault();
    const { from, to } = this;
    const malformed = [from, to].some((p) => p !== '' && !PERIOD.test(p));
    this.rangeError = malformed ? 'period_format' : from && to && from > to ? 'period_range_invalid' : '';
    if (this.rangeError) {
      this.renderRoot.querySelector<HTMLInputElement>('#from')?.focus();
      return;
    }
    this.range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }

  private resetRange(): void {
    this.from = '';
    this.to = '';
    this.rangeError = '';
    this.range = {};
  }

  /**
   * A month of the range, named in the widget's language ("октябрь 2026 г."): the browser's own
   * month field would speak the browser's. Empty is an open bound.
   */
  private monthSelect(id: 'from' | 'to', value: string, set: (value: string) => void, invalid: string): TemplateResult {
    const periods = value && !this.periods.includes(value) ? [value, ...this.periods] : this.periods;
    return html`<select
      class="input"
      id=${id}
      aria-invalid=${invalid}
      aria-describedby="range-error"
      .value=${live(value)}
      @input=${(e: Event) => set((e.target as HTMLSelectElement).value)}
    >
      <option value="" ?selected=${value === ''}>${this.localize.t('billing:range.any')}</option>
      ${periods.map((p) => html`<option value=${p} ?selected=${p === value}>${formatPeriod(this.localize, p)}</option>`)}
    </select>`;
  }

  private renderRange(): TemplateResult {
    const t = (key: string) => this.localize.t(`billing:charges.${key}`);
    const invalid = this.rangeError ? 'true' : 'false';
    return html`<form part="range" class="range" novalidate @submit=${this.applyRange}>
      <div class="field">
        <label class="label" for="from">${t('from')}</label>
        ${this.monthSelect('from', this.from, (value) => (this.from = value), invalid)}
      </div>
      <div class="field">
        <label class="label" for="to">${t('to')}</label>
        ${this.monthSelect('to', this.to, (value) => (this.to = value), invalid)}
      </div>
      <div class="actions">
        <button part="button" class="button button--primary" type="submit">${t('show')}</button>
        <button part="button" class="button" type="button" @click=${this.resetRange}>${t('all')}</button>
      </div>
      <p part="error" class="error" id="range-error" aria-live="polite">
        ${this.rangeError ? errorText(this.localize, this.rangeError) : ''}
      </p>
    </form>`;
  }

  private renderMonths(months: MonthlyCharges[]): TemplateResult {
    if (months.length === 0) return html`<p part="empty">${this.localize.t('billing:charges.empty')}</p>`;
    return html`<ul part="months" class="months">
      ${months.map(
        (charges) =>
          html`<li>
            ${renderMonthCharges(this.localize, charges, {
              open: this.expanded.has(charges.period),
              onToggle: () => this.toggle(charges.period),
            })}
          </li>`,
      )}
    </ul>`;
  }

  private renderPinRequired(): TemplateResult {
    return html`<div part="pin-required" class="notice">
      <p>${this.localize.t('billing:charges.pinRequired')}</p>
      <gaskit-account-pin account-id=${this.accountId}></gaskit-account-pin>
    </div>`;
  }

  protected override render(): unknown {
    const t = (key: string) => this.localize.t(`billing:charges.${key}`);
    const loading = html`<p part="status" class="status" role="status">${this.localize.t('common:loading')}</p>`;
    // Once months were shown, the range form stays and so do the months while other ones load.
    const value = this.charges.value;
    const shown = value && value.id === this.accountId ? value.months : null;
    const content = this.charges.render({
      pending: () => (shown ? this.renderMonths(shown) : loading),
      complete: (result) => (result ? this.renderMonths(result.months) : html`<p>${t('noAccount')}</p>`),
      error: (error) =>
        error.code === 'pin_required'
          ? this.renderPinRequired()
          : html`<p part="error" class="error" role="alert">${errorText(this.localize, error.code, error.params)}</p>`,
    });
    return html`<section class="base" aria-labelledby="title">
      <h2 part="title" class="title" id="title">${t('title')}</h2>
      ${shown && !this.charges.error ? this.renderRange() : ''} ${content}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-charges': GaskitCharges;
  }
}

import { readingsOf } from '../../sdk/readings.ts';
import { accountsOf } from '../../sdk/accounts.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  createIdempotencyKey,
  isGaskitError,
  meterReading,
  rule,
  type GaskitError,
  type LinkedAccount,
  type MeterHistory,
  type Reading,
  type ReadingConfirmation,
  type ReadingInput,
  type ReadingsHistory,
  type ReadingsPreview,
  type ReadingWindow,
  type SubmitReadingsInput,
  type SubmittedReadings,
} from '../../sdk/index.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, buttonStyles, fieldStyles, stackedTableStyles } from '../shared/styles.ts';
import { SubmitController } from '../shared/submit.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import { GaskitHint } from '../hint/hint.component.ts';
import styles from './readings.styles.ts';

type Step = 'form' | 'review' | 'done';
/** The confirmations ticked on the review step, by meter id. */
type Confirmations = Record<string, Partial<Record<ReadingConfirmation, boolean>>>;

const FIELD_PREFIX = 'meter-';
const SERVER_FIELD = /^readings\.(\d+)\.(?:value|meterId)$/;

/**
 * Meter readings for one account: every meter of the account on one form, the previous reading
 * and its date beside each field, inline checks of the value as the meter shows it, then a review
 * with consumption and cost at the tariff, the period the readings count for, and confirmations
 * for a meter that went past zero or a consumption far above the usual; then a success state.
 * Each meter's history (status and source of every reading) is listed under the form.
 *
 * With `deferred` (inside the payment form) nothing is stored: the confirmed readings are handed
 * over in `gaskit-readings-confirmed` for the payment to carry.
 *
 * @event gaskit-readings-submitted - Readings were stored. `detail: { accountId, period, queued, readings }`.
 * @event gaskit-readings-confirmed - With `deferred`: readings were checked and confirmed. `detail: { accountId, period, queued, readings, totalCost }` where `readings` is what `POST payments` takes.
 *
 * @csspart title - The heading.
 * @csspart account - The list of the person's accounts (when no `account-id` is given and there are several).
 * @csspart window - The note about the reading window and the period.
 * @csspart form - The form of the first step.
 * @csspart meter - One meter's block on the form.
 * @csspart warning - A warning (meter past its verification date).
 * @csspart error - An error message.
 * @csspart review - The review step.
 * @csspart summary - The review table of readings, consumption and cost.
 * @csspart total - The total cost line.
 * @csspart confirmation - One confirmation (rollover or implausible consumption).
 * @csspart success - The success state.
 * @csspart history - One meter's history.
 * @csspart button - Every button.
 *
 * @cssproperty --gaskit-color-primary - Buttons.
 * @cssproperty --gaskit-color-danger - Errors and the mark beside warnings.
 * @cssproperty --gaskit-color-success - The success state.
 * @cssproperty --gaskit-color-border - Table and block borders.
 */
export class GaskitReadings extends GaskitElement {
  static override namespaces = ['readings'] as const;
  static override dependencies = { 'gaskit-text-field': GaskitTextField, 'gaskit-hint': GaskitHint };
  static override styles = [baseStyles, buttonStyles, fieldStyles, stackedTableStyles, styles];

  /** The account whose meters are shown; unset, the person picks one of the accounts linked with this supplier. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** Collect and confirm readings for a payment instead of storing them. */
  @property({ type: Boolean, reflect: true }) deferred = false;

  @state() private step: Step = 'form';
  @state() private values: Record<string, string> = {};
  @state() private confirmations: Confirmations = {};
  @state() private confirmationErrors: Record<string, boolean> = {};
  @state() private preview?: ReadingsPreview;
  @state() private result?: SubmittedReadings;
  /** The account picked in the widget's own list (when no `account-id` is given). */
  @state() private picked = '';

  /** The readings last sent, whose `readings.<i>.value` refusals go on their meters' fields. */
  private sentInput?: SubmitReadingsInput;
  private readonly submitter = new SubmitController(this, {
    onError: (error) => this.sentInput !== undefined && this.showFieldErrors(error, this.sentInput),
  });
  private idempotencyKey = '';
  private focusStep = false;

  /** The accounts linked with this supplier, for the widget's own list when no `account-id` is given. */
  private readonly accounts = new ClientTask(this, {
    task: async (client, [given], signal) =>
      given ? [] : (await accountsOf(client).list({ signal })).filter((a) => a.supplier.slug === client.tenant),
    args: () => [this.accountId] as const,
    session: true,
  });

  private readonly history = new ClientTask(this, {
    task: (client, [accountId], signal) =>
      accountId ? readingsOf(client).history(accountId, { signal }) : Promise.resolve(null),
    args: () => [this.currentAccountId] as const,
    session: true,
  });

  private readonly previewTask = new ClientTask(this, {
    task: (client, [input]: readonly [SubmitReadingsInput], signal) => readingsOf(client).preview(input, { signal }),
    autoRun: false,
  });

  private readonly submitTask = new ClientTask(this, {
    task: (client, [input, key]: readonly [SubmitReadingsInput, string], signal) =>
      readingsOf(client).submit(input, { idempotencyKey: key, signal }),
    autoRun: false,
  });

  /** The given account, else the one picked in the list, else the first linked one. */
  private get currentAccountId(): string {
    return this.accountId || this.picked || this.accounts.value?.[0]?.id || '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('accountId') && changed.get('accountId') !== undefined) this.reset();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.focusStep) {
      this.focusStep = false;
      this.renderRoot.querySelector<HTMLElement>('[data-step-heading]')?.focus();
    }
  }

  private reset(): void {
    this.step = 'form';
    this.values = {};
    this.confirmations = {};
    this.confirmationErrors = {};
    this.submitter.clear();
    this.preview = undefined;
    this.result = undefined;
  }

  /** Shows a step and moves focus to its heading (the widget's title for the form). */
  private goTo(step: Step): void {
    this.step = step;
    this.focusStep = true;
  }

  /** The filled-in readings in form order, with the confirmations ticked on the review. */
  private input(meters: MeterHistory[]): SubmitReadingsInput {
    const readings: ReadingInput[] = meters
      .filter((m) => (this.values[m.meter.id] ?? '').trim() !== '')
      .map((m) => {
        const ticked = this.confirmations[m.meter.id] ?? {};
        return {
          meterId: m.meter.id,
          value: this.values[m.meter.id]!.trim(),
          ...(ticked.rollover ? { confirmRollover: true } : {}),
          ...(ticked.implausible ? { confirmImplausible: true } : {}),
        };
      });
    return { accountId: this.currentAccountId, readings };
  }

  /** Puts the server's `readings.<i>.value` errors on the fields of those meters; returns whether any matched. */
  private showFieldErrors(error: GaskitError, input: SubmitReadingsInput): boolean {
    const fields = this.submitter.fields;
    let first: GaskitTextField | undefined;
    for (const [name, code] of Object.entries(error.fields)) {
      const index = SERVER_FIELD.exec(name)?.[1];
      const meterId = index === undefined ? undefined : input.readings[Number(index)]?.meterId;
      const field = fields.find((f) => f.name === `${FIELD_PREFIX}${meterId}`);
      if (!field) continue;
      field.error = code;
      field.errorParams = error.fieldParams[name] ?? {};
      first ??= field;
    }
    first?.focus();
    return first !== undefined;
  }

  private check(event: SubmitEvent, meters: MeterHistory[]): void {
    event.preventDefault();
    this.submitter.clear();
    if (!this.submitter.validate()) return;
    this.confirmations = {};
    const input = this.input(meters);
    if (input.readings.length === 0) {
      this.submitter.fail('readings_empty');
      this.submitter.fields[0]?.focus();
      return;
    }
    this.sentInput = input;
    void this.submitter.run(async () => {
      this.preview = await this.previewTask.run(input);
      this.idempotencyKey = createIdempotencyKey();
      this.confirmationErrors = {};
      this.goTo('review');
    });
  }

  private toggleConfirmation(meterId: string, kind: ReadingConfirmation, checked: boolean): void {
    this.confirmations = { ...this.confirmations, [meterId]: { ...this.confirmations[meterId], [kind]: checked } };
    this.confirmationErrors = { ...this.confirmationErrors, [`${meterId}:${kind}`]: false };
  }

  private async send(event: SubmitEvent, meters: MeterHistory[]): Promise<void> {
    event.preventDefault();
    const preview = this.preview;
    if (!preview) return;
    const missing = preview.readings.flatMap((item) =>
      item.confirmationsNeeded
        .filter((kind) => !this.confirmations[item.meterId]?.[kind])
        .map((kind) => `${item.meterId}:${kind}`),
    );
    if (missing.length > 0) {
      this.confirmationErrors = Object.fromEntries(missing.map((key) => [key, true]));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`input[data-confirmation="${missing[0]}"]`)?.focus();
      return;
    }
    const input = this.input(meters);
    if (this.deferred) {
      this.emit('gaskit-readings-confirmed', {
        accountId: input.accountId,
        period: preview.window.period,
        queued: preview.window.queued,
        readings: input.readings,
        totalCost: preview.totalCost,
      });
      this.goTo('done');
      return;
    }
    this.sentInput = input;
    await this.submitter.run(async () => {
      let result: SubmittedReadings;
      try {
        result = await this.submitTask.run(input, this.idempotencyKey);
      } catch (error) {
        // A refused reading goes back to its field on the form.
        if (isGaskitError(error) && Object.keys(error.fields).length > 0) {
          this.step = 'form';
          await this.updateComplete;
        }
        throw error;
      }
      this.result = result;
      this.emit('gaskit-readings-submitted', {
        accountId: result.accountId,
        period: result.period,
        queued: result.queued,
        readings: result.readings,
      });
      this.goTo('done');
    });
  }

  private again(): void {
    this.reset();
    this.focusStep = true;
    void this.history.run(this.currentAccountId);
  }

  private number(value: string, decimals: number): string {
    return new Intl.NumberFormat(this.localize.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(Number(value));
  }

  private period(period: string): string {
    return this.localize.formatDate(period, { month: 'long', year: 'numeric' });
  }

  /** "Кухня, № 123", "Счётчик № 123", "Кухня" or, without name and serial number (basic mode), "Счётчик 2". */
  private meterLabel(history: ReadingsHistory, m: MeterHistory): string {
    const { name, serialNumber: serial } = m.meter;
    const t = this.localize.t.bind(this.localize);
    if (name) return serial ? t('readings:meter.labelNamedSerial', { name, serial }) : t('readings:meter.labelNamed', { name });
    return serial ? t('readings:meter.labelSerial', { serial }) : t('readings:meter.label', { n: history.meters.indexOf(m) + 1 });
  }

  private renderWindow(window: ReadingWindow): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const days = { start: window.startDay, end: window.endDay };
    const text = window.open
      ? t('readings:window.open', { ...days, period: this.period(window.period ?? '') })
      : window.queued
        ? t('readings:window.queued', { ...days, period: this.period(window.period ?? '') })
        : t('readings:window.closed', days);
    return html`<p part="window" class="window ${window.open ? '' : 'window--closed'}">${text}</p>`;
  }

  /**
   * The only meter of an account must be filled in; of several, any may be left empty. Inside a
   * payment none is marked required: the step says to leave a meter empty, or to go on without readings.
   */
  private renderMeterField(history: ReadingsHistory, m: MeterHistory): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const { meter } = m;
    const scale = { digits: meter.digits, decimals: meter.decimals };
    const previous = m.previous
      ? t('readings:meter.previous', {
          value: this.number(m.previous.value, meter.decimals),
          date: this.localize.formatDate(m.previous.date),
        })
      : t('readings:meter.noPrevious');
    // A reading of this period is replaced by a new one, not compared with it: say so beside the one compared with.
    const replaced =
      m.last && m.last.date !== m.previous?.date
        ? t('readings:baseline.replaces', { value: this.number(m.last.value, meter.decimals) })
        : '';
    const format = meter.decimals === 0 ? t('readings:meter.formatInteger', scale) : t('readings:meter.formatDecimal', scale);
    return html`
      <div part="meter" class="meter">
        <gaskit-text-field
          name=${`${FIELD_PREFIX}${meter.id}`}
          label=${this.meterLabel(history, m)}
          help=${replaced ? `${previous} ${replaced}` : previous}
          inputmode=${meter.decimals === 0 ? 'numeric' : 'decimal'}
          autocomplete="off"
          ?required=${history.meters.length === 1 && !this.deferred}
          .value=${this.values[meter.id] ?? ''}
          .rules=${[rule(meterReading, scale)]}
          @input=${(e: Event) => (this.values = { ...this.values, [meter.id]: (e.target as GaskitTextField).value })}
        >
          <gaskit-hint slot="hint" text=${format}></gaskit-hint>
        </gaskit-text-field>
        ${
          meter.verificationOverdue
            ? html`<p part="warning" class="warning">
                ${t('readings:meter.verificationOverdue', { date: this.localize.formatDate(meter.verificationDue ?? '') })}
              </p>`
            : nothing
        }
      </div>
    `;
  }

  private renderFormError(): TemplateResult {
    return html`<p part="error" class="error form-error" role="alert">${this.submitter.error}</p>`;
  }

  private renderForm(history: ReadingsHistory): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const closed = !history.window.open && !history.window.queued;
    return html`
      ${this.renderWindow(history.window)}
      ${
        closed
          ? nothing
          : html`
              <form part="form" class="form" novalidate @submit=${(e: SubmitEvent) => this.check(e, history.meters)}>
                ${history.meters.map((m) => this.renderMeterField(history, m))} ${this.renderFormError()}
                <div class="actions">
                  <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
                    ${t('readings:check')}
                  </button>
                </div>
              </form>
            `
      }
      ${history.meters.map((m) => this.renderHistory(history, m))}
    `;
  }

  private renderConfirmation(
    item: ReadingsPreview['readings'][number],
    meter: MeterHistory,
    label: string,
    kind: ReadingConfirmation,
  ): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const { decimals } = meter.meter;
    const key = `${item.meterId}:${kind}`;
    const id = `confirm-${item.meterId}-${kind}`;
    const invalid = this.confirmationErrors[key] === true;
    const explanation =
      kind === 'rollover'
        ? t('readings:review.rollover', {
            value: this.number(item.value, decimals),
            previous: item.previous ? this.number(item.previous.value, decimals) : '',
          })
        : t('readings:review.implausible', { meter: label, consumption: this.number(item.consumption ?? '0', decimals) });
    return html`
      <div part="confirmation" class="confirmation">
        <p class="explanation" id=${`${id}-text`}>${explanation}</p>
        <div class="check">
          <input
            type="checkbox"
            id=${id}
            data-confirmation=${key}
            .checked=${this.confirmations[item.meterId]?.[kind] === true}
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby=${`${id}-text ${id}-error`}
            @change=${(e: Event) => this.toggleConfirmation(item.meterId, kind, (e.target as HTMLInputElement).checked)}
          />
          <label for=${id}>
            ${kind === 'rollover' ? t('readings:review.confirmRollover', { meter: label }) : t('readings:review.confirmImplausible', { meter: label })}
          </label>
        </div>
        <p part="error" class="error" id=${`${id}-error`} aria-live="polite">
          ${invalid ? t('readings:review.confirmRequired') : ''}
        </p>
      </div>
    `;
  }

  private renderReview(history: ReadingsHistory, preview: ReadingsPreview): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const meters = new Map(history.meters.map((m) => [m.meter.id, m]));
    const rows = preview.readings.flatMap((item) => {
      const m = meters.get(item.meterId);
      return m ? [{ item, m }] : [];
    });
    const period = this.period(preview.window.period ?? '');
    return html`
      <form part="review" class="review" novalidate @submit=${(e: SubmitEvent) => this.send(e, history.meters)}>
        <h3 class="step-heading" tabindex="-1" data-step-heading>${t('readings:review.title')}</h3>
        <p class="period">
          ${preview.window.queued ? t('readings:review.queued', { period }) : t('readings:review.period', { period })}
        </p>
        <div class="table-wrap">
          <table part="summary" class="summary">
            <caption id="summary-caption">
              ${t('readings:review.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t('readings:review.meter')}</th>
                <th scope="col">${t('readings:review.previous')}</th>
                <th scope="col">${t('readings:review.current')}</th>
                <th scope="col">${t('readings:review.consumption')}</th>
                <th scope="col">${t('readings:review.cost')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                ({ item, m }) => html`
                  <tr>
                    <th scope="row">${this.meterLabel(history, m)}</th>
                    <td data-label=${t('readings:review.previous')}>
                      ${item.previous ? this.number(item.previous.value, m.meter.decimals) : t('readings:review.noCost')}
                    </td>
                    <td data-label=${t('readings:review.current')}>${this.number(item.value, m.meter.decimals)}</td>
                    <td data-label=${t('readings:review.consumption')}>
                      ${item.consumption === null ? t('readings:review.noCost') : this.number(item.consumption, m.meter.decimals)}
                    </td>
                    <td data-label=${t('readings:review.cost')}>
                      ${item.cost === null ? t('readings:review.noCost') : this.localize.formatMoney(item.cost)}
                    </td>
                  </tr>
                `,
              )}
            </tbody>
          </table>
        </div>
        <p part="total" class="total">${t('readings:review.total', { amount: this.localize.formatMoney(preview.totalCost) })}</p>
        ${rows.map(({ item, m }) =>
          item.warnings.includes('verification_overdue')
            ? html`<p part="warning" class="warning">
                ${t('readings:review.verificationOverdue', { meter: this.meterLabel(history, m) })}
              </p>`
            : nothing,
        )}
        ${rows.flatMap(({ item, m }) =>
          item.confirmationsNeeded.map((kind) => this.renderConfirmation(item, m, this.meterLabel(history, m), kind)),
        )}
        ${this.renderFormError()}
        <div class="actions">
          <button part="button" class="button" type="button" @click=${() => this.goTo('form')}>
            ${t('readings:review.edit')}
          </button>
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
            ${this.deferred ? t('readings:review.confirm') : t('readings:review.send')}
          </button>
        </div>
      </form>
    `;
  }

  private renderDone(): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    const result = this.result;
    const text = this.deferred
      ? t('readings:done.deferred')
      : result?.queued
        ? t('readings:done.queued', { period: this.period(result.period) })
        : t('readings:done.accepted', { period: this.period(result?.period ?? '') });
    return html`
      <div part="success" class="success" role="status">
        <h3 class="step-heading" tabindex="-1" data-step-heading>
          ${this.deferred ? t('readings:done.deferredTitle') : t('readings:done.title')}
        </h3>
        <p>${text}</p>
        <button part="button" class="button" type="button" @click=${this.again}>${t('readings:done.again')}</button>
      </div>
    `;
  }

  private statusText(reading: Reading): string {
    const t = this.localize.t.bind(this.localize);
    if (reading.status === 'rejected' && reading.rejectionReason)
      return t('readings:status.rejectedReason', { reason: reading.rejectionReason });
    return t(`readings:status.${reading.status}`);
  }

  private renderHistory(history: ReadingsHistory, m: MeterHistory): TemplateResult {
    const t = this.localize.t.bind(this.localize);
    return html`
      <details part="history" class="history">
        <summary>${t('readings:history.title')}: ${this.meterLabel(history, m)}</summary>
        ${
          m.readings.length === 0
            ? html`<p>
                ${
                  m.last
                    ? t('readings:baseline.onlyBilling', {
                        value: this.number(m.last.value, m.meter.decimals),
                        date: this.localize.formatDate(m.last.date),
                      })
                    : t('readings:history.empty')
                }
              </p>`
            : html`
                <div class="table-wrap">
                  <table class="history-table">
                    <thead>
                      <tr>
                        <th scope="col">${t('readings:history.date')}</th>
                        <th scope="col">${t('readings:history.value')}</th>
                        <th scope="col">${t('readings:history.period')}</th>
                        <th scope="col">${t('readings:history.status')}</th>
                        <th scope="col">${t('readings:history.source')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${m.readings.map(
                        (r) => html`
                          <tr class="status-${r.status}">
                            <th scope="row">${this.localize.formatDate(r.submittedAt, { dateStyle: 'medium' })}</th>
                            <td data-label=${t('readings:history.value')}>${this.number(r.value, m.meter.decimals)}</td>
                            <td data-label=${t('readings:history.period')}>${this.period(r.period)}</td>
                            <td data-label=${t('readings:history.status')}>${this.statusText(r)}</td>
                            <td data-label=${t('readings:history.source')}>${t(`readings:source.${r.source}`)}</td>
                          </tr>
                        `,
                      )}
                    </tbody>
                  </table>
                </div>
              `
        }
      </details>
    `;
  }

  private renderContent(history: ReadingsHistory | null): unknown {
    const t = this.localize.t.bind(this.localize);
    if (!history) return html`<p>${t('readings:noAccount')}</p>`;
    if (history.meters.length === 0)
      return html`${this.renderWindow(history.window)}
        <p>${t('readings:noMeters')}</p>`;
    if (this.step === 'review' && this.preview) return this.renderReview(history, this.preview);
    if (this.step === 'done') return this.renderDone();
    return this.renderForm(history);
  }

  private renderAccount(): unknown {
    return this.history.render({ complete: (history) => this.renderContent(history) });
  }

  /**
   * Switching accounts shows the new account's form; values typed for the other account's meters
   * are kept, so arrowing through the list with the keyboard loses nothing.
   */
  private readonly pick = (event: Event): void => {
    this.picked = (event.target as HTMLSelectElement).value;
    this.step = 'form';
    this.preview = undefined;
    this.result = undefined;
    this.submitter.clear();
  };

  /** A list of the person's accounts with this supplier when there is more than one to choose from. */
  private renderAccountChoice(accounts: LinkedAccount[]): unknown {
    if (accounts.length < 2) return nothing;
    const current = this.currentAccountId;
    return html`
      <div class="field account">
        <label class="label" for="account">${this.localize.t('readings:account')}</label>
        <select part="account" id="account" class="input" @input=${this.pick}>
          ${accounts.map(
            (a) =>
              html`<option value=${a.id} ?selected=${a.id === current}>
                ${a.address ? this.localize.t('readings:accountOption', { number: a.number, address: a.address }) : `№ ${a.number}`}
              </option>`,
          )}
        </select>
      </div>
    `;
  }

  protected override render(): unknown {
    return html`
      <section class="base" aria-labelledby="title">
        <h2 part="title" class="title" id="title" tabindex="-1" ?data-step-heading=${this.step === 'form'}>
          ${this.localize.t('readings:title')}
        </h2>
        ${
          this.accountId
            ? this.renderAccount()
            : this.accounts.render({ complete: (accounts) => html`${this.renderAccountChoice(accounts)}${this.renderAccount()}` })
        }
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-readings': GaskitReadings;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-readings-submitted': CustomEvent<{ accountId: string; period: string; queued: boolean; readings: Reading[] }>;
    'gaskit-readings-confirmed': CustomEvent<{
      accountId: string;
      period: string | null;
      queued: boolean;
      readings: ReadingInput[];
      totalCost: number;
    }>;
  }
}

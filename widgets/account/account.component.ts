import { accountsOf } from '../../sdk/accounts.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { formatReading, shiftPeriod, verificationState, type AccountMeter, type AccountSummary } from '../../sdk/index.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, buttonStyles, titleStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitAccountUnlink } from '../shared/account-unlink.component.ts';
import styles from './account.styles.ts';
import { billingStyles, formatPeriod, formatVolume, renderMonthCharges } from '../shared/billing-parts.ts';
import { lazyPart } from '../shared/lazy.ts';
import { loadAccountPin } from '../shared/lazy-pin.ts';
import type * as UsageChart from './usage-chart.ts';

let chart: typeof UsageChart | undefined;

/**
 * The consumption chart is a lazy part, with its texts: it is a sixth of this widget's bundle and
 * shows below the summary, so it loads while the summary does.
 */
const loadChart = lazyPart(
  'The usage chart',
  async () => {
    chart = await import('./usage-chart.ts');
  },
  ['chart'],
);

/**
 * One linked account's summary (seed 003 "Лицевой счёт"): the billing period with previous and
 * next month, the debt or overpayment at that period with penalties (at the latest period less what
 * was paid in the cabinet and is not booked yet, shown beside it), what was charged and paid,
 * the period's charges (lines by service expand), the meters with their last readings and next
 * verification dates (a warning when near or past), a chart of the last twelve months'
 * consumption and amounts with a table alternative, and how fresh the data is. An account
 * linked by number alone is in basic mode and offers "I have a PIN" for the extended mode;
 * "Unlink" removes the account from the cabinet.
 *
 * @event gaskit-account-extended - The PIN was accepted (from the inner `gaskit-account-pin`). `detail: { account }`.
 * @event gaskit-account-unlinked - The account was unlinked (from the inner `gaskit-account-unlink`). `detail: { accountId, number }`.
 *
 * @csspart title - The heading with the account number.
 * @csspart month - A month of charges without lines (basic mode).
 * @csspart details - Address, holder and mode.
 * @csspart mode - The mode (basic or extended).
 * @csspart basic-mode - The basic-mode note with "I have a PIN".
 * @csspart periods - The month navigation.
 * @csspart period-button - Previous and next month.
 * @csspart period - The month shown.
 * @csspart balance - Debt or overpayment, charged, paid, number of meters.
 * @csspart debt - The debt or overpayment line (at the latest period, less the payments not booked yet).
 * @csspart pending - What was paid in the cabinet and is not booked by billing yet.
 * @csspart charges - The period's charges.
 * @csspart month-toggle - The button that expands the period's charge lines.
 * @csspart lines - The table of charge lines.
 * @csspart meters - The meters table.
 * @csspart warning - A meter's verification warning.
 * @csspart chart - The consumption and amounts chart.
 * @csspart chart-image - The chart's SVG.
 * @csspart chart-data - The chart's data as a table.
 * @csspart freshness - "Data as of".
 * @csspart notice - The note after unlinking, or when no account is chosen.
 * @csspart extended - "The extended version is on", after the PIN was accepted.
 * @csspart status - Loading status.
 * @csspart error - An error message.
 *
 * @cssproperty --gaskit-chart-bar-color - Consumption bars; default the primary colour.
 * @cssproperty --gaskit-chart-line-color - The amounts line; default the text colour.
 * @cssproperty --gaskit-color-danger - Debt and overdue verification.
 * @cssproperty --gaskit-color-warning - Verification due soon.
 * @cssproperty --gaskit-color-success - Overpayment.
 * @cssproperty --gaskit-color-border - Table borders and dividers.
 */
export class GaskitAccount extends GaskitElement {
  static override namespaces = ['accounts', 'billing'] as const;
  static override dependencies = { 'gaskit-account-unlink': GaskitAccountUnlink };
  static override styles = [baseStyles, buttonStyles, billingStyles, titleStyles, styles];

  /** The linked account shown. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** The month shown (`YYYY-MM`); empty for the latest with data. */
  @state() private period = '';
  @state() private chargesOpen = false;
  /** Set once the account was unlinked on this page. */
  @state() private unlinked?: string;
  /** Set once the PIN switched the account to the extended version on this page. */
  @state() private extended = false;

  private readonly summary = new ClientTask(this, {
    task: async (client, [id, period], signal) => {
      if (!id) return null;
      // Without the chart or the PIN form (a failed load) the summary still shows.
      const [summary] = await Promise.all([
        accountsOf(client).summary(id, period || undefined, { signal }),
        loadChart(this.localize).catch(() => undefined),
      ]);
      // "I have a PIN" loads with an account in the basic mode, the only one that shows it.
      if (summary.account.mode === 'basic') await loadAccountPin(this.localize).catch(() => undefined);
      return summary;
    },
    args: () => [this.accountId, this.period] as const,
    session: true,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('gaskit-account-extended', this.onExtended);
    document.addEventListener('gaskit-account-unlinked', this.onUnlinked);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('gaskit-account-extended', this.onExtended);
    document.removeEventListener('gaskit-account-unlinked', this.onUnlinked);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const sheet = chart?.chartStyles.styleSheet;
    const root = this.shadowRoot;
    if (sheet && root && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('accountId') && changed.get('accountId') !== undefined) {
      this.period = '';
      this.chargesOpen = false;
      this.unlinked = undefined;
      this.extended = false;
    }
  }

  /** The PIN was accepted here or in another widget of the page: show the extended data. */
  private readonly onExtended = (event: GlobalEventHandlersEventMap['gaskit-account-extended']): void => {
    if (event.detail.account.id !== this.accountId) return;
    this.extended = true;
    this.summary.run(this.accountId, this.period).catch(() => undefined);
  };

  private readonly onUnlinked = (event: GlobalEventHandlersEventMap['gaskit-account-unlinked']): void => {
    if (event.detail.accountId === this.accountId) this.unlinked = event.detail.number;
  };

  private go(summary: AccountSummary, to: string | null): void {
    if (!to || to === summary.period) return;
    this.period = to;
    this.chargesOpen = false;
  }

  private renderPeriods(summary: AccountSummary, period: string): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`billing:period.${key}`, params);
    const { first, last } = summary.periods;
    const previous = shiftPeriod(period, -1);
    const next = shiftPeriod(period, 1);
    const button = (to: string, enabled: boolean, key: 'previous' | 'next') => {
      const month = formatPeriod(this.localize, to);
      return html`<button
        part="period-button"
        class="button period-button"
        type="button"
        aria-label=${t(key, { month })}
        aria-disabled=${enabled ? 'false' : 'true'}
        @click=${() => (enabled ? this.go(summary, to) : undefined)}
      >
        ${key === 'previous' ? html`<span aria-hidden="true">←</span> ${month}` : html`${month} <span aria-hidden="true">→</span>`}
      </button>`;
    };
    return html`<div part="periods" class="periods" role="group" aria-label=${t('label')}>
      ${button(previous, first !== null && previous >= first, 'previous')}
      <p part="period" class="period" aria-live="polite">${formatPeriod(this.localize, period)}</p>
      ${button(next, last !== null && next <= last, 'next')}
    </div>`;
  }

  private renderBalance(summary: AccountSummary, period: string): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`billing:balance.${key}`, params);
    const money = (kopecks: number) => this.localize.formatMoney(kopecks);
    const b = summary.balance;
    const row = (label: string, value: string, part = '', cls = '') =>
      html`<div part=${part || nothing} class=${`row ${cls}`}>
        <dt>${label}</dt>
        <dd>${value}</dd>
      </div>`;
    // At the latest period, what is owed now: the debt less what was paid here and not booked yet.
    const pending = b && period === summary.periods.last && summary.pendingPaid > 0 ? summary.pendingPaid : 0;
    const owed = pending ? summary.due : b && { balance: b.closing, penalties: b.penalties };
    const debtLabel = t(pending ? 'debtNow' : 'debt');
    const debt = !owed
      ? row(t('debt'), t('noData'))
      : owed.balance > 0
        ? row(debtLabel, money(owed.balance), 'debt', 'debt')
        : owed.balance < 0
          ? row(t(pending ? 'overpaymentNow' : 'overpayment'), money(-owed.balance), 'debt', 'overpayment')
          : row(debtLabel, t('noDebt'), 'debt');
    return html`<dl part="balance" class="balance">
      ${row(t('period'), formatPeriod(this.localize, period))} ${debt}
      ${owed && owed.penalties > 0 ? row(t('penalties'), money(owed.penalties)) : nothing}
      ${
        b && pending
          ? html`${row(t('pendingPaid'), money(pending), 'pending')}${row(t('billedDebt'), money(b.closing))}`
          : nothing
      }
      ${b ? html`${row(t('opening'), money(b.opening))}${row(t('charged'), money(b.charged))}${row(t('paid'), money(b.paid))}` : nothing}
      ${row(t('meters'), String(summary.meters.length))}
    </dl>`;
  }

  private renderCharges(summary: AccountSummary, period: string): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`billing:${key}`, params);
    const charges = summary.charges;
    return html`<section part="charges" class="block" aria-labelledby="charges-title">
      <h3 id="charges-title">${t('summary.chargesTitle', { period: formatPeriod(this.localize, period) })}</h3>
      ${
        charges
          ? renderMonthCharges(this.localize, charges, {
              open: this.chargesOpen,
              onToggle: () => (this.chargesOpen = !this.chargesOpen),
              label: t('summary.chargesTotal'),
            })
          : html`<p>${t('summary.noCharges')}</p>`
      }
      ${charges && summary.account.mode === 'basic' ? html`<p class="muted">${t('summary.linesInExtended')}</p>` : nothing}
    </section>`;
  }

  /** "Кухня, № 123", "Счётчик № 123", "Кухня" or, without name and serial number, "Счётчик 2". */
  private meterLabel(meter: AccountMeter, index: number): string {
    const t = (key: string, params: Record<string, unknown>) => this.localize.t(`billing:meters.${key}`, params);
    const { name, serialNumber: serial } = meter;
    if (name) return serial ? t('labelNamedSerial', { name, serial }) : name;
    return serial ? t('labelSerial', { serial }) : t('label', { n: index + 1 });
  }

  private renderVerification(meter: AccountMeter): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`billing:meters.${key}`, params);
    const state = verificationState(meter.verificationDue);
    if (state === 'unknown') return html`${t('noDate')}`;
    const date = this.localize.formatDate((meter.verificationDue ?? '').slice(0, 10));
    if (state === 'ok') return html`${date}`;
    return html`${date}
      <span part="warning" class=${`warning warning--${state}`}
        >${t(state === 'soon' ? 'verificationSoon' : 'verificationOverdue')}</span
      >`;
  }

  private renderMeters(summary: AccountSummary): TemplateResult {
    const t = (key: string) => this.localize.t(`billing:meters.${key}`);
    if (summary.meters.length === 0) {
      return html`<section class="block" aria-labelledby="meters-title">
        <h3 id="meters-title">${t('title')}</h3>
        <p>${t('none')}</p>
      </section>`;
    }
    return html`<section class="block" aria-labelledby="meters-title">
      <h3 id="meters-title">${t('title')}</h3>
      <div class="table-wrap">
        <table part="meters" class="meters">
          <thead>
            <tr>
              <th scope="col">${t('name')}</th>
              <th scope="col">${t('lastReading')}</th>
              <th scope="col">${t('readingDate')}</th>
              <th scope="col">${t('verification')}</th>
            </tr>
          </thead>
          <tbody>
            ${summary.meters.map(
              (meter, i) =>
                html`<tr>
                  <th scope="row">${this.meterLabel(meter, i)}</th>
                  <td data-label=${t('lastReading')}>
                    ${
                      meter.lastReading
                        ? formatVolume(
                            this.localize,
                            Number(formatReading(meter.lastReading.valueMilli, meter.decimals)),
                            'm3',
                            meter.decimals,
                          )
                        : t('noReading')
                    }
                  </td>
                  <td data-label=${t('readingDate')}>
                    ${meter.lastReading ? this.localize.formatDate(meter.lastReading.date.slice(0, 10), { dateStyle: 'medium' }) : t('noReading')}
                  </td>
                  <td data-label=${t('verification')}>${this.renderVerification(meter)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private renderSummary(summary: AccountSummary): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`accounts:account.${key}`, params);
    const { account, period } = summary;
    return html`
      <p part="extended" class="extended" role="status">${this.extended ? t('extendedNow') : ''}</p>
      <div part="details" class="details">
        ${account.address ? html`<p>${t('address', { address: account.address })}</p>` : nothing}
        ${account.holder ? html`<p>${t('holder', { holder: account.holder })}</p>` : nothing}
        <p part="mode" class="mode">${this.localize.t(`accounts:mode.${account.mode}`)}</p>
      </div>
      ${
        account.mode === 'basic'
          ? html`<div part="basic-mode" class="notice">
              <p>${t('basicMode')}</p>
              <gaskit-account-pin account-id=${account.id}></gaskit-account-pin>
            </div>`
          : nothing
      }
      ${
        period
          ? html`${this.renderPeriods(summary, period)} ${this.renderBalance(summary, period)}
            ${this.renderCharges(summary, period)}`
          : html`<p>${this.localize.t('billing:summary.noData')}</p>`
      }
      ${this.renderMeters(summary)}
      ${period && chart ? html`<div class="block">${chart.renderUsageChart(this.localize, summary.history, period)}</div>` : nothing}
      <p part="freshness" class="muted">
        ${this.localize.t('billing:summary.dataAsOf', { date: this.localize.formatDate(summary.dataAsOf, { dateStyle: 'long', timeStyle: 'short' }) })}
      </p>
      <gaskit-account-unlink account-id=${account.id} number=${account.number}></gaskit-account-unlink>
    `;
  }

  private renderContent(): unknown {
    if (this.unlinked !== undefined) {
      return html`<p part="notice" class="notice" role="status">
        ${this.localize.t('accounts:account.unlinked', { number: this.unlinked })}
      </p>`;
    }
    const loading = html`<p part="status" class="status" role="status">${this.localize.t('common:loading')}</p>`;
    // While another month loads, the shown one stays (and keeps focus on the month buttons).
    const shown = this.summary.value?.account.id === this.accountId ? this.summary.value : null;
    return this.summary.render({
      pending: () => (shown ? this.renderSummary(shown) : loading),
      complete: (summary) =>
        summary
          ? this.renderSummary(summary)
          : html`<p part="notice" class="notice">${this.localize.t('accounts:account.none')}</p>`,
    });
  }

  protected override render(): unknown {
    const number = this.unlinked ?? (this.summary.value?.account.id === this.accountId ? this.summary.value.account.number : '');
    return html`<section class="base" aria-labelledby="title" aria-busy=${this.summary.pending ? 'true' : 'false'}>
      <h2 part="title" class="title" id="title">
        ${number ? this.localize.t('accounts:account.title', { number }) : this.localize.t('accounts:account.titlePlain')}
      </h2>
      ${this.renderContent()}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-account': GaskitAccount;
  }
}

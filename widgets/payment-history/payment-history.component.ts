import { paymentsOf } from '../../sdk/payments.ts';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  periodOfDate,
  shiftPeriod,
  type Payment,
  type PaymentElsewhere,
  type PaymentHistory,
  type PaymentItem,
} from '../../sdk/index.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import {
  baseStyles,
  buttonStyles,
  chevronStyles,
  stackedTableStyles,
  tableStyles,
  titleStyles,
  visuallyHiddenStyles,
} from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import styles from './payment-history.styles.ts';

/** One account's part of one payment: made in the cabinet, or elsewhere as billing booked it. */
type Entry = { kind: 'cabinet'; payment: Payment; item: PaymentItem } | { kind: 'elsewhere'; row: PaymentElsewhere };

interface AccountGroup {
  accountId: string;
  accountNumber: string;
  address: string;
  /** Kopecks of succeeded payments. */
  paid: number;
  /** Payments that went through (not a declined or abandoned attempt). */
  made: number;
  entries: Entry[];
}

interface MonthGroup {
  period: string;
  paid: number;
  accounts: AccountGroup[];
}

const PAID = new Set(['succeeded', 'refunded']);

/**
 * Payments grouped by month (newest first), then by account: the cabinet's own, and those billing
 * booked that were made elsewhere (a bank, the post office), each month's after the cabinet's.
 */
export function groupPayments(payments: Payment[], elsewhere: PaymentElsewhere[] = []): MonthGroup[] {
  const months = new Map<string, MonthGroup>();
  const add = (
    period: string,
    account: Omit<AccountGroup, 'paid' | 'made' | 'entries'>,
    entry: Entry,
    paid: number,
    made: boolean,
  ) => {
    let month = months.get(period);
    if (!month) {
      month = { period, paid: 0, accounts: [] };
      months.set(period, month);
    }
    let group = month.accounts.find((a) => a.accountId === account.accountId);
    if (!group) {
      group = { ...account, paid: 0, made: 0, entries: [] };
      month.accounts.push(group);
    }
    group.entries.push(entry);
    group.paid += paid;
    if (made) group.made += 1;
    month.paid += paid;
  };
  for (const payment of payments) {
    const period = periodOfDate(new Date(payment.succeededAt ?? payment.createdAt));
    for (const item of payment.items) {
      const made = PAID.has(payment.status);
      add(period, item, { kind: 'cabinet', payment, item }, made ? item.amount + item.penalties : 0, made);
    }
  }
  for (const row of elsewhere) add(row.period, row, { kind: 'elsewhere', row }, row.amount, true);
  return [...months.values()].sort((a, b) => b.period.localeCompare(a.period));
}

/**
 * The payment history: months newest first with what was paid in each, every month expandable
 * per account into its payments (date and where it was made, amount, penalties, status, readings
 * sent with it) with a link to each receipt. Besides the payments made in the cabinet, it lists
 * every payment the supplier's billing booked that was made elsewhere (a bank, the post office, a
 * cash desk). "Show earlier payments" goes back a year at a time while billing has earlier months.
 * A payment that succeeds on the page (`gaskit-payment-succeeded` from `gaskit-pay`) reloads the list.
 *
 * @csspart title - The heading.
 * @csspart month - One month's section.
 * @csspart month-title - The month's heading with its total.
 * @csspart account-toggle - The button that expands one account of a month.
 * @csspart payments - The table of an account's payments in a month.
 * @csspart elsewhere - A row of a payment made outside the cabinet, as billing booked it.
 * @csspart status - A payment's status.
 * @csspart receipt-link - A link to a receipt.
 * @csspart empty - The note when there are no payments.
 * @csspart button - The "show earlier" button.
 * @csspart error - An error message.
 *
 * @cssproperty --gaskit-color-primary - Links and buttons.
 * @cssproperty --gaskit-color-success - The "paid" status.
 * @cssproperty --gaskit-color-danger - Failed payments.
 * @cssproperty --gaskit-color-border - Table borders.
 */
export class GaskitPaymentHistory extends GaskitElement {
  static override namespaces = ['payments'] as const;
  static override styles = [
    baseStyles,
    buttonStyles,
    tableStyles,
    stackedTableStyles,
    chevronStyles,
    visuallyHiddenStyles,
    titleStyles,
    styles,
  ];

  /** Only this account's payments. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** The first month shown (`YYYY-MM`); earlier years load on request. */
  @state() private from = '';
  @state() private expanded = new Set<string>();

  private readonly history = new ClientTask(this, {
    task: (client, [from, accountId], signal) =>
      paymentsOf(client).list({ ...(from ? { from } : {}), ...(accountId ? { accountId } : {}) }, { signal }),
    args: () => [this.from, this.accountId] as const,
    session: true,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('gaskit-payment-succeeded', this.reload);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('gaskit-payment-succeeded', this.reload);
  }

  /** A failed reload shows its error in place of the list. */
  private readonly reload = (): void => {
    this.history.run(this.from, this.accountId).catch(() => undefined);
  };

  private toggle(key: string): void {
    const next = new Set(this.expanded);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    this.expanded = next;
  }

  /** Twelve more months back from the first month listed; the server lists the last twelve by default. */
  private earlier(history: PaymentHistory): void {
    this.from = shiftPeriod(history.range.from, -12);
  }

  private money(kopecks: number, currency?: string): string {
    return this.localize.formatMoney(kopecks, currency);
  }

  private renderEntry(entry: Entry): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`payments:history.${key}`, params);
    if (entry.kind === 'elsewhere') {
      return html`<tr part="elsewhere">
        <th scope="row">${t('placeElsewhere')}<br /><small>${t('bookedBySupplier')}</small></th>
        <td>${this.money(entry.row.amount)}</td>
        <td>${t('noPenaltiesSplit')}</td>
        <td><span part="status" class="status status--booked">${t('booked')}</span></td>
        <td></td>
      </tr>`;
    }
    const { payment, item } = entry;
    const date = this.localize.formatDate(payment.succeededAt ?? payment.createdAt, { dateStyle: 'medium', timeStyle: 'short' });
    const readings = item.readingsResult
      ? html`<br /><small>${item.readingsResult.status === 'accepted' ? t('readingsAccepted') : t('readingsRejected')}</small>`
      : nothing;
    return html`<tr>
      <th scope="row">${date}<br /><small>${t('placeCabinet')}</small></th>
      <td data-label=${t('amount')}>${this.money(item.amount, payment.currency)}</td>
      <td data-label=${t('penalties')}>${this.money(item.penalties, payment.currency)}</td>
      <td data-label=${t('status')}>
        <span part="status" class="status status--${payment.status}"
          >${this.localize.t(`payments:status.${payment.status}`)}</span
        >
        ${PAID.has(payment.status) && !payment.confirmed ? html`<br /><small>${t('unconfirmed')}</small>` : nothing}${readings}
      </td>
      <td>
        ${
          payment.receipt
            ? html`<a part="receipt-link" class="link" href=${payment.receipt.url} target="_blank" rel="noopener"
                >${t('receiptLink', { date })}</a
              >`
            : nothing
        }
      </td>
    </tr>`;
  }

  private renderAccount(month: MonthGroup, account: AccountGroup, currency?: string): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`payments:history.${key}`, params);
    const key = `${month.period}:${account.accountId}`;
    const open = this.expanded.has(key);
    const panelId = `payments-${key.replace(/[^\w-]/g, '-')}`;
    return html`<li>
      <button
        part="account-toggle"
        class="toggle"
        type="button"
        aria-expanded=${open ? 'true' : 'false'}
        aria-controls=${panelId}
        @click=${() => this.toggle(key)}
      >
        <span class="chevron" aria-hidden="true"></span>
        <span>${t('account', { number: account.accountNumber })}</span>
        <span class="sum">${this.money(account.paid, currency)}</span>
        <span class="count">${t('payments', { count: account.made })}</span>
      </button>
      <div id=${panelId} class="table-wrap" ?hidden=${!open}>
        <table part="payments">
          <caption class="visually-hidden">
            ${t('account', { number: account.accountNumber })},
            ${this.localize.formatDate(month.period, { month: 'long', year: 'numeric' })}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('dateAndPlace')}</th>
              <th scope="col">${t('amount')}</th>
              <th scope="col">${t('penalties')}</th>
              <th scope="col">${t('status')}</th>
              <th scope="col">${t('receipt')}</th>
            </tr>
          </thead>
          <tbody>
            ${account.entries.map((entry) => this.renderEntry(entry))}
          </tbody>
        </table>
      </div>
    </li>`;
  }

  private renderHistory(history: PaymentHistory): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`payments:history.${key}`, params);
    const months = groupPayments(history.payments, history.elsewhere);
    const currency = history.payments[0]?.currency;
    return html`
      ${months.length === 0 ? html`<p part="empty" class="muted">${t('empty')}</p>` : nothing}
      ${months.map(
        (month) =>
          html`<section part="month" class="month" aria-labelledby=${`month-${month.period}`}>
            <h3 part="month-title" class="month-title" id=${`month-${month.period}`}>
              <span>${this.localize.formatDate(month.period, { month: 'long', year: 'numeric' })}</span>
              <span class="sum">${t('monthTotal', { amount: this.money(month.paid, currency) })}</span>
            </h3>
            <ul class="accounts">
              ${month.accounts.map((account) => this.renderAccount(month, account, currency))}
            </ul>
          </section>`,
      )}
      ${
        history.hasEarlier
          ? html`<button part="button" class="button" type="button" @click=${() => this.earlier(history)}>
              ${t('earlier')}
            </button>`
          : nothing
      }
    `;
  }

  protected override render(): unknown {
    return html`
      <h2 part="title" class="title">${this.localize.t('payments:history.title')}</h2>
      ${this.history.render({
        // While earlier months load, the months shown stay (and the button keeps its place).
        pending: () =>
          this.history.value
            ? this.renderHistory(this.history.value)
            : html`<p part="status" class="status" role="status">${this.localize.t('common:loading')}</p>`,
        complete: (result) => this.renderHistory(result),
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-payment-history': GaskitPaymentHistory;
  }
}

import { readingsOf } from '../../sdk/readings.ts';
import { html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import {
  verificationState,
  type LinkedAccount,
  type ReadingsHistory,
  type ReadingWindow,
  type TenantClient,
} from '../../sdk/index.ts';
import { formatPeriod } from '../shared/billing-parts.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, buttonStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import styles from './overview.styles.ts';
import { routePath, type Route } from './router.ts';

/**
 * The signed-in person's home at a glance, as the better utility cabinets have it: each linked
 * account with what is owed on it now (and what was paid but not booked yet), whether readings are
 * taken now and until when or from when, and meters whose verification is near or past; with the
 * way to pay and to send readings. Readings and meters come from each account's readings (its own
 * supplier's client for an account of another supplier of the realm).
 *
 * @tagname gaskit-overview
 *
 * @csspart total - The sum owed on all accounts with "Pay online".
 * @csspart account - One account's card.
 * @csspart owed - What is owed now, or that nothing is.
 * @csspart pending - Paid and not booked yet.
 * @csspart window - The reading window.
 * @csspart verification - A meter's verification note.
 * @csspart link - Links to the sections.
 */
export class GaskitOverview extends GaskitElement {
  static override namespaces = ['accounts', 'billing', 'portal'] as const;
  static override styles = [baseStyles, buttonStyles, styles];

  /** The linked accounts as `GET accounts` gives them. */
  @property({ attribute: false }) accounts: LinkedAccount[] = [];

  /** The address of a portal route, for links. */
  @property({ attribute: false }) href: (route: Route) => string = (route) => `#${routePath(route)}`;

  /** The client serving an account of another supplier of the realm; `undefined` for the element's own. */
  @property({ attribute: false }) clientFor: (account: LinkedAccount) => TenantClient | undefined = () => undefined;

  private readonly readings = new ClientTask(this, {
    task: (client, [accounts], signal) =>
      Promise.all(
        accounts.map((a) =>
          readingsOf(this.clientFor(a) ?? client)
            .history(a.id, { signal })
            .catch(() => null),
        ),
      ),
    args: () => [this.accounts] as const,
  });

  private t(key: string, params?: Record<string, unknown>): string {
    return this.localize.t(`portal:home.${key}`, params);
  }

  private money(kopecks: number): string {
    return this.localize.formatMoney(kopecks);
  }

  private day(date: string): string {
    return this.localize.formatDate(date, { day: 'numeric', month: 'long' });
  }

  private link(route: Route, key: string, primary = false): TemplateResult {
    return html`<a part="link" class=${primary ? 'button button--primary' : 'button'} href=${this.href(route)}
      >${this.t(key)}</a
    >`;
  }

  /**
   * What is owed now is the server's `due` (the debt less what was paid and not booked yet, the
   * penalties due last), the same figure the account and pay screens show.
   */
  private renderOwed(account: LinkedAccount): TemplateResult {
    const { due, pendingPaid } = account;
    const period = account.period ? this.t('asOf', { period: formatPeriod(this.localize, account.period) }) : '';
    const owedLine =
      due.balance < 0
        ? html`<p part="owed" class="owed owed--over">${this.t('overpaid', { amount: this.money(-due.balance) })}</p>`
        : due.total > 0
          ? html`<p part="owed" class="owed owed--due">
              ${this.t('owed', { amount: this.money(due.total) })}
              ${due.penalties > 0 ? html`<span class="note">${this.t('penalties', { amount: this.money(due.penalties) })}</span>` : nothing}
            </p>`
          : html`<p part="owed" class="owed">${this.t('nothingOwed')}</p>`;
    return html`${owedLine}
    ${pendingPaid > 0 ? html`<p part="pending" class="pending">${this.t('pending', { amount: this.money(pendingPaid) })}</p>` : nothing}
    ${period ? html`<p class="note">${period}</p>` : nothing}`;
  }

  private windowText(window: ReadingWindow): string {
    if (window.open) return this.t('window.openUntil', { date: this.day(window.closesOn) });
    if (window.queued) return this.t('window.queued', { date: this.day(window.opensOn) });
    return this.t('window.opensOn', { date: this.day(window.opensOn) });
  }

  private renderReadings(account: LinkedAccount, history: ReadingsHistory | null | undefined): unknown {
    if (!history) return nothing;
    const due = history.meters
      .map(({ meter }) => ({ meter, state: verificationState(meter.verificationDue) }))
      .filter(({ state }) => state === 'soon' || state === 'overdue');
    const canSend = history.meters.length > 0 && (history.window.open || history.window.queued);
    return html`${
      history.meters.length > 0
        ? html`<p part="window" class=${history.window.open ? 'window' : 'window window--closed'}>
            ${this.windowText(history.window)}
          </p>`
        : nothing
    }
    ${due.map(
      ({ meter, state }) =>
        html`<p part="verification" class=${`verification verification--${state}`}>
          ${this.t(state === 'overdue' ? 'verification.overdue' : 'verification.soon', {
            meter: meter.serialNumber
              ? this.t('verification.meterSerial', { serial: meter.serialNumber })
              : meter.name || this.t('verification.meter'),
            date: this.localize.formatDate(meter.verificationDue ?? ''),
          })}
        </p>`,
    )}
    ${canSend ? this.link({ view: 'readings', accountId: account.id }, 'sendReadings') : nothing}`;
  }

  private renderAccount(account: LinkedAccount, history: ReadingsHistory | null | undefined): TemplateResult {
    const own = this.resolvedClient?.tenant;
    return html`<li part="account" class="card">
      <h2 class="card-title">
        <a href=${this.href({ view: 'summary', accountId: account.id })}>${this.t('account', { number: account.number })}</a>
      </h2>
      ${account.address ? html`<p class="note">${account.address}</p>` : nothing}
      ${account.supplier.slug !== own ? html`<p class="note">${account.supplier.name}</p>` : nothing} ${this.renderOwed(account)}
      ${this.renderReadings(account, history)}
    </li>`;
  }

  protected override render(): unknown {
    const owed = this.accounts.reduce((sum, a) => sum + a.due.total, 0);
    const histories = this.readings.value;
    return html`<div part="total" class="total">
        <p class="total-text">${owed > 0 ? this.t('total', { amount: this.money(owed) }) : this.t('totalNothing')}</p>
        ${this.link({ view: 'pay' }, 'pay', owed > 0)}
      </div>
      <ul class="cards">
        ${this.accounts.map((account, i) => this.renderAccount(account, histories?.[i]))}
      </ul>
      ${this.link({ view: 'accounts' }, 'linkMore')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-overview': GaskitOverview;
  }
}

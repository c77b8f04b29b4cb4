import { paymentsOf } from '../../sdk/payments.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import {
  cardCvc,
  cardExpiry,
  cardNumber,
  formatCardExpiry,
  checkPaymentTotal,
  createIdempotencyKey,
  formatRublesInput,
  parseRubles,
  rubles,
  rule,
  type TenantClient,
  type PayableAccount,
  type Payment,
  type PaymentClientParams,
  type PaymentOptions,
  type PaymentReceipt,
  type ReadingInput,
  type Rule,
} from '../../sdk/index.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { SubmitController } from '../shared/submit.ts';
import { lazyPart } from '../shared/lazy.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import { GaskitHint } from '../hint/hint.component.ts';
import styles from './pay.styles.ts';
import { mountPaymentElement, type MountedPaymentElement } from './stripe-element.ts';

type Step = 'amounts' | 'readings' | 'card' | 'authenticate' | 'result';

/** The prefix of a card refusal's text keys. */
const FAILURE = 'payments:failure.';

/**
 * The readings step is `gaskit-readings`, loaded with its texts when a person first asks to send
 * readings with a payment: most payments send none, and the step would make up an eighth of this
 * widget's bundle and more than a third of its texts.
 */
const loadReadingsStep = lazyPart(
  'The readings step',
  () => import('../readings/readings.component.ts').then(({ GaskitReadings }) => GaskitReadings.define('gaskit-readings')),
  ['readings'],
);
type StripeParams = Extract<PaymentClientParams, { provider: 'stripe' }>;

/** An account as the form edits it: the amounts as typed, in roubles. */
interface Row extends PayableAccount {
  amountText: string;
  penaltiesText: string;
}

const STRIPE_SLOT = 'stripe-payment-element';
const kopecks = (text: string): number => parseRubles(text) ?? 0;
const sumOf = (row: Row): number => kopecks(row.amountText) + kopecks(row.penaltiesText);

/**
 * "Pay online": the linked accounts with amounts pre-filled with what is due now (editable; 0 skips
 * an account): "Сумма" for the services and "Пени" for the penalties, which together make the
 * debt, less what was paid in the cabinet and is not booked yet (shown beside it), optionally the meter readings to send with the payment, the
 * card step (the demo card form, or Stripe's Payment Element mounted through a light-DOM slot),
 * a confirmation step when the bank asks for one, and the result. Whether the payment went
 * through is what the server learnt from the provider; a second click never pays twice (one
 * idempotency key per payment).
 *
 * @slot stripe-payment-element - Filled by the widget itself: Stripe's card fields cannot live in a shadow root.
 *
 * @event gaskit-payment-succeeded - The provider confirmed the payment. `detail: { paymentId, total, accountIds }`.
 * @event gaskit-payment-failed - The payment was declined or not confirmed. `detail: { paymentId, code }`.
 *
 * @csspart title - The widget's heading.
 * @csspart step-title - Each step's heading.
 * @csspart progress - "Step n of m".
 * @csspart form - The form of each step.
 * @csspart mode - The choice between the current debt and an amount of one's own.
 * @csspart account - One account's block with its amounts.
 * @csspart due - What is owed on an account now.
 * @csspart pending - What was paid in the cabinet and is not booked by billing yet.
 * @csspart total - The total line.
 * @csspart notice - The demo provider's note on test cards.
 * @csspart status - "Processing the payment…" while the provider answers.
 * @csspart result - The result step.
 * @csspart receipt-link - The link to the receipt.
 * @csspart receipt-sent - Where the receipt was sent (email, or an SMS with its link).
 * @csspart error - An error message.
 * @csspart button - Every button.
 *
 * @cssproperty --gaskit-color-primary - Buttons, choices and links.
 * @cssproperty --gaskit-color-success - The success heading.
 * @cssproperty --gaskit-color-danger - Errors and the failure heading.
 * @cssproperty --gaskit-color-border - Account blocks and fieldsets.
 */
export class GaskitPay extends GaskitElement {
  static override namespaces = ['payments'] as const;
  static override dependencies = {
    'gaskit-text-field': GaskitTextField,
    'gaskit-hint': GaskitHint,
  };
  static override styles = [baseStyles, buttonStyles, fieldStyles, styles];

  @state() private step: Step = 'amounts';
  @state() private rows: Row[] = [];
  @state() private custom = false;
  @state() private withReadings = false;
  @state() private readingsIndex = 0;
  @state() private payment?: Payment;
  @state() private stripe = false;

  private readings: Record<string, ReadingInput[]> = {};
  private idempotencyKey = '';
  private stripeElement?: MountedPaymentElement;
  private focusStep = false;
  private loadedFrom?: PaymentOptions;
  /** The step's errors: an `errors:` code (amounts within the supplier's limits), or a card's refusal (`payments:failure.<code>`). */
  private readonly submitter = new SubmitController(this, {
    texts: (code) => (code.startsWith(FAILURE) ? this.failureKey(code.slice(FAILURE.length)) : undefined),
    params: () => {
      const options = this.loadedFrom;
      return options ? { min: options.minAmount / 100, max: options.maxAmount / 100 } : {};
    },
  });

  private readonly options = new ClientTask(this, {
    task: (client, _args, signal) => paymentsOf(client).options({ signal }),
    session: true,
  });

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unmountStripe();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const options = this.options.value;
    if (options && options !== this.loadedFrom) {
      this.loadedFrom = options;
      this.prefill(options.accounts);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.focusStep) {
      this.focusStep = false;
      this.renderRoot.querySelector<HTMLElement>('[data-step-heading]')?.focus();
    }
  }

  /**
   * Amounts as what is due now: "Сумма" for the services and "Пени" for the penalties, which
   * together make the debt, less what was paid here and is not booked yet.
   */
  private prefill(accounts: PayableAccount[]): void {
    const { locale } = this.localize;
    this.rows = accounts.map((a) => ({
      ...a,
      amountText: formatRublesInput(a.due.amount, locale),
      penaltiesText: formatRublesInput(a.due.penalties, locale),
    }));
  }

  private t(key: string, params?: Record<string, unknown>): string {
    return this.localize.t(`payments:pay.${key}`, params);
  }

  private money(kopecks: number): string {
    return this.localize.formatMoney(kopecks, this.loadedFrom?.currency);
  }

  private goTo(step: Step): void {
    this.step = step;
    this.submitter.clear();
    this.focusStep = true;
  }

  private get total(): number {
    return this.rows.reduce((sum, r) => sum + sumOf(r), 0);
  }

  /** The accounts whose readings the readings step asks for: paid ones with meters. */
  private get readingRows(): Row[] {
    return this.withReadings ? this.rows.filter((r) => r.hasMeters && sumOf(r) > 0) : [];
  }

  private setCustom(custom: boolean): void {
    this.custom = custom;
    if (!custom) this.prefill(this.rows);
  }

  private edit(index: number, field: 'amountText' | 'penaltiesText', value: string): void {
    this.rows = this.rows.map((r, i) => (i === index ? { ...r, [field]: value } : r));
    this.custom = true;
    this.submitter.clear();
  }

  private submitAmounts(event: SubmitEvent): void {
    event.preventDefault();
    this.submitter.clear();
    if (!this.submitter.validate() || !this.loadedFrom) return;
    const code = checkPaymentTotal(this.total, this.loadedFrom);
    if (code) {
      this.submitter.fail(code);
      return;
    }
    this.readings = {};
    this.idempotencyKey = createIdempotencyKey();
    this.readingsIndex = 0;
    if (this.readingRows.length > 0) void this.act(() => loadReadingsStep(this.localize).then(() => this.goTo('readings')));
    else void this.startPayment();
  }

  private chooseReadings(event: Event): void {
    this.withReadings = (event.target as HTMLInputElement).checked;
    // Fetched, code and texts, while the person fills in the amounts; a failure shows when they go on.
    if (this.withReadings) loadReadingsStep(this.localize).catch(() => undefined);
  }

  private nextReadings(accountId: string, readings?: ReadingInput[]): void {
    if (readings) this.readings = { ...this.readings, [accountId]: readings };
    if (++this.readingsIndex < this.readingRows.length) this.focusStep = true;
    else void this.startPayment();
  }

  /**
   * Runs one call of the payment at a time with the busy state on. A field error lands on its
   * field (back on the amounts step for `POST payments`, also when a retry from the result made
   * it); any other shows above the buttons.
   */
  private async act(call: (client: TenantClient) => Promise<void>): Promise<void> {
    const client = this.resolvedClient;
    if (!client) return;
    await this.submitter.run(async () => {
      try {
        await call(client);
      } catch (error) {
        if ((!this.payment || this.step === 'result') && this.step !== 'amounts') this.goTo('amounts');
        await this.updateComplete;
        throw error;
      }
    });
  }

  /** `POST payments` with this payment's idempotency key: repeating it returns the same payment. */
  private startPayment(): Promise<void> {
    return this.act(async (client) => {
      const items = this.rows.map((r) => ({
        accountId: r.accountId,
        amount: kopecks(r.amountText),
        penalties: kopecks(r.penaltiesText),
        ...(this.readings[r.accountId] ? { readings: this.readings[r.accountId] } : {}),
      }));
      const result = await paymentsOf(client).create({ items }, { idempotencyKey: this.idempotencyKey });
      this.payment = result.payment;
      this.stripe = result.client.provider === 'stripe';
      this.goTo('card');
      if (result.client.provider === 'stripe') await this.mountStripe(result.client);
    });
  }

  private async mountStripe(params: StripeParams): Promise<void> {
    const target = document.createElement('div');
    target.slot = STRIPE_SLOT;
    this.append(target);
    try {
      this.stripeElement = await mountPaymentElement(target, { ...params, locale: this.localize.locale });
    } catch {
      target.remove();
      this.submitter.fail('payment_provider_unavailable');
    }
  }

  private unmountStripe(): void {
    this.stripeElement?.destroy();
    this.stripeElement = undefined;
    this.querySelector(`[slot="${STRIPE_SLOT}"]`)?.remove();
  }

  private payByCard(event: SubmitEvent): void {
    event.preventDefault();
    const payment = this.payment!;
    if (!this.stripe && !this.submitter.validate()) return;
    void this.act(async (client) => {
      let current: Payment;
      if (this.stripe) {
        if (!this.stripeElement) return;
        const { errorCode } = await this.stripeElement.confirm(window.location.href);
        if (errorCode) {
          this.submitter.fail(`${FAILURE}${errorCode}`);
          return;
        }
        current = await paymentsOf(client).waitForOutcome(payment.id);
      } else {
        const { cardNumber = '', expiry = '', cvc = '' } = this.submitter.values();
        current = await paymentsOf(client).demoConfirm(payment.id, { cardNumber, expiry: formatCardExpiry(expiry), cvc });
        if (current.status === 'processing') current = await paymentsOf(client).waitForOutcome(payment.id);
      }
      this.settle(current);
    });
  }

  /** Shows what the provider decided and tells the page. */
  private settle(payment: Payment): void {
    this.payment = payment;
    if (payment.status === 'requires_action') {
      this.goTo('authenticate');
      return;
    }
    this.unmountStripe();
    this.goTo('result');
    if (payment.status === 'succeeded') {
      this.emit('gaskit-payment-succeeded', {
        paymentId: payment.id,
        total: payment.total,
        accountIds: payment.items.map((i) => i.accountId),
      });
    } else if (payment.status === 'failed') {
      this.emit('gaskit-payment-failed', { paymentId: payment.id, code: payment.failureCode ?? 'card_declined' });
    }
  }

  /** The expiry typed as digits (`1130`) is written as on the card (`11/30`) once the person leaves the field. */
  private readonly formatExpiry = (event: Event): void => {
    const field = event.target as GaskitTextField;
    field.value = formatCardExpiry(field.value);
  };

  /**
   * A declined card: a new payment of the same amounts and readings, straight to the card form.
   * The declined one stays on screen (its buttons busy) until the new one is made.
   */
  private retry(): void {
    this.unmountStripe();
    this.idempotencyKey = createIdempotencyKey();
    void this.startPayment();
  }

  /** Back to the amounts for another attempt, with a new idempotency key. */
  private restart(): void {
    this.payment = undefined;
    this.unmountStripe();
    this.goTo('amounts');
    this.options.run().catch(() => undefined);
  }

  /** Where the receipt went: the email address, the phone an SMS with its link went to, or nowhere. */
  private receiptSent({ sentTo }: PaymentReceipt): string {
    if (!sentTo) return this.t('receiptNotSent');
    return this.t(sentTo.channel === 'sms' ? 'receiptSentSms' : 'receiptSentEmail', { to: sentTo.to });
  }

  /** The key of a card refusal's text; `payments:failure.unknown` for a code without one. */
  private failureKey(code: string): string {
    const key = `${FAILURE}${code}`;
    return this.localize.exists(key) ? key : `${FAILURE}unknown`;
  }

  private button(label: string, onClick?: () => void, primary = false): TemplateResult {
    return html`<button
      part="button"
      class="button ${primary ? 'button--primary' : ''}"
      type=${onClick ? 'button' : 'submit'}
      ?disabled=${this.submitter.busy}
      @click=${onClick}
    >
      ${label}
    </button>`;
  }

  private heading(text: string): TemplateResult {
    return html`<h3 part="step-title" class="step-title" tabindex="-1" data-step-heading>${text}</h3>`;
  }

  /** "Step n of m" (the card step is the last one) and the step's heading. */
  private stepHeader(current: number | 'last', title?: string): TemplateResult {
    const count = this.readingRows.length > 0 ? 3 : 2;
    return html`<p part="progress" class="muted">${this.t('step', { current: current === 'last' ? count : current, count })}</p>
      ${title ? this.heading(title) : nothing}`;
  }

  private renderAmounts(options: PaymentOptions): TemplateResult {
    if (options.accounts.length === 0) return html`<p part="notice" class="notice">${this.t('noAccounts')}</p>`;
    return html`
      ${this.stepHeader(1)}
      <form part="form" novalidate @submit=${this.submitAmounts}>
        <p class="muted">${this.t('intro')}</p>
        <fieldset part="mode">
          <legend>${this.t('mode.legend')}</legend>
          ${[false, true].map(
            (custom) =>
              html`<label class="choice">
                <input
                  type="radio"
                  name="mode"
                  .checked=${this.custom === custom}
                  @change=${() => this.setCustom(custom)}
                />${this.t(custom ? 'mode.custom' : 'mode.debt')}
              </label>`,
          )}
        </fieldset>
        <ul class="accounts">
          ${this.rows.map((row, index) => this.renderRow(row, index))}
        </ul>
        <label class="choice">
          <input type="checkbox" .checked=${this.withReadings} @change=${this.chooseReadings} />
          ${this.t('withReadings')}
        </label>
        <p part="total" class="total" role="status">${this.t('total', { amount: this.money(this.total) })}</p>
        <p class="muted">${this.t('limits', { min: this.money(options.minAmount), max: this.money(options.maxAmount) })}</p>
        ${this.submitter.renderError()}
        <div class="actions">${this.button(this.t('next'), undefined, true)}</div>
      </form>
    `;
  }

  private renderRow(row: Row, index: number): TemplateResult {
    return html`<li part="account" class="account">
      <div class="account-info">
        <p class="account-number">${this.t('account', { number: row.accountNumber })}</p>
        <p class="muted">${row.address}</p>
        <p part="due">${row.due.total > 0 ? this.t('debt', { amount: this.money(row.due.total) }) : this.t('noDebt')}</p>
        ${
          row.pendingPaid > 0
            ? html`<p part="pending" class="muted">${this.t('pendingPaid', { amount: this.money(row.pendingPaid) })}</p>
                <p class="muted">${this.t('billedDebt', { amount: this.money(row.debt) })}</p>`
            : nothing
        }
      </div>
      ${(['amount', 'penalties'] as const).map(
        (field) =>
          html`<gaskit-text-field
            name=${`items.${index}.${field}`}
            label=${this.t(field)}
            inputmode="decimal"
            .value=${row[`${field}Text`]}
            .rules=${[rule(rubles)]}
            @input=${(e: Event) => this.edit(index, `${field}Text`, (e.currentTarget as GaskitTextField).value)}
            ><gaskit-hint slot="hint" text=${this.t(`${field}Hint`)}></gaskit-hint
          ></gaskit-text-field>`,
      )}
    </li>`;
  }

  private renderReadings(): TemplateResult {
    const row = this.readingRows[this.readingsIndex];
    if (!row) return html``;
    return html`
      ${this.stepHeader(2, `${this.t('readingsTitle')} — ${this.t('account', { number: row.accountNumber })}`)}
      <p class="muted">${this.t('readingsIntro')}</p>
      <gaskit-readings
        deferred
        account-id=${row.accountId}
        @gaskit-readings-confirmed=${(e: CustomEvent<{ readings: ReadingInput[] }>) => this.nextReadings(row.accountId, e.detail.readings)}
      ></gaskit-readings>
      ${this.submitter.renderError()}
      <div class="actions">
        ${this.button(this.t('skipReadings'), () => this.nextReadings(row.accountId))}
        ${this.button(this.t('back'), () => this.goTo('amounts'))}
      </div>
    `;
  }

  private renderCard(payment: Payment): TemplateResult {
    const field = (name: string, autocomplete: AutoFill, check: Rule, wide = false) =>
      html`<gaskit-text-field
        class=${wide ? 'wide' : ''}
        name=${name}
        label=${this.t(name)}
        autocomplete=${autocomplete}
        inputmode="numeric"
        required
        .rules=${[check]}
        @change=${name === 'expiry' ? this.formatExpiry : nothing}
      ></gaskit-text-field>`;
    return html`
      ${this.stepHeader('last', this.t('cardTitle'))}
      <p>${this.t('cardIntro', { amount: this.money(payment.total) })}</p>
      <form part="form" novalidate @submit=${this.payByCard}>
        ${
          this.stripe
            ? html`<slot name=${STRIPE_SLOT}></slot>`
            : html`<p part="notice" class="notice">${this.t('demoNotice')}</p>
                <div class="card-grid">
                  ${field('cardNumber', 'cc-number', rule(cardNumber), true)}
                  ${field('expiry', 'cc-exp', rule(cardExpiry, { now: new Date() }))} ${field('cvc', 'cc-csc', rule(cardCvc))}
                </div>`
        }
        ${this.submitter.busy ? html`<p part="status" class="status" role="status">${this.t('processing')}</p>` : nothing}
        ${this.submitter.renderError()}
        <div class="actions">
          ${this.button(this.t('payButton', { amount: this.money(payment.total) }), undefined, true)}
          ${this.button(this.t('cancel'), () => void this.act(async (client) => this.settle(await paymentsOf(client).cancel(payment.id))))}
        </div>
      </form>
    `;
  }

  private renderAuthenticate(payment: Payment): TemplateResult {
    const answer = (approve: boolean) => () =>
      void this.act(async (client) => this.settle(await paymentsOf(client).demoAuthenticate(payment.id, approve)));
    return html`
      ${this.heading(this.t('authTitle'))}
      <p>${this.t('authIntro', { amount: this.money(payment.total) })}</p>
      ${this.submitter.renderError()}
      <div class="actions">
        ${this.button(this.t('approve'), answer(true), true)} ${this.button(this.t('reject'), answer(false))}
      </div>
    `;
  }

  private renderResult(payment: Payment): TemplateResult {
    const succeeded = payment.status === 'succeeded';
    return html`<section part="result" class="result result--${succeeded ? 'succeeded' : 'failed'}">
      ${this.heading(this.t(succeeded ? 'successTitle' : payment.status === 'canceled' ? 'canceledTitle' : 'failedTitle'))}
      ${
        succeeded
          ? html`<p>${this.t('successText', { amount: this.money(payment.total) })}</p>
              ${payment.receipt ? html`<p part="receipt-sent">${this.receiptSent(payment.receipt)}</p>` : nothing}
              ${
                payment.receipt
                  ? html`<p>
                      <a part="receipt-link" class="link" href=${payment.receipt.url} target="_blank" rel="noopener"
                        >${this.t('receipt')}</a
                      >
                    </p>`
                  : nothing
              }`
          : payment.status === 'failed'
            ? html`<p role="alert">${this.localize.t(this.failureKey(payment.failureCode ?? 'unknown'))}</p>`
            : nothing
      }
      <div class="actions">
        ${
          payment.status === 'failed'
            ? html`${this.button(this.t('retry'), () => this.retry(), true)}
              ${this.button(this.localize.t('payments:result.changeAmounts'), () => this.restart())}`
            : this.button(this.t(succeeded ? 'newPayment' : 'retry'), () => this.restart())
        }
      </div>
    </section>`;
  }

  protected override render(): unknown {
    return html`
      <h2 part="title" class="title" tabindex="-1" data-step-heading=${this.step === 'amounts' ? '' : nothing}>
        ${this.t('title')}
      </h2>
      ${this.options.render({
        complete: (options) => {
          const payment = this.payment;
          if (this.step === 'readings') return this.renderReadings();
          if (!payment || this.step === 'amounts') return this.renderAmounts(options);
          if (this.step === 'card') return this.renderCard(payment);
          return this.step === 'authenticate' ? this.renderAuthenticate(payment) : this.renderResult(payment);
        },
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-pay': GaskitPay;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-payment-succeeded': CustomEvent<{ paymentId: string; total: number; accountIds: string[] }>;
    'gaskit-payment-failed': CustomEvent<{ paymentId: string; code: string }>;
  }
}

/**
 * Payments: the shared money and card rules (used by the widget and the server alike), the API
 * types and the `client.payments` group. Money is in kopecks (integers) everywhere.
 */
import type { z } from 'zod';
import type { AmountDue as AmountDueSchema } from '../contracts/common.ts';
import type { BodyInput, QueryInput } from '../contracts/endpoint.ts';
import type * as c from '../contracts/payments.ts';
import { groupAccessor, type ClientCore } from './core.ts';

export type PaymentStatus = z.output<typeof c.PaymentStatus>;

/** Statuses after which only a refund can follow: the payer stops waiting. */
export function isSettledStatus(status: PaymentStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'refunded';
}

export {
  cardCvc,
  cardExpiry,
  cardNumber,
  checkPaymentTotal,
  digitsOnly,
  formatCardExpiry,
  formatRublesInput,
  parseRubles,
  periodOfDate,
  rubles,
  shiftPeriod,
  type PaymentLimits,
} from '../contracts/rules/payments.ts';

/** One account of a payment: kopecks toward charges and penalties (both 0 skips it), and meter readings to send with it. */
export type PaymentItemInput = c.PaymentItemInput;

/** A payment's accounts (the contract's body, each item's penalties given). */
export interface CreatePaymentInput {
  items: PaymentItemInput[];
}

export type Payment = z.output<typeof c.Payment>;

export type PaymentItem = Payment['items'][number];

/** The receipt of a succeeded payment, and where it was sent. */
export type PaymentReceipt = NonNullable<Payment['receipt']>;

/** What the browser needs to continue with the provider: Stripe's keys and secret, or nothing for the demo provider. */
export type PaymentClientParams = z.output<typeof c.ClientParams>;

export type CreatePaymentResult = z.output<typeof c.CreatedPayment>;

/** What is owed now on an account, kopecks: `total` = `amount` (services) + `penalties`; `balance` is the debt less unbooked payments. */
export type AmountDue = z.output<typeof AmountDueSchema>;

/** A linked account as the payment form offers it: debt, penalties, unbooked payments (kopecks), what is due, and whether it has meters. */
export type PayableAccount = PaymentOptions['accounts'][number];

export type PaymentOptions = z.output<typeof c.PaymentOptions>;

/** First and last month (`YYYY-MM`) to list, by default the last twelve, and an account. */
export type PaymentListQuery = QueryInput<typeof c.payments.list>;

/** A payment billing booked that was made outside the cabinet (a bank, the post office, a cash desk). */
export type PaymentElsewhere = z.output<typeof c.PaymentElsewhere>;

/** `GET payments`: the cabinet's payments and the ones made elsewhere, in a range of months. */
export type PaymentHistory = z.output<typeof c.PaymentHistory>;

export type DemoCardInput = BodyInput<typeof c.payments.demoConfirm>;

/** `client.payments`: pay linked accounts and read the payment history. */
export class PaymentsApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET payments/options`: linked accounts with debt and penalties, limits and provider. */
  options(options: { signal?: AbortSignal } = {}): Promise<PaymentOptions> {
    return this.core.call<typeof c.payments.options>('GET', '/payments/options', options);
  }

  /**
   * `POST payments`. Keep one `idempotencyKey` per payment the person is making: a second click
   * or a retry returns the first payment and never starts a second charge.
   */
  create(input: CreatePaymentInput, options: { idempotencyKey: string; signal?: AbortSignal }): Promise<CreatePaymentResult> {
    return this.core.call<typeof c.payments.create>('POST', '/payments', { body: input, ...options });
  }

  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Payment> {
    return this.core.call<typeof c.payments.get>('GET', '/payments/:id', { params: { id }, ...options });
  }

  /** `GET payments`: the subscriber's payments, newest first, and those billing booked from elsewhere. */
  list(query: PaymentListQuery = {}, options: { signal?: AbortSignal } = {}): Promise<PaymentHistory> {
    return this.core.call<typeof c.payments.list>('GET', '/payments', { query: { ...query }, ...options });
  }

  /** Asks the provider to cancel a payment that has not been paid. */
  cancel(id: string): Promise<Payment> {
    return this.core.call<typeof c.payments.cancel>('POST', '/payments/:id/cancel', { params: { id } });
  }

  /** Demo provider: submits the card of the demo card form; answers once the payment's state (and receipt) is written, its follow-up runs after. */
  demoConfirm(id: string, card: DemoCardInput): Promise<Payment> {
    return this.core.call<typeof c.payments.demoConfirm>('POST', '/payments/:id/demo/confirm', { params: { id }, body: card });
  }

  /** Demo provider: the answer to the confirmation step the card asked for. */
  demoAuthenticate(id: string, approve: boolean): Promise<Payment> {
    return this.core.call<typeof c.payments.demoAuthenticate>('POST', '/payments/:id/demo/authenticate', {
      params: { id },
      body: { approve },
    });
  }

  /**
   * Polls the payment until the provider has settled it or asks the payer for a step, which is
   * what the server learnt from the provider: the browser's word never marks a payment paid.
   */
  async waitForOutcome(
    id: string,
    { signal, intervalMs = 1000, timeoutMs = 120_000 }: { signal?: AbortSignal; intervalMs?: number; timeoutMs?: number } = {},
  ): Promise<Payment> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const payment = await this.get(id, { signal });
      if (isSettledStatus(payment.status) || payment.status === 'requires_action' || Date.now() >= deadline) return payment;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** The payments group of a client (see `groupAccessor`). */
export const paymentsOf = /* @__PURE__ */ groupAccessor((core) => new PaymentsApi(core));

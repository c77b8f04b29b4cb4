/**
 * Payments: the shared money and card rules (used by the widget and the server alike), the API
 * types and the `client.payments` group. Money is in kopecks (integers) everywhere.
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';
import type { ReadingInput } from './readings.ts';
import type { PaymentProviderName } from './types.ts';
import type { PaymentLimits } from '../contracts/rules/payments.ts';

export type PaymentStatus = 'created' | 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'refunded';

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

export interface PaymentItemInput {
  accountId: string;
  /** Kopecks toward charges; 0 together with 0 penalties skips the account. */
  amount: number;
  /** Kopecks toward penalties. */
  penalties: number;
  /** Meter readings sent with the payment, taken when it succeeds. */
  readings?: ReadingInput[];
}

export interface CreatePaymentInput {
  items: PaymentItemInput[];
}

export interface PaymentItem {
  accountId: string;
  accountNumber: string;
  address: string;
  amount: number;
  penalties: number;
  /** Readings were sent with this account's payment. */
  hasReadings: boolean;
  /** Once the payment succeeded: whether those readings were taken, or the rule that refused them. */
  readingsResult: { status: 'accepted' | 'rejected'; code: string } | null;
}

export interface PaymentReceipt {
  /** ISO timestamp. */
  issuedAt: string;
  supplierName: string;
  supplierLegalName: string;
  supplierTaxId: string;
  /** Public link to the printable receipt. */
  url: string;
  /**
   * Where it was sent, partly hidden: by email, or by SMS (a short link) to a subscriber without an
   * email; null when the subscriber has neither.
   */
  sentTo: { channel: 'email' | 'sms'; to: string } | null;
}

export interface Payment {
  id: string;
  status: PaymentStatus;
  provider: PaymentProviderName;
  currency: string;
  /** Kopecks. */
  total: number;
  items: PaymentItem[];
  /** What the payer must do next while `requires_action`. */
  nextAction: 'authenticate' | null;
  /** Why the payment failed (`card_declined`, `insufficient_funds`, …). */
  failureCode: string | null;
  refundedAmount: number;
  /** The supplier's billing has booked it; until then balances show it as paid but unconfirmed. */
  confirmed: boolean;
  /** ISO timestamps. */
  createdAt: string;
  succeededAt: string | null;
  receipt: PaymentReceipt | null;
}

/** What the browser needs to take the card: Stripe's Payment Element, or the demo card form. */
export type PaymentClientParams =
  { provider: 'stripe'; publishableKey: string; stripeAccount: string; clientSecret: string } | { provider: 'demo' };

export interface CreatePaymentResult {
  payment: Payment;
  client: PaymentClientParams;
}

/**
 * What is owed on an account now, kopecks: billing's debt (penalties included) less what was paid
 * in the cabinet and not yet booked by billing.
 */
export interface AmountDue {
  /** The debt less the payments not booked yet; negative is an overpayment. */
  balance: number;
  /** What to pay now: `amount + penalties`. */
  total: number;
  /** Toward the services: what the pay form pre-fills as "Сумма". */
  amount: number;
  /** Toward the penalties: what the pay form pre-fills as "Пени". */
  penalties: number;
}

/** One linked account as the pay form starts from. */
export interface PayableAccount {
  accountId: string;
  accountNumber: string;
  address: string;
  supplierName: string;
  /** Current debt in kopecks (0 when nothing is owed), penalties included. */
  debt: number;
  /** The part of the debt that is penalties, kopecks. */
  penalties: number;
  /** Paid through the cabinet but not yet booked by the supplier's billing. */
  pendingPaid: number;
  /** What to pay now: the pre-filled amounts. */
  due: AmountDue;
  /** The account has meters whose readings can be sent with the payment. */
  hasMeters: boolean;
}

export interface PaymentOptions extends PaymentLimits {
  provider: PaymentProviderName;
  currency: string;
  accounts: PayableAccount[];
}

export interface PaymentListQuery {
  /** First and last month (`YYYY-MM`) to list; default the last twelve months. */
  from?: string;
  to?: string;
  accountId?: string;
}

/** A payment billing booked that was made outside the cabinet (a bank, the post office, a cash desk). */
export interface PaymentElsewhere {
  /** The month billing booked it in (`YYYY-MM`). */
  period: string;
  accountId: string;
  accountNumber: string;
  address: string;
  /** Kopecks. */
  amount: number;
}

/** `GET payments`: the cabinet's payments and the ones made elsewhere, in a range of months. */
export interface PaymentHistory {
  /** Payments made in the cabinet, newest first. */
  payments: Payment[];
  /** Payments billing booked that were made elsewhere, newest month first. */
  elsewhere: PaymentElsewhere[];
  /** The months listed. */
  range: { from: string; to: string };
  /** Billing booked payments before `range.from`. */
  hasEarlier: boolean;
}

export interface DemoCardInput {
  cardNumber: string;
  expiry: string;
  cvc: string;
}

/** `client.payments`: pay linked accounts and read the payment history. */
export class PaymentsApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET payments/options`: linked accounts with debt and penalties, limits and provider. */
  options(options: { signal?: AbortSignal } = {}): Promise<PaymentOptions> {
    return this.core.request<PaymentOptions>('payments/options', options);
  }

  /**
   * `POST payments`. Keep one `idempotencyKey` per payment the person is making: a second click
   * or a retry returns the first payment and never starts a second charge.
   */
  create(input: CreatePaymentInput, options: { idempotencyKey: string; signal?: AbortSignal }): Promise<CreatePaymentResult> {
    return this.core.request<CreatePaymentResult>('payments', { method: 'POST', body: input, ...options });
  }

  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Payment> {
    return this.core.request<Payment>(path`payments/${id}`, options);
  }

  /** `GET payments`: the subscriber's payments, newest first, and those billing booked from elsewhere. */
  list(query: PaymentListQuery = {}, options: { signal?: AbortSignal } = {}): Promise<PaymentHistory> {
    return this.core.request<PaymentHistory>('payments', { query: { ...query }, ...options });
  }

  /** Asks the provider to cancel a payment that has not been paid. */
  cancel(id: string): Promise<Payment> {
    return this.core.request<Payment>(path`payments/${id}/cancel`, { method: 'POST' });
  }

  /** Demo provider: submits the card of the demo card form. */
  demoConfirm(id: string, card: DemoCardInput): Promise<Payment> {
    return this.core.request<Payment>(path`payments/${id}/demo/confirm`, { method: 'POST', body: card });
  }

  /** Demo provider: the answer to the confirmation step the card asked for. */
  demoAuthenticate(id: string, approve: boolean): Promise<Payment> {
    return this.core.request<Payment>(path`payments/${id}/demo/authenticate`, { method: 'POST', body: { approve } });
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

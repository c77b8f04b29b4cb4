/**
 * Payments: the shared money and card rules (used by the widget and the server alike), the API
 * types and the `client.payments` group. Money is in kopecks (integers) everywhere.
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';
import type { ReadingInput } from './readings.ts';
import type { PaymentProviderName } from './types.ts';
import type { Validator } from './validators.ts';

export type PaymentStatus = 'created' | 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'refunded';

/** Statuses after which only a refund can follow: the payer stops waiting. */
export function isSettledStatus(status: PaymentStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'refunded';
}

const isEmpty = (value: string): boolean => value.trim() === '';

/** Spaces and dashes people type between digit groups removed. */
export function digitsOnly(value: string): string {
  return value.replace(/[\s-]/g, '');
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** 12–19 digits passing the Luhn check. */
export const cardNumber: Validator = {
  name: 'cardNumber',
  execute(value) {
    if (isEmpty(value)) return null;
    const digits = digitsOnly(value);
    return /^\d{12,19}$/.test(digits) && luhn(digits) ? null : 'card_number_invalid';
  },
};

const EXPIRY = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/;

/** A card's expiry typed as digits alone, `1130` or `112030`, written as on the card: `11/30`, `11/2030`; anything else as typed. */
export function formatCardExpiry(value: string): string {
  const digits = /^\s*(\d{2})(\d{2}|\d{4})\s*$/.exec(value);
  return digits ? `${digits[1]}/${digits[2]}` : value;
}

/** `MM/YY` (or `MM/YYYY`, or those digits without the slash), not before the current month. */
export const cardExpiry: Validator<{ now: Date }> = {
  name: 'cardExpiry',
  execute(value, { now }) {
    if (isEmpty(value)) return null;
    const m = EXPIRY.exec(formatCardExpiry(value));
    if (!m) return 'card_expiry_invalid';
    const month = Number(m[1]);
    const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    if (month < 1 || month > 12) return 'card_expiry_invalid';
    return year * 12 + month < now.getFullYear() * 12 + now.getMonth() + 1 ? 'card_expired' : null;
  },
};

export const cardCvc: Validator = {
  name: 'cardCvc',
  execute: (value) => (isEmpty(value) || /^\d{3,4}$/.test(value.trim()) ? null : 'card_cvc_invalid'),
};

const RUBLES = /^(\d{1,12})(?:[.,](\d{1,2}))?$/;

/** A rouble amount as typed ("1 500", "1500,5", "1500.50") in kopecks; `null` when it is not one. */
export function parseRubles(value: string): number | null {
  const m = RUBLES.exec(value.replace(/[\s\u00a0]/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Kopecks as an editable rouble amount: `1500.5` → "1500,50" in Russian, "1500.50" otherwise. */
export function formatRublesInput(kopecks: number, locale: string): string {
  const text = `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`;
  return locale.startsWith('ru') ? text.replace('.', ',') : text;
}

/** A non-negative rouble amount with at most two decimals. */
export const rubles: Validator = {
  name: 'rubles',
  execute: (value) => (isEmpty(value) || parseRubles(value) !== null ? null : 'amount_invalid'),
};

/** The tenant's limits on one payment's total, in kopecks. */
export interface PaymentLimits {
  minAmount: number;
  maxAmount: number;
}

/** The rule on a payment's total: not zero, within the tenant's limits. Returns the error code or null. */
export function checkPaymentTotal(total: number, { minAmount, maxAmount }: PaymentLimits): string | null {
  if (total <= 0) return 'payment_total_zero';
  if (total < minAmount) return 'payment_below_min';
  if (total > maxAmount) return 'payment_above_max';
  return null;
}

/** The month (`YYYY-MM`) `by` months after `period` (before, when negative). */
export function shiftPeriod(period: string, by: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month (`YYYY-MM`) of a moment, in UTC as the server counts payment months. */
export function periodOfDate(date: Date): string {
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

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

  /** Demo provider: submits the card of the demo card form; answers once the payment's state (and receipt) is written, its follow-up runs after. */
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

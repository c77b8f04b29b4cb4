import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';
import type { PublicPayment } from './view.ts';

/**
 * created → (requires_action →) processing → succeeded | failed | canceled; succeeded → refunded.
 * Only provider events move a payment (see machine.ts); the browser never does.
 */
export const PAYMENT_STATUSES = [
  'created',
  'requires_action',
  'processing',
  'succeeded',
  'failed',
  'canceled',
  'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type ProviderName = 'demo' | 'stripe';

/**
 * Every document here is found by its `_id` alone on a request path (FerretDB v1 reads only an
 * exact `_id` filter through an index): the payment by its id, and what leads to it — the
 * cabinet's history, the receipt token, the provider's reference, an account's unconfirmed
 * payments, the export position — by keys built from those natural keys.
 */

export interface PaymentItemDoc {
  /** The account's id as the accounts module gives it (an opaque string). */
  accountId: string;
  /** The account number at the time of payment, for receipts and history. */
  accountNumber: string;
  address: string;
  /** Kopecks toward charges. */
  amount: number;
  /** Kopecks toward penalties ("пени"). */
  penalties: number;
  /** The normalised readings submission sent with the payment; taken only when the payment succeeds. */
  readings?: unknown;
  /** What became of those readings once the payment succeeded. */
  readingsResult?: { status: 'accepted' | 'rejected'; code: string };
}

/** The supplier as it stood when the payment succeeded: a receipt never changes afterwards. */
export interface ReceiptDoc {
  issuedAt: Date;
  supplierName: string;
  supplierLegalName: string;
  supplierTaxId: string;
  /** The outbox job that sent it (by email or SMS). */
  emailJobId: string;
  /** How it was sent: `email`, `sms`, or '' when the subscriber has neither. */
  channel: '' | 'email' | 'sms';
  /** Where it was sent, partly hidden, as the payer is told. */
  sentTo: string;
}

export interface PaymentDoc {
  /**
   * 24 hex digits: for a payment made here, derived from (tenant, subscriber, Idempotency-Key)
   * (see `paymentIdFor`), so one key makes one payment by the uniqueness of `_id` itself; an
   * earlier payment keeps its ObjectId's hex.
   */
  _id: string;
  tenantId: Types.ObjectId;
  /** The tenant slug, to rebuild the tenant context when a provider event arrives. */
  tenantSlug: string;
  subscriberId: Types.ObjectId;
  idempotencyKey: string;
  /** sha256 of the request that created the payment: the same key with another request is refused. */
  requestHash: string;
  provider: ProviderName;
  /** Stripe connected account the intent was created on (empty for demo). */
  providerAccount: string;
  /** The provider's payment id (Stripe PaymentIntent id). */
  providerRef: string;
  clientSecret: string;
  currency: string;
  items: PaymentItemDoc[];
  total: number;
  status: PaymentStatus;
  /** Number of transitions applied (see PaymentTransition). */
  version: number;
  /** Number of writes made to the document: every write is a revision (service.ts `writePayment`). */
  rev?: number;
  /** What the payer must do next while `requires_action`. */
  nextAction: '' | 'authenticate';
  failureCode: string;
  refundedAmount: number;
  /** Language of the receipt email. */
  locale: string;
  /** Random token of the public receipt link (shown to the payer, emailed). */
  receiptToken: string;
  /** Base of the receipt links in emails: the server's public URL (server/http/public-url.ts) when the payment was made. */
  linkBase: string;
  /** Its entry in the cabinet's history (PaymentHistory), once appended. */
  historySeq?: number;
  succeededAt?: Date;
  /** When the refunded amount last grew. */
  refundedAt?: Date;
  /** Set when the supplier's billing reports the payment as booked; until then it counts as paid but unconfirmed. */
  confirmedAt?: Date;
  /**
   * Readings, the receipt email, the accounts' unconfirmed amounts and the export entries, brought
   * up to date after success, a refund or billing's confirmation (a worker retries what a crash left).
   */
  fulfilment: 'none' | 'pending' | 'done';
  receipt?: ReceiptDoc;
  createdAt: Date;
  updatedAt: Date;
}

const itemSchema = new Schema<PaymentItemDoc>(
  {
    accountId: { type: String, required: true },
    accountNumber: { type: String, required: true },
    address: { type: String, default: '' },
    amount: { type: Number, required: true, min: 0 },
    penalties: { type: Number, required: true, min: 0 },
    readings: { type: Schema.Types.Mixed },
    readingsResult: { status: { type: String, enum: ['accepted', 'rejected'] }, code: { type: String } },
  },
  { _id: false },
);

const receiptSchema = new Schema<ReceiptDoc>(
  {
    issuedAt: { type: Date, required: true },
    supplierName: { type: String, required: true },
    supplierLegalName: { type: String, default: '' },
    supplierTaxId: { type: String, default: '' },
    emailJobId: { type: String, default: '' },
    channel: { type: String, enum: ['', 'email', 'sms'], default: '' },
    sentTo: { type: String, default: '' },
  },
  { _id: false },
);

const paymentSchema = new Schema<PaymentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    tenantSlug: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    idempotencyKey: { type: String, required: true, private: true },
    requestHash: { type: String, required: true, private: true },
    provider: { type: String, enum: ['demo', 'stripe'], required: true },
    providerAccount: { type: String, default: '', private: true },
    providerRef: { type: String, default: '' },
    clientSecret: { type: String, default: '', private: true },
    currency: { type: String, required: true },
    items: { type: [itemSchema], required: true },
    total: { type: Number, required: true, min: 1 },
    status: { type: String, enum: PAYMENT_STATUSES, default: 'created' },
    version: { type: Number, default: 0 },
    rev: { type: Number },
    nextAction: { type: String, enum: ['', 'authenticate'], default: '' },
    failureCode: { type: String, default: '' },
    refundedAmount: { type: Number, default: 0 },
    locale: { type: String, default: 'ru' },
    receiptToken: { type: String, required: true, private: true },
    linkBase: { type: String, required: true, private: true },
    historySeq: { type: Number },
    succeededAt: { type: Date },
    refundedAt: { type: Date },
    confirmedAt: { type: Date },
    fulfilment: { type: String, enum: ['none', 'pending', 'done'], default: 'none' },
    receipt: { type: receiptSchema },
  },
  { timestamps: true, minimize: false, collection: 'pay_payments' },
);
paymentSchema.plugin(toJSON);

export const Payment = mongoose.model<PaymentDoc>('Payment', paymentSchema);

/**
 * Insert-only pointers to a payment from what else names it, so that each is one `_id` lookup:
 * - `<provider>:<provider's ref>` (a Stripe PaymentIntent id): provider events, which name the
 *   intent and not the tenant;
 * - `<tenantId>:receipt:<sha256 of the receipt token>`: the public receipt link.
 */
export interface PaymentKeyDoc {
  _id: string;
  paymentId: string;
}

const keySchema = new Schema<PaymentKeyDoc>(
  { _id: { type: String, required: true }, paymentId: { type: String, required: true } },
  { versionKey: false, collection: 'pay_keys' },
);

export const PaymentKey = mongoose.model<PaymentKeyDoc>('PaymentKey', keySchema);

/**
 * A cabinet's payments, newest last: a gap-free stream (server/db/kernel/streams.ts) per
 * (tenant, subscriber), `<tenantId>:<subscriberId>:<seq>`, read newest first a page at a time.
 * Each entry carries the payment as the history shows it, so a page is its entries and nothing
 * else: `shown` is written with the entry and again after every change of what it shows
 * (service.ts `showInHistory`). The earlier entries (`pay_history`) named the payment only.
 */
export interface PaymentHistoryDoc {
  _id: string;
  stream: string;
  seq: number;
  shown: PublicPayment;
}

const historySchema = new Schema<PaymentHistoryDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    shown: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false, collection: 'pay_cabinet_history' },
);

export const PaymentHistory = mongoose.model<PaymentHistoryDoc>('PaymentHistory', historySchema);

/**
 * An account's payments that succeeded and that billing has not booked yet: a chain of snapshots
 * per (tenant, account), `<tenantId>:<accountId>:<seq>`, each entry the whole open set after one
 * change (streams.ts `appendNext`), so the amount is read from the newest entry and concurrent
 * payments for one account never overwrite each other.
 */
export interface PendingPaidDoc {
  _id: string;
  stream: string;
  seq: number;
  open: { paymentId: string; amount: number }[];
}

const pendingSchema = new Schema<PendingPaidDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    open: { type: [new Schema({ paymentId: String, amount: Number }, { _id: false })], required: true },
  },
  { versionKey: false, collection: 'pay_pending' },
);

export const PendingPaid = mongoose.model<PendingPaidDoc>('PendingPaid', pendingSchema);

/**
 * The transition log: `_id` is `<paymentId>:<version>`. Inserting the entry is what decides a
 * move (an insert is atomic on MongoDB and FerretDB v1 alike, conditional updates are not on the
 * latter), so of two events racing for one payment exactly one moves it; the payment document
 * then takes the entry's fields, and a writer that died in between is rolled forward by the next.
 */
export interface PaymentTransitionDoc {
  _id: string;
  paymentId: string;
  tenantId: Types.ObjectId;
  version: number;
  from: PaymentStatus;
  to: PaymentStatus;
  eventId: string;
  /** The fields the payment takes with this move. */
  set: Record<string, unknown>;
  at: Date;
}

const transitionSchema = new Schema<PaymentTransitionDoc>(
  {
    _id: { type: String, required: true },
    paymentId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    from: { type: String, enum: PAYMENT_STATUSES, required: true },
    to: { type: String, enum: PAYMENT_STATUSES, required: true },
    eventId: { type: String, required: true },
    set: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { collection: 'pay_transitions' },
);

export const PaymentTransition = mongoose.model<PaymentTransitionDoc>('PaymentTransition', transitionSchema);

/**
 * Every provider event, stored by `<provider>:<event id>` before it is applied: a duplicate
 * delivery finds the stored one and changes nothing; an event whose handling failed is applied
 * again on redelivery.
 */
export interface PaymentEventDoc {
  _id: string;
  provider: ProviderName;
  eventId: string;
  type: string;
  account: string;
  paymentId?: string;
  tenantId?: Types.ObjectId;
  /** applied: moved the payment; ignored: nothing to do (unknown intent, stale or foreign event). */
  outcome: '' | 'applied' | 'ignored';
  reason: string;
  processedAt?: Date;
  receivedAt: Date;
}

const eventSchema = new Schema<PaymentEventDoc>(
  {
    _id: { type: String, required: true },
    provider: { type: String, enum: ['demo', 'stripe'], required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    account: { type: String, default: '' },
    paymentId: { type: String },
    tenantId: { type: Schema.Types.ObjectId },
    outcome: { type: String, enum: ['', 'applied', 'ignored'], default: '' },
    reason: { type: String, default: '' },
    processedAt: { type: Date },
    receivedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, collection: 'pay_events' },
);
eventSchema.plugin(toJSON);

export const PaymentEvent = mongoose.model<PaymentEventDoc>('PaymentEvent', eventSchema);

/**
 * The tenant's payments export stream, read by the billing system with a cursor
 * (`GET integration/export/payments`): one entry when a payment succeeds and one each time its
 * refunded amount grows. A gap-free stream per tenant, `<tenantId>:<seq>` (streams.ts): the
 * cursor is the last seq read, positions have no gaps and become visible in order. Each entry is
 * appended once for `<paymentId>:<key>` (`once`), however often the follow-up runs. Entries are
 * snapshots: reading the stream again gives the same entries.
 */
export interface PaymentExportDoc {
  _id: string;
  stream: string;
  seq: number;
  /** `<paymentId>:<key>`: what the entry is the one entry of. */
  once: string;
  paymentId: string;
  /** `succeeded`, or `refund:<refunded kopecks so far>`. */
  key: string;
  event: 'succeeded' | 'refunded';
  occurredAt: Date;
  currency: string;
  total: number;
  /** Kopecks refunded so far (for `refunded` entries). */
  refundedAmount: number;
  providerRef: string;
  items: { accountNumber: string; amount: number; penalties: number }[];
}

const exportSchema = new Schema<PaymentExportDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    once: { type: String, required: true },
    paymentId: { type: String, required: true },
    key: { type: String, required: true },
    event: { type: String, enum: ['succeeded', 'refunded'], required: true },
    occurredAt: { type: Date, required: true },
    currency: { type: String, required: true },
    total: { type: Number, required: true },
    refundedAmount: { type: Number, default: 0 },
    providerRef: { type: String, default: '' },
    items: {
      type: [new Schema({ accountNumber: String, amount: Number, penalties: Number }, { _id: false })],
      required: true,
    },
  },
  { versionKey: false, collection: 'pay_export' },
);

export const PaymentExport = mongoose.model<PaymentExportDoc>('PaymentExport', exportSchema);

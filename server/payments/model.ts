import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

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

export interface PaymentItemDoc {
  accountId: Types.ObjectId;
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
  _id: Types.ObjectId;
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
  /** What the payer must do next while `requires_action`. */
  nextAction: '' | 'authenticate';
  failureCode: string;
  refundedAmount: number;
  /** Language of the receipt email. */
  locale: string;
  /** Random token of the public receipt link (shown to the payer, emailed). */
  receiptToken: string;
  /** Origin for links in emails: PUBLIC_URL, else the origin the payment was made through. */
  linkBase: string;
  succeededAt?: Date;
  /** When the refunded amount last grew. */
  refundedAt?: Date;
  /** Set when the supplier's billing reports the payment as booked; until then it counts as paid but unconfirmed. */
  confirmedAt?: Date;
  /** Readings, the receipt email and the export entries, done once after success or a refund (a worker retries what a crash left). */
  fulfilment: 'none' | 'pending' | 'done';
  receipt?: ReceiptDoc;
  createdAt: Date;
  updatedAt: Date;
}

const itemSchema = new Schema<PaymentItemDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true },
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
    nextAction: { type: String, enum: ['', 'authenticate'], default: '' },
    failureCode: { type: String, default: '' },
    refundedAmount: { type: Number, default: 0 },
    locale: { type: String, default: 'ru' },
    receiptToken: { type: String, required: true, private: true },
    linkBase: { type: String, required: true, private: true },
    succeededAt: { type: Date },
    refundedAt: { type: Date },
    confirmedAt: { type: Date },
    fulfilment: { type: String, enum: ['none', 'pending', 'done'], default: 'none' },
    receipt: { type: receiptSchema },
  },
  { timestamps: true, minimize: false },
);
paymentSchema.index({ tenantId: 1, subscriberId: 1, idempotencyKey: 1 }, { unique: true });
paymentSchema.index({ tenantId: 1, subscriberId: 1, createdAt: -1 });
paymentSchema.index({ tenantId: 1, 'items.accountId': 1, status: 1 });
paymentSchema.index({ tenantId: 1, receiptToken: 1 });
paymentSchema.index({ tenantId: 1, updatedAt: 1 });
// Provider events name the intent, not the tenant: the one lookup that starts without a tenant.
paymentSchema.index({ provider: 1, providerRef: 1 });
// The fulfilment worker looks across tenants for succeeded payments whose follow-up is unfinished.
paymentSchema.index({ fulfilment: 1 });
paymentSchema.plugin(toJSON);

export const Payment = mongoose.model<PaymentDoc>('Payment', paymentSchema);

/**
 * The transition log: `_id` is `<paymentId>:<version>`. Inserting the entry is what decides a
 * move (an insert is atomic on MongoDB and FerretDB v1 alike, conditional updates are not on the
 * latter), so of two events racing for one payment exactly one moves it; the payment document
 * then takes the entry's fields, and a writer that died in between is rolled forward by the next.
 */
export interface PaymentTransitionDoc {
  _id: string;
  paymentId: Types.ObjectId;
  tenantId: Types.ObjectId;
  version: number;
  from: PaymentStatus;
  to: PaymentStatus;
  eventId: string;
  /** The fields the payment takes with this move. */
  set: Record<string, unknown>;
  at: Date;
}

const transitionSchema = new Schema<PaymentTransitionDoc>({
  _id: { type: String, required: true },
  paymentId: { type: Schema.Types.ObjectId, required: true },
  tenantId: { type: Schema.Types.ObjectId, required: true },
  version: { type: Number, required: true },
  from: { type: String, enum: PAYMENT_STATUSES, required: true },
  to: { type: String, enum: PAYMENT_STATUSES, required: true },
  eventId: { type: String, required: true },
  set: { type: Schema.Types.Mixed, required: true },
  at: { type: Date, default: () => new Date() },
});
transitionSchema.index({ tenantId: 1, paymentId: 1, version: 1 });

export const PaymentTransition = mongoose.model<PaymentTransitionDoc>('PaymentTransition', transitionSchema);

/**
 * Every provider event, stored by its id before it is applied: a duplicate delivery finds the
 * stored one and changes nothing; an event whose handling failed is applied again on redelivery.
 */
export interface PaymentEventDoc {
  _id: Types.ObjectId;
  provider: ProviderName;
  eventId: string;
  type: string;
  account: string;
  paymentId?: Types.ObjectId;
  tenantId?: Types.ObjectId;
  /** applied: moved the payment; ignored: nothing to do (unknown intent, stale or foreign event). */
  outcome: '' | 'applied' | 'ignored';
  reason: string;
  processedAt?: Date;
  receivedAt: Date;
}

const eventSchema = new Schema<PaymentEventDoc>({
  provider: { type: String, enum: ['demo', 'stripe'], required: true },
  eventId: { type: String, required: true },
  type: { type: String, required: true },
  account: { type: String, default: '' },
  paymentId: { type: Schema.Types.ObjectId },
  tenantId: { type: Schema.Types.ObjectId },
  outcome: { type: String, enum: ['', 'applied', 'ignored'], default: '' },
  reason: { type: String, default: '' },
  processedAt: { type: Date },
  receivedAt: { type: Date, default: () => new Date() },
});
eventSchema.index({ provider: 1, eventId: 1 }, { unique: true });
eventSchema.plugin(toJSON);

export const PaymentEvent = mongoose.model<PaymentEventDoc>('PaymentEvent', eventSchema);

/**
 * Claim tickets for work that must run once at a time (fulfilment): `_id` is
 * `<work>:<generation>`; whoever inserts it holds the work until `leaseUntil`, and a holder that
 * died is replaced by inserting the next generation.
 */
export interface PaymentClaimDoc {
  _id: string;
  work: string;
  generation: number;
  leaseUntil: Date;
}

const claimSchema = new Schema<PaymentClaimDoc>({
  _id: { type: String, required: true },
  work: { type: String, required: true },
  generation: { type: Number, required: true },
  leaseUntil: { type: Date, required: true },
});
claimSchema.index({ work: 1, generation: -1 });
// The sweep removes tickets whose lease ended long ago.
claimSchema.index({ leaseUntil: 1 });

export const PaymentClaim = mongoose.model<PaymentClaimDoc>('PaymentClaim', claimSchema);

/**
 * The tenant's payments export stream, read by the billing system with a cursor
 * (`GET integration/export/payments`): one entry when a payment succeeds and one each time its
 * refunded amount grows. `seq` is the entry's position, taken as the last one + 1 by a unique
 * insert, so positions have no gaps and become visible in order; `key` keeps one entry per
 * payment and event. Entries are snapshots: reading the stream again gives the same entries.
 */
export interface PaymentExportDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  seq: number;
  paymentId: Types.ObjectId;
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
    tenantId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    paymentId: { type: Schema.Types.ObjectId, required: true },
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
  { collection: 'payment_exports', versionKey: false },
);
exportSchema.index({ tenantId: 1, seq: 1 }, { unique: true });
exportSchema.index({ tenantId: 1, paymentId: 1, key: 1 }, { unique: true });

export const PaymentExport = mongoose.model<PaymentExportDoc>('PaymentExport', exportSchema);

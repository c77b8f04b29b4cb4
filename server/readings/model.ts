import mongoose, { Schema, type Types } from 'mongoose';

export type ReadingStatus = 'accepted' | 'queued' | 'rejected' | 'superseded';
export type ReadingSource = 'portal' | 'payment' | 'import';

/**
 * One meter reading. Values are integer thousandths of a unit (m³), whatever the meter's
 * decimals, so rules compare them exactly.
 */
export interface ReadingDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  accountId: Types.ObjectId;
  /** The account's number and the meter's serial number, as the billing system knows them (for the export). */
  accountNumber: string;
  meterId: Types.ObjectId;
  meterSerialNumber: string;
  /** Who sent it (none for imported readings). */
  subscriberId?: Types.ObjectId;
  source: ReadingSource;
  paymentId?: string;
  /** The billing system's id of an imported reading. */
  externalId?: string;
  /** The billing period (`YYYY-MM`) the reading counts for. */
  period: string;
  valueMilli: number;
  /** The meter's decimals when the reading was taken: how its values are written out. */
  decimals: number;
  /** The reading it was compared with, and the consumption since (over the capacity on a rollover). */
  previousMilli: number | null;
  consumptionMilli: number | null;
  rollover: boolean;
  status: ReadingStatus;
  rejectionReason?: string;
  /** A queued reading becomes accepted at this moment: the start of its window's first day in the tenant's time zone. */
  acceptAt?: Date;
  /**
   * Uniqueness of a reading that counts: `<period>:<valueMilli>` while it counts, `void:<id>` once
   * rejected or superseded. A unique index on it refuses the same value twice in one period,
   * even from concurrent requests.
   */
  countsKey: string;
  /** Position in the tenant's export stream: gap-free and increasing in the order readings become visible. */
  seq: number;
  submittedAt: Date;
  updatedAt: Date;
}

const readingSchema = new Schema<ReadingDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    accountNumber: { type: String, required: true },
    meterId: { type: Schema.Types.ObjectId, required: true },
    meterSerialNumber: { type: String, default: '' },
    subscriberId: { type: Schema.Types.ObjectId },
    source: { type: String, enum: ['portal', 'payment', 'import'], required: true },
    paymentId: { type: String },
    externalId: { type: String },
    period: { type: String, required: true, match: /^\d{4}-(0[1-9]|1[0-2])$/ },
    valueMilli: { type: Number, required: true, min: 0 },
    decimals: { type: Number, required: true, enum: [0, 3] },
    previousMilli: { type: Number, default: null },
    consumptionMilli: { type: Number, default: null },
    rollover: { type: Boolean, default: false },
    status: { type: String, enum: ['accepted', 'queued', 'rejected', 'superseded'], required: true },
    rejectionReason: { type: String },
    acceptAt: { type: Date },
    countsKey: { type: String, required: true },
    seq: { type: Number, required: true },
    submittedAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: false, updatedAt: true }, collection: 'readings' },
);
readingSchema.index({ tenantId: 1, meterId: 1, countsKey: 1 }, { unique: true });
readingSchema.index({ tenantId: 1, seq: 1 }, { unique: true });
readingSchema.index({ tenantId: 1, accountId: 1, meterId: 1, submittedAt: -1 });
readingSchema.index({ tenantId: 1, period: 1, accountId: 1 });
// The worker that accepts queued readings looks across tenants; only queued readings have the field.
readingSchema.index({ acceptAt: 1 });

export const Reading = mongoose.model<ReadingDoc>('Reading', readingSchema);

/** One reminder per subscriber, tenant and period: inserting it is what claims the sending. */
export interface ReadingReminderDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  period: string;
  sentAt: Date;
}

const reminderSchema = new Schema<ReadingReminderDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    sentAt: { type: Date, required: true },
  },
  { collection: 'reading_reminders' },
);
reminderSchema.index({ tenantId: 1, period: 1, subscriberId: 1 }, { unique: true });

export const ReadingReminder = mongoose.model<ReadingReminderDoc>('ReadingReminder', reminderSchema);

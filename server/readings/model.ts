import mongoose, { Schema, type Types } from 'mongoose';

/**
 * Readings, found by key (see docs/development.md, "Writing a query"):
 * - a reading is an entry of its meter's gap-free stream, `<meterId>:<seq>` (streams.ts), so a
 *   meter's history is read newest first a page at a time;
 * - the readings of a meter in one period are also a stream, `<meterId>:<period>:<n>`, whose
 *   newest entry is the one reading that may count for the period (each entry supersedes those
 *   before it);
 * - the supplier's export is a stream `<tenantId>:<seq>` in the order readings were stored;
 * - a counting reading holds its value for its period as a lease
 *   (`reading:<meterId>:<period>:<valueMilli>`, leases.ts), given back when it stops counting, so
 *   the same value is refused while it counts, even from concurrent requests.
 * Account and meter ids are the other modules' opaque strings.
 */

export type ReadingStatus = 'accepted' | 'queued' | 'rejected' | 'superseded';
export type ReadingSource = 'portal' | 'payment' | 'import';

/** Values are integer thousandths of a unit (m³), whatever the meter's decimals, so rules compare them exactly. */
export interface ReadingDoc {
  /** `<meterId>:<seq>`. */
  _id: string;
  /** The meter's stream (its id) and the reading's place in it. */
  stream: string;
  seq: number;
  tenantId: Types.ObjectId;
  accountId: string;
  /** The account's number and the meter's serial number, as the billing system knows them (for the export). */
  accountNumber: string;
  meterId: string;
  meterSerialNumber: string;
  /** Who sent it (none for imported readings). */
  subscriberId?: Types.ObjectId;
  source: ReadingSource;
  paymentId?: string;
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
  /** The generation of the lease on its value for its period, held while the reading counts. */
  claim: number | null;
  submittedAt: Date;
  updatedAt: Date;
}

const readingSchema = new Schema<ReadingDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: String, required: true },
    accountNumber: { type: String, required: true },
    meterId: { type: String, required: true },
    meterSerialNumber: { type: String, default: '' },
    subscriberId: { type: Schema.Types.ObjectId },
    source: { type: String, enum: ['portal', 'payment', 'import'], required: true },
    paymentId: { type: String },
    period: { type: String, required: true, match: /^\d{4}-(0[1-9]|1[0-2])$/ },
    valueMilli: { type: Number, required: true, min: 0 },
    decimals: { type: Number, required: true, enum: [0, 3] },
    previousMilli: { type: Number, default: null },
    consumptionMilli: { type: Number, default: null },
    rollover: { type: Boolean, default: false },
    status: { type: String, enum: ['accepted', 'queued', 'rejected', 'superseded'], required: true },
    rejectionReason: { type: String },
    acceptAt: { type: Date },
    claim: { type: Number, default: null },
    submittedAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: { createdAt: false, updatedAt: true }, collection: 'readings_by_meter' },
);
export const Reading = mongoose.model<ReadingDoc>('Reading', readingSchema);

/** An entry of a stream that points at a reading: a meter's period (`<meterId>:<period>:<n>`) or the export (`<tenantId>:<seq>`). */
export interface ReadingRefDoc {
  _id: string;
  stream: string;
  seq: number;
  /** The reading's `_id`; null in the export only where a migrated stream had a hole (nothing to export there). */
  reading: string | null;
}

function refSchema(collection: string) {
  return new Schema<ReadingRefDoc>(
    {
      _id: { type: String, required: true },
      stream: { type: String, required: true },
      seq: { type: Number, required: true },
      reading: { type: String, default: null },
    },
    { versionKey: false, collection },
  );
}
export const PeriodEntry = mongoose.model<ReadingRefDoc>('ReadingPeriodEntry', refSchema('readings_by_period'));
export const ExportEntry = mongoose.model<ReadingRefDoc>('ReadingExportEntry', refSchema('readings_export'));

/** One reminder per subscriber, tenant and period, `<tenantId>:<period>:<subscriberId>`: inserting it is what claims the sending. */
export interface ReadingReminderDoc {
  _id: string;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  period: string;
  sentAt: Date;
}
const reminderSchema = new Schema<ReadingReminderDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    sentAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'readings_reminders' },
);
export const ReadingReminder = mongoose.model<ReadingReminderDoc>('ReadingReminder', reminderSchema);

/**
 * The id a reading had before readings were keyed (an ObjectId, as hex), for the billing systems
 * that answer with it after the upgrade: `_id` is the earlier id.
 */
export interface LegacyReadingIdDoc {
  _id: string;
  tenantId: Types.ObjectId;
  reading: string;
}
const legacySchema = new Schema<LegacyReadingIdDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    reading: { type: String, required: true },
  },
  { versionKey: false, collection: 'readings_legacy_ids' },
);
export const LegacyReadingId = mongoose.model<LegacyReadingIdDoc>('LegacyReadingId', legacySchema);

import mongoose, { Schema, type Types } from 'mongoose';

/**
 * Readings, found by key (see docs/development.md, "Writing a query"):
 * - a meter's readings are numbered 1, 2, 3… in the order they were stored; a reading's id is
 *   `<meterId>:<seq>`. They are kept a page of READINGS_PER_PAGE at a time: the newest page in
 *   the meter's document (`readings_meters`, `_id` = the meter id), each full page before it in a
 *   page document `<meterId>:<page>` (`readings_pages`), so a meter's history is its document and
 *   the pages before it, a few lookups however many readings it has. Both are changed as
 *   revisions (revisions.ts): concurrent submissions for one meter are applied one after another,
 *   none lost or numbered twice. When the meter's page is full, it is written as the next page
 *   document before the meter's document starts a new one (a crash in between leaves a page that
 *   the meter does not count yet, written again by the next change);
 * - the supplier's export is a stream `<tenantId>:<seq>` in the order readings were stored;
 * - a counting reading holds its value for its period as a lease
 *   (`reading:<meterId>:<period>:<valueMilli>`, leases.ts), given back when it stops counting, so
 *   the same value is refused while it counts, even from concurrent requests.
 * Account and meter ids are the other modules' opaque strings.
 */

export type ReadingStatus = 'accepted' | 'queued' | 'rejected' | 'superseded';
export type ReadingSource = 'portal' | 'payment' | 'import';

/** Readings a page holds: about a year of monthly readings. */
export const READINGS_PER_PAGE = 12;

/** Values are integer thousandths of a unit (m³), whatever the meter's decimals, so rules compare them exactly. */
export interface StoredReading {
  /** The reading's place among its meter's readings. */
  seq: number;
  /** The meter's serial number, as the billing system knew it then (for the export). */
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

/** What every reading of a meter shares: its supplier, account and meter. */
export interface ReadingOwner {
  tenantId: Types.ObjectId;
  accountId: string;
  /** The account's number as the billing system knows it (for the export). */
  accountNumber: string;
  meterId: string;
}

/** A reading with its meter's facts, as the rules and the API see it. */
export interface ReadingDoc extends StoredReading, ReadingOwner {
  /** `<meterId>:<seq>`. */
  _id: string;
}

/** A meter's document: its newest page of readings (oldest first) and how many came before. */
export interface MeterReadingsDoc extends ReadingOwner {
  /** The meter id. */
  _id: string;
  /** The number of the meter's newest reading (0: none yet). */
  seq: number;
  /** Full pages before these readings: readings 1 … pages × READINGS_PER_PAGE are in page documents. */
  pages: number;
  readings: StoredReading[];
  rev?: number;
}

/** A full page of a meter's readings, `<meterId>:<page>`: readings (page − 1) × READINGS_PER_PAGE + 1 … page × READINGS_PER_PAGE, oldest first. */
export interface ReadingPageDoc extends ReadingOwner {
  _id: string;
  page: number;
  readings: StoredReading[];
  rev?: number;
}

const storedReadingSchema = new Schema<StoredReading>(
  {
    seq: { type: Number, required: true },
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
    updatedAt: { type: Date, required: true },
  },
  { _id: false, versionKey: false },
);

const meterFields = {
  tenantId: { type: Schema.Types.ObjectId, required: true },
  accountId: { type: String, required: true },
  accountNumber: { type: String, required: true },
  meterId: { type: String, required: true },
  readings: { type: [storedReadingSchema], default: [] },
  rev: { type: Number },
};

const meterReadingsSchema = new Schema<MeterReadingsDoc>(
  {
    _id: { type: String, required: true },
    ...meterFields,
    seq: { type: Number, required: true },
    pages: { type: Number, required: true },
  },
  { versionKey: false, collection: 'readings_meters' },
);
export const MeterReadings = mongoose.model<MeterReadingsDoc>('MeterReadings', meterReadingsSchema);

const readingPageSchema = new Schema<ReadingPageDoc>(
  { _id: { type: String, required: true }, ...meterFields, page: { type: Number, required: true } },
  { versionKey: false, collection: 'readings_pages' },
);
export const ReadingPage = mongoose.model<ReadingPageDoc>('ReadingPage', readingPageSchema);

/** An entry of the supplier's export stream (`<tenantId>:<seq>`): the reading stored at that place. */
export interface ExportEntryDoc {
  _id: string;
  stream: string;
  seq: number;
  /** The reading's id; null only where a migrated stream had a hole (nothing to export there). */
  reading: string | null;
}
const exportEntrySchema = new Schema<ExportEntryDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    reading: { type: String, default: null },
  },
  { versionKey: false, collection: 'readings_export' },
);
export const ExportEntry = mongoose.model<ExportEntryDoc>('ReadingExportEntry', exportEntrySchema);

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

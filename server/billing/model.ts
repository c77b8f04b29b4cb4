import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

/**
 * Billing data: owned by the supplier's billing system, written only through the integration API
 * and the CSV import, read by subscribers. Natural keys: an account is its supplier and number, a
 * meter its account and meter id, a month its account and period; so re-sending the same data
 * updates in place, and every request finds what it needs by `_id` (see docs/development.md).
 */

/** A meter, embedded in its account: the billing system's `meterId` is unique within the account. */
export interface MeterDoc {
  /** The billing system's meter id. */
  meterId: string;
  serialNumber: string;
  name: string;
  service: string;
  /** Digits before the decimal point: 5 → at most 99999. */
  digits: number;
  /** Digits after the decimal point the meter shows (0 or 3). */
  decimals: number;
  /** Last reading the billing system accepted, in thousandths of a unit. */
  lastReadingMilli: number | null;
  lastReadingDate: Date | null;
  /** Next verification ("поверка") date. */
  verificationDue: Date | null;
  /** Price of one unit in kopecks. */
  tariff: number;
  /** Usual monthly consumption in thousandths of a unit, if billing keeps one. */
  usualMonthlyMilli: number | null;
  updatedAt: Date;
}

/** Most meters one account holds: the list is read and written with its account. */
export const MAX_METERS = 20;

const meterSchema = new Schema<MeterDoc>(
  {
    meterId: { type: String, required: true },
    serialNumber: { type: String, default: '' },
    name: { type: String, default: '' },
    service: { type: String, default: 'gas' },
    digits: { type: Number, default: 5 },
    decimals: { type: Number, default: 0 },
    lastReadingMilli: { type: Number, default: null },
    lastReadingDate: { type: Date, default: null },
    verificationDue: { type: Date, default: null },
    tariff: { type: Number, default: 0 },
    usualMonthlyMilli: { type: Number, default: null },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { _id: false, versionKey: false },
);

/**
 * A personal account, `_id` = `key(tenantId, number)` (`<tenantId>:<number>`): a subscriber's
 * request finds it, and its meters, with one lookup by `_id`, and another supplier's number is as
 * unknown as a missing one. `tenantId` and `number` are kept for background jobs and exports.
 */
export interface AccountDoc {
  _id: string;
  tenantId: Types.ObjectId;
  number: string;
  holder: string;
  address: string;
  /** sha256 of tenant id and PIN; PINs are short, so their strength is the attempt limit (accounts/service.ts). */
  pinHash: string;
  services: string[];
  /** Sorted by `meterId`, at most `MAX_METERS`. */
  meters: MeterDoc[];
  /** When the billing system last sent this account's data ("data as of"). */
  updatedAt: Date;
}

const accountSchema = new Schema<AccountDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    holder: { type: String, default: '' },
    address: { type: String, default: '' },
    pinHash: { type: String, default: '', private: true },
    services: { type: [String], default: ['gas'] },
    meters: { type: [meterSchema], default: [] },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, collection: 'billing_accounts' },
);
accountSchema.plugin(toJSON);
export const Account = mongoose.model<AccountDoc>('BillingAccount', accountSchema);

export interface ChargeLine {
  service: string;
  /** Volume in thousandths of a unit. */
  volumeMilli: number;
  unit: string;
  /** Kopecks per unit. */
  tariff: number;
  /** Kopecks. */
  amount: number;
}

export interface MonthCharge {
  lines: ChargeLine[];
  /** Penalties ("пени") charged in the period, kopecks. */
  penalties: number;
  /** Sum of the lines plus penalties, kopecks. */
  total: number;
}

export interface MonthBalance {
  /** Kopecks; positive = owed by the subscriber, negative = overpayment. */
  opening: number;
  charged: number;
  paid: number;
  closing: number;
  /** Part of `closing` that is penalties, kopecks. */
  penalties: number;
}

/** One month of an account: what billing charged and the balance, each once billing sent it. */
export interface BillingMonth {
  charge?: MonthCharge;
  balance?: MonthBalance;
}

/**
 * An account's months live in two documents under the account's key, so that the month billing
 * keeps correcting is small to read and rewrite: on FerretDB v1 a read or an update decodes and
 * writes the whole document (about 1 ms per KB), and 24 months of history are ~6 KB.
 *
 * - `billing_current`: the newest month billing sent (its charge and balance, ~400 B). Balances and
 *   charges of the open period are compared with it and update it alone.
 * - `billing_past`: every earlier month, in one document. A month newer than the current one moves
 *   the current month here (one write per account and month), then replaces the current month;
 *   a correction of an earlier month writes here.
 *
 * Readers take both by `_id` (two lookups in parallel; the debt needs the current month alone
 * while it has a balance); a month found in both (a move interrupted between its two writes) is
 * the current one's. An account has a past document only if it has a current one.
 */
export interface BillingCurrentDoc extends BillingMonth {
  _id: string;
  tenantId: Types.ObjectId;
  /** `YYYY-MM`, the newest period billing sent a charge or a balance of. */
  period: string;
  updatedAt: Date;
}

const currentSchema = new Schema<BillingCurrentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    charge: { type: Schema.Types.Mixed },
    balance: { type: Schema.Types.Mixed },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false, collection: 'billing_current' },
);
export const BillingCurrent = mongoose.model<BillingCurrentDoc>('BillingCurrent', currentSchema);

/** The months of an account before its current one, by period (`YYYY-MM`); see `BillingCurrentDoc`. */
export interface BillingPastDoc {
  _id: string;
  tenantId: Types.ObjectId;
  months: Record<string, BillingMonth>;
  updatedAt: Date;
}

const pastSchema = new Schema<BillingPastDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    months: { type: Schema.Types.Mixed, default: () => ({}) },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false, collection: 'billing_past' },
);
export const BillingPast = mongoose.model<BillingPastDoc>('BillingPast', pastSchema);

/**
 * The documents that hold an account's months (by period) in this shape: the newest month as its
 * current one, the others (if any) as its past; none without months.
 */
export function monthDocs(
  id: string,
  tenantId: Types.ObjectId,
  months: Record<string, BillingMonth>,
  updatedAt: Date,
): { current: BillingCurrentDoc | null; past: BillingPastDoc | null } {
  const periods = Object.keys(months).sort();
  const newest = periods.pop();
  if (newest === undefined) return { current: null, past: null };
  return {
    current: { _id: id, tenantId, period: newest, ...months[newest], updatedAt },
    past: periods.length
      ? { _id: id, tenantId, months: Object.fromEntries(periods.map((p) => [p, months[p]!])), updatedAt }
      : null,
  };
}

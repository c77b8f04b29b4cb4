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

/**
 * Charges and balances of one account, month by month, in ONE document whose `_id` is the account's
 * key. FerretDB v1 (SQLite) pushes only `{ _id: value }` filters down to the database and scans in
 * Go for anything else, so per-month documents made every summary scan all months of all accounts;
 * one document read by `_id` is one lookup.
 */
export interface BillingHistoryDoc {
  _id: string;
  tenantId: Types.ObjectId;
  months: Record<string, { charge?: MonthCharge; balance?: MonthBalance }>;
  updatedAt: Date;
}

const historySchema = new Schema<BillingHistoryDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    months: { type: Schema.Types.Mixed, default: () => ({}) },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false, collection: 'billing_histories' },
);
export const BillingHistory = mongoose.model<BillingHistoryDoc>('BillingHistory', historySchema);

import mongoose, { Schema, type Types } from 'mongoose';
import { key } from '../db/kernel/keys.ts';
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
 * An account's months live in documents under the account's key, so that the month billing keeps
 * correcting is small to read and never rewritten for a balance: on FerretDB v1 a read or an update
 * decodes and writes the whole document (about 1 ms per KB; an update by `_id` costs 2–3.5 ms even
 * of a small one, an insert in bulk 0.2–0.4 ms), and 24 months of history are ~6 KB.
 *
 * - `billing_current`: the newest month billing sent (its charge and balance, ~400 B). Charges of
 *   the open period replace it.
 * - `billing_past`: every earlier month, in one document. A month newer than the current one moves
 *   the current month here (one write per account and month), then replaces the current month;
 *   a correction of an earlier month writes here.
 * - `billing_balances`: balances of the current month sent after it was written (a correction, or
 *   the first balance of a month that came with its charge), each a new entry of the stream
 *   `<account key>:<period>` (see `BalanceEntryDoc`), so that a correction is an insert, not a
 *   rewrite of the current month.
 *
 * Readers take the current month and the past by `_id` (in parallel; the debt needs the current
 * month alone while it has a balance), then the current month's balance stream past the entry the
 * current month holds (`balanceSeq`): one lookup that finds nothing, or one per newer entry (at
 * most `BALANCE_FOLD`, see writer.ts). A month found in both the current and the past document (a
 * move interrupted between its two writes) is the current one's. An account has a past document
 * only if it has a current one.
 */
export interface BillingCurrentDoc extends BillingMonth {
  _id: string;
  tenantId: Types.ObjectId;
  /** `YYYY-MM`, the newest period billing sent a charge or a balance of. */
  period: string;
  /**
   * The entry of the period's balance stream that `balance` is (absent or 0: none, the balance
   * came with the month); a newer entry, if any, is the month's balance.
   */
  balanceSeq?: number;
  /**
   * The newest balance the writer folded in after the month was written: the entry `seq` of the
   * stream of `period`, set alone by `_id` (so a fold that lands on a month that was replaced
   * meanwhile names another period and is ignored). Used when newer than `balanceSeq`.
   */
  fold?: BalanceFold;
  updatedAt: Date;
}

/** A balance entry folded into the current month (see `BillingCurrentDoc.fold`). */
export interface BalanceFold {
  period: string;
  seq: number;
  balance: MonthBalance;
  updatedAt: Date;
}

const currentSchema = new Schema<BillingCurrentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    charge: { type: Schema.Types.Mixed },
    balance: { type: Schema.Types.Mixed },
    balanceSeq: { type: Number },
    fold: { type: Schema.Types.Mixed },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false, collection: 'billing_current' },
);
export const BillingCurrent = mongoose.model<BillingCurrentDoc>('BillingCurrent', currentSchema);

/**
 * A balance of an account's current month sent after the month was written: entry `seq` of the
 * gap-free stream `<account key>:<period>` (server/db/kernel/streams.ts), `_id`
 * `<account key>:<period>:<seq>`. Entries are only inserted: of two writers correcting the same
 * month at once, one gets the number and the other plans again against its entry, so no
 * correction is lost or written twice. The newest entry is the month's balance. Entries are
 * never removed; a month's stream ends when the month moves into the past (its newest balance
 * goes with it): the writer that moved it then inserts a last entry, `closed`, repeating that
 * balance, so that a correction planned while the month was current finds its number taken and
 * goes into the past instead of a stream no one reads any more.
 */
export interface BalanceEntryDoc {
  _id: string;
  tenantId: Types.ObjectId;
  stream: string;
  seq: number;
  /** Absent only in the closing entry of a month that had no balance. */
  balance?: MonthBalance;
  /** The stream's closing entry: its month has moved into the past. */
  closed?: true;
  updatedAt: Date;
}

const balanceEntrySchema = new Schema<BalanceEntryDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    balance: {
      type: Schema.Types.Mixed,
      required(this: BalanceEntryDoc) {
        return !this.closed;
      },
    },
    closed: { type: Boolean },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'billing_balances' },
);
export const BalanceEntry = mongoose.model<BalanceEntryDoc>('BillingBalanceEntry', balanceEntrySchema);

/**
 * Accounts whose current month got balance entries in one written batch, for the job that folds
 * the newest entry into the month (writer.ts `foldBalances`), so that the next correction is
 * inserted right after it and readers find nothing past it. Found through its queue record.
 */
export interface BalanceFoldListDoc {
  _id: string;
  tenantId: Types.ObjectId;
  /** Account keys. */
  accounts: string[];
  createdAt: Date;
}

const balanceFoldListSchema = new Schema<BalanceFoldListDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accounts: { type: [String], required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'billing_balance_folds' },
);
export const BalanceFoldList = mongoose.model<BalanceFoldListDoc>('BillingBalanceFoldList', balanceFoldListSchema);

/** The stream of an account's balances of a month sent after the month was written (`BalanceEntryDoc`). */
export function balanceStream(accountId: string, period: string): string {
  return key(accountId, period);
}

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

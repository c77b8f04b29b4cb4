import mongoose, { type Types } from 'mongoose';
import { NotFoundError, ValidationError } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import {
  Account,
  BillingHistory,
  Meter,
  type AccountDoc,
  type BillingHistoryDoc,
  type MonthCharge,
  type MeterDoc,
} from './model.ts';
import type { AccountInput, BalanceInput, BillingKind, ChargeInput, MeterInput } from './schemas.ts';
import { BillingWriter, pinHash } from './writer.ts';

function oid(id: string): Types.ObjectId | null {
  return mongoose.isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id) ? new mongoose.Types.ObjectId(id) : null;
}

/**
 * Upserts one batch of billing items, already parsed by their schemas. Every item is checked first
 * (account number rule, referenced accounts exist); one bad item rejects the whole batch with
 * errors keyed `<index>.<field>`, and nothing is written. Counts are per item: `upserted` created
 * a document or a month, `modified` changed one, `matched` found one (changed or equal). Sending
 * the same batch again changes nothing.
 */
export async function upsertBilling(
  tenant: TenantDoc,
  kind: BillingKind,
  items: AccountInput[] | MeterInput[] | ChargeInput[] | BalanceInput[],
): Promise<{ upserted: number; modified: number; matched: number }> {
  const plan = await new BillingWriter(tenant).plan(kind, items);
  if (Object.keys(plan.refused).length > 0) throw new ValidationError(plan.refused, 'batch_invalid');
  const counts = await plan.commit();
  return { upserted: counts.created, modified: counts.changed, matched: counts.changed + counts.unchanged };
}

export async function findAccountByNumber(tenantId: Types.ObjectId, number: string): Promise<AccountDoc | null> {
  return Account.findOne({ tenantId, number }).lean<AccountDoc>();
}

export async function getAccount(tenantId: Types.ObjectId, accountId: string | Types.ObjectId): Promise<AccountDoc> {
  const id = typeof accountId === 'string' ? oid(accountId) : accountId;
  const account = id ? await Account.findOne({ tenantId, _id: id }).lean<AccountDoc>() : null;
  if (!account) throw new NotFoundError('account_not_found');
  return account;
}

export function checkPin(account: AccountDoc, pin: string): boolean {
  return account.pinHash !== '' && account.pinHash === pinHash(account.tenantId, pin);
}

/** Meters of an account as the readings rules and the widgets see them; readings in thousandths. */
export async function getMeters(tenantId: Types.ObjectId, accountId: string | Types.ObjectId) {
  const id = typeof accountId === 'string' ? oid(accountId) : accountId;
  if (!id) return [];
  const rows = await Meter.find({ tenantId, accountId: id }).sort({ meterId: 1 }).lean<MeterDoc[]>();
  return rows.map((m) => ({
    id: String(m._id),
    meterId: m.meterId,
    serialNumber: m.serialNumber,
    name: m.name,
    service: m.service,
    digits: m.digits,
    decimals: m.decimals,
    verificationDue: m.verificationDue,
    lastReading: m.lastReadingMilli === null ? null : { valueMilli: m.lastReadingMilli, date: m.lastReadingDate ?? m.updatedAt },
    usualMonthlyMilli: m.usualMonthlyMilli,
    tariff: m.tariff,
  }));
}

/** The price of one unit in kopecks for the account's gas meters, or null when billing sent none. */
export async function getTariff(tenantId: Types.ObjectId, accountId: string): Promise<{ price: number; unit: string } | null> {
  const meters = await getMeters(tenantId, accountId);
  const priced = meters.find((m) => m.tariff > 0);
  return priced ? { price: priced.tariff, unit: 'm3' } : null;
}

async function history(tenantId: Types.ObjectId, accountId: Types.ObjectId): Promise<BillingHistoryDoc | null> {
  const doc = await BillingHistory.findById(accountId).lean<BillingHistoryDoc>();
  return doc && doc.tenantId.equals(tenantId) ? doc : null;
}

/** Periods of a history that have a balance (or a charge), oldest first. */
function periodsOf(doc: BillingHistoryDoc | null, what: 'balance' | 'charge'): string[] {
  return doc
    ? Object.keys(doc.months)
        .filter((p) => doc.months[p]?.[what])
        .sort()
    : [];
}

/** What is owed at the latest period billing sent: debt (negative = overpayment) and its penalties, kopecks. */
export async function getDebt(
  tenantId: Types.ObjectId,
  accountId: string | Types.ObjectId,
): Promise<{ period: string | null; debt: number; penalties: number }> {
  const id = typeof accountId === 'string' ? oid(accountId) : accountId;
  const doc = id ? await history(tenantId, id) : null;
  const period = periodsOf(doc, 'balance').at(-1);
  const balance = period ? doc?.months[period]?.balance : undefined;
  return period && balance
    ? { period, debt: balance.closing, penalties: balance.penalties }
    : { period: null, debt: 0, penalties: 0 };
}

/** What billing booked as paid on an account in each month of [from, to], oldest first, and the first month with a payment. */
export async function paidByMonth(tenantId: Types.ObjectId, accountId: string, range: { from: string; to: string }) {
  const id = oid(accountId);
  const doc = id ? await history(tenantId, id) : null;
  const periods = periodsOf(doc, 'balance');
  return {
    first: periods.find((p) => doc!.months[p]!.balance!.paid > 0) ?? null,
    months: periods
      .filter((p) => p >= range.from && p <= range.to)
      .map((p) => ({ period: p, paid: doc!.months[p]!.balance!.paid })),
  };
}

export function shiftPeriod(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function chargeView(period: string, c: MonthCharge) {
  return {
    period,
    lines: c.lines.map((l) => ({
      service: l.service,
      volume: l.volumeMilli / 1000,
      unit: l.unit,
      tariff: l.tariff,
      amount: l.amount,
    })),
    penalties: c.penalties,
    total: c.total,
  };
}

/**
 * The account summary at a period (default: the latest with data): balance, meters, that period's
 * charges, the last 12 months of consumption and amounts, the periods available for navigation,
 * and when billing last sent data.
 */
export async function accountSummary(tenantId: Types.ObjectId, accountId: string, period?: string) {
  const account = await getAccount(tenantId, accountId);
  const [doc, meters] = await Promise.all([history(tenantId, account._id), getMeters(tenantId, account._id)]);
  const periods = periodsOf(doc, 'balance');
  const at = period ?? periods.at(-1) ?? null;
  const month = at ? doc?.months[at] : undefined;
  const last12 = at ? periodsOf(doc, 'charge').filter((p) => p > shiftPeriod(at, -12) && p <= at) : [];
  const stamps = [account.updatedAt, doc?.updatedAt].filter((d): d is Date => d instanceof Date);
  return {
    period: at,
    periods: { first: periods[0] ?? null, last: periods.at(-1) ?? null },
    balance: month?.balance ?? null,
    charges: at && month?.charge ? chargeView(at, month.charge) : null,
    meters,
    history: last12.map((p) => {
      const c = doc!.months[p]!.charge!;
      return { period: p, volume: c.lines.reduce((sum, l) => sum + l.volumeMilli, 0) / 1000, amount: c.total };
    }),
    dataAsOf: new Date(Math.max(...stamps.map((d) => d.getTime()))),
  };
}

/** Charges month by month, newest first, within [from, to]. */
export async function listCharges(tenantId: Types.ObjectId, accountId: string, range: { from?: string; to?: string } = {}) {
  const account = await getAccount(tenantId, accountId);
  const doc = await history(tenantId, account._id);
  return periodsOf(doc, 'charge')
    .filter((p) => (!range.from || p >= range.from) && (!range.to || p <= range.to))
    .reverse()
    .slice(0, 120)
    .map((p) => chargeView(p, doc!.months[p]!.charge!));
}

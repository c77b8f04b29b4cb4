import type { Types } from 'mongoose';
import { findByKey, key } from '../db/kernel/keys.ts';
import { NotFoundError, ValidationError } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import {
  Account,
  BillingCurrent,
  BillingPast,
  type AccountDoc,
  type BillingCurrentDoc,
  type BillingMonth,
  type BillingPastDoc,
  type MonthCharge,
} from './model.ts';
import type { AccountInput, BalanceInput, BillingKind, ChargeInput, MeterInput } from '../../contracts/billing.ts';
import type { Worker } from '../workers.ts';
import { BillingWriter, foldBalancesFor, pinHash, resolveBalance } from './writer.ts';

/**
 * Whether an account id (an account's key, `<tenantId>:<number>`) is one of the tenant's: another
 * supplier's key, or anything else a client sends, is unknown without a lookup.
 */
function ownKey(tenantId: Types.ObjectId, accountId: string): boolean {
  return accountId.startsWith(`${String(tenantId)}:`);
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

/** The account with this number: one lookup by its key. */
export async function findAccountByNumber(tenantId: Types.ObjectId, number: string): Promise<AccountDoc | null> {
  return findByKey<AccountDoc>(Account, key(tenantId, number));
}

/** The tenant's account by id (its key): one lookup; null for another supplier's or a missing one. */
export async function findAccount(tenantId: Types.ObjectId, accountId: string): Promise<AccountDoc | null> {
  return ownKey(tenantId, accountId) ? findByKey<AccountDoc>(Account, accountId) : null;
}

/** The tenant's account by id (its key): one lookup; `account_not_found` for any other. */
export async function getAccount(tenantId: Types.ObjectId, accountId: string): Promise<AccountDoc> {
  const account = await findAccount(tenantId, accountId);
  if (!account) throw new NotFoundError('account_not_found');
  return account;
}

export function checkPin(account: AccountDoc, pin: string): boolean {
  return account.pinHash !== '' && account.pinHash === pinHash(account.tenantId, pin);
}

/**
 * An account's meters as the readings rules and the widgets see them; readings in thousandths. A
 * meter's `id` is `<account key>:<meterId>`, opaque to other modules.
 */
export function metersOf(account: AccountDoc) {
  return account.meters.map((m) => ({
    id: key(account._id, m.meterId),
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

/** The meters of the tenant's account (none for an unknown one): one lookup. */
export async function getMeters(tenantId: Types.ObjectId, accountId: string) {
  const account = await findAccount(tenantId, accountId);
  return account ? metersOf(account) : [];
}

/** The price of one unit in kopecks for an account's gas meters (as `metersOf` lists them), or null when billing sent none. */
export function tariffOf(meters: ReturnType<typeof metersOf>): { price: number; unit: string } | null {
  const priced = meters.find((m) => m.tariff > 0);
  return priced ? { price: priced.tariff, unit: 'm3' } : null;
}

/**
 * The current month of the tenant's account (its `_id` is the account's key) with its newest
 * balance: one lookup, then the month's balance stream past the entry the month holds (one lookup
 * that finds nothing, or one per newer entry; see `resolveBalance`).
 */
async function currentMonth(tenantId: Types.ObjectId, accountId: string): Promise<BillingCurrentDoc | null> {
  if (!ownKey(tenantId, accountId)) return null;
  const current = await findByKey<BillingCurrentDoc>(BillingCurrent, accountId);
  return current && resolveBalance(current);
}

/** The earlier months of the tenant's account: one lookup. */
async function pastMonths(tenantId: Types.ObjectId, accountId: string): Promise<BillingPastDoc | null> {
  return ownKey(tenantId, accountId) ? findByKey<BillingPastDoc>(BillingPast, accountId) : null;
}

/** Every month of an account by period, and when billing last wrote them (null: never). */
interface History {
  months: Record<string, BillingMonth>;
  updatedAt: Date | null;
}

/** The whole history of the tenant's account: its current and its past document, two lookups in parallel. */
async function history(tenantId: Types.ObjectId, accountId: string): Promise<History> {
  const [current, past] = await Promise.all([currentMonth(tenantId, accountId), pastMonths(tenantId, accountId)]);
  const months = { ...past?.months };
  if (current) months[current.period] = { charge: current.charge, balance: current.balance };
  const stamps = [current?.updatedAt, past?.updatedAt].filter((d): d is Date => d instanceof Date);
  return { months, updatedAt: stamps.length ? new Date(Math.max(...stamps.map((d) => d.getTime()))) : null };
}

/** Periods of a history that have a balance (or a charge), oldest first. */
function periodsOf(doc: History, what: 'balance' | 'charge'): string[] {
  return Object.keys(doc.months)
    .filter((p) => doc.months[p]?.[what])
    .sort();
}

/**
 * What is owed at the latest period billing sent: debt (negative = overpayment) and its penalties,
 * kopecks. One lookup (the current month); two while the current month has a charge but no
 * balance yet (the latest balance is then the past's).
 */
export async function getDebt(
  tenantId: Types.ObjectId,
  accountId: string,
): Promise<{ period: string | null; debt: number; penalties: number }> {
  const current = await currentMonth(tenantId, accountId);
  let period = current?.balance ? current.period : undefined;
  let balance = current?.balance;
  if (current && !balance) {
    const months = (await pastMonths(tenantId, accountId))?.months ?? {};
    period = periodsOf({ months, updatedAt: null }, 'balance').at(-1);
    balance = period ? months[period]!.balance : undefined;
  }
  return period && balance
    ? { period, debt: balance.closing, penalties: balance.penalties }
    : { period: null, debt: 0, penalties: 0 };
}

/** What billing booked as paid on an account in each month of [from, to], oldest first, and the first month with a payment. */
export async function paidByMonth(tenantId: Types.ObjectId, accountId: string, range: { from: string; to: string }) {
  const doc = await history(tenantId, accountId);
  const periods = periodsOf(doc, 'balance');
  return {
    first: periods.find((p) => doc.months[p]!.balance!.paid > 0) ?? null,
    months: periods
      .filter((p) => p >= range.from && p <= range.to)
      .map((p) => ({ period: p, paid: doc.months[p]!.balance!.paid })),
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
 * The summary of an account already read: balance, meters, that period's charges (default: the
 * latest with data), the last 12 months of consumption and amounts, the periods available for
 * navigation, and when billing last sent data. Two lookups in parallel (the current and past months).
 */
export async function summaryOf(account: AccountDoc, period?: string) {
  const doc = await history(account.tenantId, account._id);
  const periods = periodsOf(doc, 'balance');
  const at = period ?? periods.at(-1) ?? null;
  const month = at ? doc.months[at] : undefined;
  const last12 = at ? periodsOf(doc, 'charge').filter((p) => p > shiftPeriod(at, -12) && p <= at) : [];
  const stamps = [account.updatedAt, doc.updatedAt].filter((d): d is Date => d instanceof Date);
  return {
    period: at,
    periods: { first: periods[0] ?? null, last: periods.at(-1) ?? null },
    balance: month?.balance ?? null,
    charges: at && month?.charge ? chargeView(at, month.charge) : null,
    meters: metersOf(account),
    history: last12.map((p) => {
      const c = doc.months[p]!.charge!;
      return { period: p, volume: c.lines.reduce((sum, l) => sum + l.volumeMilli, 0) / 1000, amount: c.total };
    }),
    dataAsOf: new Date(Math.max(...stamps.map((d) => d.getTime()))),
  };
}

/** The account summary at a period (see `summaryOf`): three lookups. */
export async function accountSummary(tenantId: Types.ObjectId, accountId: string, period?: string) {
  return summaryOf(await getAccount(tenantId, accountId), period);
}

/** Charges of an account already read, month by month, newest first, within [from, to]: two lookups in parallel. */
export async function chargesOf(account: AccountDoc, range: { from?: string; to?: string } = {}) {
  const doc = await history(account.tenantId, account._id);
  return periodsOf(doc, 'charge')
    .filter((p) => (!range.from || p >= range.from) && (!range.to || p <= range.to))
    .reverse()
    .slice(0, 120)
    .map((p) => chargeView(p, doc.months[p]!.charge!));
}

/** Charges month by month, newest first, within [from, to]: three lookups. */
export async function listCharges(tenantId: Types.ObjectId, accountId: string, range: { from?: string; to?: string } = {}) {
  return chargesOf(await getAccount(tenantId, accountId), range);
}

const FOLD_INTERVAL_MS = 60_000;

/**
 * Folds balances of months corrected more than once into their current months a minute or so
 * after they were written (see writer.ts `foldBalances`, `FOLD_FROM`), so that readers and the
 * next correction look past the month at one entry at most.
 */
export const foldBalancesWorker: Worker = {
  name: 'billing.fold-balances',
  intervalMs: FOLD_INTERVAL_MS,
  async run(logger) {
    // At most an interval of work a run: it ends inside its lease (two intervals), the next run goes on.
    const lists = await foldBalancesFor(FOLD_INTERVAL_MS);
    if (lists) logger.info({ lists }, 'corrected balances folded into their months');
  },
};

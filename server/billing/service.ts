import { createHash } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import type { FieldErrors } from '../http/errors.ts';
import { NotFoundError, ValidationError } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import {
  Account,
  BillingHistory,
  Meter,
  type AccountDoc,
  type BillingHistoryDoc,
  type MonthBalance,
  type MonthCharge,
  type MeterDoc,
} from './model.ts';
import type { AccountInput, BalanceInput, BillingKind, ChargeInput, MeterInput } from './schemas.ts';

export function pinHash(tenantId: Types.ObjectId, pin: string): string {
  return createHash('sha256')
    .update(`${String(tenantId)}:${pin}`)
    .digest('hex');
}

export function accountNumberRule(tenant: TenantDoc): RegExp {
  return new RegExp(tenant.accounts.numberPattern);
}

function oid(id: string): Types.ObjectId | null {
  return mongoose.isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id) ? new mongoose.Types.ObjectId(id) : null;
}

/** Account ids by number for the numbers of a batch; missing numbers are reported per item. */
async function resolveNumbers(tenantId: Types.ObjectId, numbers: string[]): Promise<Map<string, Types.ObjectId>> {
  const unique = [...new Set(numbers)];
  const found = new Map<string, Types.ObjectId>();
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await Account.find(
      { tenantId, number: mongoose.trusted({ $in: unique.slice(i, i + 1000) }) },
      { number: 1 },
    ).lean();
    for (const r of rows) found.set(r.number, r._id);
  }
  return found;
}

function dateOrNull(v: string | null | undefined): Date | null {
  return v ? new Date(`${v}T00:00:00Z`) : null;
}

function meterOp(
  tenantId: Types.ObjectId,
  m: MeterInput,
  accountId: Types.ObjectId | undefined,
  now: Date,
): mongoose.AnyBulkWriteOperation {
  const set = {
    accountId,
    serialNumber: m.serialNumber,
    name: m.name,
    service: m.service,
    digits: m.digits,
    decimals: m.decimals,
    lastReadingMilli: m.lastReading ?? null,
    lastReadingDate: dateOrNull(m.lastReadingDate),
    verificationDue: dateOrNull(m.verificationDue),
    tariff: m.tariff,
    usualMonthlyMilli: m.usualMonthly ?? null,
    updatedAt: now,
  };
  return { updateOne: { filter: { tenantId, meterId: m.meterId }, update: { $set: set }, upsert: true } };
}

/** One update per account: every month of the batch set on the account's history document. */
function historyOps(
  tenantId: Types.ObjectId,
  kind: 'charges' | 'balances',
  items: (ChargeInput | BalanceInput)[],
  ids: Map<string, Types.ObjectId>,
  now: Date,
): mongoose.AnyBulkWriteOperation[] {
  const byAccount = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    const accountId = ids.get(item.accountNumber);
    if (!accountId) continue;
    const set = byAccount.get(String(accountId)) ?? { updatedAt: now };
    if (kind === 'charges') {
      const c = item as ChargeInput;
      const lines = c.lines.map((l) => ({
        service: l.service,
        volumeMilli: l.volume,
        unit: l.unit,
        tariff: l.tariff,
        amount: l.amount,
      }));
      const charge: MonthCharge = {
        lines,
        penalties: c.penalties,
        total: lines.reduce((sum, l) => sum + l.amount, 0) + c.penalties,
      };
      set[`months.${c.period}.charge`] = charge;
    } else {
      const b = item as BalanceInput;
      const balance: MonthBalance = {
        opening: b.opening,
        charged: b.charged,
        paid: b.paid,
        closing: b.closing,
        penalties: b.penalties,
      };
      set[`months.${b.period}.balance`] = balance;
    }
    byAccount.set(String(accountId), set);
  }
  return [...byAccount].map(([id, set]) => ({
    updateOne: {
      filter: { _id: new mongoose.Types.ObjectId(id) },
      update: { $setOnInsert: { tenantId }, $set: set },
      upsert: true,
    },
  }));
}

/**
 * Upserts one batch of billing items, already parsed by their schemas. Every item is checked first
 * (account number rule, referenced accounts exist); one bad item rejects the whole batch with
 * errors keyed `<index>.<field>`, and nothing is written. Re-sending a batch changes nothing more.
 */
export async function upsertBilling(
  tenant: TenantDoc,
  kind: BillingKind,
  items: AccountInput[] | MeterInput[] | ChargeInput[] | BalanceInput[],
): Promise<{ upserted: number; modified: number; matched: number }> {
  const tenantId = tenant._id;
  const now = new Date();
  const errors: FieldErrors = {};
  let ops: mongoose.AnyBulkWriteOperation[];

  if (kind === 'accounts') {
    const rule = accountNumberRule(tenant);
    ops = (items as AccountInput[]).map((a, i) => {
      if (!rule.test(a.number)) errors[`${i}.number`] = { code: 'account_number_format' };
      const set: Record<string, unknown> = { holder: a.holder, address: a.address, services: a.services, updatedAt: now };
      if (a.pin) set.pinHash = pinHash(tenantId, a.pin);
      return { updateOne: { filter: { tenantId, number: a.number }, update: { $set: set }, upsert: true } };
    });
  } else {
    const refs = items as (MeterInput | ChargeInput | BalanceInput)[];
    const ids = await resolveNumbers(
      tenantId,
      refs.map((r) => r.accountNumber),
    );
    refs.forEach((r, i) => {
      if (!ids.has(r.accountNumber)) errors[`${i}.accountNumber`] = { code: 'account_not_found' };
    });
    ops =
      kind === 'meters'
        ? (refs as MeterInput[]).map((m) => meterOp(tenantId, m, ids.get(m.accountNumber), now))
        : historyOps(tenantId, kind, refs as (ChargeInput | BalanceInput)[], ids, now);
  }

  if (Object.keys(errors).length > 0) throw new ValidationError(errors, 'batch_invalid');
  if (ops.length === 0) return { upserted: 0, modified: 0, matched: 0 };
  const model = { accounts: Account, meters: Meter, charges: BillingHistory, balances: BillingHistory }[
    kind
  ] as mongoose.Model<unknown>;
  const res = await model.bulkWrite(ops, { ordered: false });
  return { upserted: res.upsertedCount, modified: res.modifiedCount, matched: res.matchedCount };
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

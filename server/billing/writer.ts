import { createHash, randomUUID } from 'node:crypto';
import type mongoose from 'mongoose';
import type { Types } from 'mongoose';
import { dueAt, queue, sweepDue, type Due } from '../db/kernel/expiry.ts';
import { duplicateIndexes, findByKey, key, type KeyedModel } from '../db/kernel/keys.ts';
import { endPast, streamId } from '../db/kernel/streams.ts';
import type { FieldErrors } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import {
  Account,
  BalanceEntry,
  BalanceFoldList,
  balanceStream,
  BillingCurrent,
  BillingPast,
  MAX_METERS,
  type AccountDoc,
  type BalanceEntryDoc,
  type BalanceFoldListDoc,
  type BillingCurrentDoc,
  type BillingMonth,
  type BillingPastDoc,
  type MeterDoc,
  type MonthBalance,
  type MonthCharge,
} from './model.ts';
import type { AccountInput, BalanceInput, BillingKind, ChargeInput, MeterInput } from '../../contracts/billing.ts';

/**
 * Writes billing items of one tenant in bulk, by the rules of the integration API: the tenant's
 * account number rule, and references to the tenant's existing accounts. Used by the integration
 * API (one writer per request) and by the CSV import (one writer per file).
 *
 * Every document an item touches has a key the item names (an account is `<tenantId>:<number>`,
 * its current and past months have the same key, its meters live in it), so the writer looks each one up by `_id`
 * (the one filter FerretDB v1 gives to SQLite), inserts new documents with insertMany, updates
 * what changed by `_id`, and leaves equal items alone: a batch costs the same whatever the number
 * of the supplier's accounts, a first import is a series of bulk inserts, and the same data sent
 * again writes nothing.
 */

export type BillingItem = AccountInput | MeterInput | ChargeInput | BalanceInput;

export interface WriteCounts {
  /** Items that created a document (or a meter, or a month of a history). */
  created: number;
  /** Items that changed what was stored. */
  changed: number;
  /** Items equal to what was stored, left alone. */
  unchanged: number;
}

/** A checked batch: what the rules refused (`<index>.<field>`), and the writes of the other items. */
export interface BillingPlan {
  refused: FieldErrors;
  /** What `commit` will do, for a dry run. */
  counts: WriteCounts;
  /** Writes the items that were not refused. */
  commit(): Promise<WriteCounts>;
}

/** A new document, and the update that writes it instead if another writer inserted the same key meanwhile. */
interface NewDoc {
  doc: Record<string, unknown>;
  fallback: mongoose.AnyBulkWriteOperation;
}

export function pinHash(tenantId: Types.ObjectId, pin: string): string {
  return createHash('sha256')
    .update(`${String(tenantId)}:${pin}`)
    .digest('hex');
}

export function accountNumberRule(tenant: TenantDoc): RegExp {
  return new RegExp(tenant.accounts.numberPattern);
}

const signature = (values: unknown[]) => createHash('sha1').update(JSON.stringify(values)).digest('base64');

/** JSON with sorted keys, to compare a stored month with an incoming one. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const dateOrNull = (v: string | null | undefined) => (v ? new Date(`${v}T00:00:00Z`) : null);

function meterFields(m: MeterInput): Omit<MeterDoc, 'updatedAt'> {
  return {
    meterId: m.meterId,
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
  };
}

function meterSignature(f: Omit<MeterDoc, 'updatedAt'>): string {
  return signature([
    f.serialNumber,
    f.name,
    f.service,
    f.digits,
    f.decimals,
    f.lastReadingMilli,
    isoOrNull(f.lastReadingDate),
    isoOrNull(f.verificationDue),
    f.tariff,
    f.usualMonthlyMilli,
  ]);
}

const accountSignature = (a: { holder: string; address: string; services: string[] }) =>
  signature([a.holder, a.address, a.services]);

function monthValue(kind: 'charges' | 'balances', item: ChargeInput | BalanceInput): MonthCharge | MonthBalance {
  if (kind === 'charges') {
    const c = item as ChargeInput;
    const lines = c.lines.map((l) => ({
      service: l.service,
      volumeMilli: l.volume,
      unit: l.unit,
      tariff: l.tariff,
      amount: l.amount,
    }));
    return { lines, penalties: c.penalties, total: lines.reduce((sum, l) => sum + l.amount, 0) + c.penalties };
  }
  const b = item as BalanceInput;
  return { opening: b.opening, charged: b.charged, paid: b.paid, closing: b.closing, penalties: b.penalties };
}

/**
 * Update statements sent in one command, and commands in flight at once. FerretDB v1 runs the
 * statements of a command one after another, each holding a database connection until the
 * command ends (it has 100; a command of about a hundred statements waits for one forever, and
 * the whole database with it), and runs separate commands side by side: 4 commands of 10
 * statements hold 40 connections and, measured on the embedded database, update small documents
 * about 1.5 times as fast as one command of 50 at a time (bench/integration-api.bench.mjs).
 */
const UPDATES_PER_COMMAND = 10;
const COMMANDS_AT_ONCE = 4;

async function updateInChunks(model: mongoose.Model<never>, ops: mongoose.AnyBulkWriteOperation[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ops.length) {
      const from = next;
      next += UPDATES_PER_COMMAND;
      const result = await model.bulkWrite(ops.slice(from, from + UPDATES_PER_COMMAND), { ordered: false });
      // Mongoose leaves out, and only reports, the statements its schema refuses.
      const refused = result.mongoose?.validationErrors ?? [];
      if (refused.length > 0) throw refused[0]!;
    }
  };
  const commands = Math.ceil(ops.length / UPDATES_PER_COMMAND);
  await Promise.all(Array.from({ length: Math.min(COMMANDS_AT_ONCE, commands) }, worker));
}

/** An update of one document found by its `_id` alone, the one filter FerretDB v1 gives to SQLite. */
const byId = (id: string, set: Record<string, unknown>): mongoose.AnyBulkWriteOperation => ({
  updateOne: { filter: { _id: id }, update: { $set: set } },
});

/** Inserts documents in bulk; returns the indexes of those another writer inserted meanwhile (a duplicate `_id`). */
async function insertMany(model: mongoose.Model<never>, docs: Record<string, unknown>[]): Promise<number[]> {
  if (docs.length === 0) return [];
  try {
    await model.insertMany(docs, { ordered: false, lean: true });
    return [];
  } catch (err) {
    return duplicateIndexes(err);
  }
}

/**
 * Inserts new documents in bulk; those another writer inserted meanwhile are written by their
 * fallback update instead.
 */
async function insertNew(model: mongoose.Model<never>, docs: NewDoc[]): Promise<void> {
  const taken = await insertMany(
    model,
    docs.map((d) => d.doc),
  );
  await updateInChunks(
    model,
    taken.map((i) => docs[i]!.fallback),
  );
}

/**
 * Lookups by `_id` in flight at once: each is a primary-key read (one `$in` would decode the whole
 * collection on FerretDB v1). On the embedded database more at once bring no more lookups a second
 * (it is bound by its CPU), and fewer than the driver's 100 connections leave room for the
 * requests of subscribers while a long batch runs.
 */
const LOOKUPS_AT_ONCE = 32;

/** Runs `run` for each item, `LOOKUPS_AT_ONCE` at a time. */
async function atOnce<T>(list: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) await run(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_AT_ONCE, list.length) }, worker));
}

/**
 * The documents with these `_id`s that exist, each found by its own `_id` lookup through the
 * driver (`findByKey`: a mongoose query cost this process 0.43 against 0.25 ms a lookup), on the
 * path of every line of a CSV file.
 */
async function findByIds<D extends { _id: string }>(
  model: KeyedModel,
  ids: Iterable<string>,
  projection: Record<string, 1>,
): Promise<Map<string, D>> {
  const found = new Map<string, D>();
  await atOnce([...new Set(ids)], async (id) => {
    const doc = await findByKey<D>(model, id, projection);
    if (doc) found.set(doc._id, doc);
  });
  return found;
}

/**
 * Balance entries of a month past the current month's own balance (or its fold) before the writer
 * folds the newest into the current month: a reader looks at the stream past the fold, so this
 * bounds its lookups (about 2·log2 of it). Folding is an update by `_id` (2–3.5 ms on FerretDB v1
 * against 0.2–0.4 ms for an entry inserted in bulk), paid by one correction in this many of an
 * account's month.
 */
export const BALANCE_FOLD = 4;

/**
 * Entries past the month's balance from which the fold job folds the newest into the month. A
 * month corrected once keeps its entry unfolded (a reader looks at one more small document, the
 * number after it), since a fold is an update by `_id` per account, which costs the database
 * about four times a line of an import (bench/csv-import.bench.mjs: 20,000 months folded in 27 s,
 * their corrections imported in 6.3 s) and, run beside an import, took the database from it. So
 * the month's balances imported once leave nothing to fold; a month corrected again is folded a
 * minute or so later.
 */
export const FOLD_FROM = 2;

/**
 * A current month with its newest balance, how many entries of its stream lie past its fold, and
 * whether the stream was closed (the month moved into the past after it was read).
 */
interface Resolved {
  month: BillingCurrentDoc;
  pending: number;
  closed: boolean;
}

/**
 * The current month's newest balance: the last entry of the month's balance stream (model.ts
 * `BalanceEntryDoc`) past the balance the month holds (its own, or a newer fold), found with the
 * kernel's search for a stream's end (one lookup when nothing was sent since), from entry `exists`
 * when the caller knows it is there (its insert was refused). `balanceSeq` of the result is the
 * stream's end, `updatedAt` the later of the month's and the entry's.
 */
async function resolve(current: BillingCurrentDoc, exists = 0): Promise<Resolved> {
  const base = baseOf(current);
  const stream = balanceStream(current._id, current.period);
  type Entry = Pick<BalanceEntryDoc, 'balance' | 'closed' | 'updatedAt'>;
  const end = await endPast<Entry>(BalanceEntry, stream, Math.max(base.seq, exists), null);
  const { seq } = end;
  const last = seq > base.seq && !end.last ? await findByKey<Entry>(BalanceEntry, streamId(stream, seq)) : end.last;
  const newest = last && seq > base.seq ? last : base;
  const stamps = [current.updatedAt, newest.updatedAt].filter((d): d is Date => d instanceof Date);
  const { fold: _fold, ...month } = current;
  return {
    month: {
      ...month,
      balance: newest.balance,
      balanceSeq: seq,
      updatedAt: stamps.length ? new Date(Math.max(...stamps.map((d) => d.getTime()))) : current.updatedAt,
    },
    pending: seq - base.seq,
    closed: seq > base.seq && last?.closed === true,
  };
}

/** The balance a current month holds: its fold when newer than its own, else its own (entry `balanceSeq`). */
function baseOf(current: BillingCurrentDoc): { seq: number; balance?: MonthBalance; updatedAt: Date } {
  const fold = current.fold?.period === current.period ? current.fold : undefined;
  const own = current.balanceSeq ?? 0;
  return fold && fold.seq > own ? fold : { seq: own, balance: current.balance, updatedAt: current.updatedAt };
}

/**
 * A current month as it holds its balance, the stream not looked at: for a balance that differs
 * from it, whose entry is inserted right after it (a number taken means the stream went on, and
 * the balance is planned again against its end).
 */
function assumed(current: BillingCurrentDoc): Resolved {
  const base = baseOf(current);
  const { fold: _fold, ...month } = current;
  return { month: { ...month, balance: base.balance, balanceSeq: base.seq }, pending: 0, closed: false };
}

/** A current month moved into the past: its period, the newest entry of its stream and the balance it moved with. */
interface Moved {
  id: string;
  period: string;
  seq: number;
  balance?: MonthBalance;
}

/** What the writer reads of a current month. */
const CURRENT_FIELDS = { period: 1, charge: 1, balance: 1, balanceSeq: 1, fold: 1, updatedAt: 1 } as const;

/** Accounts a fold list names: a batch of the CSV import or less, a document of tens of KB. */
const FOLD_LIST_ACCOUNTS = 1_000;

/** Fold lists, taken up by `foldBalances` from the moment they are written (buckets of a minute). */
const BALANCE_FOLDS = queue('billing-balance-folds', 60_000, [BalanceFoldList], async () => {});

/**
 * Hands the accounts whose current month got its `FOLD_FROM`-th entry or a later one to the fold
 * job: one queue record and one document per `FOLD_LIST_ACCOUNTS` (registered before it is
 * written, so none is missed).
 */
async function queueFolds(tenantId: Types.ObjectId, accounts: string[], now: Date): Promise<void> {
  for (let from = 0; from < accounts.length; from += FOLD_LIST_ACCOUNTS) {
    const id = key(tenantId, randomUUID());
    await dueAt(BALANCE_FOLDS, BalanceFoldList, id, now);
    await BalanceFoldList.create({
      _id: id,
      tenantId,
      accounts: accounts.slice(from, from + FOLD_LIST_ACCOUNTS),
      createdAt: now,
    });
  }
}

/**
 * Folds the newest balance entry of each listed account into its current month (`fold`, set by
 * `_id`: an update per account, off the request path) where `FOLD_FROM` or more lie past its
 * balance, then removes the list. A fold that lands on a month replaced meanwhile names the
 * earlier period and is ignored by readers; an older fold landing after a newer one only makes
 * readers look at more entries. Returns the lists handled.
 */
async function foldLists(due: Due[]): Promise<number> {
  let handled = 0;
  for (const { id } of due) {
    const list = await findByKey<BalanceFoldListDoc>(BalanceFoldList, id);
    if (!list) continue;
    const months = await findByIds<BillingCurrentDoc>(BillingCurrent as never, list.accounts, {
      period: 1,
      balance: 1,
      balanceSeq: 1,
      fold: 1,
      updatedAt: 1,
    });
    const updates: mongoose.AnyBulkWriteOperation[] = [];
    await atOnce([...months.values()], async (doc) => {
      const { month, pending, closed } = await resolve(doc);
      if (pending >= FOLD_FROM && !closed)
        updates.push(
          byId(doc._id, {
            fold: { period: month.period, seq: month.balanceSeq, balance: month.balance, updatedAt: month.updatedAt },
          }),
        );
    });
    await updateInChunks(BillingCurrent as never, updates);
    await BalanceFoldList.deleteOne({ _id: id });
    handled += 1;
  }
  return handled;
}

/** The lists due by `now`, at most `limit` (see `foldLists`); returns the lists handled. */
export async function foldBalances(now = new Date(), limit = 100): Promise<number> {
  return sweepDue(BALANCE_FOLDS, now, limit, foldLists);
}

/**
 * The fold job's run: due lists one at a time until none is left or `ms` has passed (one list at
 * least); the rest stay due for the next run. Returns the lists handled.
 */
export async function foldBalancesFor(ms: number): Promise<number> {
  const until = Date.now() + ms;
  let lists = 0;
  for (;;) {
    const batch = await foldBalances(new Date(), 1);
    lists += batch;
    if (batch === 0 || Date.now() >= until) return lists;
  }
}

/** The current month as readers see it: with its newest balance (see `resolve`). */
export async function resolveBalance(current: BillingCurrentDoc): Promise<BillingCurrentDoc> {
  return (await resolve(current)).month;
}

export class BillingWriter {
  constructor(private readonly tenant: TenantDoc) {}

  /**
   * Checks a batch and prepares its writes; nothing is written until `commit`. `exact`: the counts
   * are what `commit` will do even for a balance equal to a correction not yet folded into its
   * month (a dry run; it reads each month's balance stream); otherwise `commit` returns them so.
   */
  async plan(kind: BillingKind, items: BillingItem[], { exact = false }: { exact?: boolean } = {}): Promise<BillingPlan> {
    if (kind === 'accounts') return this.planAccounts(items as AccountInput[]);
    if (kind === 'meters') return this.planMeters(items as MeterInput[]);
    return this.planMonths(kind, items as (ChargeInput | BalanceInput)[], exact);
  }

  private accountKey(number: string): string {
    return key(this.tenant._id, number);
  }

  private async planAccounts(items: AccountInput[]): Promise<BillingPlan> {
    const tenantId = this.tenant._id;
    const rule = accountNumberRule(this.tenant);
    const known = await findByIds<Pick<AccountDoc, '_id' | 'holder' | 'address' | 'services' | 'pinHash'>>(
      Account as never,
      items.filter((a) => rule.test(a.number)).map((a) => this.accountKey(a.number)),
      { holder: 1, address: 1, services: 1, pinHash: 1 },
    );
    const now = new Date();
    const refused: FieldErrors = {};
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };
    const created = new Map<string, NewDoc & { sig: string; pinHash: string }>();
    const changed = new Map<string, { fields: Record<string, unknown>; sig: string; pinHash: string }>();
    items.forEach((a, i) => {
      if (!rule.test(a.number)) {
        refused[`${i}.number`] = { code: 'account_number_format' };
        return;
      }
      const id = this.accountKey(a.number);
      const found = known.get(id);
      const stored = found && { sig: accountSignature(found), pinHash: found.pinHash };
      const earlier = created.get(id) ?? changed.get(id) ?? stored;
      const hash = a.pin ? pinHash(tenantId, a.pin) : (earlier?.pinHash ?? '');
      const sig = accountSignature(a);
      const fields = { holder: a.holder, address: a.address, services: a.services, pinHash: hash, updatedAt: now };
      if (!stored) {
        if (!created.has(id)) counts.created += 1;
        created.set(id, {
          doc: { _id: id, tenantId, number: a.number, ...fields, meters: [] },
          fallback: byId(id, fields),
          sig,
          pinHash: hash,
        });
      } else if (earlier!.sig !== sig || earlier!.pinHash !== hash) {
        if (!changed.has(id)) counts.changed += 1;
        changed.set(id, { fields, sig, pinHash: hash });
      } else counts.unchanged += 1;
    });
    return {
      refused,
      counts,
      commit: async () => {
        await insertNew(Account as never, [...created.values()]);
        await updateInChunks(
          Account as never,
          [...changed].map(([id, c]) => byId(id, c.fields)),
        );
        return counts;
      },
    };
  }

  /**
   * Meters live in their account's document (`meters`, sorted by meter id): an account with a
   * changed or new meter gets its whole list written back by `_id`. Two writers changing meters
   * of the same account at the same moment: the later list wins (the billing system sends an
   * account's meters together).
   */
  private async planMeters(items: MeterInput[]): Promise<BillingPlan> {
    const accounts = await findByIds<Pick<AccountDoc, '_id' | 'meters'>>(
      Account as never,
      items.map((m) => this.accountKey(m.accountNumber)),
      { meters: 1 },
    );
    const now = new Date();
    const refused: FieldErrors = {};
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };
    /** Per account: the meters this batch writes, by meter id, with their signatures. */
    const planned = new Map<string, Map<string, { meter: MeterDoc; sig: string }>>();
    items.forEach((m, i) => {
      const id = this.accountKey(m.accountNumber);
      const account = accounts.get(id);
      if (!account) {
        refused[`${i}.accountNumber`] = { code: 'account_not_found' };
        return;
      }
      const writes = planned.get(id) ?? new Map<string, { meter: MeterDoc; sig: string }>();
      const fields = meterFields(m);
      const sig = meterSignature(fields);
      const found = account.meters.find((s) => s.meterId === m.meterId);
      const stored = found && { sig: meterSignature(found) };
      const earlier = writes.get(m.meterId) ?? stored;
      if (!stored) {
        const added = new Set([...account.meters.map((s) => s.meterId), ...writes.keys()]);
        if (!added.has(m.meterId) && added.size >= MAX_METERS) {
          refused[`${i}.meterId`] = { code: 'meter_limit_reached', params: { max: MAX_METERS } };
          return;
        }
        if (!writes.has(m.meterId)) counts.created += 1;
      } else if (earlier!.sig !== sig) {
        if (!writes.has(m.meterId)) counts.changed += 1;
      } else {
        counts.unchanged += 1;
        return;
      }
      writes.set(m.meterId, { meter: { ...fields, updatedAt: now }, sig });
      planned.set(id, writes);
    });
    const updates = [...planned].map(([id, writes]) => {
      const meters = new Map(accounts.get(id)!.meters.map((s) => [s.meterId, s]));
      for (const [meterId, w] of writes) meters.set(meterId, w.meter);
      return byId(id, { meters: [...meters.values()].sort((a, b) => (a.meterId < b.meterId ? -1 : 1)) });
    });
    return {
      refused,
      counts,
      commit: async () => {
        await updateInChunks(Account as never, updates);
        return counts;
      },
    };
  }

  /**
   * Charges and balances are months of an account's current document (the newest month) or its
   * past document (the months before), both under the account's key (see `BillingCurrentDoc`). An
   * account with a current month exists; only the keys without one are looked up among the
   * accounts, and the past is read only for items of a period before the current one. A balance
   * of the current month (a correction, or the first balance of a month that came with its charge)
   * is inserted as the next entry of the month's balance stream: an insert in bulk, and no write
   * at all when it equals the newest balance. Otherwise per account the batch writes at most its
   * past (first) and its current month (then): an item of a newer period moves the current month,
   * with its newest balance, into the past; a charge of the current month replaces it, its newest
   * balance folded in. `exact` (see `plan`); `known`: per balance stream, an entry known to exist
   * (a retry after that number was taken); `read`: current months the retried plan read, taken
   * as they are (a month replaced since shows its stream closed and is read again).
   */
  private async planMonths(
    kind: 'charges' | 'balances',
    items: (ChargeInput | BalanceInput)[],
    exact: boolean,
    known = new Map<string, number>(),
    read = new Map<string, BillingCurrentDoc>(),
  ): Promise<BillingPlan> {
    const tenantId = this.tenant._id;
    const field = kind === 'charges' ? 'charge' : 'balance';
    const ids = items.map((item) => this.accountKey(item.accountNumber));
    const unread = ids.filter((id) => !read.has(id));
    const stored = await findByIds<BillingCurrentDoc>(BillingCurrent as never, unread, CURRENT_FIELDS);
    for (const id of ids) if (read.has(id)) stored.set(id, read.get(id)!);
    const accounts = await findByIds(
      Account as never,
      ids.filter((id) => !stored.has(id)),
      { _id: 1 },
    );
    const refused: FieldErrors = {};
    const byAccount = new Map<string, Map<string, MonthCharge | MonthBalance>>();
    const itemsOf = new Map<string, (ChargeInput | BalanceInput)[]>();
    /** The item each account's balance of a month comes from (the last one of the batch). */
    const itemOf = new Map<string, ChargeInput | BalanceInput>();
    items.forEach((item, i) => {
      const id = ids[i]!;
      if (!stored.has(id) && !accounts.has(id)) {
        refused[`${i}.accountNumber`] = { code: 'account_not_found' };
        return;
      }
      const months = byAccount.get(id) ?? new Map<string, MonthCharge | MonthBalance>();
      months.set(item.period, monthValue(kind, item));
      byAccount.set(id, months);
      itemsOf.set(id, [...(itemsOf.get(id) ?? []), item]);
      itemOf.set(key(id, item.period), item);
    });
    // A balance of the current month that differs from the one the month holds is inserted right
    // after it without looking at the stream; every other current month is taken with its newest
    // balance: a charge rewrites it, a newer month moves it, an equal balance may be outdated.
    // A month whose stream was found closed has moved into the past since it was read: its
    // account's current month is read again.
    const current = new Map<string, Resolved>();
    for (let docs = [...stored.values()]; docs.length > 0;) {
      const stale: string[] = [];
      await atOnce(docs, async (doc) => {
        const incoming = byAccount.get(doc._id);
        const own = baseOf(doc).balance;
        const blind =
          !exact &&
          kind === 'balances' &&
          incoming !== undefined &&
          [...incoming].every(
            ([period, value]) => period < doc.period || (period === doc.period && canonical(own) !== canonical(value)),
          );
        const resolved = blind ? assumed(doc) : await resolve(doc, known.get(balanceStream(doc._id, doc.period)));
        if (resolved.closed) stale.push(doc._id);
        else current.set(doc._id, resolved);
      });
      docs = [...(await findByIds<BillingCurrentDoc>(BillingCurrent as never, stale, CURRENT_FIELDS)).values()];
    }
    const past = await findByIds<Pick<BillingPastDoc, '_id' | 'months'>>(
      BillingPast as never,
      [...byAccount]
        .filter(([id, incoming]) => [...incoming.keys()].some((p) => p < (current.get(id)?.month.period ?? '')))
        .map(([id]) => id),
      { months: 1 },
    );

    const now = new Date();
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };
    /** Current months of accounts that had none, and the items that made each. */
    const newCurrent: { doc: Record<string, unknown>; items: (ChargeInput | BalanceInput)[] }[] = [];
    const currentUpdates: mongoose.AnyBulkWriteOperation[] = [];
    const pastUpdates: mongoose.AnyBulkWriteOperation[] = [];
    /** Balance entries of current months, the item that made each and how it was counted, and the fold that follows it. */
    const entries: {
      account: string;
      doc: BalanceEntryDoc;
      item: ChargeInput | BalanceInput;
      counted: keyof WriteCounts;
      /** Entries of the month's stream past its balance once this one is in. */
      pendingAfter: number;
      fold?: mongoose.AnyBulkWriteOperation;
    }[] = [];
    /** Current months moved into the past: their stream is looked at again, and closed, once they are replaced. */
    const moved: Moved[] = [];
    for (const [id, incoming] of byAccount) {
      const resolved = current.get(id);
      const was = resolved?.month;
      const storedMonth = (period: string): BillingMonth | undefined =>
        was && period === was.period ? was : past.get(id)?.months[period];
      /** The months this batch changes, each as it will be. */
      const changed = new Map<string, BillingMonth>();
      /** How each changed month's item was counted. */
      const counted = new Map<string, keyof WriteCounts>();
      for (const [period, value] of incoming) {
        const before = storedMonth(period);
        if (before?.[field] === undefined) counted.set(period, 'created');
        else if (canonical(before[field]) !== canonical(value)) counted.set(period, 'changed');
        else {
          counts.unchanged += 1;
          continue;
        }
        counts[counted.get(period)!] += 1;
        changed.set(period, { charge: before?.charge, balance: before?.balance, [field]: value });
      }
      if (changed.size === 0) continue;
      const newest = [...changed.keys(), was?.period ?? ''].sort().at(-1)!;
      // The current month moves into the past when a newer one arrives.
      if (was && newest !== was.period) {
        if (!changed.has(was.period)) changed.set(was.period, { charge: was.charge, balance: was.balance });
        moved.push({ id, period: was.period, seq: was.balanceSeq ?? 0, balance: was.balance });
      }
      const toPast = Object.fromEntries(
        [...changed].filter(([period]) => period !== newest).map(([period, month]) => [`months.${period}`, defined(month)]),
      );
      if (Object.keys(toPast).length > 0)
        pastUpdates.push({
          updateOne: {
            filter: { _id: id },
            update: { $set: { ...toPast, updatedAt: now }, $setOnInsert: { tenantId } },
            upsert: true,
          },
        });
      const month = changed.get(newest);
      if (!month) continue;
      if (was && newest === was.period && kind === 'balances') {
        const stream = balanceStream(id, newest);
        const seq = (was.balanceSeq ?? 0) + 1;
        const balance = month.balance as MonthBalance;
        const pendingAfter = resolved.pending + 1;
        entries.push({
          account: id,
          doc: { _id: streamId(stream, seq), tenantId, stream, seq, balance, updatedAt: now },
          item: itemOf.get(key(id, newest))!,
          counted: counted.get(newest)!,
          pendingAfter,
          fold: pendingAfter >= BALANCE_FOLD ? byId(id, { fold: { period: newest, seq, balance, updatedAt: now } }) : undefined,
        });
        continue;
      }
      const seq = was && newest === was.period ? { balanceSeq: was.balanceSeq } : {};
      const doc = { _id: id, tenantId, period: newest, ...defined(month), ...seq, updatedAt: now };
      if (was) currentUpdates.push({ replaceOne: { filter: { _id: id }, replacement: doc } });
      else newCurrent.push({ doc, items: itemsOf.get(id)! });
    }
    return {
      refused,
      counts,
      commit: async () => {
        await updateInChunks(BillingPast as never, pastUpdates);
        const taken = await insertMany(
          BillingCurrent as never,
          newCurrent.map((n) => n.doc),
        );
        await updateInChunks(BillingCurrent as never, currentUpdates);
        const lost = new Set(
          await insertMany(
            BalanceEntry as never,
            entries.map((e) => e.doc as unknown as Record<string, unknown>),
          ),
        );
        await updateInChunks(
          BillingCurrent as never,
          entries.flatMap((e, i) => (e.fold && !lost.has(i) ? [e.fold] : [])),
        );
        await queueFolds(
          tenantId,
          entries.flatMap((e, i) => (e.fold || lost.has(i) || e.pendingAfter < FOLD_FROM ? [] : [e.account])),
          now,
        );
        await this.settleMoved(moved, now);
        // Another writer gave these accounts a current month meanwhile: their items are planned
        // again against it (its month may have to move into the past).
        const again = taken.flatMap((i) => newCurrent[i]!.items);
        if (again.length > 0) await (await this.planMonths(kind, again, true)).commit();
        // The stream of these months went on past the balance they hold: their balances are
        // planned again against its end, and counted as that finds them.
        const result = { ...counts };
        if (lost.size === 0) return result;
        for (const i of lost) result[entries[i]!.counted] -= 1;
        const retried = await (
          await this.planMonths(
            kind,
            [...lost].map((i) => entries[i]!.item),
            true,
            new Map([...lost].map((i) => [entries[i]!.doc.stream, entries[i]!.doc.seq])),
            stored,
          )
        ).commit();
        for (const k of Object.keys(result) as (keyof WriteCounts)[]) result[k] += retried[k];
        return result;
      },
    };
  }

  /**
   * Months moved into the past with the newest balance their stream had when the batch was
   * planned, once they are replaced: a correction another writer inserted meanwhile is written into
   * the past as well, then the stream is closed (`BalanceEntryDoc.closed`) right after the newest
   * entry, so that a correction planned while the month was current and written later finds its
   * number taken and is planned again against the month that replaced it (into the past), never
   * appended where no reader looks. One lookup and a share of an insertMany per moved month when
   * no correction came in between; a close that finds its number taken looks again.
   */
  private async settleMoved(moved: Moved[], now: Date): Promise<void> {
    const tenantId = this.tenant._id;
    for (let open = moved; open.length > 0;) {
      const late: mongoose.AnyBulkWriteOperation[] = [];
      const closing: { month: Moved; doc: BalanceEntryDoc }[] = [];
      await atOnce(open, async (month) => {
        const stream = balanceStream(month.id, month.period);
        const end = await endPast<Pick<BalanceEntryDoc, 'balance' | 'closed'>>(BalanceEntry, stream, month.seq, null);
        // Another writer moved the same month and closed it.
        if (end.last?.closed) return;
        let { balance } = month;
        if (end.seq > month.seq && end.last) {
          balance = end.last.balance;
          late.push(byId(month.id, { [`months.${month.period}.balance`]: balance, updatedAt: now }));
        }
        const seq = end.seq + 1;
        closing.push({
          month: { ...month, seq: end.seq, balance },
          doc: {
            _id: streamId(stream, seq),
            tenantId,
            stream,
            seq,
            ...(balance ? { balance } : {}),
            closed: true,
            updatedAt: now,
          },
        });
      });
      await updateInChunks(BillingPast as never, late);
      const taken = await insertMany(
        BalanceEntry as never,
        closing.map((c) => c.doc as unknown as Record<string, unknown>),
      );
      open = taken.map((i) => closing[i]!.month);
    }
  }
}

/** A month without the parts billing has not sent (no `undefined` fields stored). */
function defined(month: BillingMonth): BillingMonth {
  return Object.fromEntries(Object.entries(month).filter(([, v]) => v !== undefined));
}

import { createHash } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import type { FieldErrors } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import {
  Account,
  BillingHistory,
  Meter,
  type AccountDoc,
  type BillingHistoryDoc,
  type MeterDoc,
  type MonthBalance,
  type MonthCharge,
} from './model.ts';
import type { AccountInput, BalanceInput, BillingKind, ChargeInput, MeterInput } from './schemas.ts';

/**
 * Writes billing items of one tenant in bulk, by the rules of the integration API: the tenant's
 * account number rule, and references to the tenant's existing accounts. Used by the integration
 * API (one writer per request) and by the CSV import (one writer per file).
 *
 * FerretDB v1 (the embedded database) hands SQLite only filters that are exactly `{ _id }`; any
 * other filter decodes the whole collection, and bulk upserts on a natural key take minutes per
 * thousand. So the writer reads the keys it needs first, inserts new documents with insertMany,
 * updates what changed by `_id` alone (the ids come from the tenant's own documents), and leaves
 * equal items alone: a first import is a series of bulk inserts, and the same data sent again
 * writes nothing.
 */

export type BillingItem = AccountInput | MeterInput | ChargeInput | BalanceInput;

export interface WriteCounts {
  /** Items that created a document (or a month of a history). */
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

export interface WriterOptions {
  /**
   * Read every account and meter key of the tenant once (a long import of one file) instead of
   * looking up each batch's keys (a request of the integration API).
   */
  preload?: boolean;
}

interface StoredAccount {
  id: Types.ObjectId;
  /** Signature of the fields an upsert sets, PIN hash aside. */
  sig: string;
  pinHash: string;
}

interface StoredMeter {
  id: Types.ObjectId;
  sig: string;
}

/** A new document, and the upsert that writes it instead if another writer inserted the same key meanwhile. */
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

function meterFields(m: MeterInput, accountId: Types.ObjectId) {
  return {
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
  };
}

function meterSignature(f: Omit<MeterDoc, '_id' | 'tenantId' | 'meterId' | 'updatedAt'>): string {
  return signature([
    String(f.accountId),
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

function isDuplicateKey(e: { code?: number; errmsg?: string; message?: string }): boolean {
  return e.code === 11000 || /duplicate key|UNIQUE constraint/i.test(e.errmsg ?? e.message ?? '');
}

/** Indexes of the documents an unordered insertMany refused as duplicates; any other failure is rethrown. */
function duplicateIndexes(err: unknown): number[] {
  const writeErrors = (
    err as { writeErrors?: { index: number; code?: number; errmsg?: string }[] | { index: number; code?: number } }
  ).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0 || !list.every(isDuplicateKey)) throw err;
  return list.map((w) => w.index);
}

/**
 * Most update statements sent in one command. FerretDB v1 keeps a database connection open for
 * every statement of an update command until the command ends and has 100 of them, so a command of
 * about a hundred statements waits for a connection forever (and the whole database with it).
 */
const UPDATES_PER_COMMAND = 50;

async function updateInChunks(model: mongoose.Model<never>, ops: mongoose.AnyBulkWriteOperation[]): Promise<void> {
  for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND)
    await model.bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND), { ordered: false });
}

/** An update of one document found by its `_id` alone, the one filter FerretDB v1 gives to SQLite. */
const byId = (id: Types.ObjectId, set: Record<string, unknown>): mongoose.AnyBulkWriteOperation => ({
  updateOne: { filter: { _id: id }, update: { $set: set } },
});

/**
 * Inserts new documents in bulk; those another writer inserted meanwhile are upserted by their
 * natural key instead (they keep that writer's `_id`). Returns whether that happened.
 */
async function insertNew(model: mongoose.Model<never>, docs: NewDoc[]): Promise<boolean> {
  if (docs.length === 0) return false;
  try {
    await model.insertMany(
      docs.map((d) => d.doc),
      { ordered: false, lean: true },
    );
    return false;
  } catch (err) {
    await updateInChunks(
      model,
      duplicateIndexes(err).map((i) => docs[i]!.fallback),
    );
    return true;
  }
}

/** Lookups by `_id` running at once: each is a primary-key read, where one `$in` would scan the collection on FerretDB v1. */
const ID_LOOKUPS_AT_ONCE = 8;

async function eachById<T>(ids: Types.ObjectId[], load: (id: Types.ObjectId) => Promise<T | null>): Promise<T[]> {
  const found: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const doc = await load(ids[next++]!);
      if (doc) found.push(doc);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ID_LOOKUPS_AT_ONCE, ids.length) }, worker));
  return found;
}

/**
 * Above this many keys in one batch, the writer reads every key of the tenant once instead of
 * looking them up with `$in`: FerretDB v1 checks each document against every value of an `$in`,
 * so a batch of thousands of keys costs thousands of comparisons per document of the collection,
 * where one plain read of the tenant's keys costs one decode per document (MongoDB pays little
 * either way).
 */
const LOOKUP_ALL_ABOVE = 100;

/** Most values in one `$in` lookup. */
const LOOKUP_CHUNK = 1000;

/**
 * Keys of one collection by natural key. With `preload`, or for a batch of more than
 * `LOOKUP_ALL_ABOVE` keys, every key of the tenant is read once and a missing key means a new
 * document; otherwise missing keys are looked up as batches ask for them.
 */
class KeyCache<T> {
  private keys = new Map<string, T>();
  private absent = new Set<string>();
  private complete = false;

  constructor(
    private readonly preload: boolean,
    private readonly read: (values?: string[]) => AsyncIterable<[string, T]>,
  ) {}

  async lookup(values: string[]): Promise<Map<string, T>> {
    if (!this.complete && (this.preload || values.length > LOOKUP_ALL_ABOVE)) {
      for await (const [k, v] of this.read()) this.keys.set(k, v);
      this.complete = true;
    }
    if (!this.complete) {
      const missing = [...new Set(values)].filter((v) => !this.keys.has(v) && !this.absent.has(v));
      for (let i = 0; i < missing.length; i += LOOKUP_CHUNK) {
        const chunk = missing.slice(i, i + LOOKUP_CHUNK);
        for await (const [k, v] of this.read(chunk)) this.keys.set(k, v);
        for (const k of chunk) if (!this.keys.has(k)) this.absent.add(k);
      }
    }
    return this.keys;
  }

  set(key: string, value: T): void {
    this.keys.set(key, value);
    this.absent.delete(key);
  }

  /** Another writer got in between: read again before the next batch. */
  forget(): void {
    this.keys.clear();
    this.absent.clear();
    this.complete = false;
  }
}

/**
 * Writes a plan of documents keyed by a natural key (accounts by number, meters by id): new ones
 * inserted, changed ones updated by `_id`, and the key cache kept in step (read afresh when
 * another writer got in between).
 */
function commitKeyed<K extends { id: Types.ObjectId }>(
  model: mongoose.Model<never>,
  cache: KeyCache<K>,
  created: Map<string, NewDoc & { key: K }>,
  changed: Map<string, { fields: Record<string, unknown>; key: K }>,
  counts: WriteCounts,
): () => Promise<WriteCounts> {
  return async () => {
    const raced = await insertNew(model, [...created.values()]);
    await updateInChunks(
      model,
      [...changed.values()].map((c) => byId(c.key.id, c.fields)),
    );
    if (raced) cache.forget();
    else for (const [key, c] of [...created, ...changed]) cache.set(key, c.key);
    return counts;
  };
}

export class BillingWriter {
  private readonly accounts: KeyCache<StoredAccount>;
  private readonly meters: KeyCache<StoredMeter>;

  constructor(
    private readonly tenant: TenantDoc,
    options: WriterOptions = {},
  ) {
    const tenantId = tenant._id;
    const preload = options.preload ?? false;
    this.accounts = new KeyCache(preload, async function* (numbers) {
      const filter = numbers ? { tenantId, number: mongoose.trusted({ $in: numbers }) } : { tenantId };
      const rows = Account.find(filter, { number: 1, holder: 1, address: 1, services: 1, pinHash: 1 })
        .lean<AccountDoc[]>()
        .cursor() as AsyncIterable<AccountDoc>;
      for await (const a of rows) {
        yield [a.number, { id: a._id, sig: signature([a.holder, a.address, a.services]), pinHash: a.pinHash }];
      }
    });
    this.meters = new KeyCache(preload, async function* (meterIds) {
      const filter = meterIds ? { tenantId, meterId: mongoose.trusted({ $in: meterIds }) } : { tenantId };
      const rows = Meter.find(filter).lean<MeterDoc[]>().cursor() as AsyncIterable<MeterDoc>;
      for await (const m of rows) yield [m.meterId, { id: m._id, sig: meterSignature(m) }];
    });
  }

  /** Checks a batch and prepares its writes; nothing is written until `commit`. */
  async plan(kind: BillingKind, items: BillingItem[]): Promise<BillingPlan> {
    if (kind === 'accounts') return this.planAccounts(items as AccountInput[]);
    if (kind === 'meters') return this.planMeters(items as MeterInput[]);
    return this.planMonths(kind, items as (ChargeInput | BalanceInput)[]);
  }

  private async planAccounts(items: AccountInput[]): Promise<BillingPlan> {
    const tenantId = this.tenant._id;
    const rule = accountNumberRule(this.tenant);
    const known = await this.accounts.lookup(items.map((a) => a.number));
    const now = new Date();
    const refused: FieldErrors = {};
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };
    const created = new Map<string, NewDoc & { key: StoredAccount }>();
    const changed = new Map<string, { fields: Record<string, unknown>; key: StoredAccount }>();
    items.forEach((a, i) => {
      if (!rule.test(a.number)) {
        refused[`${i}.number`] = { code: 'account_number_format' };
        return;
      }
      const stored = known.get(a.number);
      const earlier = created.get(a.number)?.key ?? changed.get(a.number)?.key ?? stored;
      const hash = a.pin ? pinHash(tenantId, a.pin) : (earlier?.pinHash ?? '');
      const sig = signature([a.holder, a.address, a.services]);
      const fields = { holder: a.holder, address: a.address, services: a.services, pinHash: hash, updatedAt: now };
      if (!stored) {
        const id = (created.get(a.number)?.key.id ?? new mongoose.Types.ObjectId()) as Types.ObjectId;
        if (!created.has(a.number)) counts.created += 1;
        created.set(a.number, {
          doc: { _id: id, tenantId, number: a.number, ...fields },
          fallback: { updateOne: { filter: { tenantId, number: a.number }, update: { $set: fields }, upsert: true } },
          key: { id, sig, pinHash: hash },
        });
      } else if (earlier!.sig !== sig || earlier!.pinHash !== hash) {
        if (!changed.has(a.number)) counts.changed += 1;
        changed.set(a.number, { fields, key: { id: stored.id, sig, pinHash: hash } });
      } else counts.unchanged += 1;
    });
    return { refused, counts, commit: commitKeyed(Account as never, this.accounts, created, changed, counts) };
  }

  private async planMeters(items: MeterInput[]): Promise<BillingPlan> {
    const tenantId = this.tenant._id;
    const accounts = await this.accounts.lookup(items.map((m) => m.accountNumber));
    const known = await this.meters.lookup(items.map((m) => m.meterId));
    const now = new Date();
    const refused: FieldErrors = {};
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };
    const created = new Map<string, NewDoc & { key: StoredMeter }>();
    const changed = new Map<string, { fields: Record<string, unknown>; key: StoredMeter }>();
    items.forEach((m, i) => {
      const account = accounts.get(m.accountNumber);
      if (!account) {
        refused[`${i}.accountNumber`] = { code: 'account_not_found' };
        return;
      }
      const fields = { ...meterFields(m, account.id), updatedAt: now };
      const sig = meterSignature(fields);
      const stored = known.get(m.meterId);
      const earlier = created.get(m.meterId)?.key ?? changed.get(m.meterId)?.key ?? stored;
      if (!stored) {
        const id = (created.get(m.meterId)?.key.id ?? new mongoose.Types.ObjectId()) as Types.ObjectId;
        if (!created.has(m.meterId)) counts.created += 1;
        created.set(m.meterId, {
          doc: { _id: id, tenantId, meterId: m.meterId, ...fields },
          fallback: { updateOne: { filter: { tenantId, meterId: m.meterId }, update: { $set: fields }, upsert: true } },
          key: { id, sig },
        });
      } else if (earlier!.sig !== sig) {
        if (!changed.has(m.meterId)) counts.changed += 1;
        changed.set(m.meterId, { fields, key: { id: stored.id, sig } });
      } else counts.unchanged += 1;
    });
    return { refused, counts, commit: commitKeyed(Meter as never, this.meters, created, changed, counts) };
  }

  /** Charges and balances are months of the accounts' history documents (one per account, `_id` = the account's). */
  private async planMonths(kind: 'charges' | 'balances', items: (ChargeInput | BalanceInput)[]): Promise<BillingPlan> {
    const tenantId = this.tenant._id;
    const field = kind === 'charges' ? 'charge' : 'balance';
    const accounts = await this.accounts.lookup(items.map((item) => item.accountNumber));
    const now = new Date();
    const refused: FieldErrors = {};
    const counts: WriteCounts = { created: 0, changed: 0, unchanged: 0 };

    const byAccount = new Map<string, { id: Types.ObjectId; months: Map<string, MonthCharge | MonthBalance> }>();
    items.forEach((item, i) => {
      const account = accounts.get(item.accountNumber);
      if (!account) {
        refused[`${i}.accountNumber`] = { code: 'account_not_found' };
        return;
      }
      const entry = byAccount.get(String(account.id)) ?? { id: account.id, months: new Map() };
      entry.months.set(item.period, monthValue(kind, item));
      byAccount.set(String(account.id), entry);
    });
    const stored = new Map<string, BillingHistoryDoc['months']>();
    const histories = await eachById(
      [...byAccount.values()].map((e) => e.id),
      (id) => BillingHistory.findById(id, { tenantId: 1, months: 1 }).lean<BillingHistoryDoc>(),
    );
    for (const h of histories) if (h.tenantId.equals(tenantId)) stored.set(String(h._id), h.months);

    const created: NewDoc[] = [];
    const updates: mongoose.AnyBulkWriteOperation[] = [];
    for (const [key, entry] of byAccount) {
      const months = stored.get(key);
      const set: Record<string, unknown> = {};
      for (const [period, value] of entry.months) {
        const before = months?.[period]?.[field];
        if (before === undefined) counts.created += 1;
        else if (canonical(before) !== canonical(value)) counts.changed += 1;
        else {
          counts.unchanged += 1;
          continue;
        }
        set[`months.${period}.${field}`] = value;
      }
      if (Object.keys(set).length === 0) continue;
      if (months) updates.push(byId(entry.id, { ...set, updatedAt: now }));
      else {
        const doc = {
          _id: entry.id,
          tenantId,
          months: Object.fromEntries([...entry.months].map(([p, v]) => [p, { [field]: v }])),
          updatedAt: now,
        };
        created.push({
          doc,
          fallback: {
            updateOne: {
              filter: { _id: entry.id },
              update: { $setOnInsert: { tenantId }, $set: { ...set, updatedAt: now } },
              upsert: true,
            },
          },
        });
      }
    }
    return {
      refused,
      counts,
      commit: async () => {
        await insertNew(BillingHistory as never, created);
        await updateInChunks(BillingHistory as never, updates);
        return counts;
      },
    };
  }
}

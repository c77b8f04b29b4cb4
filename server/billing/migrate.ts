import type mongoose from 'mongoose';
import { duplicateIndexes, key } from '../db/kernel/keys.ts';
import { LEGACY_ACCOUNTS, LEGACY_METERS, type Migration, type MigrationCtx } from '../db/migrate.ts';
import { Account, BillingCurrent, BillingPast, monthDocs, type AccountDoc, type MeterDoc } from './model.ts';

/**
 * Billing data written by the earlier versions:
 * - `accounts` (ObjectId `_id`, unique by tenant and number), `meters` (ObjectId `_id`, an
 *   `accountId`, unique by tenant and meter id) and `billinghistories` (`_id` = the account's
 *   ObjectId). Each account becomes `<tenantId>:<number>` with its meters in it, sorted by meter id
 *   (all of them, even past the limit new meters keep to). Moved a supplier at a time, so only one
 *   supplier's meters are held at once. The earlier collections stay for the steps after this one
 *   (`ctx.accountKey` reads them); `runMigrations` drops them at the end.
 * - `billing_histories` (`_id` = the account's key, every month in one document).
 * An account's months, from either, become its current month and its past (`monthDocs`). Every
 * document is inserted by its key and one already there is left as it is, so the step may run again.
 */

const LEGACY_HISTORIES = 'billinghistories';
const KEYED_HISTORIES = 'billing_histories';
const BATCH = 500;

type Doc = mongoose.mongo.Document;

/** Inserts documents by `_id`, leaving those already there (a run before this one wrote them). */
async function insertNew(ctx: MigrationCtx, collection: string, docs: Doc[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    await ctx.db.collection(collection).insertMany(docs, { ordered: false });
    return docs.length;
  } catch (err) {
    return docs.length - duplicateIndexes(err).length;
  }
}

/** Reads the supplier's documents of an earlier collection in batches. */
async function eachBatch(ctx: MigrationCtx, collection: string, filter: Doc, run: (docs: Doc[]) => Promise<void>): Promise<void> {
  let batch: Doc[] = [];
  for await (const doc of ctx.db.collection(collection).find(filter)) {
    batch.push(doc);
    if (batch.length === BATCH) {
      await run(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await run(batch);
}

function meterOf(m: Doc): MeterDoc {
  return {
    meterId: String(m.meterId),
    serialNumber: m.serialNumber ?? '',
    name: m.name ?? '',
    service: m.service ?? 'gas',
    digits: m.digits ?? 5,
    decimals: m.decimals ?? 0,
    lastReadingMilli: m.lastReadingMilli ?? null,
    lastReadingDate: m.lastReadingDate ?? null,
    verificationDue: m.verificationDue ?? null,
    tariff: m.tariff ?? 0,
    usualMonthlyMilli: m.usualMonthlyMilli ?? null,
    updatedAt: m.updatedAt ?? new Date(),
  };
}

/**
 * Writes whole histories (`_id` = the account's key, `months` by period) as current and past
 * months; returns how many documents were new.
 */
async function moveHistories(ctx: MigrationCtx, histories: Doc[]): Promise<number> {
  const docs = histories.map((h) => monthDocs(String(h._id), h.tenantId, h.months ?? {}, h.updatedAt ?? new Date()));
  const current = docs.flatMap((d) => (d.current ? [d.current] : []));
  const past = docs.flatMap((d) => (d.past ? [d.past] : []));
  return (
    (await insertNew(ctx, BillingCurrent.collection.collectionName, current as unknown as Doc[])) +
    (await insertNew(ctx, BillingPast.collection.collectionName, past as unknown as Doc[]))
  );
}

async function moveSupplier(ctx: MigrationCtx, tenantId: unknown): Promise<number> {
  const meters = new Map<string, MeterDoc[]>();
  for await (const m of ctx.db.collection(LEGACY_METERS).find({ tenantId })) {
    const list = meters.get(String(m.accountId)) ?? [];
    list.push(meterOf(m));
    meters.set(String(m.accountId), list);
  }
  const keys = new Map<string, string>();
  let moved = 0;
  await eachBatch(ctx, LEGACY_ACCOUNTS, { tenantId }, async (rows) => {
    const docs = rows.map((a): AccountDoc => {
      const id = key(String(a.tenantId), String(a.number));
      keys.set(String(a._id), id);
      const own = meters.get(String(a._id)) ?? [];
      meters.delete(String(a._id));
      return {
        _id: id,
        tenantId: a.tenantId,
        number: String(a.number),
        holder: a.holder ?? '',
        address: a.address ?? '',
        pinHash: a.pinHash ?? '',
        services: a.services ?? ['gas'],
        meters: own.sort((x, y) => (x.meterId < y.meterId ? -1 : 1)),
        updatedAt: a.updatedAt ?? new Date(),
      };
    });
    moved += await insertNew(ctx, Account.collection.collectionName, docs as unknown as Doc[]);
  });
  for (const [accountId, lost] of meters) ctx.log(`billing: ${lost.length} meter(s) of missing account ${accountId} not moved`);
  await eachBatch(ctx, LEGACY_HISTORIES, { tenantId }, async (rows) => {
    const histories: Doc[] = [];
    for (const h of rows) {
      const id = keys.get(String(h._id));
      if (id) histories.push({ ...h, _id: id });
      else ctx.log(`billing: history of missing account ${String(h._id)} not moved`);
    }
    moved += await moveHistories(ctx, histories);
  });
  return moved;
}

export const migration: Migration = {
  name: 'billing',
  legacyCollections: [LEGACY_ACCOUNTS, LEGACY_METERS, LEGACY_HISTORIES, KEYED_HISTORIES],
  async run(ctx) {
    let moved = 0;
    for (const tenantId of await ctx.db.collection(LEGACY_ACCOUNTS).distinct('tenantId'))
      moved += await moveSupplier(ctx, tenantId);
    await eachBatch(ctx, KEYED_HISTORIES, {}, async (rows) => {
      moved += await moveHistories(ctx, rows);
    });
    return { moved };
  },
};

import type mongoose from 'mongoose';
import { enrol } from '../db/kernel/expiry.ts';
import { duplicateIndexes, findByKey, key } from '../db/kernel/keys.ts';
import { StreamMark } from '../db/kernel/models.ts';
import { onceMarkId, streamId } from '../db/kernel/streams.ts';
import type { Migration, MigrationCtx } from '../db/migrate.ts';
import { exportOnce, exportStream, historyStream, pendingStream, providerRefKey, receiptKey } from './keys.ts';
import {
  Payment,
  PaymentEvent,
  PaymentExport,
  PaymentHistory,
  PaymentKey,
  PaymentTransition,
  PendingPaid,
  type PaymentDoc,
  type ProviderName,
} from './model.ts';
import { FULFIL_QUEUE } from './service.ts';
import { publicPayment } from './view.ts';

/**
 * Payments written by the earlier version: `payments` (ObjectId `_id`s, unique by tenant,
 * subscriber and Idempotency-Key, found by other fields), `payment_exports` (the export stream by
 * tenant and seq), `paymentevents` (by provider and event id), `paymenttransitions` (already by
 * `<paymentId>:<version>`, with an ObjectId `paymentId`) and `paymentclaims` (leases, not moved:
 * an unfinished follow-up is enrolled in the worker's queue and claimed afresh by the worker).
 * The keyed version before this one kept the cabinet's history in `pay_history`, entries that only
 * named their payment: each becomes its entry of `pay_cabinet_history` at the same position,
 * carrying the payment as shown. Its due marks `pay_due` (the fulfilment queue replaced them;
 * nothing reads them) are dropped.
 *
 * A payment keeps its id (the ObjectId's hex), so links, receipts, provider metadata and the ids
 * billing already holds stay valid; its accounts get their keyed ids; the cabinet's history is
 * built in the order the payments were made; each account's unconfirmed payments become its
 * chain's first entry. The export stream keeps every entry at its position: an integrator's
 * cursor means the same entry before and after. Every document is inserted by its key, and one
 * already there is left as it is, so the step may run again.
 */

const LEGACY = {
  payments: 'payments',
  exports: 'payment_exports',
  events: 'paymentevents',
  transitions: 'paymenttransitions',
  claims: 'paymentclaims',
  keyedHistory: 'pay_history',
  due: 'pay_due',
};
const BATCH = 500;
/** Payments looked up at a time for the keyed history's entries. */
const LOOKUPS = 50;

type Doc = mongoose.mongo.Document;

/** Inserts documents by `_id`, leaving those already there (a run before this one wrote them). */
async function insertNew(ctx: MigrationCtx, collection: string, docs: Doc[]): Promise<void> {
  if (!docs.length) return;
  try {
    await ctx.db.collection(collection).insertMany(docs, { ordered: false });
  } catch (err) {
    duplicateIndexes(err);
  }
}

/** Reads an earlier collection in batches of `_id` order. */
async function eachBatch(ctx: MigrationCtx, collection: string, run: (docs: Doc[]) => Promise<void>): Promise<number> {
  let n = 0;
  let batch: Doc[] = [];
  for await (const doc of ctx.db.collection(collection).find({}).sort({ _id: 1 })) {
    batch.push(doc);
    if (batch.length === BATCH) {
      await run(batch);
      n += batch.length;
      batch = [];
    }
  }
  if (batch.length) await run(batch);
  return n + batch.length;
}

async function accountIdOf(ctx: MigrationCtx, legacy: unknown): Promise<string> {
  const found = await ctx.accountKey(legacy);
  if (found) return found;
  ctx.log(`payments: account ${String(legacy)} is gone; its payments keep its earlier id`);
  return String(legacy);
}

/** Each cabinet's payments in the order they were made: the positions of its history. */
async function historyPositions(ctx: MigrationCtx): Promise<Map<string, number>> {
  const rows = await ctx.db
    .collection(LEGACY.payments)
    .find({}, { projection: { tenantId: 1, subscriberId: 1, createdAt: 1 } })
    .toArray();
  rows.sort((a, b) => Number(a.createdAt) - Number(b.createdAt) || String(a._id).localeCompare(String(b._id)));
  const next = new Map<string, number>();
  const positions = new Map<string, number>();
  for (const r of rows) {
    const stream = historyStream(r.tenantId, r.subscriberId);
    const seq = (next.get(stream) ?? 0) + 1;
    next.set(stream, seq);
    positions.set(String(r._id), seq);
  }
  return positions;
}

async function movePayments(ctx: MigrationCtx): Promise<number> {
  const positions = await historyPositions(ctx);
  /** Per account chain: the payments that succeeded and are not booked yet. */
  const open = new Map<string, { paymentId: string; amount: number }[]>();
  const n = await eachBatch(ctx, LEGACY.payments, async (docs) => {
    const payments: Doc[] = [];
    const history: Doc[] = [];
    const keys: Doc[] = [];
    for (const p of docs) {
      const id = String(p._id);
      const items: Doc[] = [];
      for (const item of p.items as Doc[]) items.push({ ...item, accountId: await accountIdOf(ctx, item.accountId) });
      const historySeq = positions.get(id)!;
      const { __v: _version, ...rest } = p;
      payments.push({ ...rest, _id: id, items, historySeq });
      const stream = historyStream(p.tenantId, p.subscriberId);
      history.push({
        _id: streamId(stream, historySeq),
        stream,
        seq: historySeq,
        shown: publicPayment({ ...rest, _id: id, items } as PaymentDoc),
      });
      if (p.providerRef) keys.push({ _id: providerRefKey(p.provider as ProviderName, p.providerRef), paymentId: id });
      if (p.receipt) keys.push({ _id: receiptKey(p.tenantId, p.receiptToken), paymentId: id });
      if (p.status === 'succeeded' && !p.confirmedAt) {
        for (const item of items) {
          const chain = pendingStream(p.tenantId, item.accountId);
          open.set(chain, [...(open.get(chain) ?? []), { paymentId: id, amount: item.amount + item.penalties }]);
        }
      }
    }
    await insertNew(ctx, Payment.collection.collectionName, payments);
    await insertNew(ctx, PaymentHistory.collection.collectionName, history);
    await insertNew(ctx, PaymentKey.collection.collectionName, keys);
  });
  const chains = [...open].map(([stream, entries]) => ({ _id: streamId(stream, 1), stream, seq: 1, open: entries }));
  for (let i = 0; i < chains.length; i += BATCH)
    await insertNew(ctx, PendingPaid.collection.collectionName, chains.slice(i, i + BATCH));
  return n;
}

/** The export stream, entry for entry at the same positions, with the marks that keep each appended once. */
async function moveExports(ctx: MigrationCtx): Promise<number> {
  const seen = new Map<string, { count: number; top: number }>();
  const n = await eachBatch(ctx, LEGACY.exports, async (docs) => {
    const entries: Doc[] = [];
    const marks: Doc[] = [];
    for (const e of docs) {
      const stream = exportStream(e.tenantId);
      const once = exportOnce(String(e.paymentId), e.key);
      const { _id: _legacyId, tenantId: _tenant, ...rest } = e;
      entries.push({ ...rest, _id: streamId(stream, e.seq), stream, once, paymentId: String(e.paymentId) });
      marks.push({ _id: onceMarkId(PaymentExport, stream, once), seq: e.seq });
      const s = seen.get(stream) ?? { count: 0, top: 0 };
      seen.set(stream, { count: s.count + 1, top: Math.max(s.top, e.seq) });
    }
    await insertNew(ctx, PaymentExport.collection.collectionName, entries);
    await insertNew(ctx, StreamMark.collection.collectionName, marks);
  });
  // Positions were unique and taken as "last + 1": a hole would hide every entry after it from readers.
  for (const [stream, s] of seen) {
    if (s.count !== s.top)
      throw new Error(`payments: the export stream of tenant ${stream} has holes (${s.count} entries up to ${s.top})`);
  }
  return n;
}

/**
 * The keyed history's entries, each at its position with its payment as shown; a payment is read
 * by `_id`. An entry whose payment is missing would leave a hole in the stream, which hides every
 * entry before it from readers: the step stops instead (payments are never deleted).
 */
async function moveKeyedHistory(ctx: MigrationCtx): Promise<number> {
  return eachBatch(ctx, LEGACY.keyedHistory, async (docs) => {
    const entries: Doc[] = [];
    for (let at = 0; at < docs.length; at += LOOKUPS) {
      const part = docs.slice(at, at + LOOKUPS);
      const payments = await Promise.all(part.map((e) => findByKey<PaymentDoc>(Payment, String(e.paymentId))));
      part.forEach((e, i) => {
        const payment = payments[i];
        if (!payment)
          throw new Error(`payments: history entry ${String(e._id)} names payment ${String(e.paymentId)}, which is gone`);
        entries.push({ _id: e._id, stream: e.stream, seq: e.seq, shown: publicPayment(payment) });
      });
    }
    await insertNew(ctx, PaymentHistory.collection.collectionName, entries);
  });
}

async function moveEvents(ctx: MigrationCtx): Promise<number> {
  return eachBatch(ctx, LEGACY.events, async (docs) => {
    const events = docs.map(({ _id: _legacyId, __v: _version, ...e }) => ({
      ...e,
      _id: key(e.provider, e.eventId),
      ...(e.paymentId ? { paymentId: String(e.paymentId) } : {}),
    }));
    await insertNew(ctx, PaymentEvent.collection.collectionName, events);
  });
}

async function moveTransitions(ctx: MigrationCtx): Promise<number> {
  return eachBatch(ctx, LEGACY.transitions, async (docs) => {
    const transitions = docs.map(({ __v: _version, ...t }) => ({ ...t, paymentId: String(t.paymentId) }));
    await insertNew(ctx, PaymentTransition.collection.collectionName, transitions);
  });
}

export const migration: Migration = {
  name: 'payments',
  legacyCollections: Object.values(LEGACY),
  async run(ctx) {
    const moved =
      (await movePayments(ctx)) +
      (await moveKeyedHistory(ctx)) +
      (await moveExports(ctx)) +
      (await moveEvents(ctx)) +
      (await moveTransitions(ctx));
    await enrol(FULFIL_QUEUE);
    return { moved };
  },
};

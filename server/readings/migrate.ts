import type mongoose from 'mongoose';
import { key } from '../db/kernel/keys.ts';
import { streamId } from '../db/kernel/streams.ts';
import type { Migration, MigrationCtx } from '../db/migrate.ts';
import {
  ExportEntry,
  LegacyReadingId,
  MeterReadings,
  READINGS_PER_PAGE,
  ReadingPage,
  ReadingReminder,
  type ReadingOwner,
  type StoredReading,
} from './model.ts';
import { holdValue } from './service.ts';

/**
 * Readings written by the earlier versions, moved in two steps:
 *
 * 1. Readings before they were keyed: `readings` documents with ObjectId `_id`, account and
 *    meter, and a per-tenant `seq` (the export's order); `reading_reminders` with ObjectId `_id`.
 *    Each reading becomes the next entry of its meter's stream (`readings_by_meter`, as the
 *    version after wrote them), in the earlier export order (the order readings were stored); its
 *    export entry keeps the earlier `seq`, so an integrator's cursor means after the upgrade what
 *    it meant before: the readings up to it were exported. A number the earlier stream did not
 *    have, or whose reading's meter no longer exists, becomes an empty entry that the export
 *    passes over, so the stream stays gap-free and no later number moves. The earlier id stays
 *    valid for status answers (readings_legacy_ids). A counting reading of a period that may
 *    still take readings (this month or the one before) holds its value, so the same value is
 *    refused as before.
 * 2. Readings one document each (`readings_by_meter`, `_id` = `<meterId>:<seq>`, with their
 *    meter's period streams `readings_by_period`; queued ones listed in `readings_queue` by an
 *    older version): each meter's readings become its document and pages (model.ts) with the same
 *    numbers, so every reading keeps its id, its export entry, its status and the value it holds.
 *    The period streams are no longer needed (a meter's document shows its period's readings);
 *    queued readings are enrolled by the readings queue's next sweep.
 *
 * Run again, either step writes the same documents: streams are numbered from the earlier order
 * alone, and a meter's documents from its stream alone.
 */

const LEGACY_READINGS = 'readings';
const LEGACY_REMINDERS = 'reading_reminders';
/** Readings one document each, in their meter's stream. */
const READINGS_BY_METER = 'readings_by_meter';
const LEGACY_PERIODS = 'readings_by_period';
const LEGACY_QUEUE = 'readings_queue';
/** Meters moved at a time in step 2. */
const METERS_PARALLEL = 20;
/** Writes per command, as the billing writer sends them. */
const WRITES_PER_COMMAND = 50;

type Doc = mongoose.mongo.Document;

/** Replacements by `_id`, sent WRITES_PER_COMMAND at a time per collection. */
class Writes {
  private readonly pending = new Map<string, mongoose.mongo.AnyBulkWriteOperation<{ _id: string }>[]>();

  constructor(private readonly db: mongoose.mongo.Db) {}

  /** Writes `doc` into the collection `to` (a model's, or an earlier one named). */
  async put(to: string | { collection: { collectionName: string } }, doc: Doc & { _id: string }): Promise<void> {
    const name = typeof to === 'string' ? to : to.collection.collectionName;
    const ops = this.pending.get(name) ?? [];
    ops.push({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
    this.pending.set(name, ops);
    if (ops.length >= WRITES_PER_COMMAND) await this.flush(name);
  }

  async flush(only?: string): Promise<void> {
    for (const [name, ops] of this.pending) {
      if ((only && name !== only) || ops.length === 0) continue;
      this.pending.set(name, []);
      await this.db.collection<{ _id: string }>(name).bulkWrite(ops, { ordered: false });
    }
  }
}

/** The first period that may still take readings: the month before the current one. */
function firstOpenPeriod(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** Step 1: `readings` and `reading_reminders` of ObjectId documents into meter streams and keyed reminders. */
async function keyReadings(ctx: MigrationCtx): Promise<number> {
  const writes = new Writes(ctx.db);
  const byMeter = ctx.db.collection<Doc & { _id: string }>(READINGS_BY_METER);
  const openFrom = firstOpenPeriod(new Date());
  const meterSeq = new Map<string, number>();
  let moved = 0;
  let lost = 0;
  let tenant = '';
  let exported = 0;
  const exportEntry = async (tenantId: string, seq: number, reading: string | null) =>
    writes.put(ExportEntry, { _id: streamId(tenantId, seq), stream: tenantId, seq, reading });

  const earlier = ctx.db.collection(LEGACY_READINGS).find({}).sort({ tenantId: 1, seq: 1 });
  for await (const r of earlier) {
    const tenantId = String(r.tenantId);
    if (tenantId !== tenant) [tenant, exported] = [tenantId, 0];
    // Numbers the earlier stream did not have stay in the new one, empty.
    for (let s = exported + 1; s < r.seq; s += 1) await exportEntry(tenantId, s, null);
    exported = Math.max(exported, r.seq);
    const accountId = await ctx.accountKey(r.accountId);
    const meterId = await ctx.meterKey(r.meterId);
    if (!accountId || !meterId) {
      await exportEntry(tenantId, r.seq, null);
      lost += 1;
      continue;
    }
    const seq = (meterSeq.get(meterId) ?? 0) + 1;
    meterSeq.set(meterId, seq);
    const id = streamId(meterId, seq);
    const counting = r.status === 'accepted' || r.status === 'queued';
    const existing = await byMeter.findOne({ _id: id }, { projection: { claim: 1 } });
    const claim = existing?.claim ?? (counting && r.period >= openFrom ? await holdValue(meterId, r.period, r.valueMilli) : null);
    await writes.put(READINGS_BY_METER, {
      _id: id,
      stream: meterId,
      seq,
      tenantId: r.tenantId,
      accountId,
      accountNumber: r.accountNumber,
      meterId,
      meterSerialNumber: r.meterSerialNumber ?? '',
      ...(r.subscriberId ? { subscriberId: r.subscriberId } : {}),
      source: r.source,
      ...(r.paymentId ? { paymentId: r.paymentId } : {}),
      period: r.period,
      valueMilli: r.valueMilli,
      decimals: r.decimals,
      previousMilli: r.previousMilli ?? null,
      consumptionMilli: r.consumptionMilli ?? null,
      rollover: r.rollover ?? false,
      status: r.status,
      ...(r.rejectionReason !== undefined ? { rejectionReason: r.rejectionReason } : {}),
      ...(r.status === 'queued' && r.acceptAt ? { acceptAt: r.acceptAt } : {}),
      claim,
      submittedAt: r.submittedAt,
      updatedAt: r.updatedAt ?? r.submittedAt,
    });
    await exportEntry(tenantId, r.seq, id);
    await writes.put(LegacyReadingId, { _id: String(r._id), tenantId: r.tenantId, reading: id });
    moved += 1;
  }

  for await (const m of ctx.db.collection(LEGACY_REMINDERS).find({})) {
    await writes.put(ReadingReminder, {
      _id: key(String(m.tenantId), m.period, String(m.subscriberId)),
      tenantId: m.tenantId,
      subscriberId: m.subscriberId,
      period: m.period,
      sentAt: m.sentAt,
    });
    moved += 1;
  }
  await writes.flush();
  if (lost) ctx.log(`readings: ${lost} readings of accounts or meters that no longer exist were not moved`);
  return moved;
}

/** A reading of a meter stream as its meter's documents keep it. */
function storedOf(r: Doc): StoredReading {
  return {
    seq: r.seq,
    meterSerialNumber: r.meterSerialNumber ?? '',
    ...(r.subscriberId ? { subscriberId: r.subscriberId } : {}),
    source: r.source,
    ...(r.paymentId ? { paymentId: r.paymentId } : {}),
    period: r.period,
    valueMilli: r.valueMilli,
    decimals: r.decimals,
    previousMilli: r.previousMilli ?? null,
    consumptionMilli: r.consumptionMilli ?? null,
    rollover: r.rollover ?? false,
    status: r.status,
    ...(r.rejectionReason !== undefined ? { rejectionReason: r.rejectionReason } : {}),
    ...(r.status === 'queued' && r.acceptAt ? { acceptAt: r.acceptAt } : {}),
    claim: r.claim ?? null,
    submittedAt: r.submittedAt,
    updatedAt: r.updatedAt ?? r.submittedAt,
  };
}

/** One meter's stream, readings 1 … `end` read by `_id`, as its document and full pages; returns how many readings it moved. */
async function pageMeter(ctx: MigrationCtx, writes: Writes, meterId: string, end: number): Promise<number> {
  const byMeter = ctx.db.collection<Doc & { _id: string }>(READINGS_BY_METER);
  const rows = await Promise.all(Array.from({ length: end }, (_, n) => byMeter.findOne({ _id: streamId(meterId, n + 1) })));
  const found = rows.filter((r): r is NonNullable<typeof r> => r !== null);
  const first = found[0];
  if (!first) return 0;
  const owner: ReadingOwner = {
    tenantId: first.tenantId,
    accountId: first.accountId,
    accountNumber: first.accountNumber,
    meterId,
  };
  const pages = Math.floor((end - 1) / READINGS_PER_PAGE);
  const onPage = (r: Doc) => Math.ceil(r.seq / READINGS_PER_PAGE);
  for (let page = 1; page <= pages; page += 1) {
    const readings = found.filter((r) => onPage(r) === page).map(storedOf);
    await writes.put(ReadingPage, { _id: key(meterId, page), ...owner, page, readings });
  }
  const readings = found.filter((r) => onPage(r) > pages).map(storedOf);
  await writes.put(MeterReadings, { _id: meterId, ...owner, seq: end, pages, readings });
  return found.length;
}

/** Step 2: readings one document each into their meters' documents and pages. */
async function pageReadings(ctx: MigrationCtx): Promise<number> {
  const writes = new Writes(ctx.db);
  // Where each meter's stream ends: one pass over the numbers alone (streams are gap-free).
  const ends = new Map<string, number>();
  const numbers = ctx.db.collection(READINGS_BY_METER).find({}, { projection: { stream: 1, seq: 1 } });
  for await (const r of numbers) ends.set(String(r.stream), Math.max(ends.get(String(r.stream)) ?? 0, r.seq));
  const meters = [...ends];
  let moved = 0;
  for (let i = 0; i < meters.length; i += METERS_PARALLEL) {
    const counts = await Promise.all(
      meters.slice(i, i + METERS_PARALLEL).map(([meterId, end]) => pageMeter(ctx, writes, meterId, end)),
    );
    moved += counts.reduce((a, b) => a + b, 0);
  }
  await writes.flush();
  return moved;
}

export const migration: Migration = {
  name: 'readings',
  legacyCollections: [LEGACY_READINGS, LEGACY_REMINDERS, READINGS_BY_METER, LEGACY_PERIODS, LEGACY_QUEUE],
  async run(ctx) {
    const keyed = await keyReadings(ctx);
    return { moved: keyed + (await pageReadings(ctx)) };
  },
};

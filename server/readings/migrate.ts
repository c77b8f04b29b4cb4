import type mongoose from 'mongoose';
import { dueAt } from '../db/kernel/expiry.ts';
import { key } from '../db/kernel/keys.ts';
import { streamId } from '../db/kernel/streams.ts';
import type { Migration } from '../db/migrate.ts';
import { ExportEntry, LegacyReadingId, PeriodEntry, Reading, ReadingReminder, type ReadingDoc } from './model.ts';
import { holdValue, READINGS_QUEUE } from './service.ts';

/**
 * Readings before they were keyed: `readings` documents with ObjectId `_id`, account and meter,
 * and a per-tenant `seq` (the export's order); `reading_reminders` with ObjectId `_id`.
 *
 * Each reading becomes the next entry of its meter's stream, in the earlier export order (the
 * order readings were stored), and of its meter's period; its export entry keeps the earlier
 * `seq`, so an integrator's cursor means after the upgrade what it meant before: the readings up
 * to it were exported. A number the earlier stream did not have, or whose reading's meter no
 * longer exists, becomes an empty entry that the export passes over, so the stream stays gap-free
 * and no later number moves. The earlier id stays valid for status answers (readings_legacy_ids).
 * A counting reading of a period that may still take readings (this month or the one before)
 * holds its value, so the same value is refused as before. Run again, it writes the same
 * documents: streams are numbered from the earlier order alone.
 */

const LEGACY_READINGS = 'readings';
const LEGACY_REMINDERS = 'reading_reminders';
/** Writes per command, as the billing writer sends them. */
const WRITES_PER_COMMAND = 50;

type Doc = mongoose.mongo.Document;

/** Replacements by `_id`, sent WRITES_PER_COMMAND at a time per collection. */
class Writes {
  private readonly pending = new Map<string, mongoose.mongo.AnyBulkWriteOperation<{ _id: string }>[]>();

  constructor(private readonly db: mongoose.mongo.Db) {}

  async put(model: { collection: { collectionName: string } }, doc: Doc & { _id: string }): Promise<void> {
    const name = model.collection.collectionName;
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

export const migration: Migration = {
  name: 'readings',
  legacyCollections: [LEGACY_READINGS, LEGACY_REMINDERS],
  async run(ctx) {
    const writes = new Writes(ctx.db);
    const openFrom = firstOpenPeriod(new Date());
    const meterSeq = new Map<string, number>();
    const periodSeq = new Map<string, number>();
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
      const existing = await Reading.findById(id, { claim: 1 }).lean<Pick<ReadingDoc, 'claim'>>();
      const claim =
        existing?.claim ?? (counting && r.period >= openFrom ? await holdValue(meterId, r.period, r.valueMilli) : null);
      await writes.put(Reading, {
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
      const period = key(meterId, r.period);
      const place = (periodSeq.get(period) ?? 0) + 1;
      periodSeq.set(period, place);
      await writes.put(PeriodEntry, { _id: streamId(period, place), stream: period, seq: place, reading: id });
      if (r.status === 'queued' && r.acceptAt) await dueAt(READINGS_QUEUE, Reading, id, r.acceptAt);
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
    return { moved };
  },
};

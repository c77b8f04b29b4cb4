import { randomInt } from 'node:crypto';
import { isDuplicateKey, key, type KeyedModel } from './keys.ts';
import { ExpiryCursor, ExpiryEntry, type ExpiryCursorDoc, type ExpiryEntryDoc } from './models.ts';
import { append, lastSeq, readAfter, streamId } from './streams.ts';

/**
 * Expiry: removing documents once their `expiresAt` has passed (sessions, tokens, lease tickets,
 * rate-limit hits…) at a cost in proportion to what expires, not to what is stored. FerretDB v1
 * has no TTL index and a filter on `expiresAt` decodes the whole collection, so a document is
 * registered when it is written: an insert-only record in the time bucket of its expiry, a
 * gap-free stream `<schedule>:<bucket>:<shard>` (streams.ts; shards spread concurrent writers).
 * The sweep walks the buckets from its cursor (`expiry:<schedule>`) up to the last one that
 * ended a bucket ago, reading records by `_id`; each named document is looked up by `_id` and
 * removed if its `expiresAt` has passed (one renewed since has a later record), a named stream
 * is removed whole. A bucket's records are removed once it is done.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1 (no TTL index is needed or relied on): a
 * document whose expiry was registered before it was written is removed by the first sweep run at
 * least two buckets after its expiry; a crashed sweep resumes from its cursor (records are
 * processed again, deleting twice is harmless); nothing is removed before its `expiresAt`, except
 * a document renewed between the sweep's look-up and its delete (the same race as any
 * read-then-delete; renewals of an expired document are rare: an idempotency key or a token
 * issued anew). Clocks of the instances agree to well within a bucket. Documents written before
 * a schedule existed (an upgraded database, a migration) are enrolled by its first sweep: a
 * one-time scan of the schedule's collections.
 *
 * Cost: registering is an append (about two `_id` lookups and one insert); a sweep is a cursor
 * lookup and write, about `SHARDS + 1` lookups per bucket walked, and per record one lookup, one
 * delete of the document (or of a stream's entries), and the record's own delete.
 */

/** Streams per bucket that writers spread over; shard `SHARDS` is the enrolment's alone. */
const SHARDS = 8;
const ENROLMENT = SHARDS;
/** Records a sweep reads at a time. */
const PAGE = 200;
/** Deletes per bulk command (FerretDB v1 holds a connection per statement: see billing/writer.ts). */
const CHUNK = 50;

/** A set of collections swept together, with the width of its time buckets. */
export interface Expiry {
  readonly name: string;
  readonly bucketMs: number;
  readonly models: readonly KeyedModel[];
}

/**
 * Declares an expiry schedule. A document is removed between two and three `bucketMs` after its
 * `expiresAt` (readers check `expiresAt` themselves); an empty bucket costs the sweep
 * `SHARDS + 1` lookups, so the bucket is no narrower than the sweep's interval needs.
 */
export function expiry(name: string, bucketMs: number, models: KeyedModel[]): Expiry {
  return { name, bucketMs, models };
}

const bucketOf = (e: Expiry, at: number) => Math.floor(at / e.bucketMs);
const cursorId = (e: Expiry) => key('expiry', e.name);
const recordStream = (e: Expiry, bucket: number, shard: number) => key(e.name, bucket, shard);

/** Schedules whose cursor this process knows to exist. */
const started = new Set<string>();

/**
 * The cursor starts at the bucket of its first record (or first sweep): records are never in a
 * bucket before the time they are written, so none lies behind it.
 */
async function start(e: Expiry): Promise<void> {
  if (started.has(e.name)) return;
  try {
    await ExpiryCursor.create({ _id: cursorId(e), bucket: bucketOf(e, Date.now()), shard: 0, seq: 0 });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  started.add(e.name);
}

function collectionOf(e: Expiry, model: KeyedModel): string {
  if (!e.models.includes(model)) throw new Error(`expiry ${e.name} does not sweep ${model.modelName}`);
  return model.collection.collectionName;
}

/** The bucket a record of an expiry at `at` goes in: never one the sweep may have passed. */
function bucketFor(e: Expiry, at: Date): number {
  return Math.max(bucketOf(e, at.getTime()), bucketOf(e, Date.now()));
}

async function register(e: Expiry, record: Omit<ExpiryEntryDoc, '_id' | 'stream' | 'seq'>, at: Date): Promise<void> {
  await start(e);
  await append(ExpiryEntry, recordStream(e, bucketFor(e, at), randomInt(SHARDS)), record);
}

/**
 * Registers that document `id` of `model` expires at `at`. Call it before writing the document
 * (or a later `expiresAt` into it), so that no document is left without its record.
 */
export async function expireAt(e: Expiry, model: KeyedModel, id: string, at: Date): Promise<void> {
  await register(e, { coll: collectionOf(e, model), target: id }, at);
}

/**
 * Registers that the gap-free stream `stream` of `model` is removed whole at `at`: for streams
 * nothing appends to after then (a rate-limit window, a period's list). Pass it as `beforeFirst`
 * of the stream's appends (streams.ts), so it is written once per stream, before its first entry.
 */
export async function expireStreamAt(e: Expiry, model: KeyedModel, stream: string, at: Date): Promise<void> {
  await register(e, { coll: collectionOf(e, model), target: stream, whole: true }, at);
}

/** Deletes the documents by `_id`, a bulk command per `CHUNK`; returns how many were there. */
async function removeIds(model: KeyedModel, ids: string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK).map((_id) => ({ deleteOne: { filter: { _id } } }));
    removed += (await model.bulkWrite(chunk, { ordered: false })).deletedCount;
  }
  return removed;
}

/** Removes what the records name and is due by `now`; returns how many documents went. */
async function expireNamed(e: Expiry, rows: ExpiryEntryDoc[], now: Date): Promise<number> {
  const models = new Map(e.models.map((m) => [m.collection.collectionName, m]));
  let removed = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const due = new Map<KeyedModel, string[]>();
    await Promise.all(
      chunk.map(async (row) => {
        const model = models.get(row.coll);
        if (!model) throw new Error(`expiry ${e.name}: no collection ${row.coll}`);
        let ids: string[];
        if (row.whole) {
          const end = await lastSeq(model, row.target);
          ids = Array.from({ length: end }, (_, n) => streamId(row.target, n + 1));
        } else {
          const doc = await model.findById(row.target, { expiresAt: 1 }).lean<{ expiresAt?: Date }>();
          ids = doc?.expiresAt && doc.expiresAt <= now ? [row.target] : [];
        }
        due.set(model, [...(due.get(model) ?? []), ...ids]);
      }),
    );
    for (const [model, ids] of due) removed += await removeIds(model, ids);
  }
  return removed;
}

/**
 * Registers the documents of the schedule's collections written without records (before the
 * schedule existed, or by a migration): a one-time scan, appended in the enrolment's own shard.
 */
async function enrol(e: Expiry): Promise<void> {
  for (const model of e.models) {
    const coll = model.collection.collectionName;
    for await (const doc of model.find({}, { expiresAt: 1 }).lean<{ _id: string; expiresAt?: Date }>().cursor()) {
      if (doc.expiresAt) {
        await append(ExpiryEntry, recordStream(e, bucketFor(e, doc.expiresAt), ENROLMENT), { coll, target: String(doc._id) });
      }
    }
  }
  await ExpiryCursor.updateOne({ _id: cursorId(e) }, { $set: { enrolled: true } });
}

/**
 * Removes the schedule's documents whose expiry is due by `now`, walking at most `limit` records
 * (a background job, one run at a time under its lease); returns how many documents went. The
 * cursor is saved after each page, so the next run goes on where this one stopped or crashed.
 */
export async function sweepExpired(e: Expiry, now = new Date(), limit = 10_000): Promise<number> {
  await start(e);
  const cursor = await ExpiryCursor.findById(cursorId(e)).lean<ExpiryCursorDoc>();
  if (!cursor) throw new Error(`expiry ${e.name}: cursor missing`);
  if (!cursor.enrolled) await enrol(e);
  const last = bucketOf(e, now.getTime()) - 2;
  let { bucket, shard, seq } = cursor;
  const save = () => ExpiryCursor.updateOne({ _id: cursorId(e) }, { $set: { bucket, shard, seq } });
  let walked = 0;
  let removed = 0;
  while (bucket <= last && walked < limit) {
    const stream = recordStream(e, bucket, shard);
    const rows = await readAfter<ExpiryEntryDoc>(ExpiryEntry, stream, seq, Math.min(PAGE, limit - walked));
    if (rows.length > 0) {
      removed += await expireNamed(e, rows, now);
      seq += rows.length;
      walked += rows.length;
      await save();
      continue;
    }
    // The shard is done: its records go, then the next shard (a crash in between finds it empty).
    await removeIds(
      ExpiryEntry,
      Array.from({ length: seq }, (_, n) => streamId(stream, n + 1)),
    );
    seq = 0;
    shard += 1;
    if (shard > ENROLMENT) [bucket, shard] = [bucket + 1, 0];
  }
  if (bucket !== cursor.bucket || shard !== cursor.shard || seq !== cursor.seq) await save();
  return removed;
}

/**
 * After documents were written without records (a migration), every schedule enrols its
 * collections again at its next sweep (a record twice is harmless).
 */
export async function enrolAgain(): Promise<void> {
  await ExpiryCursor.updateMany({}, { $unset: { enrolled: 1 } });
}

import { randomInt } from 'node:crypto';
import { findByKey, isDuplicateKey, key, type KeyedModel } from './keys.ts';
import { ExpiryCursor, ExpiryEntry, type ExpiryCursorDoc, type ExpiryEntryDoc } from './models.ts';
import { append, lastSeq, readAfter, streamId } from './streams.ts';

/**
 * Due work in proportion to what comes due, not to what is stored: removing documents once their
 * `expiresAt` has passed (sessions, tokens, lease tickets, rate-limit hits…), and the queues of
 * background jobs (outbox deliveries, unconfirmed cabinets, queued readings, orphaned files).
 * FerretDB v1 has no TTL index and a filter on a date decodes the whole collection, so a document
 * is registered when it is written: an insert-only record of when it is due, in the time bucket of
 * that moment, a gap-free stream `<schedule>:<bucket>:<shard>` (streams.ts; shards spread
 * concurrent writers). A sweep reads records by `_id` only: it walks the buckets that are closed
 * (ended a bucket ago) from its cursor (`expiry:<schedule>`), then the open ones up to now, each
 * shard as far as its records are due, remembering how far it got (`ahead`). An expiry's sweep
 * looks each named document up by `_id` and removes it if its `expiresAt` has passed (one renewed
 * since has a later record), or removes a named stream whole; a queue's sweep hands the due
 * records to its job. A closed bucket's records are removed once it is walked.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1 (no TTL index is needed or relied on): a
 * record registered before its document was written is handed to the sweep run at or after its
 * time (open buckets), at the latest the first run two buckets after it (closed ones); a crashed
 * sweep resumes from its cursor (records are handled again: handlers are idempotent, deleting
 * twice is harmless); nothing is removed before its `expiresAt`, except a document renewed
 * between the sweep's look-up and its delete (the same race as any read-then-delete; renewals of
 * an expired document are rare: an idempotency key or a token issued anew). Clocks of the
 * instances agree to well within a bucket; a registration that took so long that its bucket may
 * be closed already registers again in the current one. Documents written before a schedule
 * existed (an upgraded database, a migration) are enrolled by its first sweep: a one-time scan.
 *
 * Cost: registering is an append (about two `_id` lookups and one insert); a sweep is a cursor
 * lookup and write, about `SHARDS` lookups per bucket walked (the two or three open ones
 * included), and per record one lookup, the handler's work (an expiry: one lookup and one delete
 * of the document, or of a stream's entries) and the record's own delete.
 */

/** Streams per bucket that writers spread over. */
const SHARDS = 8;
/** Records a sweep reads at a time. */
const PAGE = 200;
/** Deletes per bulk command (FerretDB v1 holds a connection per statement: see billing/writer.ts). */
const CHUNK = 50;

/** Registers that document `id` of `model` is due at `at` (see `dueAt`). */
export type Register = (model: KeyedModel, id: string, at: Date) => Promise<void>;

/** A set of collections whose documents come due together, with the width of its time buckets. */
export interface Schedule {
  readonly name: string;
  readonly bucketMs: number;
  readonly models: readonly KeyedModel[];
  /** Registers what the collections held before the schedule existed (a one-time scan at its first sweep). */
  readonly enrol: (register: Register) => Promise<void>;
}

/** A due record as a queue's job gets it: the document, and the moment it was registered for. */
export interface Due {
  readonly model: KeyedModel;
  readonly id: string;
  readonly at: Date;
}

/**
 * Declares an expiry schedule over collections whose documents carry `expiresAt`. A document is
 * removed by the first sweep after its `expiresAt`; an empty bucket costs a sweep `SHARDS`
 * lookups, so the bucket is no narrower than the sweep's interval needs. `enrol` defaults to
 * registering every document that has an `expiresAt`.
 */
export function expiry(
  name: string,
  bucketMs: number,
  models: KeyedModel[],
  enrol: Schedule['enrol'] = async (register) => {
    for (const model of models) {
      for await (const doc of model.find({}, { expiresAt: 1 }).lean<{ _id: unknown; expiresAt?: Date }>().cursor()) {
        if (doc.expiresAt) await register(model, String(doc._id), doc.expiresAt);
      }
    }
  },
): Schedule {
  return { name, bucketMs, models, enrol };
}

/**
 * Declares the queue of a background job: documents registered with `dueAt` are handed to its
 * `sweepDue` from their time on. `enrol` registers the documents that were due by the earlier
 * version's field (a one-time scan).
 */
export function queue(name: string, bucketMs: number, models: KeyedModel[], enrol: Schedule['enrol']): Schedule {
  return { name, bucketMs, models, enrol };
}

const bucketOf = (s: Schedule, at: number) => Math.floor(at / s.bucketMs);
const cursorId = (s: Schedule) => key('expiry', s.name);
const recordStream = (s: Schedule, bucket: number, shard: number) => key(s.name, bucket, shard);
const aheadKey = (bucket: number, shard: number) => `${bucket}_${shard}`;

/** Schedules whose cursor this process knows to exist. */
const started = new Set<string>();

/**
 * The cursor starts at the bucket of its first record (or first sweep): records are never in a
 * bucket before the time they are written, so none lies behind it.
 */
async function start(s: Schedule): Promise<void> {
  if (started.has(s.name)) return;
  try {
    await ExpiryCursor.create({ _id: cursorId(s), bucket: bucketOf(s, Date.now()), shard: 0, seq: 0 });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  started.add(s.name);
}

function collectionOf(s: Schedule, model: KeyedModel): string {
  if (!s.models.includes(model)) throw new Error(`schedule ${s.name} does not hold ${model.modelName}`);
  return model.collection.collectionName;
}

/** The bucket a record of `at` goes in: never one the sweep may have closed. */
function bucketFor(s: Schedule, at: Date, now: number): number {
  return Math.max(bucketOf(s, at.getTime()), bucketOf(s, now));
}

async function register(s: Schedule, record: Omit<ExpiryEntryDoc, '_id' | 'stream' | 'seq'>, shard: number): Promise<void> {
  await start(s);
  const bucket = bucketFor(s, record.at, Date.now());
  await append(ExpiryEntry, recordStream(s, bucket, shard), record, { stored: true });
  // A writer held up for a bucket may have written into one a sweep has closed: once more, in an open one.
  if (bucket <= bucketOf(s, Date.now()) - 2) {
    await append(ExpiryEntry, recordStream(s, bucketFor(s, record.at, Date.now()), shard), record, { stored: true });
  }
}

/**
 * Registers that document `id` of `model` is due at `at`: expires then (an expiry), or is handed
 * to the queue's job then (a queue). Call it before writing the document (or its later due time),
 * so that no document is left without its record.
 */
export async function dueAt(s: Schedule, model: KeyedModel, id: string, at: Date): Promise<void> {
  await register(s, { coll: collectionOf(s, model), target: id, at }, randomInt(SHARDS));
}

/**
 * Registers that the gap-free stream `stream` of `model` is removed whole at `at`: for streams
 * nothing appends to after then (a rate-limit window, a period's list). Pass it as `beforeFirst`
 * of the stream's appends (streams.ts), so it is written once per stream, before its first entry.
 */
export async function expireStreamAt(s: Schedule, model: KeyedModel, stream: string, at: Date): Promise<void> {
  await register(s, { coll: collectionOf(s, model), target: stream, at, whole: true }, randomInt(SHARDS));
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

type Handler = (rows: ExpiryEntryDoc[], now: Date) => Promise<number>;

/** Removes what the records name and is due by `now`; returns how many documents went. */
function expireNamed(s: Schedule): Handler {
  const models = new Map(s.models.map((m) => [m.collection.collectionName, m]));
  return async (rows, now) => {
    let removed = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const due = new Map<KeyedModel, string[]>();
      await Promise.all(
        chunk.map(async (row) => {
          const model = models.get(row.coll);
          if (!model) throw new Error(`expiry ${s.name}: no collection ${row.coll}`);
          let ids: string[];
          if (row.whole) {
            const end = await lastSeq(model, row.target);
            ids = Array.from({ length: end }, (_, n) => streamId(row.target, n + 1));
          } else {
            const doc = await findByKey<{ expiresAt?: Date }>(model, row.target, { expiresAt: 1 });
            ids = doc?.expiresAt && doc.expiresAt <= now ? [row.target] : [];
          }
          due.set(model, [...(due.get(model) ?? []), ...ids]);
        }),
      );
      for (const [model, ids] of due) removed += await removeIds(model, ids);
    }
    return removed;
  };
}

/** How long an enrolment is left to the run that started it, renewed as it goes on. */
const ENROLLING_MS = 10 * 60_000;
/** Registrations between two renewals of an enrolment. */
const ENROL_RENEW = 1000;
/** Registrations an enrolment makes at a time, over the shards like any writer's. */
const ENROL_PARALLEL = 25;

/**
 * Registers the documents of the schedule's collections written without records (before the
 * schedule existed, or by a migration): a one-time scan, `ENROL_PARALLEL` registrations at a
 * time, made by the schedule's first sweep or a migration step. Returns how many it registered.
 * A large collection takes minutes, longer than a job's lease: while one run enrols (`enrolling`
 * in the cursor, renewed as it goes on), the sweeps of other runs walk the records without
 * enrolling again; two that start at the same moment both enrol, harmlessly.
 */
export async function enrol(s: Schedule): Promise<number> {
  await start(s);
  const mark = (until: number) => ExpiryCursor.updateOne({ _id: cursorId(s) }, { $set: { enrolling: new Date(until) } });
  await mark(Date.now() + ENROLLING_MS);
  let registered = 0;
  let failure: unknown;
  const running: Promise<void>[] = [];
  const settle = async () => {
    await Promise.all(running.splice(0));
    if (failure) throw failure;
  };
  await s.enrol(async (model, id, at) => {
    const record = { coll: collectionOf(s, model), target: id, at };
    running.push(register(s, record, randomInt(SHARDS)).catch((err: unknown) => void (failure ??= err)));
    registered += 1;
    if (running.length >= ENROL_PARALLEL) await settle();
    if (registered % ENROL_RENEW === 0) await mark(Date.now() + ENROLLING_MS);
  });
  await settle();
  await ExpiryCursor.updateOne({ _id: cursorId(s) }, { $set: { enrolled: true }, $unset: { enrolling: 1 } });
  return registered;
}

/**
 * Walks the schedule's records due by `now`, at most `limit` of them, handing them to `handle` a
 * page at a time; returns the sum of what it returned. Closed buckets are walked from the cursor
 * and their records removed; open ones are read shard by shard, a page each, and every due record
 * of it is handed over, also those behind one not yet due (registered earlier for a later moment
 * of the bucket, such as a lease's end): how far is remembered, and which records past that, so a
 * record is handed over about once. The cursor is saved after each page of a closed bucket and at
 * the end, so the next run goes on where this one stopped or crashed. A `now` ahead of the clock
 * (a test) reads the buckets up to it as open ones.
 */
async function sweep(s: Schedule, now: Date, limit: number, handle: Handler): Promise<number> {
  await start(s);
  const cursor = await findByKey<ExpiryCursorDoc>(ExpiryCursor, cursorId(s));
  if (!cursor) throw new Error(`schedule ${s.name}: cursor missing`);
  if (!cursor.enrolled && !(cursor.enrolling && cursor.enrolling.getTime() > Date.now())) await enrol(s);
  const closed = Math.min(bucketOf(s, now.getTime()), bucketOf(s, Date.now())) - 2;
  const ahead = { ...cursor.ahead };
  const past = { ...cursor.past };
  let { bucket, shard, seq } = cursor;
  const save = () => ExpiryCursor.updateOne({ _id: cursorId(s) }, { $set: { bucket, shard, seq, ahead, past } });
  let walked = 0;
  let result = 0;
  while (bucket <= closed && walked < limit) {
    const stream = recordStream(s, bucket, shard);
    // Records an earlier run handled while the bucket was open are not handed over again.
    seq = Math.max(seq, ahead[aheadKey(bucket, shard)] ?? 0);
    const rows = await readAfter<ExpiryEntryDoc>(ExpiryEntry, stream, seq, Math.min(PAGE, limit - walked));
    if (rows.length > 0) {
      const handed = new Set(past[aheadKey(bucket, shard)]);
      const fresh = rows.filter((r) => !handed.has(r.seq));
      if (fresh.length > 0) result += await handle(fresh, now);
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
    delete ahead[aheadKey(bucket, shard)];
    delete past[aheadKey(bucket, shard)];
    seq = 0;
    shard += 1;
    if (shard >= SHARDS) [bucket, shard] = [bucket + 1, 0];
  }
  // Up to the bucket of `now`, or of the clock if later (records written while this run enrolled).
  const reach = Math.max(bucketOf(s, now.getTime()), bucketOf(s, Date.now()));
  for (let open = Math.max(bucket, closed + 1); open <= reach && walked < limit; open += 1) {
    // The bucket's shards are read together: most of them are empty, and each costs a lookup or two.
    const from = (sh: number) => Math.max(ahead[aheadKey(open, sh)] ?? 0, open === bucket && sh === shard ? seq : 0);
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, sh) =>
        readAfter<ExpiryEntryDoc>(ExpiryEntry, recordStream(s, open, sh), from(sh), PAGE),
      ),
    );
    for (const [sh, rows] of shards.entries()) {
      // The shard's due records not handed over yet, at most what the limit leaves.
      const k = aheadKey(open, sh);
      const handed = new Set(past[k]);
      const due = rows.filter((r) => r.at <= now && !handed.has(r.seq)).slice(0, limit - walked);
      if (due.length === 0) continue;
      result += await handle(due, now);
      walked += due.length;
      for (const r of due) handed.add(r.seq);
      let reached = from(sh);
      while (handed.delete(reached + 1)) reached += 1;
      ahead[k] = reached;
      const beyond = [...handed].filter((n) => n > reached);
      if (beyond.length > 0) past[k] = beyond;
      else delete past[k];
    }
  }
  await save();
  return result;
}

/**
 * Removes the schedule's documents whose expiry is due by `now`, walking at most `limit` records
 * (a background job, one run at a time under its lease); returns how many documents went.
 */
export async function sweepExpired(s: Schedule, now = new Date(), limit = 10_000): Promise<number> {
  return sweep(s, now, limit, expireNamed(s));
}

/**
 * Hands the queue's records due by `now` to `handle`, at most `limit` of them (a background job,
 * one run at a time under its lease); returns the sum of what `handle` returned. A document may be
 * handed over more than once (registered again, or a run that crashed): `handle` checks the
 * document's own state, and registers it again (`dueAt`) when it must be looked at later.
 */
export async function sweepDue(
  s: Schedule,
  now: Date,
  limit: number,
  handle: (due: Due[], now: Date) => Promise<number>,
): Promise<number> {
  const models = new Map(s.models.map((m) => [m.collection.collectionName, m]));
  return sweep(s, now, limit, (rows) =>
    handle(
      rows.map((r) => {
        const model = models.get(r.coll);
        if (!model) throw new Error(`queue ${s.name}: no collection ${r.coll}`);
        return { model, id: r.target, at: r.at };
      }),
      now,
    ),
  );
}

/**
 * After documents were written without records (a migration), every schedule enrols its
 * collections again at its next sweep (a record twice is harmless).
 */
export async function enrolAgain(): Promise<void> {
  await ExpiryCursor.updateMany({}, { $unset: { enrolled: 1 } });
}

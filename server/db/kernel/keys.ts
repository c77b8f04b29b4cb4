import mongoose, { type Model, type mongo, type Types } from 'mongoose';

/**
 * Keys and the one error every invariant of the kernel rides on.
 *
 * FerretDB v1 gives SQLite only a filter that is exactly `{ _id: value }`; every other filter
 * decodes the whole collection in Go. So every document a request touches is found by its `_id`,
 * and `_id`s are built from the natural key of the thing (supplier + account number, realm +
 * login, subscriber + slot…). MongoDB serves the same lookups from its `_id` index.
 */

/**
 * A collection whose documents the kernel writes by `_id` for its caller (stream entries, slots).
 * The kernel sets `_id` and its own fields; the caller's schema declares them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the kernel writes into any caller's collection
export type KeyedModel = Model<any>;

/**
 * The document of `_id` as stored: what `findById(id).lean()` returns, read with one `find`
 * command sent through the driver, without a mongoose query's casting and hooks or the driver's
 * cursor (measured on the embedded database, one lookup after another, CPU of this process per
 * lookup: 276 µs through mongoose, 234 µs through the collection's `findOne`, 178 µs so). A string
 * given for an ObjectId `_id` is cast as mongoose would; one that is no ObjectId finds nothing.
 * Every lookup of a document by its key goes through here.
 */
export async function findByKey<D>(
  model: KeyedModel,
  id: string | Types.ObjectId,
  projection?: Record<string, 1>,
): Promise<D | null> {
  if (typeof id !== 'string' && !(id instanceof mongoose.Types.ObjectId)) {
    throw new TypeError(`findByKey(${model.modelName}): a key is a string or an ObjectId`);
  }
  let _id: string | Types.ObjectId = id;
  if (typeof id === 'string' && model.schema.path('_id')?.instance === 'ObjectId') {
    if (!/^[0-9a-f]{24}$/i.test(id)) return null;
    _id = new mongoose.Types.ObjectId(id);
  }
  const db = model.db.db;
  if (!db) throw new Error(`findByKey(${model.modelName}): the database is not connected`);
  const reply = await db.command({
    find: model.collection.collectionName,
    filter: { _id },
    limit: 1,
    singleBatch: true,
    batchSize: 1,
    ...(projection && { projection }),
  });
  return ((reply as { cursor: { firstBatch: D[] } }).cursor.firstBatch[0] ?? null) as D | null;
}

/** A document of a collection keyed by strings (the kernel's own, and the keyed models). */
type Stored = { _id: string } & Record<string, unknown>;

/**
 * The driver's collection of `model`, for the kernel's writes of its own documents (tickets,
 * idempotency records, expiry records, hits), which it writes whole and in their stored form
 * (every field set, dates as `Date`): without building a mongoose document or query to cast,
 * default and validate them (measured on POST readings, a dozen such writes, at 20 clients on the
 * demo data: this process's CPU a request 16.3–17.1 ms before, 15.0 ms after, with the readings
 * revision of revisions.ts `stored`). Still seen by mongoose's debug and the driver's command
 * events; a duplicate `_id` is the driver's error (`isDuplicateKey`).
 */
export function storedCollection(model: KeyedModel): mongo.Collection<Stored> {
  return model.collection as unknown as mongo.Collection<Stored>;
}

/** Inserts a document in its stored form (see `storedCollection`). */
export async function insertStored(model: KeyedModel, doc: Stored): Promise<void> {
  await storedCollection(model).insertOne(doc);
}

/** A part of a key: an id, a slug, a number. */
export type KeyPart = string | number | Types.ObjectId;

/**
 * Joins the parts of a natural key with `:`. A key is unambiguous when each part has a fixed
 * shape (ids, slugs, numbers, another key) or is free text placed last (a login, an
 * Idempotency-Key); free text elsewhere is encoded first (see limits.ts).
 */
export function key(...parts: KeyPart[]): string {
  return parts.map(String).join(':');
}

/**
 * Whether a write failed on a unique index (`_id` or another): MongoDB says E11000 (code 11000),
 * FerretDB v1 says so too, or passes SQLite's "UNIQUE constraint failed" through in the message.
 * Bulk writes report per item; see `duplicateIndexes`.
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; errmsg?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 11000) return true;
  const text = typeof e.errmsg === 'string' ? e.errmsg : typeof e.message === 'string' ? e.message : '';
  return /E11000|duplicate key|UNIQUE constraint failed/i.test(text);
}

/** Indexes of the items an unordered `insertMany` refused as duplicates; any other failure is rethrown. */
export function duplicateIndexes(err: unknown): number[] {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as {
    index: number;
    err?: unknown;
  }[];
  if (list.length === 0 || !list.every((w) => isDuplicateKey(w.err ?? w))) throw err;
  return list.map((w) => w.index);
}

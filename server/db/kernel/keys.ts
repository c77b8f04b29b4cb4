import type { Model, Types } from 'mongoose';

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
 * The document of `_id` as stored, read through the model's collection: what `findById(id).lean()`
 * returns, without the casting and hooks of a mongoose query (measured with 20 lookups at once on
 * the embedded database: 0.20–0.26 ms of this process a lookup through mongoose, 0.19 ms through
 * the driver). For paths taken by most requests; `id` is the key as stored (a string key, or an
 * ObjectId), since nothing casts it here.
 */
export function findByKey<D>(model: KeyedModel, id: string | Types.ObjectId, projection?: Record<string, 1>): Promise<D | null> {
  return model.collection.findOne<D>({ _id: id as never }, projection && { projection });
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

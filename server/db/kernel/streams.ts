import { findByKey, insertStored, isDuplicateKey, key, type KeyedModel } from './keys.ts';
import { StreamMark, type StreamMarkDoc } from './models.ts';

/**
 * Gap-free streams: the documents of a stream are `<stream>:<seq>` with seq 1, 2, 3… and no holes,
 * in one collection of the caller's (readings of a supplier, payments of a cabinet, export
 * entries). Appending inserts `last + 1`; of concurrent appenders exactly one wins each number (a
 * unique `_id`), the others take the next. So a reader that has seen `n` has seen every entry
 * before it, and an export cursor never skips one.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1 (whose only atomic write is an insert into a
 * unique index): numbers are unique and dense; an append that returned is durable; entries are
 * never removed (a stream that must forget is keyed anew, e.g. per month, and is swept only once
 * no one appends to it or reads it). Cost: an append is one insert when no one appended since this
 * process last saw the stream's end (it inserts right past it); one that finds its number taken
 * looks for the end from there; a cold process finds the end with about 2·log2(n) `_id` lookups
 * (exponential probe, then bisection), remembered afterwards.
 * Ordering on the wire: seq is the order of commits, not of clocks.
 */

/** The highest seq this process has seen per stream: a lower bound of the end, never past it. */
const heads = new Map<string, number>();
const HEADS_REMEMBERED = 50_000;

/** Streams are named within their collection: two collections may hold streams of one name. */
const headOf = (model: KeyedModel, stream: string) => `${model.collection.collectionName}|${stream}`;

function remember(model: KeyedModel, stream: string, seq: number): void {
  const head = headOf(model, stream);
  if ((heads.get(head) ?? 0) >= seq) return;
  if (heads.size >= HEADS_REMEMBERED && !heads.has(head)) heads.delete(heads.keys().next().value as string);
  heads.set(head, seq);
}

/**
 * The appends of this process to one stream, in turn: at once they would all try the same number,
 * and all but one would be refused (a write each) and look for the end again, so 20 at once cost
 * about 20 times as many commands as one. In turn, each inserts right past the one before. Appends
 * of other instances still race through the unique `_id`, as described above. An append must not
 * wait, inside its turn, for another append to the same stream.
 */
const turns = new Map<string, Promise<unknown>>();

function inTurn<R>(model: KeyedModel, stream: string, run: () => Promise<R>): Promise<R> {
  const head = headOf(model, stream);
  const mine = (turns.get(head) ?? Promise.resolve()).then(run);
  const done = mine.then(
    () => undefined,
    () => undefined,
  );
  turns.set(head, done);
  void done.then(() => {
    if (turns.get(head) === done) turns.delete(head);
  });
  return mine;
}

export function streamId(stream: string, seq: number): string {
  return key(stream, seq);
}

/**
 * The end past `low` (an entry known to exist, 0 for none; `last` is it when read): exponential
 * probe past it (1, 2, 4, 8… past `low`), then bisection between the last found and the first
 * missing. A caller that keeps entry `low` folded into a document of its own (billing's current
 * month) passes it as `last`: one lookup when nothing was appended past it, two when one was.
 */
export async function endPast<D>(
  model: KeyedModel,
  stream: string,
  low: number,
  last: D | null,
): Promise<{ seq: number; last: D | null }> {
  const entry = (seq: number) => findByKey<D>(model, streamId(stream, seq));
  const from = low;
  let high = from + 1;
  for (let found = await entry(high); found; found = await entry(high)) {
    [low, last] = [high, found];
    high = from + 2 * (high - from);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const found = await entry(mid);
    if (found) [low, last] = [mid, found];
    else high = mid;
  }
  remember(model, stream, low);
  return { seq: low, last };
}

/**
 * The stream's last entry and its seq (0 and null when empty), found as `lastSeq` says, the entry
 * at the remembered head or `from` read too. The probes read whole entries (the embedded database
 * decodes the document either way), so a caller that wants the last entry itself does not look it
 * up a second time.
 */
export async function lastEntry<D>(model: KeyedModel, stream: string, from = 0): Promise<{ seq: number; last: D | null }> {
  const low = Math.max(heads.get(headOf(model, stream)) ?? 0, from);
  const last = low > 0 ? await findByKey<D>(model, streamId(stream, low)) : null;
  return last ? endPast(model, stream, low, last) : endPast<D>(model, stream, 0, null);
}

/**
 * The seq of the stream's last entry (0 when empty). The search starts past the head this process
 * remembers without reading it again (entries are never removed, so it is still there: one lookup
 * when nothing was appended since). `from` is a seq the caller has seen (a reader's cursor, which
 * may be wrong): when it is past the remembered head, the search starts there once it is found.
 */
export async function lastSeq(model: KeyedModel, stream: string, from = 0): Promise<number> {
  const head = heads.get(headOf(model, stream)) ?? 0;
  if (from <= head) return (await endPast(model, stream, head, null)).seq;
  return (await lastEntry(model, stream, from)).seq;
}

/** What an appender does once before trying to write a stream's first entry (see `appendWithin`). */
export interface AppendOptions {
  /**
   * Runs before the insert of entry 1 is tried: registering the stream's expiry (expiry.ts), so
   * that a stream is never there without it. Concurrent first appenders may each run it.
   */
  beforeFirst?: () => Promise<void>;
  /**
   * The stream's end as the caller just found it (`lastSeq`, `lastEntry`), so it is not looked
   * for again: the first try inserts right after it.
   */
  after?: number;
  /**
   * The entry is in its stored form and complete (the kernel's own records): inserted through the
   * driver (keys.ts `insertStored`), not built as a mongoose document with the schema's defaults.
   */
  stored?: boolean;
}

/**
 * Appends `doc` as the stream's next entry and returns its seq; `doc` must not set `_id`.
 * `fields` are written with it (`seq` and `stream` are added for readers that page by them).
 */
export async function append<T extends object>(
  model: KeyedModel,
  stream: string,
  doc: T,
  options: AppendOptions = {},
): Promise<number> {
  return (await appendWithin(model, stream, doc, Infinity, options)) as number;
}

/**
 * Appends like `append` while the next seq is at most `max`; returns null, having written
 * nothing, once the stream holds `max` entries. Of any number of concurrent appenders, exactly
 * `max - last` get in (a rate limit's room in its window, a bounded number of attempts).
 */
export function appendWithin<T extends object>(
  model: KeyedModel,
  stream: string,
  doc: T,
  max: number,
  options: AppendOptions = {},
): Promise<number | null> {
  return inTurn(model, stream, () => appendWithinInTurn(model, stream, doc, max, options));
}

async function appendWithinInTurn<T extends object>(
  model: KeyedModel,
  stream: string,
  doc: T,
  max: number,
  { beforeFirst, after, stored }: AppendOptions,
): Promise<number | null> {
  // The end this process saw last is tried without a lookup: an insert past it either is the next
  // entry or finds its number taken (dense numbers), and then the end is looked for from there.
  const head = heads.get(headOf(model, stream)) ?? 0;
  let guessed = after === undefined && head > 0;
  let seq = (after ?? (guessed ? head : await lastSeq(model, stream))) + 1;
  while (seq <= max) {
    if (seq === 1) await beforeFirst?.();
    try {
      const entry = { ...doc, _id: streamId(stream, seq), stream, seq };
      await (stored ? insertStored(model, entry) : model.create(entry));
      remember(model, stream, seq);
      return seq;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    remember(model, stream, seq);
    seq = guessed ? (await lastSeq(model, stream)) + 1 : seq + 1;
    guessed = false;
  }
  return null;
}

/**
 * Entries `after + 1 … after + limit` (those that exist), in order: the stream's end (see
 * `lastSeq`), then one `_id` lookup per entry there is, made together, so a reader that is up to
 * date pays for the end only. An export cursor is the last seq a reader got.
 */
export async function readAfter<D>(model: KeyedModel, stream: string, after: number, limit: number): Promise<D[]> {
  const count = Math.max(0, Math.min(limit, (await lastSeq(model, stream, after)) - after));
  const ids = Array.from({ length: count }, (_, i) => streamId(stream, after + 1 + i));
  const rows = await Promise.all(ids.map((id) => findByKey<D>(model, id)));
  const out: D[] = [];
  for (const row of rows) {
    if (!row) break;
    out.push(row);
  }
  return out;
}

/**
 * The newest `limit` entries with seq ≤ `before` (default: the end, found with `lastSeq`), newest
 * first, and the `before` of the next page: one `_id` lookup per entry, made together (the end's
 * entry is not looked up again).
 */
export async function readBefore<D>(
  model: KeyedModel,
  stream: string,
  limit: number,
  before?: number,
): Promise<{ rows: D[]; next: number | null }> {
  // From the end, the newest entry comes with it and is not read again.
  const newest = before === undefined ? await lastEntry<D>(model, stream) : null;
  const top = newest ? newest.seq : (before as number);
  const from = Math.max(1, top - limit + 1);
  const ids = [];
  for (let s = newest ? top - 1 : top; s >= from; s -= 1) ids.push(streamId(stream, s));
  const rows = (await Promise.all(ids.map((id) => findByKey<D>(model, id)))).filter(
    (r): r is NonNullable<typeof r> => r !== null,
  ) as D[];
  if (newest?.last && top >= from) rows.unshift(newest.last);
  return { rows, next: from > 1 ? from - 1 : null };
}

/** Inserts `doc` as entry `seq`; false when another appender holds that number. */
async function insertAt<T extends object>(model: KeyedModel, stream: string, seq: number, doc: T): Promise<boolean> {
  let inserted = true;
  try {
    await model.create({ ...doc, _id: streamId(stream, seq), stream, seq });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    inserted = false;
  }
  remember(model, stream, seq);
  return inserted;
}

/**
 * Appends an entry built from the stream's last one: a running state (the unconfirmed payments of
 * an account) kept as a chain of snapshots, whose newest entry is the current state. `next` gets
 * the last entry (null when the stream is empty) and returns the entry to follow it, or null when
 * nothing changes. When another appender took the number first, `next` is asked again with that
 * entry, so concurrent changes are all kept, on MongoDB and on FerretDB v1 alike (unlike `$set`
 * on one document). `next` may read other documents: whatever it reads was written no earlier than
 * the last entry it got. Returns the new seq, or null when `next` changed nothing. Cost: an
 * append's per try (the last entry comes with finding the end).
 */
export function appendNext<D, T extends object>(
  model: KeyedModel,
  stream: string,
  next: (last: D | null) => Promise<T | null>,
): Promise<number | null> {
  return inTurn(model, stream, async () => {
    for (;;) {
      const { seq, last } = await lastEntry<D>(model, stream);
      const doc = await next(last);
      if (!doc) return null;
      if (await insertAt(model, stream, seq + 1, doc)) return seq + 1;
    }
  });
}

/** The mark of an entry appended once (see `appendOnce`), for a migration that copies such a stream. */
export function onceMarkId(model: KeyedModel, stream: string, identity: string): string {
  return key(model.collection.collectionName, stream, identity);
}

/**
 * Appends `doc` once for `identity` (a payment's success, a refund of an amount): calling again
 * with the same identity, as a retry after a crash at any point does, returns the first entry's
 * seq and appends nothing. The position is reserved in the identity's mark before the entry is
 * inserted, so a retry has one position to look at: the entry is there; or the position is still
 * free, and as the stream is dense it is still the next; or another appender took it, and a new
 * position is reserved. The entry carries `once: identity` (the caller's schema declares it).
 * Holds for one caller per identity at a time (hold a lease on the work); callers with different
 * identities race freely. Cost: an append's, plus a mark lookup and insert, and one `_id` lookup
 * when a reservation is found.
 */
export function appendOnce<T extends object>(model: KeyedModel, stream: string, identity: string, doc: T): Promise<number> {
  return inTurn(model, stream, () => appendOnceInTurn(model, stream, identity, doc));
}

async function appendOnceInTurn<T extends object>(model: KeyedModel, stream: string, identity: string, doc: T): Promise<number> {
  const markId = onceMarkId(model, stream, identity);
  const entry = { ...doc, once: identity };
  let mark = await findByKey<StreamMarkDoc>(StreamMark, markId);
  for (;;) {
    if (mark) {
      const there = await findByKey<{ once?: string }>(model, streamId(stream, mark.seq));
      if (there?.once === identity) return mark.seq;
      if (!there && (await insertAt(model, stream, mark.seq, entry))) return mark.seq;
    }
    const seq = (await lastSeq(model, stream)) + 1;
    if (mark) await StreamMark.updateOne({ _id: markId }, { $set: { seq } });
    else {
      try {
        await StreamMark.create({ _id: markId, seq });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        mark = await findByKey<StreamMarkDoc>(StreamMark, markId);
        continue;
      }
    }
    mark = { _id: markId, seq };
    if (await insertAt(model, stream, seq, entry)) return seq;
  }
}

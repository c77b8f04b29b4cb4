import { isDuplicateKey, key, type KeyedModel } from './keys.ts';

/**
 * Gap-free streams: the documents of a stream are `<stream>:<seq>` with seq 1, 2, 3… and no holes,
 * in one collection of the caller's (readings of a supplier, payments of a cabinet, export
 * entries). Appending inserts `last + 1`; of concurrent appenders exactly one wins each number (a
 * unique `_id`), the others take the next. So a reader that has seen `n` has seen every entry
 * before it, and an export cursor never skips one.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1 (whose only atomic write is an insert into a
 * unique index): numbers are unique and dense; an append that returned is durable; entries are
 * never removed (a stream that must forget is keyed anew, e.g. per month). Cost: an append is one
 * `_id` lookup and one insert when this process appended last; a cold process finds the end with
 * about 2·log2(n) `_id` lookups (exponential probe, then bisection), remembered afterwards.
 * Ordering on the wire: seq is the order of commits, not of clocks.
 */

/** The highest seq this process has seen per stream: a lower bound of the end, never past it. */
const heads = new Map<string, number>();
const HEADS_REMEMBERED = 50_000;

function remember(stream: string, seq: number): void {
  if ((heads.get(stream) ?? 0) >= seq) return;
  if (heads.size >= HEADS_REMEMBERED && !heads.has(stream)) heads.delete(heads.keys().next().value as string);
  heads.set(stream, seq);
}

export function streamId(stream: string, seq: number): string {
  return key(stream, seq);
}

async function exists(model: KeyedModel, id: string): Promise<boolean> {
  return (await model.exists({ _id: id })) !== null;
}

/** The seq of the stream's last entry (0 when empty). */
export async function lastSeq(model: KeyedModel, stream: string): Promise<number> {
  let low = heads.get(stream) ?? 0;
  if (low > 0 && !(await exists(model, streamId(stream, low)))) low = 0;
  // Exponential probe past the known head, then bisection between the last found and the first missing.
  let step = 1;
  let high = low + step;
  while (await exists(model, streamId(stream, high))) {
    low = high;
    step *= 2;
    high = low + step;
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await exists(model, streamId(stream, mid))) low = mid;
    else high = mid;
  }
  remember(stream, low);
  return low;
}

/**
 * Appends `doc` as the stream's next entry and returns its seq; `doc` must not set `_id`.
 * `fields` are written with it (`seq` and `stream` are added for readers that page by them).
 */
export async function append<T extends object>(model: KeyedModel, stream: string, doc: T): Promise<number> {
  return (await appendWithin(model, stream, doc, Infinity)) as number;
}

/**
 * Appends like `append` while the next seq is at most `max`; returns null, having written
 * nothing, once the stream holds `max` entries. Of any number of concurrent appenders, exactly
 * `max - last` get in (a rate limit's room in its window, a bounded number of attempts).
 */
export async function appendWithin<T extends object>(
  model: KeyedModel,
  stream: string,
  doc: T,
  max: number,
): Promise<number | null> {
  for (let seq = (await lastSeq(model, stream)) + 1; seq <= max; seq += 1) {
    try {
      await model.create({ ...doc, _id: streamId(stream, seq), stream, seq });
      remember(stream, seq);
      return seq;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    remember(stream, seq);
  }
  return null;
}

/**
 * Entries `after + 1 … after + limit` (those that exist), in order: at most `limit` `_id`
 * lookups, made together. An export cursor is the last seq a reader got.
 */
export async function readAfter<D>(model: KeyedModel, stream: string, after: number, limit: number): Promise<D[]> {
  const ids = Array.from({ length: limit }, (_, i) => streamId(stream, after + 1 + i));
  const rows = await Promise.all(ids.map((id) => model.findById(id).lean<D>()));
  const out: D[] = [];
  for (const row of rows) {
    if (!row) break;
    out.push(row);
  }
  return out;
}

/** The newest `limit` entries with seq ≤ `before` (default: the end), newest first. */
export async function readBefore<D>(
  model: KeyedModel,
  stream: string,
  limit: number,
  before?: number,
): Promise<{ rows: D[]; next: number | null }> {
  const top = Math.min(before ?? Infinity, await lastSeq(model, stream));
  const from = Math.max(1, top - limit + 1);
  const ids = [];
  for (let s = top; s >= from; s -= 1) ids.push(streamId(stream, s));
  const rows = (await Promise.all(ids.map((id) => model.findById(id).lean<D>()))).filter(
    (r): r is NonNullable<typeof r> => r !== null,
  ) as D[];
  return { rows, next: from > 1 ? from - 1 : null };
}

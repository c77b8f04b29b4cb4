import type { Types } from 'mongoose';
import { findByKey, key, storedCollection, type KeyedModel } from './keys.ts';
import { claim } from './leases.ts';

/**
 * Revisions: a read-modify-write of one document found by `_id` (a support request's status and
 * answers, a list embedded in its owner), with any number of concurrent writers on any number of
 * instances.
 *
 * The document carries `rev`, the number of changes made to it. A writer reads it, holds the
 * lease `<collection>:<_id>:<rev>` (leases.ts) while it reads the document again, decides and
 * writes `rev + 1`, then removes its ticket (tickets do not pile up); a late claimer of that
 * revision reads the document again and finds it moved on. A writer that finds the lease held
 * retries with the document as it is then, so concurrent changes are applied one after another
 * and none is lost, on FerretDB v1 (where a conditional update is not atomic) as on MongoDB. A
 * writer that dies holding a revision delays the next one by `leaseMs`; one that stalls past it
 * may be overtaken (as with every lease).
 *
 * The tickets are not registered with the sweep (no expiry record): their holder removes them, and
 * the rest are removed by the next writer or are bounded by crashes, not by writes. A holder that
 * dies before its write leaves its ticket to the document's next writer, which claims the same
 * revision, takes it over once the lease has run out (the next generation) and, having written,
 * removes its ticket and the ones below it (no one can write that revision any more: a claimer
 * reads the document again). A holder that takes over but writes nothing releases its ticket
 * instead of removing it, for a generation below a live one must stay (leases.ts). A holder that
 * dies in the one round trip between its write and the removal leaves the ticket of a revision
 * no one claims again: one small document per such crash; it carries `expiresAt`, so a
 * re-enrolment of the tickets' schedule (after a migration) sweeps it.
 * Cost per change: an `_id` lookup (none when the caller has just read the document), the
 * ticket's insert, the lookup again, the write and the ticket's delete; a contended change
 * repeats the lookups and the insert.
 */

/** What a change decides: `set` fields to write (none: nothing to change) and the caller's result. */
export interface Revision<R> {
  set?: Record<string, unknown>;
  result: R;
}

/**
 * The document stayed busy through every try: writers far more frequent than the lease allows, or
 * a holder that died holding the revision. `retryAfterSeconds` is when the revision is sure to be
 * free again: a lease held since before the first try ends `leaseMs` after it at the latest.
 */
export class RevisionBusyError extends Error {
  constructor(
    work: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`revision busy: ${work}`);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies `change` to the document `id` of `model` (null when there is none: a `set` then creates
 * it) and returns its result. `change` may throw to refuse; nothing is written then. `seen` is the
 * document as the caller has just read it (null: there was none): the first try claims its
 * revision without reading it first, one lookup less; one that moved on meanwhile costs that try.
 * `stored`: `set` is in its stored form (built from documents as read, dates as `Date`, ids as
 * stored), written through the driver (keys.ts `storedCollection`) without mongoose casting it
 * (a meter's embedded readings cost about a millisecond to cast), and the model has no defaults
 * to add on the upsert that creates the document.
 */
export async function revise<D extends { rev?: number }, R>(
  model: KeyedModel,
  id: string | Types.ObjectId,
  change: (current: D | null) => Promise<Revision<R>> | Revision<R>,
  {
    leaseMs = 30_000,
    tries = 50,
    seen: known,
    stored = false,
  }: { leaseMs?: number; tries?: number; seen?: D | null; stored?: boolean } = {},
): Promise<R> {
  const name = model.collection.collectionName;
  const started = Date.now();
  let work = '';
  for (let attempt = 0; attempt < tries; attempt += 1) {
    const seen = attempt === 0 && known !== undefined ? known : await findByKey<D>(model, id);
    const rev = seen?.rev ?? 0;
    work = key(name, String(id), rev);
    const lease = await claim(work, leaseMs, { swept: false });
    if (!lease) {
      await pause(5 + Math.random() * Math.min(200, 10 * (attempt + 1)));
      continue;
    }
    // Whether the revision is over: written, by this holder or (moved on meanwhile) another.
    let over = false;
    try {
      const current = await findByKey<D>(model, id);
      over = (current?.rev ?? 0) !== rev;
      if (over) continue;
      const { set, result } = await change(current);
      if (set) {
        const update = { $set: { ...set, rev: rev + 1 } };
        const options = { upsert: current === null };
        await (stored && typeof id === 'string'
          ? storedCollection(model).updateOne({ _id: id }, update, options)
          : model.updateOne({ _id: id }, update, options));
      }
      over = set !== undefined;
      return result;
    } finally {
      // Whether written, unchanged or refused, this holder is done with the revision; a takeover
      // that leaves it open leaves the generations below it in place (see above).
      if (over || lease.generation === 0) await lease.forget();
      else await lease.release();
    }
  }
  throw new RevisionBusyError(work, Math.max(1, Math.ceil((started + leaseMs - Date.now()) / 1000)));
}

import type { Types } from 'mongoose';
import { key, type KeyedModel } from './keys.ts';
import { claim, forget } from './leases.ts';

/**
 * Revisions: a read-modify-write of one document found by `_id` (a support request's status and
 * answers, a list embedded in its owner), with any number of concurrent writers on any number of
 * instances.
 *
 * The document carries `rev`, the number of changes made to it. A writer reads it, holds the
 * lease `<collection>:<_id>:<rev>` (leases.ts) while it decides and writes `rev + 1`, then forgets
 * the lease (tickets do not pile up); a late claimer of that revision reads the document again and
 * finds it moved on. A writer that finds the lease held retries with the document as it is then,
 * so concurrent changes are applied one after another and none is lost, on FerretDB v1 (where a
 * conditional update is not atomic) as on MongoDB. A writer that dies holding a revision delays
 * the next one by `leaseMs`; one that stalls past it may be overtaken (as with every lease).
 * Cost per change: two `_id` lookups, one ticket insert, one write, and the ticket's removal (two
 * lookups, one delete); a contended change repeats the lookups.
 */

/** What a change decides: `set` fields to write (none: nothing to change) and the caller's result. */
export interface Revision<R> {
  set?: Record<string, unknown>;
  result: R;
}

/** The document stayed busy through every try (writers far more frequent than the lease allows). */
export class RevisionBusyError extends Error {
  constructor(work: string) {
    super(`revision busy: ${work}`);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies `change` to the document `id` of `model` (null when there is none: a `set` then creates
 * it) and returns its result. `change` may throw to refuse; nothing is written then.
 */
export async function revise<D extends { rev?: number }, R>(
  model: KeyedModel,
  id: string | Types.ObjectId,
  change: (current: D | null) => Promise<Revision<R>> | Revision<R>,
  { leaseMs = 30_000, tries = 50 }: { leaseMs?: number; tries?: number } = {},
): Promise<R> {
  const name = model.collection.collectionName;
  let work = '';
  for (let attempt = 0; attempt < tries; attempt += 1) {
    const seen = await model.findById(id).lean<D>();
    const rev = seen?.rev ?? 0;
    work = key(name, String(id), rev);
    const lease = await claim(work, leaseMs);
    if (!lease) {
      await pause(5 + Math.random() * Math.min(200, 10 * (attempt + 1)));
      continue;
    }
    try {
      const current = await model.findById(id).lean<D>();
      if ((current?.rev ?? 0) !== rev) continue;
      const { set, result } = await change(current);
      if (set) await model.updateOne({ _id: id }, { $set: { ...set, rev: rev + 1 } }, { upsert: current === null });
      return result;
    } finally {
      // Whether written, unchanged or refused, this holder is done with the revision.
      await forget(work);
    }
  }
  throw new RevisionBusyError(work);
}

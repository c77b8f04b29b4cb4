import { dueAt, expiry, sweepExpired } from './expiry.ts';
import { findByKey, insertStored, isDuplicateKey, storedCollection } from './keys.ts';
import { IdempotencyRecord, type IdempotencyDoc } from './models.ts';
import { revise } from './revisions.ts';

/**
 * Idempotency records: the first request with a key runs and its result is stored under the
 * key's `_id`; a retry with the same key and the same request gets that result without running;
 * the same key with another request is refused; a retry while the first still runs is told so; a
 * run whose server died is taken over once its lock (`lockMs`) has run out. A run that fails
 * stores nothing, so it may be retried.
 *
 * Running is the insert of the pending record, so of concurrent first requests exactly one runs,
 * on MongoDB and on FerretDB v1 alike (a unique `_id` is their one atomic write). A record past
 * its time (a run whose server died, a result expired and not yet swept) is replaced as a kernel
 * revision (revisions.ts), so of concurrent takers exactly one runs; one that stalled past its
 * lock may be overtaken, as with every lease. Cost: one `_id` lookup for a replay; a first run
 * adds the record's expiry registration (expiry.ts: an insert), the record's insert and, once
 * done, its write; a takeover a revision's.
 */

/** Records are swept in buckets of ten minutes, by the hourly `idempotency-sweep` job. */
export const IDEMPOTENCY_EXPIRY = expiry('idempotency', 600_000, [IdempotencyRecord]);

export type IdempotencyOutcome =
  | { complete: (response: unknown) => Promise<void>; fail: () => Promise<void> }
  | { replay: string }
  | { reused: true }
  | { inProgress: true };

type Seen = { replay: string } | { reused: true } | { inProgress: true };

/** What a record that is still in force says to a request (null: none is, the request may run). */
function inForce(doc: IdempotencyDoc | null, fingerprint: string, now: number): Seen | null {
  if (!doc || doc.expiresAt.getTime() <= now) return null;
  if (doc.fingerprint !== fingerprint) return { reused: true };
  if (doc.state === 'done') return { replay: doc.response ?? 'null' };
  return doc.lockedUntil.getTime() > now ? { inProgress: true } : null;
}

export async function claimKey(id: string, fingerprint: string, ttlMs: number, lockMs: number): Promise<IdempotencyOutcome> {
  const seen = inForce(await findByKey<IdempotencyDoc>(IdempotencyRecord, id), fingerprint, Date.now());
  if (seen) return seen;
  const now = Date.now();
  const record = {
    fingerprint,
    state: 'pending' as const,
    lockedUntil: new Date(now + lockMs),
    expiresAt: new Date(now + ttlMs),
  };
  await dueAt(IDEMPOTENCY_EXPIRY, IdempotencyRecord, id, record.expiresAt);
  try {
    await insertStored(IdempotencyRecord, { _id: id, ...record });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Another request holds the key; or a record past its time is there, replaced by one taker.
    const there = await findByKey<IdempotencyDoc>(IdempotencyRecord, id);
    const held =
      inForce(there, fingerprint, Date.now()) ??
      (await revise<IdempotencyDoc, Seen | null>(
        IdempotencyRecord,
        id,
        (current) => {
          const taken = inForce(current, fingerprint, Date.now());
          return taken ? { result: taken } : { set: record, result: null };
        },
        { seen: there },
      ));
    if (held) return held;
  }
  return {
    async complete(response) {
      await storedCollection(IdempotencyRecord).updateOne(
        { _id: id },
        { $set: { state: 'done', response: JSON.stringify(response ?? null) } },
      );
    },
    async fail() {
      await storedCollection(IdempotencyRecord).deleteOne({ _id: id });
    },
  };
}

/** Forgets records past their time (a background sweep, `limit` expiry records at a time). */
export async function sweepIdempotency(now = new Date(), limit = 1000): Promise<number> {
  return sweepExpired(IDEMPOTENCY_EXPIRY, now, limit);
}

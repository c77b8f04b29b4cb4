import { dueAt, expiry, sweepExpired } from './expiry.ts';
import { claim } from './leases.ts';
import { IdempotencyRecord, type IdempotencyDoc } from './models.ts';

/**
 * Idempotency records: the first request with a key runs and its result is stored under the
 * key's `_id`; a retry with the same key and the same request gets that result without running;
 * the same key with another request is refused; a retry while the first still runs is told so; a
 * run whose server died is taken over once its lease (`lockMs`) runs out. A run that fails stores
 * nothing, so it may be retried.
 *
 * Running is a lease on the key (leases.ts), so of concurrent first requests exactly one runs, on
 * MongoDB and on FerretDB v1 alike, and a takeover after a crash cannot let two in. Cost: one `_id`
 * lookup for a replay; a first run adds a ticket insert, a record write, one more lookup and the
 * record's and the ticket's expiry registrations (expiry.ts: two inserts).
 */

/** Records are swept in buckets of ten minutes, by the hourly `idempotency-sweep` job. */
export const IDEMPOTENCY_EXPIRY = expiry('idempotency', 600_000, [IdempotencyRecord]);

export type IdempotencyOutcome =
  | { complete: (response: unknown) => Promise<void>; fail: () => Promise<void> }
  | { replay: string }
  | { reused: true }
  | { inProgress: true };

function live(doc: IdempotencyDoc | null, now: number): IdempotencyDoc | null {
  return doc && doc.expiresAt.getTime() > now ? doc : null;
}

export async function claimKey(id: string, fingerprint: string, ttlMs: number, lockMs: number): Promise<IdempotencyOutcome> {
  const seen = live(await IdempotencyRecord.findById(id).lean<IdempotencyDoc>(), Date.now());
  if (seen?.state === 'done') return seen.fingerprint === fingerprint ? { replay: seen.response ?? 'null' } : { reused: true };
  const lease = await claim(`idem:${id}`, lockMs);
  if (!lease) {
    const running = live(await IdempotencyRecord.findById(id).lean<IdempotencyDoc>(), Date.now());
    if (running && running.fingerprint !== fingerprint) return { reused: true };
    if (running?.state === 'done') return { replay: running.response ?? 'null' };
    return { inProgress: true };
  }
  // Holding the key: a run may have finished between the first look and the claim.
  const now = Date.now();
  const current = live(await IdempotencyRecord.findById(id).lean<IdempotencyDoc>(), now);
  if (current?.state === 'done') {
    await lease.release();
    return current.fingerprint === fingerprint ? { replay: current.response ?? 'null' } : { reused: true };
  }
  if (current && current.fingerprint !== fingerprint) {
    await lease.release();
    return { reused: true };
  }
  const record = { fingerprint, state: 'pending', lockedUntil: new Date(now + lockMs), expiresAt: new Date(now + ttlMs) };
  await dueAt(IDEMPOTENCY_EXPIRY, IdempotencyRecord, id, record.expiresAt);
  // Only the lease holder writes the record, so a plain upsert by `_id` is safe.
  await IdempotencyRecord.updateOne({ _id: id }, { $set: record }, { upsert: true });
  return {
    async complete(response) {
      await IdempotencyRecord.updateOne({ _id: id }, { $set: { state: 'done', response: JSON.stringify(response ?? null) } });
      await lease.release();
    },
    async fail() {
      await IdempotencyRecord.deleteOne({ _id: id });
      await lease.release();
    },
  };
}

/** Forgets records past their time (a background sweep, `limit` expiry records at a time). */
export async function sweepIdempotency(now = new Date(), limit = 1000): Promise<number> {
  return sweepExpired(IDEMPOTENCY_EXPIRY, now, limit);
}

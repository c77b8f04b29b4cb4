import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { claimKey, sweepIdempotency } from '../db/kernel/idempotency.ts';
import { key as keyOf } from '../db/kernel/keys.ts';
import type { Worker } from '../workers.ts';
import type { SubscriberCtx } from './context.ts';
import { ConflictError, RuleViolation, ValidationError } from './errors.ts';

/**
 * `Idempotency-Key` for writes a person may retry (readings, payments, links), after the IETF
 * draft "The Idempotency-Key HTTP Header Field": the first request with a key runs and its result
 * is stored; a retry with the same key and the same body gets that result again without running;
 * the same key with another body is refused (422); a retry while the first is still running gets
 * 409 and may try again. The record is the kernel's (server/db/kernel/idempotency.ts) under
 * `<tenant>:<subscriber>:<scope>:<Idempotency-Key>`, so a retry is one `_id` lookup and of
 * concurrent duplicates exactly one runs. A request that fails stores nothing, so it can be retried.
 */

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** A request that has not finished within this time is taken over by the next retry (its server crashed). */
const LOCK_MS = 30_000;
const KEY = /^[\x21-\x7e]{8,255}$/;
/** Records the hourly sweep removes at most per batch, and batches per run. */
const SWEEP_BATCH = 1000;
const SWEEP_BATCHES = 50;

/** The request's `Idempotency-Key`, if any: 8–255 visible ASCII characters, else 400. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY.test(key)) throw new ValidationError({ 'Idempotency-Key': { code: 'idempotency_key_invalid' } });
  return key;
}

/**
 * Runs `run` once per key: without a key it simply runs. `request` is what identifies the
 * request besides the key (the validated body); `scope` separates endpoints. `beside` is reading
 * work of the request, started by the caller, that writes nothing: it goes on while the key is
 * claimed, and `run` gets its result. It counts only once the key is this request's: a replay
 * answers as stored whatever it found, and its error (a refused account, a closed window) is the
 * request's answer only then, the key given back as after any failed run.
 */
export async function idempotent<T, C = undefined>(
  ctx: SubscriberCtx,
  {
    scope,
    key,
    request,
    beside = Promise.resolve(undefined as C),
  }: { scope: string; key: string | undefined; request: unknown; beside?: Promise<C> },
  run: (checked: C) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  if (key === undefined) return { result: await run(await beside), replayed: false };
  // Seen below once the key is claimed, not as an unhandled rejection meanwhile.
  beside.catch(() => undefined);
  const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const claimed = await claimKey(keyOf(ctx.tenant._id, ctx.subscriberId, scope, key), fingerprint, IDEMPOTENCY_TTL_MS, LOCK_MS);
  if ('replay' in claimed) return { result: JSON.parse(claimed.replay) as T, replayed: true };
  if ('reused' in claimed) throw new RuleViolation('idempotency_key_reused');
  if ('inProgress' in claimed) throw new ConflictError('idempotency_in_progress');
  let result: T;
  try {
    result = await run(await beside);
  } catch (err) {
    await claimed.fail();
    throw err;
  }
  await claimed.complete(result);
  return { result, replayed: false };
}

/** Forgets keys past their time (a sweep, as FerretDB has no TTL indexes), in bounded batches. */
export async function sweepIdempotencyKeys(now = new Date()): Promise<number> {
  let removed = 0;
  for (let batch = 0; batch < SWEEP_BATCHES; batch += 1) {
    const n = await sweepIdempotency(now, SWEEP_BATCH);
    removed += n;
    if (n < SWEEP_BATCH) break;
  }
  return removed;
}

/** Removes expired idempotency keys. */
export const idempotencySweepWorker: Worker = {
  name: 'idempotency-sweep',
  intervalMs: 3600_000,
  run: async (logger) => {
    const removed = await sweepIdempotencyKeys();
    if (removed) logger.info({ removed }, 'expired idempotency keys removed');
  },
};

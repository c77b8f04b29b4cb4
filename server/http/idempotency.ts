import { createHash } from 'node:crypto';
import type { Request } from 'express';
import mongoose, { Schema, type Types } from 'mongoose';
import { registerWorker } from '../workers.ts';
import type { Ctx } from './context.ts';
import { ConflictError, RuleViolation, ValidationError } from './errors.ts';

/**
 * `Idempotency-Key` for writes a person may retry (readings, payments, links), after the IETF
 * draft "The Idempotency-Key HTTP Header Field": the first request with a key runs and its result
 * is stored; a retry with the same key and the same body gets that result again without running;
 * the same key with another body is refused (422); a retry while the first is still running gets
 * 409 and may try again. A unique index on (tenant, subscriber, scope, key) decides which of
 * several concurrent duplicates runs: inserts are the one operation FerretDB v1 makes atomic
 * (its conditional updates are not). A request that fails stores nothing, so it can be retried.
 */

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** A request that has not finished within this time is taken over by the next retry (its server crashed). */
const LOCK_MS = 30_000;
const KEY = /^[\x21-\x7e]{8,255}$/;

interface IdempotencyDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  subscriberId: string;
  scope: string;
  key: string;
  /** sha256 of the request body, so a key reused for another request is noticed. */
  fingerprint: string;
  state: 'pending' | 'done';
  /** The stored result as JSON, once done. */
  response?: string;
  lockedUntil: Date;
  expiresAt: Date;
}

const idempotencySchema = new Schema<IdempotencyDoc>({
  tenantId: { type: Schema.Types.ObjectId, required: true },
  subscriberId: { type: String, required: true },
  scope: { type: String, required: true },
  key: { type: String, required: true },
  fingerprint: { type: String, required: true },
  state: { type: String, enum: ['pending', 'done'], required: true },
  response: { type: String },
  lockedUntil: { type: Date, required: true },
  expiresAt: { type: Date, required: true },
});
idempotencySchema.index({ tenantId: 1, subscriberId: 1, scope: 1, key: 1 }, { unique: true });
idempotencySchema.index({ expiresAt: 1 });

const IdempotencyKey = mongoose.model<IdempotencyDoc>('IdempotencyKey', idempotencySchema);

/** The request's `Idempotency-Key`, if any: 8–255 visible ASCII characters, else 400. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY.test(key)) throw new ValidationError({ 'Idempotency-Key': { code: 'idempotency_key_invalid' } });
  return key;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

/** Claims the key for this request; returns the stored result of an earlier one instead, when there is one. */
async function claim(
  filter: Pick<IdempotencyDoc, 'tenantId' | 'subscriberId' | 'scope' | 'key'>,
  fingerprint: string,
): Promise<{ id: Types.ObjectId } | { replay: string }> {
  for (;;) {
    const now = new Date();
    try {
      const doc = await IdempotencyKey.create({
        ...filter,
        fingerprint,
        state: 'pending',
        lockedUntil: new Date(now.getTime() + LOCK_MS),
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      return { id: doc._id };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await IdempotencyKey.findOne(filter).lean<IdempotencyDoc>();
    if (!existing) continue;
    if (existing.expiresAt <= now) {
      await IdempotencyKey.deleteOne({ _id: existing._id, expiresAt: mongoose.trusted({ $lte: now }) });
      continue;
    }
    if (existing.fingerprint !== fingerprint) throw new RuleViolation('idempotency_key_reused');
    if (existing.state === 'done') return { replay: existing.response ?? 'null' };
    if (existing.lockedUntil > now) throw new ConflictError('idempotency_in_progress');
    await IdempotencyKey.deleteOne({ _id: existing._id, state: 'pending', lockedUntil: mongoose.trusted({ $lte: now }) });
  }
}

/**
 * Runs `run` once per key: without a key it simply runs. `request` is what identifies the
 * request besides the key (the validated body); `scope` separates endpoints.
 */
export async function idempotent<T>(
  ctx: Ctx,
  { scope, key, request }: { scope: string; key: string | undefined; request: unknown },
  run: () => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  if (key === undefined) return { result: await run(), replayed: false };
  if (!ctx.subscriberId) throw new Error('idempotent(): the request has no subscriber (requireSubscriber first)');
  const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const claimed = await claim({ tenantId: ctx.tenant._id, subscriberId: ctx.subscriberId, scope, key }, fingerprint);
  if ('replay' in claimed) return { result: JSON.parse(claimed.replay) as T, replayed: true };
  let result: T;
  try {
    result = await run();
  } catch (err) {
    await IdempotencyKey.deleteOne({ _id: claimed.id, state: 'pending' });
    throw err;
  }
  await IdempotencyKey.updateOne({ _id: claimed.id }, { $set: { state: 'done', response: JSON.stringify(result ?? null) } });
  return { result, replayed: false };
}

/** Forgets keys past their time (a sweep, as FerretDB has no TTL indexes). */
export async function sweepIdempotencyKeys(now = new Date()): Promise<number> {
  const res = await IdempotencyKey.deleteMany({ expiresAt: mongoose.trusted({ $lte: now }) });
  return res.deletedCount;
}

registerWorker({
  name: 'idempotency-sweep',
  intervalMs: 3600_000,
  run: async (logger) => {
    const removed = await sweepIdempotencyKeys();
    if (removed) logger.info({ removed }, 'expired idempotency keys removed');
  },
});

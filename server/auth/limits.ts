import mongoose from 'mongoose';
import { RateLimitError } from '../http/errors.ts';
import { RateHit } from './limit-model.ts';

/** At most `points` events per sliding `windowMs`. */
export interface LimitRule {
  points: number;
  windowMs: number;
}

/** After `threshold` failures within `windowMs`, wait `baseDelayMs`, doubled for each further failure, at most `maxDelayMs`. */
export interface LockoutRule {
  threshold: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

async function record(key: string, windowMs: number, now: Date): Promise<void> {
  await RateHit.create({ key, at: now, expiresAt: new Date(now.getTime() + windowMs) });
}

function recent(key: string, windowMs: number, now: Date) {
  return { key, at: mongoose.trusted({ $gt: new Date(now.getTime() - windowMs) }) };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Counts one event under `key` and throws `RateLimitError` (429 with Retry-After) when the
 * window now holds more than `rule.points` of them. The event is recorded before counting, so
 * concurrent requests on any instance cannot all slip under the limit.
 */
export async function consume(key: string, rule: LimitRule, code = 'rate_limited'): Promise<void> {
  const now = new Date();
  await record(key, rule.windowMs, now);
  const count = await RateHit.countDocuments(recent(key, rule.windowMs, now));
  if (count <= rule.points) return;
  // The window frees up when the event that put it over the limit leaves it.
  const pivot = await RateHit.findOne(recent(key, rule.windowMs, now))
    .sort({ at: -1 })
    .skip(rule.points)
    .lean();
  const freeAt = (pivot?.at.getTime() ?? now.getTime()) + rule.windowMs;
  throw new RateLimitError(seconds(freeAt - now.getTime()), code);
}

/** Counts one attempt (e.g. at a code) and tells whether the key is still within `max` attempts. */
export async function attemptWithin(key: string, max: number, windowMs: number): Promise<boolean> {
  const now = new Date();
  await record(key, windowMs, now);
  return (await RateHit.countDocuments(recent(key, windowMs, now))) <= max;
}

/** Seconds until the key may act again under a lockout rule, or 0. */
export async function lockedFor(key: string, rule: LockoutRule): Promise<number> {
  const now = new Date();
  const failures = await RateHit.countDocuments(recent(key, rule.windowMs, now));
  if (failures < rule.threshold) return 0;
  const last = await RateHit.findOne(recent(key, rule.windowMs, now))
    .sort({ at: -1 })
    .lean();
  const delay = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** (failures - rule.threshold));
  const until = (last?.at.getTime() ?? now.getTime()) + delay;
  return until > now.getTime() ? seconds(until - now.getTime()) : 0;
}

/** Throws `RateLimitError(code)` while the key is locked out. */
export async function assertNotLocked(key: string, rule: LockoutRule, code: string): Promise<void> {
  const wait = await lockedFor(key, rule);
  if (wait > 0) throw new RateLimitError(wait, code);
}

export async function recordFailure(key: string, rule: LockoutRule): Promise<void> {
  await record(key, rule.windowMs, new Date());
}

export async function clearKey(key: string): Promise<void> {
  await RateHit.deleteMany({ key });
}

export async function sweepLimits(now = new Date()): Promise<number> {
  return (await RateHit.deleteMany({ expiresAt: mongoose.trusted({ $lt: now }) })).deletedCount;
}

import { clear, hit, hitWith, peek, sweepLimits as sweepWindows } from '../db/kernel/limits.ts';
import { RateLimitError } from './errors.ts';

/**
 * Rate limits and lockouts of requests for every module (sign-in, codes, PINs, feedback…), on
 * the kernel's rate-limit windows (server/db/kernel/limits.ts): exact sliding windows under a
 * key, where a refused event writes nothing.
 */

/** At most `points` events per sliding `windowMs`; `neverCleared` when `clearKey` is never used on its keys (one lookup less per event). */
export interface LimitRule {
  points: number;
  windowMs: number;
  neverCleared?: boolean;
}

/** After `threshold` failures within `windowMs`, wait `baseDelayMs`, doubled for each further failure, at most `maxDelayMs`. */
export interface LockoutRule {
  threshold: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** How long a cleared key hides its earlier events: longer than the window of any rule used with `clearKey`. */
const CLEARED_FOR_MS = 24 * 3600_000;

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Counts one event under `key`, or throws `RateLimitError` (429 with Retry-After) when the window
 * already holds `rule.points` of them. Concurrent requests on any instance never get more than
 * `points` through; a refused event is not counted.
 */
export async function consume(key: string, rule: LimitRule, code = 'rate_limited'): Promise<void> {
  const { allowed, state } = await hit(key, rule);
  if (!allowed) throw new RateLimitError(seconds(state.retryInMs), code);
}

/**
 * Throws `RateLimitError` when the key's window is already full, counting nothing: a cheap test
 * before costly work (reading an upload) whose event `consume` counts afterwards.
 */
export async function ensureRoom(key: string, rule: LimitRule, code = 'rate_limited'): Promise<void> {
  const state = await peek(key, rule);
  if (state.count >= rule.points) throw new RateLimitError(seconds(state.retryInMs), code);
}

/** Counts one attempt (e.g. at a code) and tells whether it is within `max` attempts per `windowMs`; a refused one is not counted. */
export async function attemptWithin(key: string, max: number, windowMs: number): Promise<boolean> {
  return (await hit(key, { points: max, windowMs })).allowed;
}

function delayMs(rule: LockoutRule, failures: number): number {
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.max(0, failures - rule.threshold));
}

/**
 * Takes one attempt under a lockout rule BEFORE the secret is checked, counted as a failure
 * until `clearKey` after a right answer; throws `RateLimitError(code)` while locked out, and when
 * concurrent attempts already took what the rule allows now (up to the threshold, then one per
 * delay). So of a burst of guesses at one login, at most the allowed number is ever checked.
 * One snapshot of the window decides and counts (kernel `hitWith`).
 */
export async function claimAttempt(key: string, rule: LockoutRule, code: string): Promise<void> {
  const { allowed, state } = await hitWith(key, rule.windowMs, async ({ count: failures, lastAt }) => {
    if (failures < rule.threshold) return rule.threshold;
    const last = await lastAt();
    const waitMs = last ? last.getTime() + delayMs(rule, failures) - Date.now() : 0;
    if (waitMs > 0) throw new RateLimitError(seconds(waitMs), code);
    return failures + 1;
  });
  if (!allowed) throw new RateLimitError(seconds(delayMs(rule, state.count)), code);
}

/** Forgets the events of a key (a right password, PIN or code). */
export async function clearKey(key: string): Promise<void> {
  await clear(key, CLEARED_FOR_MS);
}

/** Removes events past their window (a background sweep, in bounded batches). */
export async function sweepLimits(now = new Date()): Promise<number> {
  return sweepWindows(now);
}

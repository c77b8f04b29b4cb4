import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { key, type KeyedModel } from './keys.ts';
import { Epoch, Hit, type EpochDoc, type HitDoc } from './models.ts';
import { append, lastSeq, streamId } from './streams.ts';

/**
 * Rate-limit windows: at most `points` events per `windowMs` under a key (sign-ins per login, PIN
 * guesses per account…), across every server instance.
 *
 * The clock is cut into fixed windows; the hits of one window are a gap-free stream
 * (`<key>:<epoch>:<window>:<n>`), so concurrent hits get distinct numbers and the count is the
 * stream's end: no `$inc`, which FerretDB v1 does not make atomic. A hit is refused when the
 * current window's count plus the previous window's, weighted by how much of it still overlaps
 * the sliding window, would pass `points` (the sliding-window estimate of Cloudflare's and
 * nginx's limiters). A refused hit writes nothing, so a flood neither grows storage nor slows
 * others. Clearing a key (a right PIN) starts a new epoch; old hits are left to the sweep.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1: within one window, never more than `points`
 * hits are counted (the `points`-th number is inserted once). Cost: about five `_id` lookups and
 * one insert per counted hit; a refused hit makes the lookups only.
 */

export interface WindowRule {
  points: number;
  windowMs: number;
}

export interface WindowState {
  /** Hits counted in the sliding window (the estimate described above). */
  count: number;
  /** When the newest counted hit was made, if any in the current or previous window. */
  lastAt: Date | null;
  /** Milliseconds until one more hit would be allowed (0 when it is now). */
  retryInMs: number;
}

const hits: KeyedModel = Hit;

/** The key's name as one key part (logins and other names may contain ':'). */
const part = (name: string) => encodeURIComponent(name);

async function epochOf(name: string): Promise<string> {
  const doc = await Epoch.findById(key('limit', part(name))).lean<EpochDoc>();
  return doc && doc.expiresAt.getTime() > Date.now() ? doc.epoch : '0';
}

function windows(rule: WindowRule, now: number) {
  const index = Math.floor(now / rule.windowMs);
  const elapsed = (now - index * rule.windowMs) / rule.windowMs;
  return { index, elapsed };
}

async function read(name: string, rule: WindowRule, now: number) {
  const epoch = await epochOf(name);
  const { index, elapsed } = windows(rule, now);
  const current = key('limit', part(name), epoch, index);
  const previous = key('limit', part(name), epoch, index - 1);
  const [cur, prev] = await Promise.all([lastSeq(hits, current), lastSeq(hits, previous)]);
  const weight = 1 - elapsed;
  const count = cur + Math.floor(prev * weight);
  return { current, cur, prev, weight, elapsed, count };
}

async function lastHitAt(stream: string, seq: number): Promise<Date | null> {
  if (seq === 0) return null;
  const doc = await Hit.findById(streamId(stream, seq)).lean<HitDoc>();
  return doc?.at ?? null;
}

/** The key's state now, without counting a hit. */
export async function peek(name: string, rule: WindowRule): Promise<WindowState> {
  const now = Date.now();
  const s = await read(name, rule, now);
  const { index } = windows(rule, now);
  const lastAt =
    s.cur > 0
      ? await lastHitAt(s.current, s.cur)
      : await lastHitAt(key('limit', part(name), await epochOf(name), index - 1), s.prev);
  return { count: s.count, lastAt, retryInMs: s.count < rule.points ? 0 : retryIn(rule, s, now) };
}

function retryIn(rule: WindowRule, s: { cur: number; prev: number; elapsed: number }, now: number): number {
  const windowEnd = (Math.floor(now / rule.windowMs) + 1) * rule.windowMs;
  if (s.cur >= rule.points || s.prev === 0) return windowEnd - now;
  // The previous window's share shrinks as the window slides: find when one more hit fits.
  const room = rule.points - s.cur - 1;
  const fraction = 1 - (room + 1) / s.prev;
  const at = Math.floor(now / rule.windowMs) * rule.windowMs + Math.max(0, fraction) * rule.windowMs;
  return Math.max(1, Math.min(windowEnd, Math.ceil(at)) - now);
}

/** Counts one hit unless the key is at its limit; returns whether it was counted, and the state. */
export async function hit(name: string, rule: WindowRule): Promise<{ allowed: boolean; state: WindowState }> {
  const now = Date.now();
  const s = await read(name, rule, now);
  if (s.count >= rule.points)
    return { allowed: false, state: { count: s.count, lastAt: null, retryInMs: retryIn(rule, s, now) } };
  const seq = await append(hits, s.current, { at: new Date(now), expiresAt: new Date(now + 2 * rule.windowMs) });
  const count = seq + Math.floor(s.prev * s.weight);
  // A concurrent hit took the last number first: this one is over the limit after all.
  if (seq > rule.points || count > rule.points) {
    return { allowed: false, state: { count, lastAt: new Date(now), retryInMs: retryIn(rule, { ...s, cur: seq }, now) } };
  }
  return { allowed: true, state: { count, lastAt: new Date(now), retryInMs: 0 } };
}

/** Counts a hit whatever the limit (failures that a lockout rule counts). */
export async function record(name: string, rule: WindowRule): Promise<number> {
  const now = Date.now();
  const epoch = await epochOf(name);
  const { index } = windows(rule, now);
  return append(hits, key('limit', part(name), epoch, index), {
    at: new Date(now),
    expiresAt: new Date(now + 2 * rule.windowMs),
  });
}

/** Forgets the key's hits (a right PIN or password): a new epoch, for as long as hits are kept. */
export async function clear(name: string, keepMs: number): Promise<void> {
  const epoch = randomBytes(6).toString('base64url');
  await Epoch.updateOne(
    { _id: key('limit', part(name)) },
    { $set: { epoch, expiresAt: new Date(Date.now() + 2 * keepMs) } },
    { upsert: true },
  );
}

/** Removes hits and epochs past their time (a background sweep, in bounded batches). */
export async function sweepLimits(now = new Date(), limit = 5000): Promise<number> {
  let n = 0;
  for (const model of [Hit, Epoch] as KeyedModel[]) {
    const old = await model
      .find({ expiresAt: mongoose.trusted({ $lt: now }) }, { _id: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>();
    for (const d of old) n += (await model.deleteOne({ _id: d._id })).deletedCount;
  }
  return n;
}

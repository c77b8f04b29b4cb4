import { randomBytes } from 'node:crypto';
import { dueAt, expireStreamAt, expiry, sweepExpired } from './expiry.ts';
import { findByKey, key, type KeyedModel } from './keys.ts';
import { Epoch, Hit, type EpochDoc, type HitDoc } from './models.ts';
import { appendWithin, lastSeq, streamId } from './streams.ts';

/**
 * Rate-limit windows: at most `points` events in any `windowMs` under a key (sign-ins per login,
 * PIN guesses per account, sends per address…), across every server instance.
 *
 * The clock is cut into windows of `windowMs`; the hits of one window are a gap-free stream
 * (`limit:<key>:<epoch>:<window>:<n>`, each with its time). The hits of the sliding window
 * (`now - windowMs`, `now`] are all of the current window's and the newest of the previous
 * one's, so the count is exact: the two streams' ends, and a bisection over the previous
 * window's times (hits are appended in time order). A hit is appended only within the room left
 * (`appendWithin`), so a refused hit writes nothing and a flood neither grows storage nor slows
 * others; no `$inc`, which FerretDB v1 does not make atomic. Retry-After is exact too: the window
 * frees up when its `points`-th newest hit leaves it. Clearing a key (a right PIN) starts a new
 * epoch; old hits are left to the sweep. A rule whose key is never cleared says so
 * (`neverCleared`), and its snapshot skips the epoch's lookup.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1: never more than `points` hits are counted
 * in any `windowMs` (hits of concurrent callers are numbered by unique inserts). Cost: about five
 * `_id` lookups (four for a key never cleared) plus log2 of the previous window's hits, and one
 * insert per counted hit; a refused hit makes the lookups only. A hit whose limit depends on the
 * hits before it (a lockout) is one such snapshot too (`hitWith`), not a `peek` and a `hit`. The
 * first hit of a window registers the window's expiry (expiry.ts: one insert), as do a clear and a
 * kept epoch.
 */

export interface WindowRule {
  points: number;
  windowMs: number;
  /**
   * The key is never `clear`ed (a limit per address or per login, not a lockout): its snapshot
   * skips the epoch lookup and counts under the first epoch. A key cleared anyway would keep its
   * hits counted under this rule.
   */
  neverCleared?: boolean;
}

export interface WindowState {
  /** Hits counted in the sliding window. */
  count: number;
  /** When the newest counted hit was made, if any is in the window. */
  lastAt: Date | null;
  /** Milliseconds until one more hit would be allowed (0 when it is now). */
  retryInMs: number;
}

const hits: KeyedModel = Hit;

/** Hits and epochs are swept in buckets of a minute, by the minutely auth sweep. */
export const LIMIT_EXPIRY = expiry('limits', 60_000, [Hit, Epoch]);

/** A window's hits are read while it is current or previous: gone with its last hit's expiry. */
function windowAppend(s: Snapshot, rule: WindowRule) {
  const at = new Date((Math.floor(s.now / rule.windowMs) + 3) * rule.windowMs);
  return { beforeFirst: () => expireStreamAt(LIMIT_EXPIRY, hits, s.current, at), after: s.cur, stored: true };
}

/** The key's name as one key part (logins and other names may contain ':'). */
const part = (name: string) => encodeURIComponent(name);

/** A key's epoch until it is first cleared: no document, so nothing to keep. */
const FIRST_EPOCH = { epoch: '0', until: Infinity };

/** The key's current epoch ('0' until it is first cleared), and until when its document is kept. */
async function epochOf(name: string, now: number): Promise<{ epoch: string; until: number }> {
  const doc = await findByKey<EpochDoc>(Epoch, key('limit', part(name)));
  return doc && doc.expiresAt.getTime() > now ? { epoch: doc.epoch, until: doc.expiresAt.getTime() } : FIRST_EPOCH;
}

async function hitAt(stream: string, seq: number): Promise<number | null> {
  const doc = await findByKey<HitDoc>(Hit, streamId(stream, seq));
  return doc ? doc.at.getTime() : null;
}

/** The key's two windows now: the current one's hits (`cur`), and how many of the previous one's are still inside (`recent`). */
interface Snapshot {
  now: number;
  epoch: { epoch: string; until: number };
  current: string;
  previous: string;
  cur: number;
  prev: number;
  recent: number;
}

/** The key's snapshot now; a key `neverCleared` is in its first epoch, unread. */
async function snapshot(name: string, windowMs: number, now: number, neverCleared = false): Promise<Snapshot> {
  const epoch = neverCleared ? FIRST_EPOCH : await epochOf(name, now);
  const index = Math.floor(now / windowMs);
  const current = key('limit', part(name), epoch.epoch, index);
  const previous = key('limit', part(name), epoch.epoch, index - 1);
  const [cur, prev] = await Promise.all([lastSeq(hits, current), lastSeq(hits, previous)]);
  // Bisection for the previous window's first hit inside the sliding window.
  const since = now - windowMs;
  let low = 1;
  let high = prev + 1;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const at = await hitAt(previous, mid);
    if (at !== null && at > since) high = mid;
    else low = mid + 1;
  }
  return { now, epoch, current, previous, cur, prev, recent: prev + 1 - low };
}

/** When the newest hit in the sliding window was made (one lookup), if any is. */
async function lastAtOf(s: Snapshot): Promise<Date | null> {
  const last = s.cur > 0 ? await hitAt(s.current, s.cur) : s.recent > 0 ? await hitAt(s.previous, s.prev) : null;
  return last === null ? null : new Date(last);
}

/** A cleared key's epoch is kept for as long as the hits counted under it (else they would be forgotten with it). */
async function keepEpoch(name: string, rule: WindowRule, s: Snapshot): Promise<void> {
  const until = s.now + 2 * rule.windowMs;
  if (s.epoch.until >= until) return;
  await dueAt(LIMIT_EXPIRY, Epoch, key('limit', part(name)), new Date(until));
  await Epoch.updateOne({ _id: key('limit', part(name)) }, { $max: { expiresAt: new Date(until) } });
}

/** Milliseconds until the window has room again: when its `points`-th newest hit leaves it. */
async function retryIn(rule: WindowRule, s: Snapshot, cur: number): Promise<number> {
  if (rule.points <= 0) return rule.windowMs;
  const pivot =
    cur >= rule.points
      ? await hitAt(s.current, cur - rule.points + 1)
      : await hitAt(s.previous, s.prev - (rule.points - cur) + 1);
  return Math.max(1, (pivot ?? s.now) + rule.windowMs - s.now);
}

/** The key's state now, without counting a hit. */
export async function peek(name: string, rule: WindowRule): Promise<WindowState> {
  const s = await snapshot(name, rule.windowMs, Date.now(), rule.neverCleared);
  const count = s.cur + s.recent;
  return {
    count,
    lastAt: await lastAtOf(s),
    retryInMs: count < rule.points ? 0 : await retryIn(rule, s, s.cur),
  };
}

/** Counts one hit unless the key is at its limit; returns whether it was counted, and the state. */
export async function hit(name: string, rule: WindowRule): Promise<{ allowed: boolean; state: WindowState }> {
  return hitWith(name, rule.windowMs, () => rule.points, { neverCleared: rule.neverCleared });
}

/**
 * Counts one hit unless the key is at the limit that `pointsFor` sets from the hits before it in
 * the window (their count, and the newest one's time when asked for; `pointsFor` may throw to
 * refuse, counting nothing): a lockout that allows one more attempt per delay, from one snapshot
 * of the window.
 */
export async function hitWith(
  name: string,
  windowMs: number,
  pointsFor: (before: { count: number; lastAt: () => Promise<Date | null> }) => number | Promise<number>,
  { neverCleared = false }: Pick<WindowRule, 'neverCleared'> = {},
): Promise<{ allowed: boolean; state: WindowState }> {
  const s = await snapshot(name, windowMs, Date.now(), neverCleared);
  const rule = {
    points: await pointsFor({ count: s.cur + s.recent, lastAt: () => lastAtOf(s) }),
    windowMs,
  };
  const room = rule.points - s.recent;
  const seq =
    room > s.cur
      ? await appendWithin(
          hits,
          s.current,
          { at: new Date(s.now), expiresAt: new Date(s.now + 2 * rule.windowMs) },
          room,
          windowAppend(s, rule),
        )
      : null;
  if (seq === null) {
    // Concurrent hits may have filled the room meanwhile: the current window holds at least that many.
    const cur = Math.max(s.cur, room);
    return { allowed: false, state: { count: cur + s.recent, lastAt: null, retryInMs: await retryIn(rule, s, cur) } };
  }
  await keepEpoch(name, rule, s);
  return { allowed: true, state: { count: seq + s.recent, lastAt: new Date(s.now), retryInMs: 0 } };
}

/** Counts a hit whatever the limit (failures that a lockout rule counts); returns the count in the window. */
export async function record(name: string, rule: WindowRule): Promise<number> {
  const s = await snapshot(name, rule.windowMs, Date.now(), rule.neverCleared);
  const seq = (await appendWithin(
    hits,
    s.current,
    { at: new Date(s.now), expiresAt: new Date(s.now + 2 * rule.windowMs) },
    Infinity,
    windowAppend(s, rule),
  ))!;
  await keepEpoch(name, rule, s);
  return seq + s.recent;
}

/** Forgets the key's hits (a right PIN or password): a new epoch, for as long as hits are kept. */
export async function clear(name: string, keepMs: number): Promise<void> {
  const epoch = randomBytes(6).toString('base64url');
  const expiresAt = new Date(Date.now() + 2 * keepMs);
  await dueAt(LIMIT_EXPIRY, Epoch, key('limit', part(name)), expiresAt);
  await Epoch.updateOne({ _id: key('limit', part(name)) }, { $set: { epoch, expiresAt } }, { upsert: true });
}

/** Removes hits and epochs past their time (a background sweep, `limit` expiry records at a time). */
export async function sweepLimits(now = new Date(), limit = 10_000): Promise<number> {
  return sweepExpired(LIMIT_EXPIRY, now, limit);
}

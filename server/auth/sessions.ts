import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Types } from 'mongoose';
import { dueAt, expireStreamAt, expiry, sweepExpired } from '../db/kernel/expiry.ts';
import { findByKey, key, type KeyedModel } from '../db/kernel/keys.ts';
import { append, lastSeq, readBefore, streamId } from '../db/kernel/streams.ts';
import { ctxOf, type Ctx, type SubscriberCtx } from '../http/context.ts';
import { AuthError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import type { SubscriberDeletedHook } from '../subscribers/hooks.ts';
import type { SubscriberDoc } from '../subscribers/model.ts';
import { findById } from '../subscribers/service.ts';
import { Session, SessionEntry, type SessionDoc, type SessionEntryDoc } from './session-model.ts';

/**
 * Sessions by key. A session is its token's hash (`_id`); checking one is that lookup and the
 * cabinet's (status, temporary password, session generation). Ending all of a cabinet's other
 * sessions raises its generation (one write). Its list is a stream per period (session-model.ts):
 * a sign-in appends to it and ends the session that falls beyond `MAX_SESSIONS`. A sign-in
 * registers its session's expiry, and the first of a period its list's (server/db/kernel/expiry.ts).
 */

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;
/** A cabinet's sessions at most: a sign-in beyond this ends the oldest. */
export const MAX_SESSIONS = 20;

const entries: KeyedModel = SessionEntry;

/** Sessions and lists are swept in buckets of an hour, by the minutely auth sweep. */
const SESSION_EXPIRY = expiry('sessions', 3600_000, [Session, entries]);

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A session lives no longer than a period, so a live one was listed in the current period or the one before. */
export function sessionPeriod(at: number): number {
  return Math.floor(at / SESSION_TTL_MS);
}

/** The stream of a cabinet's sessions opened in a period. */
export function sessionList(subscriberId: Types.ObjectId | string, period: number): string {
  return key(String(subscriberId), period);
}

/** After this no list reads the period's entries any more. */
export function sessionListExpiry(period: number): Date {
  return new Date((period + 2) * SESSION_TTL_MS);
}

/** The list entry `seq` of a period, where 0, -1… count back from the end of the period before. */
async function entryAt(subscriberId: Types.ObjectId, period: number, seq: number): Promise<SessionEntryDoc | null> {
  if (seq < 1) {
    const before = sessionList(subscriberId, period - 1);
    const last = await lastSeq(entries, before);
    return last + seq >= 1 ? findByKey<SessionEntryDoc>(SessionEntry, streamId(before, last + seq)) : null;
  }
  return findByKey<SessionEntryDoc>(SessionEntry, streamId(sessionList(subscriberId, period), seq));
}

/**
 * Opens a session and returns the bearer token (shown once; only its hash is stored). It goes
 * on the cabinet's list, and the session that falls beyond `MAX_SESSIONS` ends: every sign-in
 * ends the one `MAX_SESSIONS` places before it, so concurrent sign-ins end one each.
 */
export async function openSession(input: {
  subscriberId: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  /** The cabinet's session generation (read when not given). */
  generation?: number;
  userAgent?: string;
  ip?: string;
}): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + SESSION_TTL_MS);
  const generation = input.generation ?? (await findById(input.realm, input.subscriberId))?.sessionGeneration ?? 0;
  const _id = hashToken(token);
  await dueAt(SESSION_EXPIRY, Session, _id, expiresAt);
  await Session.create({
    _id,
    subscriberId: input.subscriberId,
    realm: input.realm,
    tenantId: input.tenantId,
    generation,
    userAgent: (input.userAgent ?? '').slice(0, 300),
    ip: input.ip ?? '',
    createdAt: new Date(now),
    lastSeenAt: new Date(now),
    expiresAt,
  });
  const period = sessionPeriod(now);
  const list = sessionList(input.subscriberId, period);
  const listExpiry = sessionListExpiry(period);
  const seq = await append(
    entries,
    list,
    { sessionId: _id, expiresAt: listExpiry },
    { beforeFirst: () => expireStreamAt(SESSION_EXPIRY, entries, list, listExpiry) },
  );
  const fallen = await entryAt(input.subscriberId, period, seq - MAX_SESSIONS);
  if (fallen) await Session.deleteOne({ _id: fallen.sessionId });
  return { token, expiresAt };
}

/**
 * The session generation that ends every session of the cabinet but `keep` once the cabinet is
 * saved with it (a password changed or reset): `keep` moves to it first, so it never looks ended.
 */
export async function nextSessionGeneration(sub: Pick<SubscriberDoc, 'sessionGeneration'>, keep?: string): Promise<number> {
  const generation = (sub.sessionGeneration ?? 0) + 1;
  if (keep) await Session.updateOne({ _id: keep }, { $set: { generation } });
  return generation;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return m?.[1];
}

function live(session: SessionDoc | null, sub: SubscriberDoc, now: number): session is SessionDoc {
  return (
    session !== null &&
    session.realm === sub.realm &&
    session.subscriberId.equals(sub._id) &&
    session.expiresAt.getTime() > now &&
    session.generation >= (sub.sessionGeneration ?? 0)
  );
}

/**
 * The session of the header and its cabinet: two `_id` lookups (and a write every few minutes of
 * use), on the path of every signed-in request, both through the driver (`findByKey`).
 */
async function activeSession(ctx: Ctx, header: string | undefined): Promise<{ session: SessionDoc; sub: SubscriberDoc } | null> {
  const token = bearer(header);
  if (!token) return null;
  const now = Date.now();
  const session = await findByKey<SessionDoc>(Session, hashToken(token));
  if (!session || session.realm !== ctx.tenant.realm) return null;
  const sub = await findById(ctx.tenant.realm, session.subscriberId);
  if (!sub || !live(session, sub, now)) return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await Session.updateOne({ _id: session._id }, { $set: { lastSeenAt: new Date(now) } });
  }
  return { session, sub };
}

export interface GuardOptions {
  /** Let in a cabinet whose email or phone is not confirmed yet (to resend the link, read `me`, sign out). */
  allowUnconfirmed?: boolean;
  /** Let in a person who must replace a temporary password (to change it, read `me`, sign out). */
  allowPasswordChange?: boolean;
}

/** The cabinets the session guard read, per request: a handler does not read its own again. */
const guardRead = new WeakMap<SubscriberCtx, SubscriberDoc>();

/**
 * Route guard over the bearer session: 401 `unauthenticated` without a token, `session_expired`
 * for an unknown, expired or ended one (or a deleted cabinet). Unless allowed, a cabinet still
 * awaiting confirmation gets 403 `confirmation_required` and a temporary password 403
 * `password_change_required`. Makes the request's `SubscriberCtx` (`subscriberCtxOf(req)`).
 */
export function sessionGuard(options: GuardOptions = {}): RequestHandler {
  return async (req, _res, next) => {
    const ctx = ctxOf(req);
    const header = req.get('authorization');
    if (!bearer(header)) throw new AuthError();
    const active = await activeSession(ctx, header);
    if (!active) throw new AuthError('session_expired');
    const { session, sub } = active;
    if (sub.status !== 'active' && !options.allowUnconfirmed) throw new ForbiddenError('confirmation_required');
    if (sub.mustChangePassword && !options.allowPasswordChange) throw new ForbiddenError('password_change_required');
    const signedIn: SubscriberCtx = { ...ctx, subscriberId: String(sub._id), sessionHash: session._id };
    guardRead.set(signedIn, sub);
    req.subscriberCtx = signedIn;
    next();
  };
}

/** The signed-in person's cabinet, as the session guard read it for this request. */
export async function currentSubscriber(ctx: SubscriberCtx): Promise<SubscriberDoc> {
  const doc = guardRead.get(ctx) ?? (await findById(ctx.tenant.realm, ctx.subscriberId));
  if (!doc) throw new AuthError('session_expired');
  return doc;
}

/** The guard for every subscriber route of every module: a confirmed cabinet with its own password. */
export const requireSubscriber: RequestHandler = sessionGuard();

/** Routes a person may use before confirming or while a password change is due: `me`, sign-out, resend, change password. */
export const requireAnySession: RequestHandler = sessionGuard({ allowUnconfirmed: true, allowPasswordChange: true });

/** Routes open to both: a bearer session when one is sent (it must then be valid, as for `requireSubscriber`), anonymous otherwise. */
export const optionalSubscriber: RequestHandler = (req, res, next) =>
  req.get('authorization') ? requireSubscriber(req, res, next) : next();

/** The session in the request, if any and valid, without refusing the request (for routes open to both). */
export async function optionalSession(ctx: Ctx, header: string | undefined): Promise<SessionDoc | null> {
  return (await activeSession(ctx, header))?.session ?? null;
}

export interface SessionView {
  id: string;
  current: boolean;
  userAgent: string;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/**
 * A listed session's public id: its place in the cabinet's list and a tag derived from the
 * session (`<period>.<n>.<tag>`), never its token hash. Places repeat across cabinets; the tag
 * makes another cabinet's id unknown in this one's list.
 */
const PUBLIC_ID = /^(\d{1,9})\.(\d{1,9})\.([0-9a-f]{16})$/;

function publicId(period: number, entry: SessionEntryDoc): string {
  return `${period}.${entry.seq}.${tagOf(entry.sessionId)}`;
}

function tagOf(sessionId: string): string {
  return createHash('sha256').update(`session-id:${sessionId}`).digest('hex').slice(0, 16);
}

/** The newest `MAX_SESSIONS` entries of the cabinet's list, with their public ids: every live session is among them. */
async function listed(subscriberId: Types.ObjectId, now: number): Promise<{ id: string; entry: SessionEntryDoc }[]> {
  const out: { id: string; entry: SessionEntryDoc }[] = [];
  const period = sessionPeriod(now);
  for (const p of [period, period - 1]) {
    const left = MAX_SESSIONS - out.length;
    if (left <= 0) break;
    const { rows } = await readBefore<SessionEntryDoc>(entries, sessionList(subscriberId, p), left);
    out.push(...rows.map((entry) => ({ id: publicId(p, entry), entry })));
  }
  return out;
}

/** The person's active sessions, the current one first, then by last use. */
export async function listSessions(ctx: SubscriberCtx): Promise<SessionView[]> {
  const sub = await currentSubscriber(ctx);
  const now = Date.now();
  const rows = await listed(sub._id, now);
  const sessions = await Promise.all(rows.map((r) => findByKey<SessionDoc>(Session, r.entry.sessionId)));
  const views: SessionView[] = [];
  rows.forEach((row, i) => {
    const s = sessions[i] ?? null;
    if (!live(s, sub, now)) return;
    views.push({
      id: row.id,
      current: s._id === ctx.sessionHash,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
    });
  });
  return views.sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

/** Ends one of the person's own sessions by its public id (404 for anyone else's: the id is looked up in the person's own list). */
export async function endSession(ctx: SubscriberCtx, id: string): Promise<void> {
  const m = PUBLIC_ID.exec(id);
  if (!m) throw new NotFoundError('session_not_found');
  const entry = await SessionEntry.findById(
    streamId(sessionList(ctx.subscriberId, Number(m[1])), Number(m[2])),
  ).lean<SessionEntryDoc>();
  if (!entry || tagOf(entry.sessionId) !== m[3] || (await Session.deleteOne({ _id: entry.sessionId })).deletedCount === 0) {
    throw new NotFoundError('session_not_found');
  }
}

/** Ends the session of the request (sign-out). */
export async function endCurrentSession(ctx: SubscriberCtx): Promise<void> {
  await Session.deleteOne({ _id: ctx.sessionHash });
}

/** Deletes expired sessions and the lists of periods no longer read (a background sweep, `limit` expiry records at a time). */
export async function sweepSessions(now = new Date(), limit = 10_000): Promise<number> {
  return sweepExpired(SESSION_EXPIRY, now, limit);
}

/** A deleted cabinet's sessions end with it. */
export const dropSessionsOfDeleted: SubscriberDeletedHook = async ({ subscriberId }) => {
  for (const { entry } of await listed(subscriberId, Date.now())) await Session.deleteOne({ _id: entry.sessionId });
};

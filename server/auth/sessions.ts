import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import mongoose, { Types } from 'mongoose';
import { ctxOf, type Ctx } from '../http/context.ts';
import { AuthError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { onSubscriberDeleted } from '../subscribers/hooks.ts';
import { guardState } from '../subscribers/service.ts';
import { Session, type SessionDoc } from './session-model.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;
const KEEP_ENDED_MS = 30 * 24 * 3600 * 1000;

/** Filters pass through mongoose's sanitizeFilter only when marked as ours. */
const NOT_REVOKED = () => mongoose.trusted({ $exists: false });

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Opens a session and returns the bearer token (shown once; only its hash is stored). */
export async function openSession(input: {
  subscriberId: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  userAgent?: string;
  ip?: string;
}): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await Session.create({ ...input, userAgent: (input.userAgent ?? '').slice(0, 300), tokenHash: hashToken(token), expiresAt });
  return { token, expiresAt };
}

export async function revokeSessions(filter: { subscriberId: Types.ObjectId; exceptTokenHash?: string }): Promise<number> {
  const res = await Session.updateMany(
    {
      subscriberId: filter.subscriberId,
      revokedAt: NOT_REVOKED(),
      ...(filter.exceptTokenHash ? { tokenHash: mongoose.trusted({ $ne: filter.exceptTokenHash }) } : {}),
    },
    { $set: { revokedAt: new Date() } },
  );
  return res.modifiedCount;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return m?.[1];
}

async function activeSession(ctx: Ctx, header: string | undefined): Promise<SessionDoc | null> {
  const token = bearer(header);
  if (!token) return null;
  const now = new Date();
  const session = await Session.findOne({
    tokenHash: hashToken(token),
    realm: ctx.tenant.realm,
    expiresAt: mongoose.trusted({ $gt: now }),
    revokedAt: NOT_REVOKED(),
  }).lean<SessionDoc>();
  if (session && now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await Session.updateOne({ _id: session._id }, { $set: { lastSeenAt: now } });
  }
  return session;
}

export interface GuardOptions {
  /** Let in a cabinet whose email or phone is not confirmed yet (to resend the link, read `me`, sign out). */
  allowUnconfirmed?: boolean;
  /** Let in a person who must replace a temporary password (to change it, read `me`, sign out). */
  allowPasswordChange?: boolean;
}

/**
 * Route guard over the bearer session: 401 `unauthenticated` without a token, `session_expired`
 * for an unknown, expired or revoked one (or a deleted cabinet). Unless allowed, a cabinet still
 * awaiting confirmation gets 403 `confirmation_required` and a temporary password 403
 * `password_change_required`. Sets `ctx.subscriberId` and `ctx.sessionHash`.
 */
export function sessionGuard(options: GuardOptions = {}): RequestHandler {
  return async (req, _res, next) => {
    const ctx = ctxOf(req);
    const header = req.get('authorization');
    if (!bearer(header)) throw new AuthError();
    const session = await activeSession(ctx, header);
    if (!session) throw new AuthError('session_expired');
    const state = await guardState(ctx.tenant.realm, session.subscriberId);
    if (!state) throw new AuthError('session_expired');
    if (state.status !== 'active' && !options.allowUnconfirmed) throw new ForbiddenError('confirmation_required');
    if (state.mustChangePassword && !options.allowPasswordChange) throw new ForbiddenError('password_change_required');
    ctx.subscriberId = String(session.subscriberId);
    ctx.sessionHash = session.tokenHash;
    next();
  };
}

/** The guard for every subscriber route of every module: a confirmed cabinet with its own password. */
export const requireSubscriber: RequestHandler = sessionGuard();

/** Routes a person may use before confirming or while a password change is due: `me`, sign-out, resend, change password. */
export const requireAnySession: RequestHandler = sessionGuard({ allowUnconfirmed: true, allowPasswordChange: true });

/** The session in the request, if any and valid, without refusing the request (for routes open to both). */
export async function optionalSession(ctx: Ctx, header: string | undefined): Promise<SessionDoc | null> {
  return activeSession(ctx, header);
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

function subscriberOf(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new AuthError();
  return new Types.ObjectId(ctx.subscriberId);
}

/** The person's active sessions, the current one first, then by last use. */
export async function listSessions(ctx: Ctx): Promise<SessionView[]> {
  const rows = await Session.find({
    realm: ctx.tenant.realm,
    subscriberId: subscriberOf(ctx),
    expiresAt: mongoose.trusted({ $gt: new Date() }),
    revokedAt: NOT_REVOKED(),
  })
    .sort({ lastSeenAt: -1 })
    .limit(100)
    .lean<SessionDoc[]>();
  return rows
    .map((s) => ({
      id: String(s._id),
      current: s.tokenHash === ctx.sessionHash,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** Ends one of the person's own sessions (404 for anyone else's). */
export async function endSession(ctx: Ctx, id: string): Promise<void> {
  if (!Types.ObjectId.isValid(id)) throw new NotFoundError('session_not_found');
  const res = await Session.updateOne(
    { _id: new Types.ObjectId(id), realm: ctx.tenant.realm, subscriberId: subscriberOf(ctx), revokedAt: NOT_REVOKED() },
    { $set: { revokedAt: new Date() } },
  );
  if (res.matchedCount === 0) throw new NotFoundError('session_not_found');
}

/** Ends the session of the request (sign-out). */
export async function endCurrentSession(ctx: Ctx): Promise<void> {
  if (!ctx.sessionHash) throw new AuthError();
  await Session.updateOne({ tokenHash: ctx.sessionHash, revokedAt: NOT_REVOKED() }, { $set: { revokedAt: new Date() } });
}

/** Deletes sessions that expired or were ended more than a month ago. */
export async function sweepSessions(now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - KEEP_ENDED_MS);
  const res = await Session.deleteMany({
    $or: [{ expiresAt: mongoose.trusted({ $lt: now }) }, { revokedAt: mongoose.trusted({ $lt: before }) }],
  });
  return res.deletedCount;
}

onSubscriberDeleted('auth.sessions', async ({ subscriberId }) => {
  await Session.deleteMany({ subscriberId });
});

import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Types } from 'mongoose';
import { ctxOf } from '../http/context.ts';
import { AuthError } from '../http/errors.ts';
import { Session } from './session-model.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

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
  await Session.create({ ...input, tokenHash: hashToken(token), expiresAt });
  return { token, expiresAt };
}

export async function revokeSessions(filter: { subscriberId: Types.ObjectId; exceptTokenHash?: string }): Promise<number> {
  const res = await Session.updateMany(
    {
      subscriberId: filter.subscriberId,
      revokedAt: { $exists: false },
      ...(filter.exceptTokenHash ? { tokenHash: { $ne: filter.exceptTokenHash } } : {}),
    },
    { $set: { revokedAt: new Date() } },
  );
  return res.modifiedCount;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return m?.[1];
}

/**
 * Route guard: a valid, unexpired, unrevoked session of this tenant's realm.
 * Sets `ctx.subscriberId` and `ctx.sessionHash`; anything else is 401 `unauthenticated`.
 */
export const requireSubscriber: RequestHandler = async (req, _res, next) => {
  const ctx = ctxOf(req);
  const token = bearer(req.get('authorization'));
  if (!token) throw new AuthError();
  const tokenHash = hashToken(token);
  const now = new Date();
  const session = await Session.findOne({
    tokenHash,
    realm: ctx.tenant.realm,
    expiresAt: { $gt: now },
    revokedAt: { $exists: false },
  }).lean();
  if (!session) throw new AuthError('session_expired');
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await Session.updateOne({ _id: session._id }, { $set: { lastSeenAt: now } });
  }
  ctx.subscriberId = String(session.subscriberId);
  ctx.sessionHash = tokenHash;
  next();
};

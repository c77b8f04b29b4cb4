import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import { attemptWithin, clearKey } from './limits.ts';
import { VerificationToken, type TokenPurpose, type VerificationTokenDoc } from './token-model.ts';

export const CODE_LENGTH = 6;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

interface Issue {
  realm: string;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  purpose: TokenPurpose;
  expiresAt: Date;
  target?: { field: 'email' | 'phone'; value: string };
}

/** A new token replaces the subscriber's previous one of the same purpose. */
async function replace(input: Issue, fields: Pick<VerificationTokenDoc, 'kind' | 'hash'> & { salt?: string }): Promise<void> {
  await VerificationToken.deleteMany({ realm: input.realm, subscriberId: input.subscriberId, purpose: input.purpose });
  await VerificationToken.create({ ...input, ...fields });
}

/** Issues a link token (256 random bits, shown once). */
export async function issueLinkToken(input: Issue): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await replace(input, { kind: 'link', hash: sha256(token) });
  return token;
}

/** Issues a six-digit code, stored as a salted hash. */
export async function issueCode(input: Issue): Promise<string> {
  const code = String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
  const salt = randomBytes(16).toString('base64url');
  await replace(input, { kind: 'code', hash: sha256(`${salt}:${code}`), salt });
  return code;
}

export type Consumed = { ok: true; token: VerificationTokenDoc } | { ok: false; reason: 'invalid' | 'expired' | 'exhausted' };

/**
 * Takes a token out of the store: the delete is what makes it single use (of two concurrent
 * uses, only one deletes it).
 */
async function take(token: VerificationTokenDoc): Promise<Consumed> {
  const { deletedCount } = await VerificationToken.deleteOne({ _id: token._id });
  return deletedCount === 1 ? { ok: true, token } : { ok: false, reason: 'invalid' };
}

/**
 * Uses a link token of the realm and purpose. `check` runs before the token is spent, so input
 * that depends on whose token it is (a new password) can be refused without losing the link.
 */
export async function consumeLinkToken(
  realm: string,
  purpose: TokenPurpose,
  token: string,
  check?: (found: VerificationTokenDoc) => Promise<void>,
): Promise<Consumed> {
  const found = await VerificationToken.findOne({
    hash: sha256(token),
    realm,
    purpose,
    kind: 'link',
  }).lean<VerificationTokenDoc>();
  if (!found) return { ok: false, reason: 'invalid' };
  if (found.expiresAt <= new Date()) return { ok: false, reason: 'expired' };
  await check?.(found);
  return take(found);
}

/**
 * Uses the subscriber's code of a purpose. Every try counts; after `maxAttempts` the code is void
 * and a new one must be requested.
 */
export async function consumeCode(
  realm: string,
  subscriberId: Types.ObjectId,
  purpose: TokenPurpose,
  code: string,
  maxAttempts: number,
): Promise<Consumed> {
  const found = await VerificationToken.findOne({ realm, subscriberId, purpose, kind: 'code' }).lean<VerificationTokenDoc>();
  if (!found?.salt) return { ok: false, reason: 'invalid' };
  if (found.expiresAt <= new Date()) return { ok: false, reason: 'expired' };
  const attemptsKey = `code:${found._id}`;
  if (!(await attemptWithin(attemptsKey, maxAttempts, found.expiresAt.getTime() - Date.now()))) {
    await VerificationToken.deleteOne({ _id: found._id });
    await clearKey(attemptsKey);
    return { ok: false, reason: 'exhausted' };
  }
  const expected = Buffer.from(found.hash, 'hex');
  const given = Buffer.from(sha256(`${found.salt}:${code}`), 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
  const taken = await take(found);
  if (taken.ok) await clearKey(attemptsKey);
  return taken;
}

export async function dropTokens(realm: string, subscriberId: Types.ObjectId, purpose?: TokenPurpose): Promise<void> {
  await VerificationToken.deleteMany({ realm, subscriberId, ...(purpose ? { purpose } : {}) });
}

export async function sweepTokens(now = new Date()): Promise<number> {
  return (await VerificationToken.deleteMany({ expiresAt: mongoose.trusted({ $lt: now }) })).deletedCount;
}

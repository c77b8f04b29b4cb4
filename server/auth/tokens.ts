import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Types } from 'mongoose';
import { dueAt, expiry, sweepExpired } from '../db/kernel/expiry.ts';
import { findByKey, key } from '../db/kernel/keys.ts';
import { attemptWithin } from '../http/limits.ts';
import {
  CurrentToken,
  VerificationToken,
  type CurrentTokenDoc,
  type TokenPurpose,
  type VerificationTokenDoc,
} from './token-model.ts';

export const CODE_LENGTH = 6;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Tokens are swept in buckets of ten minutes, by the minutely auth sweep. */
const TOKEN_EXPIRY = expiry('tokens', 600_000, [VerificationToken, CurrentToken]);

/** Tries at a code are counted over this window: longer than any code lives, so every try counts. */
const CODE_TRIES_WINDOW_MS = 24 * 3600_000;

interface Issue {
  realm: string;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  purpose: TokenPurpose;
  expiresAt: Date;
  target?: { field: 'email' | 'phone'; value: string };
  passwordHash?: string;
}

/** The key of a cabinet's current token of a purpose. */
export function currentTokenId(realm: string, subscriberId: Types.ObjectId, purpose: TokenPurpose): string {
  return key(realm, String(subscriberId), purpose);
}

/** A new token replaces the subscriber's previous one of the same purpose, which stops working. */
async function replace(input: Issue, fields: Pick<CurrentTokenDoc, 'kind' | 'hash'> & { salt?: string }): Promise<void> {
  const id = currentTokenId(input.realm, input.subscriberId, input.purpose);
  const previous = await findByKey<CurrentTokenDoc>(CurrentToken, id);
  await dueAt(TOKEN_EXPIRY, VerificationToken, fields.hash, input.expiresAt);
  await dueAt(TOKEN_EXPIRY, CurrentToken, id, input.expiresAt);
  await VerificationToken.create({
    _id: fields.hash,
    realm: input.realm,
    subscriberId: input.subscriberId,
    purpose: input.purpose,
    expiresAt: input.expiresAt,
  });
  await CurrentToken.replaceOne({ _id: id }, { _id: id, ...input, ...fields, createdAt: new Date() }, { upsert: true });
  if (previous) await VerificationToken.deleteOne({ _id: previous.hash });
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

export type Consumed = { ok: true; token: CurrentTokenDoc } | { ok: false; reason: 'invalid' | 'expired' | 'exhausted' };

/** Spends a token: deleting it is what makes it single use (of two concurrent uses, only one deletes it). */
async function take(token: CurrentTokenDoc): Promise<Consumed> {
  const { deletedCount } = await VerificationToken.deleteOne({ _id: token.hash });
  return deletedCount === 1 ? { ok: true, token } : { ok: false, reason: 'invalid' };
}

/**
 * Uses a link token of the realm and purpose: found by its hash, and accepted while it is its
 * cabinet's current one. `check` runs before the token is spent, so input that depends on whose
 * token it is (a new password) can be refused without losing the link.
 */
export async function consumeLinkToken(
  realm: string,
  purpose: TokenPurpose,
  token: string,
  check?: (found: CurrentTokenDoc) => Promise<void>,
): Promise<Consumed> {
  const hash = sha256(token);
  const issued = await findByKey<VerificationTokenDoc>(VerificationToken, hash);
  if (!issued || issued.realm !== realm || issued.purpose !== purpose) return { ok: false, reason: 'invalid' };
  const found = await findByKey<CurrentTokenDoc>(CurrentToken, currentTokenId(realm, issued.subscriberId, purpose));
  if (found?.kind !== 'link' || found.hash !== hash) return { ok: false, reason: 'invalid' };
  if (found.expiresAt <= new Date()) return { ok: false, reason: 'expired' };
  await check?.(found);
  return take(found);
}

/**
 * Uses the subscriber's code of a purpose. Every try counts (before the code is compared); after
 * `maxAttempts` the code is void and a new one must be requested.
 */
export async function consumeCode(
  realm: string,
  subscriberId: Types.ObjectId,
  purpose: TokenPurpose,
  code: string,
  maxAttempts: number,
): Promise<Consumed> {
  const found = await findByKey<CurrentTokenDoc>(CurrentToken, currentTokenId(realm, subscriberId, purpose));
  if (found?.kind !== 'code' || !found.salt) return { ok: false, reason: 'invalid' };
  if (found.expiresAt <= new Date()) return { ok: false, reason: 'expired' };
  if (!(await attemptWithin(`code:${found.hash}`, maxAttempts, CODE_TRIES_WINDOW_MS))) {
    // The try that finds the tries used up voids the code; later ones find it void.
    const voided = (await VerificationToken.deleteOne({ _id: found.hash })).deletedCount === 1;
    return { ok: false, reason: voided ? 'exhausted' : 'invalid' };
  }
  const expected = Buffer.from(found.hash, 'hex');
  const given = Buffer.from(sha256(`${found.salt}:${code}`), 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
  return take(found);
}

/** The cabinet's current token of a purpose, if any (to send it again with what it carries). */
export async function currentToken(
  realm: string,
  subscriberId: Types.ObjectId,
  purpose: TokenPurpose,
): Promise<CurrentTokenDoc | null> {
  return findByKey<CurrentTokenDoc>(CurrentToken, currentTokenId(realm, subscriberId, purpose));
}

/** Removes the subscriber's tokens (of one purpose, or all): at most one per purpose. */
export async function dropTokens(realm: string, subscriberId: Types.ObjectId, purpose?: TokenPurpose): Promise<void> {
  for (const p of purpose ? [purpose] : (['confirm', 'reset', 'contact'] as const)) {
    const id = currentTokenId(realm, subscriberId, p);
    const found = await findByKey<CurrentTokenDoc>(CurrentToken, id);
    if (!found) continue;
    await VerificationToken.deleteOne({ _id: found.hash });
    await CurrentToken.deleteOne({ _id: id });
  }
}

/** Removes expired tokens (a background sweep, `limit` expiry records at a time). */
export async function sweepTokens(now = new Date(), limit = 10_000): Promise<number> {
  return sweepExpired(TOKEN_EXPIRY, now, limit);
}

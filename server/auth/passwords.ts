import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s). Stored with each hash, so it can be raised later. */
const CURRENT = { log2N: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/**
 * Derivations running at once in this process; the others wait their turn. Each holds 32 MiB and a
 * core for about 0.1 s: with libuv's four threads, 20 sign-ins at once raised the server's peak RSS
 * by 128 MB (docs/benchmarks.md, "API at scale"), and more than two at once finish no sooner on the
 * two cores the server shares with its database.
 */
export const passwordWork = pLimit(2);

function derive(password: string, salt: Buffer, params: { log2N: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** params.log2N;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return passwordWork(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/** `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<key b64url>`: per-hash salt and parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, CURRENT);
  return ['scrypt', CURRENT.log2N, CURRENT.r, CURRENT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parse(stored: string) {
  const [scheme, log2N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  const params = { log2N: Number(log2N), r: Number(r), p: Number(p) };
  if (![params.log2N, params.r, params.p].every((n) => Number.isInteger(n) && n > 0) || params.log2N > 20) return null;
  return { params, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

// Made on first use: modules imported by the test runner must not use top-level await.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(12).toString('hex')));

/**
 * Checks a password against a stored hash. Without a hash (no such person, or no password yet)
 * the same work is done against a dummy, so the answer takes as long either way.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = (stored !== undefined && parse(stored)) || parse(await dummy())!;
  const key = await derive(password, parsed.salt, parsed.params);
  return stored !== undefined && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when the hash was made with weaker parameters than today's (rehash after a successful sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.log2N < CURRENT.log2N || parsed.params.r < CURRENT.r;
}

const LETTERS = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';

/**
 * A temporary password of Latin letters and digits (at least one of each, no look-alikes),
 * as long as the policy allows up to 12, so it passes any letters-and-digits policy.
 */
export function temporaryPassword(policy: { minLength: number; maxLength: number }): string {
  const length = Math.max(policy.minLength, Math.min(12, policy.maxLength));
  const alphabet = LETTERS + DIGITS;
  const chars = [LETTERS[randomInt(LETTERS.length)]!, DIGITS[randomInt(DIGITS.length)]!];
  while (chars.length < length) chars.push(alphabet[randomInt(alphabet.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/**
 * Loaded lazily by the captcha field: altcha-lib's proof-of-work solver alone (a few KB, instead
 * of the ALTCHA element's 32 KB), deriving keys with WebCrypto on the page's thread (its PBKDF2 and
 * SHA work runs off the thread anyway), so no `blob:` worker meets the host page's
 * Content-Security-Policy.
 */
import { solveChallenge, type Challenge } from 'altcha-lib';
import type { CaptchaChallenge } from '../../sdk/auth.ts';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/web/pbkdf2';
import { deriveKey as sha } from 'altcha-lib/algorithms/web/sha';

/**
 * The payload the server checks for `challenge` (base64 JSON of the challenge and its solution,
 * as the ALTCHA element sends it); rejects when it was not solved before the challenge expired.
 */
export async function solve(challenge: CaptchaChallenge, controller: AbortController): Promise<string> {
  const solution = await solveChallenge({
    challenge: challenge as unknown as Challenge,
    controller,
    deriveKey: String(challenge.parameters.algorithm).startsWith('PBKDF2/') ? pbkdf2 : sha,
  });
  if (!solution) throw new Error('captcha_expired');
  const { parameters, signature } = challenge;
  return btoa(JSON.stringify({ challenge: { parameters, signature }, solution }));
}

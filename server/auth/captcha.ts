import { createHmac, randomBytes } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { z } from 'zod';
import { appContext } from '../app-context.ts';
import { dueAt, expiry, sweepExpired } from '../db/kernel/expiry.ts';
import { findByKey, isDuplicateKey } from '../db/kernel/keys.ts';
import { ValidationError } from '../http/errors.ts';
import { CaptchaUse, ServerSecret, type ServerSecretDoc } from './captcha-model.ts';

/**
 * "Protection from robots": self-hosted ALTCHA proof of work. The browser derives PBKDF2 keys
 * until it finds the counter the server hid in the challenge (about a second on a phone);
 * the server checks one derivation and the HMAC signature, and never accepts a challenge twice.
 */
export interface CaptchaDifficulty {
  /** PBKDF2 iterations per try. */
  cost: number;
  /** The hidden counter lies in [counterMin, counterMax]: the expected number of tries. */
  counterMin: number;
  counterMax: number;
  ttlMs: number;
}

/** Used challenges are swept in buckets of ten minutes, by the minutely auth sweep. */
const CAPTCHA_EXPIRY = expiry('captcha', 600_000, [CaptchaUse]);

const DEFAULT_DIFFICULTY: CaptchaDifficulty = { cost: 1_000, counterMin: 1_000, counterMax: 4_000, ttlMs: 10 * 60_000 };
const ALGORITHM = 'PBKDF2/SHA-256';

/** The captcha settings of one app (`AppContext.captcha`): CAPTCHA_HMAC_KEY, and the work asked (tests make it lighter). */
export class CaptchaSettings {
  difficulty: CaptchaDifficulty = DEFAULT_DIFFICULTY;
  private signing: Promise<{ signature: string; key: string }> | undefined;

  constructor(private readonly hmacKey: string | undefined) {}

  /** Patches the default difficulty. */
  setDifficulty(patch: Partial<CaptchaDifficulty>): void {
    this.difficulty = { ...DEFAULT_DIFFICULTY, ...patch };
  }

  /** The signing keys, derived once from the configured key or the one kept in the database. */
  keys(): Promise<{ signature: string; key: string }> {
    this.signing ??= masterKey(this.hmacKey).then((master) => ({
      signature: createHmac('sha256', master).update('altcha-challenge').digest('hex'),
      key: createHmac('sha256', master).update('altcha-derived-key').digest('hex'),
    }));
    this.signing.catch(() => (this.signing = undefined));
    return this.signing;
  }
}

/** The configured key, or one generated once and kept in the database so all instances share it. */
async function masterKey(hmacKey: string | undefined): Promise<string> {
  if (hmacKey) return hmacKey;
  const id = 'captcha-hmac';
  try {
    await ServerSecret.create({ _id: id, value: randomBytes(32).toString('base64url') });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const doc = await findByKey<ServerSecretDoc>(ServerSecret, id);
  if (!doc) throw new Error('captcha key missing after creation');
  return doc.value;
}

const keys = () => appContext().captcha.keys();

/** A signed challenge bound to the tenant, for `GET auth/captcha`. */
export async function captchaChallenge(tenantSlug: string): Promise<Challenge> {
  const { signature, key } = await keys();
  const d = appContext().captcha.difficulty;
  return createChallenge({
    algorithm: ALGORITHM,
    cost: d.cost,
    counter: randomInt(d.counterMax, d.counterMin),
    deriveKey,
    data: { tenant: tenantSlug },
    expiresAt: new Date(Date.now() + d.ttlMs),
    hmacSignatureSecret: signature,
    hmacKeySignatureSecret: key,
  });
}

const Payload = z.object({
  challenge: z.object({
    parameters: z.looseObject({
      algorithm: z.literal(ALGORITHM),
      nonce: z.string().min(8).max(200),
      expiresAt: z.number(),
      data: z.looseObject({ tenant: z.string() }),
    }),
    signature: z.string(),
  }),
  solution: z.object({ counter: z.number().int().nonnegative(), derivedKey: z.string().max(256) }),
});

function parsePayload(payload: string): z.infer<typeof Payload> | null {
  try {
    const parsed = Payload.safeParse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function invalid(code: 'captcha_required' | 'captcha_invalid' | 'captcha_expired'): ValidationError {
  return new ValidationError({ captcha: { code } });
}

/** The payload's challenge if it is signed by us, for this tenant, not expired and solved; a field error on `captcha` otherwise. */
async function solvedChallenge(tenantSlug: string, payload: string | undefined): Promise<{ nonce: string; expiresAt: number }> {
  if (!payload) throw invalid('captcha_required');
  const parsed = parsePayload(payload);
  if (!parsed || parsed.challenge.parameters.data.tenant !== tenantSlug) throw invalid('captcha_invalid');
  const { signature, key } = await keys();
  const result = await verifySolution({
    challenge: parsed.challenge as unknown as Challenge,
    solution: parsed.solution,
    deriveKey,
    hmacSignatureSecret: signature,
    hmacKeySignatureSecret: key,
  });
  if (result.expired) throw invalid('captcha_expired');
  if (!result.verified) throw invalid('captcha_invalid');
  return { nonce: parsed.challenge.parameters.nonce, expiresAt: parsed.challenge.parameters.expiresAt };
}

/**
 * Checks the widget's payload (base64 JSON of challenge + solution): signed by us, for this
 * tenant, not expired, solved, and not used before. Throws a field error on `captcha` otherwise.
 */
export async function verifyCaptcha(tenantSlug: string, payload: string | undefined): Promise<void> {
  const { nonce, expiresAt } = await solvedChallenge(tenantSlug, payload);
  const until = new Date(expiresAt * 1000);
  await dueAt(CAPTCHA_EXPIRY, CaptchaUse, nonce, until);
  try {
    await CaptchaUse.create({ _id: nonce, expiresAt: until });
  } catch (err) {
    if (isDuplicateKey(err)) throw invalid('captcha_invalid');
    throw err;
  }
}

/**
 * Checks a payload as `verifyCaptcha` does without using it up (one `_id` lookup of its use):
 * a cheap test before reading a large upload that `verifyCaptcha` then accepts or refuses.
 */
export async function checkCaptcha(tenantSlug: string, payload: string | undefined): Promise<void> {
  const { nonce } = await solvedChallenge(tenantSlug, payload);
  if (await findByKey(CaptchaUse, nonce)) throw invalid('captcha_invalid');
}

/** Forgets used challenges once they have expired anyway (a background sweep, `limit` expiry records at a time). */
export async function sweepCaptcha(now = new Date(), limit = 10_000): Promise<number> {
  return sweepExpired(CAPTCHA_EXPIRY, now, limit);
}

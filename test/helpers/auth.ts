import { randomBytes } from 'node:crypto';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { CurrentToken, type TokenPurpose } from '../../server/auth/token-model.ts';
import { currentTokenId } from '../../server/auth/tokens.ts';
import { findByLogin } from '../../server/subscribers/service.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import type { NotifyOptions } from '../../server/notify/service.ts';
import { codeIn, linkParam, startMailCatcher, type MailCatcher } from './mail.ts';
import { api, testApp, testServer } from './server.ts';

export const LOOSE_LIMITS = { points: 100_000, windowMs: 60_000 };

/**
 * Auth tests: every request comes from 127.0.0.1, so per-IP limits are opened up (the limit
 * tests set their own); captcha work is light but solved for real; no response floor except
 * where a test measures it.
 */
export function relaxAuthForTests(): void {
  testApp().captcha.setDifficulty({ cost: 1, counterMin: 1, counterMax: 30 });
  testApp().auth.setPolicy({
    limits: {
      register: { ip: LOOSE_LIMITS, login: LOOSE_LIMITS, tenant: LOOSE_LIMITS },
      login: { ip: LOOSE_LIMITS },
      confirm: { ip: LOOSE_LIMITS },
      forgot: { ip: LOOSE_LIMITS, login: LOOSE_LIMITS },
      resend: { ip: LOOSE_LIMITS, login: LOOSE_LIMITS },
    },
    responseFloorMs: 0,
  });
}

/** Mail of the suite goes to a real SMTP server started here (none after it); the auth policy is relaxed meanwhile. */
export function useMailCatcher(): { mail: () => MailCatcher } {
  let catcher: MailCatcher | undefined;
  let previous: NotifyOptions = {};
  before(async () => {
    previous = testApp().notify.settings();
    catcher = await startMailCatcher();
    testApp().notify.configure({ smtp: catcher.smtp });
    relaxAuthForTests();
  });
  after(async () => {
    testApp().notify.configure(previous);
    testApp().auth.setPolicy({});
    await catcher?.stop();
  });
  return {
    mail: () => {
      if (!catcher) throw new Error('mail catcher not started');
      return catcher;
    },
  };
}

/** A captcha solved as the widget solves it. */
export async function solvedCaptcha(slug: string): Promise<string> {
  const { body: challenge } = await api(`/api/v1/t/${slug}/auth/captcha`);
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

export function uniqueEmail(prefix = 'a'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

/** A unique Russian mobile number (+7 9xx …). */
export function uniquePhone(): string {
  const digits = String(parseInt(randomBytes(4).toString('hex'), 16) % 1_000_000_000).padStart(9, '0');
  return `+79${digits}`;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export const PASSWORD = 'Abc12345';

/** Registers in the link flow (sever-gaz), follows the emailed link and signs in. */
export async function confirmedByLink(mail: MailCatcher, slug = 'sever-gaz', login = uniqueEmail('s')) {
  const reg = await api(`/api/v1/t/${slug}/auth/register`, {
    body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha: await solvedCaptcha(slug) },
  });
  if (reg.status !== 202) throw new Error(`register: ${JSON.stringify(reg.body)}`);
  const token = linkParam(
    await mail.waitFor((m) => m.to.includes(login) && m.text.includes('gaskit-confirm=')),
    'gaskit-confirm',
  );
  const confirmed = await api(`/api/v1/t/${slug}/auth/confirm`, { body: { token } });
  if (confirmed.status !== 200) throw new Error(`confirm: ${JSON.stringify(confirmed.body)}`);
  const signed = await api(`/api/v1/t/${slug}/auth/login`, { body: { login, password: 'abc12' } });
  return { login, password: 'abc12', token: signed.body.token as string, me: signed.body.me };
}

export { codeIn, linkParam };

/** Changes a tenant's registration settings for one test and puts them back after. */
export async function withRegistration<T>(slug: string, patch: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  const before = await Tenant.findOne({ slug }).lean();
  if (!before) throw new Error(`no tenant ${slug}`);
  const set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [`registration.${k}`, v]));
  await Tenant.updateOne({ slug }, { $set: set });
  clearTenantCache();
  try {
    return await run();
  } finally {
    await Tenant.updateOne({ slug }, { $set: { registration: before.registration } });
    clearTenantCache();
  }
}

export async function subscriberByLogin(slug: string, login: string) {
  const tenant = await Tenant.findOne({ slug }).lean();
  return findByLogin(tenant!.realm, login);
}

/** Moves the expiry of a cabinet's current link or code of a purpose into the past. */
export async function expireToken(slug: string, login: string, purpose: TokenPurpose) {
  const sub = await subscriberByLogin(slug, login);
  await CurrentToken.updateOne(
    { _id: currentTokenId(sub!.realm, sub!._id, purpose) },
    { $set: { expiresAt: new Date(Date.now() - 1000) } },
  );
}

export { testServer };

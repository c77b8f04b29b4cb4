import type { GaskitClient, RegistrationConfig } from '../../sdk/index.ts';
import { fakeApi, tenantConfig, translations, type FakeApiOptions } from './fake-api.ts';

/** The auth widgets' real texts (auth, registration, captcha, settings, errors), as the server serves them. */
export async function loadAuthTexts(): Promise<void> {
  for (const lng of ['ru', 'en']) {
    const [auth, password, registration, captcha, settings, errors, common] = await Promise.all(
      ['auth', 'password', 'registration', 'captcha', 'settings', 'errors', 'common'].map(
        async (ns) => (await fetch(`/locales/${lng}/${ns}.json`)).json() as Promise<Record<string, unknown>>,
      ),
    );
    translations[lng]!.auth = auth!;
    translations[lng]!.password = password!;
    translations[lng]!.registration = registration!;
    translations[lng]!.captcha = captcha!;
    translations[lng]!.settings = settings!;
    translations[lng]!.errors = { ...translations[lng]!.errors, ...errors };
    translations[lng]!.common = { ...translations[lng]!.common, ...common };
  }
}

/** The demo suppliers' three flows (DESIGN.md, Demo mode). */
export const FLOWS: Record<'link' | 'code' | 'temporary', RegistrationConfig> = {
  link: {
    logins: ['email'],
    confirmation: 'link',
    personTypes: false,
    password: { minLength: 5, maxLength: 10, pattern: '^[A-Za-z0-9]+$', ruleKey: 'latin_letters_digits' },
    captcha: false,
    consent: { url: '/docs/agreement.html', version: '2026-01' },
  },
  code: {
    logins: ['email', 'phone'],
    confirmation: 'code',
    personTypes: false,
    password: { minLength: 5, maxLength: 10, pattern: '^[A-Za-z0-9]+$', ruleKey: 'latin_letters_digits' },
    captcha: false,
    consent: { url: '/docs/agreement.html', version: '2026-01' },
  },
  temporary: {
    logins: ['email'],
    confirmation: 'code-temp-password',
    personTypes: true,
    password: { minLength: 8, maxLength: 64, pattern: '^(?=.*[A-Za-z])(?=.*\\d)\\S+$', ruleKey: 'letters_and_digits' },
    captcha: false,
    consent: { url: '/docs/access-rules.pdf', version: '2026-03' },
  },
};

export interface AuthFake {
  client: GaskitClient;
  requests: string[];
  /** Request bodies by "METHOD path". */
  bodies: Record<string, unknown[]>;
}

/** fakeApi with the tenant's registration settings replaced and every request body recorded. */
export function authFake(registration: RegistrationConfig, options: FakeApiOptions = {}): AuthFake {
  const bodies: Record<string, unknown[]> = {};
  const routes = Object.fromEntries(
    Object.entries(options.routes ?? {}).map(([key, route]) => [
      key,
      (body: unknown) => {
        (bodies[key] ??= []).push(body);
        return route(body);
      },
    ]),
  );
  const fake = fakeApi({ ...options, routes });
  const config = { ...tenantConfig(), registration };
  fake.client.getConfig = () => Promise.resolve(config);
  return { ...fake, bodies };
}

/** An ALTCHA challenge any browser solves in a few hundred tries (the fake server checks nothing). */
export function easyChallenge() {
  const hex = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
  return { parameters: { algorithm: 'SHA-256', nonce: hex(16), salt: hex(16), cost: 1, keyLength: 32, keyPrefix: '0' } };
}

export function pendingAnswer(login: string, method: 'link' | 'code', channel: 'email' | 'sms' = 'email') {
  return {
    status: 'pending',
    login,
    loginKind: channel === 'sms' ? 'phone' : 'email',
    channel,
    method,
    confirmBy: '2026-07-02T12:00:00.000Z',
    resendAfter: 60,
  };
}

export function me(overrides: Record<string, unknown> = {}) {
  return {
    id: 's1',
    login: 'ivanov@example.ru',
    loginKind: 'email',
    email: 'ivanov@example.ru',
    phone: null,
    fullName: '',
    personType: 'individual',
    status: 'active',
    mustChangePassword: false,
    confirmBy: null,
    consent: { version: '2026-01', url: '/docs/agreement.html', acceptedAt: '2026-01-15T09:30:00.000Z' },
    createdAt: '2026-01-15T09:30:00.000Z',
    ...overrides,
  };
}

import { createClient, type GaskitClient, type TenantConfig, type Translations } from '../../sdk/index.ts';

export const translations: Record<string, Translations['resources']> = {
  ru: {
    common: { hint: 'Подсказка', loading: 'Загрузка…', greeting: 'Здравствуйте, {{name}}!' },
    errors: {
      unknown: 'Что-то пошло не так.',
      required: 'Заполните поле.',
      invalid_email: 'Проверьте адрес электронной почты.',
      too_short: 'Не короче {{min}} символов.',
      account_not_found: 'Лицевой счёт не найден.',
      email_taken: 'Этот адрес уже зарегистрирован.',
    },
  },
  en: {
    common: { hint: 'Hint', loading: 'Loading…', greeting: 'Hello, {{name}}!' },
    errors: {
      unknown: 'Something went wrong.',
      required: 'Fill in this field.',
      invalid_email: 'Check the email address.',
      too_short: 'At least {{min}} characters.',
      account_not_found: 'Account not found.',
      email_taken: 'This address is already registered.',
    },
  },
};

export function tenantConfig(tokens: Record<string, string> = {}): TenantConfig {
  return {
    tenant: {
      slug: 'sever-gaz',
      name: 'Северогаз (демо)',
      legalName: 'ООО «Северогаз»',
      region: '35',
      realm: 'gazregion',
      logoUrl: null,
    },
    theme: { name: 'sever', cssUrl: '/themes/sever.css', tokens },
    locales: ['ru', 'en'],
    defaultLocale: 'ru',
    registration: {
      logins: ['email'],
      confirmation: 'link',
      personTypes: false,
      password: { minLength: 5, maxLength: 10, pattern: '[A-Za-z0-9]+', ruleKey: 'auth:password.rule' },
      captcha: false,
      consent: { url: '/consent', version: '1' },
    },
    accounts: { numberPattern: '\\d{1,10}', maxAccounts: 10 },
    readings: { windowStartDay: 15, windowEndDay: 25, outsideWindow: 'reject' },
    payments: { provider: 'demo', currency: 'RUB', minAmount: 100, maxAmount: 15_000_000 },
    support: { topics: [], email: 'support@sever-gaz.example' },
    suppliers: [],
  };
}

type Route = (body: unknown) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export interface FakeApiOptions {
  locale?: string;
  tokens?: Record<string, string>;
  /** Extra answers by "METHOD path" (path relative to the tenant), e.g. "POST auth/login". */
  routes?: Record<string, Route>;
  /** Makes every request fail as if the network were down. */
  offline?: boolean;
  /** Holds translation answers until this promise resolves. */
  translationsGate?: Promise<void>;
}

export interface FakeApi {
  client: GaskitClient;
  /** "METHOD path" of every request, in order; a texts request with its `?ns=` when it names namespaces. */
  requests: string[];
}

/**
 * A real SDK client whose fetch answers like the server for config, i18n (the namespaces `ns`
 * asks, else all) and the given routes, so widget tests exercise the whole chain without a server.
 */
export function fakeApi({ locale = 'ru', tokens, routes = {}, offline = false, translationsGate }: FakeApiOptions = {}): FakeApi {
  const requests: string[] = [];
  const prefix = '/api/v1/t/sever-gaz/';
  const fetch = async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const relative = url.pathname.slice(prefix.length);
    const key = `${init.method ?? 'GET'} ${relative}`;
    const language = /^i18n\/(.+)$/.exec(relative)?.[1];
    const asked = url.searchParams.get('ns');
    requests.push(language && asked ? `${key}?ns=${asked}` : key);
    if (offline) throw new TypeError('Failed to fetch');
    let reply: { status: number; body?: unknown };
    if (relative === 'config') reply = { status: 200, body: tenantConfig(tokens) };
    else if (language && translations[language]) {
      await translationsGate;
      const all = translations[language];
      const namespaces = asked ? asked.split(',') : Object.keys(all);
      reply = {
        status: 200,
        body: { lng: language, resources: Object.fromEntries(namespaces.map((ns) => [ns, all[ns] ?? {}])) },
      };
    } else if (routes[key]) reply = await routes[key](init.body ? JSON.parse(String(init.body)) : undefined);
    else reply = { status: 404, body: { error: { code: 'not_found', message: `No route ${key}` } } };
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return { client: createClient({ apiBase: 'https://api.test', tenant: 'sever-gaz', locale, fetch }), requests };
}

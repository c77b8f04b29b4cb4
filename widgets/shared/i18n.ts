import i18next, { type i18n as I18n } from 'i18next';
import { pickLocale } from '../../sdk/locale.ts';
import type { TenantClient } from '../../sdk/tenant-client.ts';
import { pageSingleton } from './page.ts';

/**
 * Messages that must show even when the tenant's translations cannot be
 * loaded (offline, server down). Server resources override them when loaded.
 */
const builtIn = {
  ru: {
    errors: {
      network_error: 'Нет связи с сервером. Проверьте подключение к интернету и повторите попытку.',
      unknown: 'Что-то пошло не так. Повторите попытку позже.',
    },
  },
  en: {
    errors: {
      network_error: 'Cannot reach the server. Check your connection and try again.',
      unknown: 'Something went wrong. Please try again later.',
    },
  },
};

export const builtInLanguages = Object.keys(builtIn);

/** The one i18next instance of the page, shared by all bundles and widgets. */
export const i18n: I18n = pageSingleton('i18next', () => {
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: builtIn,
    fallbackLng: false,
    defaultNS: 'common',
    ns: [],
    interpolation: { escapeValue: false },
    // Never show a raw key to a subscriber: a missing text renders empty.
    parseMissingKeyHandler: () => '',
  });
  return instance;
});

const loads = pageSingleton('translations', () => new WeakMap<TenantClient, Map<string, Promise<void>>>());

/**
 * Loads the tenant's resources for the supported language closest to
 * `requested` into the shared instance, once per client and language, and
 * returns that language. A failed load is retried on the next call.
 * Resources of several tenants on one page share the instance: the last
 * loaded wins for keys they both define.
 */
export async function loadTranslations(client: TenantClient, requested: string): Promise<string> {
  const config = await client.getConfig();
  const lng = pickLocale(requested, config.locales, config.defaultLocale);
  let byLanguage = loads.get(client);
  if (!byLanguage) {
    byLanguage = new Map();
    loads.set(client, byLanguage);
  }
  let pending = byLanguage.get(lng);
  if (!pending) {
    const cache = byLanguage;
    pending = client.getTranslations(lng).then(({ resources }) => {
      for (const [ns, bundle] of Object.entries(resources)) i18n.addResourceBundle(lng, ns, bundle, true, true);
    });
    pending.catch(() => cache.delete(lng));
    byLanguage.set(lng, pending);
  }
  await pending;
  return lng;
}

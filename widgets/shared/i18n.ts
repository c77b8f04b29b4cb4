import { pickLocale } from '../../sdk/locale.ts';
import type { TenantClient } from '../../sdk/tenant-client.ts';
import type { WidgetNamespace } from '../../sdk/types.ts';
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

type Resources = Record<string, unknown>;

/**
 * The page's texts by language and namespace, and their lookup: `ns:a.b` (the namespace
 * `common` when none is named), `{{name}}` filled with the value given (a missing one with
 * nothing), and with `count` the plural form of the language (`key_one`, `key_few`…, `key_zero`
 * for 0 where there is one), as the locales/ JSON is written. A missing text is empty: a raw key
 * is never shown to a subscriber. No text falls back to another language.
 */
export class Translations {
  private readonly resources: Record<string, Record<string, Resources>> = {};
  private readonly listeners = new Set<() => void>();

  constructor(initial: Record<string, Record<string, Resources>>) {
    for (const [lng, namespaces] of Object.entries(initial))
      for (const [ns, bundle] of Object.entries(namespaces)) this.add(lng, ns, bundle);
  }

  /** Merges a namespace's texts into a language (the new ones win) and tells the listeners. */
  add(lng: string, ns: string, bundle: Resources): void {
    const byNs = (this.resources[lng] ??= {});
    byNs[ns] = merge(byNs[ns] ?? {}, bundle);
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` whenever texts are added; returns what stops it. */
  onAdded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  t(lng: string, key: string, values: Record<string, unknown> = {}): string {
    const count = values.count;
    let text: unknown;
    if (typeof count === 'number') {
      text =
        (count === 0 ? this.find(lng, `${key}_zero`) : undefined) ??
        this.find(lng, `${key}_${new Intl.PluralRules(lng).select(count)}`) ??
        this.find(lng, `${key}_other`);
    }
    text ??= this.find(lng, key);
    if (typeof text !== 'string') return '';
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name] ?? ''));
  }

  exists(lng: string, key: string): boolean {
    return typeof this.find(lng, key) === 'string';
  }

  private find(lng: string, key: string): unknown {
    const colon = key.indexOf(':');
    const ns = colon < 0 ? 'common' : key.slice(0, colon);
    let node: unknown = this.resources[lng]?.[ns];
    for (const part of key.slice(colon + 1).split('.')) node = (node as Resources | undefined)?.[part];
    return node;
  }
}

function merge(target: Resources, source: Resources): Resources {
  const out = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const before = out[key];
    out[key] =
      value && typeof value === 'object' && before && typeof before === 'object'
        ? merge(before as Resources, value as Resources)
        : value;
  }
  return out;
}

/** The page's one set of texts, shared by all bundles and widgets. */
export const i18n: Translations = pageSingleton('translations.v2', () => new Translations(builtIn));

/** The namespaces every widget shows: its own texts come on top of these. */
export const BASE_NAMESPACES: readonly WidgetNamespace[] = ['common', 'errors'];

/** A request for texts still gathering the namespaces asked in this task. */
interface Batch {
  namespaces: WidgetNamespace[];
  loaded: Promise<void>;
}

/**
 * One client's loads of one language: each namespace's load, and the batches still being
 * gathered: the base namespaces go in a request of their own, the same address on every page of a
 * site, so the browser's cache serves it to the next page; the widgets' own in another.
 */
interface LanguageLoads {
  namespaces: Map<WidgetNamespace, Promise<void>>;
  batches: { base?: Batch; own?: Batch };
}

const loads = pageSingleton('translations.namespaces', () => new WeakMap<TenantClient, Map<string, LanguageLoads>>());

/**
 * Loads the given namespaces of the tenant's texts, in the supported language closest to
 * `requested`, into the shared instance, and returns that language. A namespace is asked once per
 * client and language: those already loaded or on their way are not asked again, and the ones
 * asked in the same task (by every widget that starts at once) go in one request — the base
 * namespaces in one of their own — sorted so that caches see the same address. A failed load is retried on the next call. Resources of several
 * tenants on one page share the instance: the last loaded wins for keys they both define.
 */
export async function loadTranslations(
  client: TenantClient,
  requested: string,
  namespaces: readonly WidgetNamespace[],
): Promise<string> {
  const config = await client.getConfig();
  const lng = pickLocale(requested, config.locales, config.defaultLocale);
  let byLanguage = loads.get(client);
  if (!byLanguage) {
    byLanguage = new Map();
    loads.set(client, byLanguage);
  }
  let language = byLanguage.get(lng);
  if (!language) {
    language = { namespaces: new Map(), batches: {} };
    byLanguage.set(lng, language);
  }
  await Promise.all(namespaces.map((ns) => language.namespaces.get(ns) ?? ask(client, lng, language, ns)));
  return lng;
}

/** Adds `ns` to its batch of this task, which is sent once the task's other widgets have asked theirs. */
function ask(client: TenantClient, lng: string, language: LanguageLoads, ns: WidgetNamespace): Promise<void> {
  const kind = BASE_NAMESPACES.includes(ns) ? 'base' : 'own';
  let batch = language.batches[kind];
  if (!batch) {
    const gathering: Batch = { namespaces: [], loaded: Promise.resolve() };
    gathering.loaded = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(() => {
        if (language.batches[kind] === gathering) language.batches[kind] = undefined;
        return client.getTranslations(lng, [...gathering.namespaces].sort());
      })
      .then(({ resources }) => {
        for (const [name, bundle] of Object.entries(resources)) i18n.add(lng, name, bundle);
      });
    gathering.loaded.catch(() => {
      for (const name of gathering.namespaces)
        if (language.namespaces.get(name) === gathering.loaded) language.namespaces.delete(name);
    });
    language.batches[kind] = gathering;
    batch = gathering;
  }
  batch.namespaces.push(ns);
  language.namespaces.set(ns, batch.loaded);
  return batch.loaded;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n, type TOptions } from 'i18next';

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));
export const SUPPORTED_LOCALES = readdirSync(LOCALES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Every `locales/<lng>/<namespace>.json`, read once at start-up. */
function readResources(): Resources {
  const resources: Resources = {};
  for (const lng of SUPPORTED_LOCALES) {
    resources[lng] = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, lng))) {
      if (!file.endsWith('.json')) continue;
      resources[lng][file.slice(0, -5)] = JSON.parse(readFileSync(path.join(LOCALES_DIR, lng, file), 'utf8'));
    }
  }
  return resources;
}

const resources = readResources();
export const NAMESPACES = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))].sort();

const instance: I18n = i18next.createInstance();
await instance.init({
  resources,
  fallbackLng: 'ru',
  supportedLngs: SUPPORTED_LOCALES,
  ns: NAMESPACES,
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** Tenant text overrides: `{ [lng]: { "ns:key.path": "text" } }`. */
export type TextOverrides = Record<string, Record<string, string>>;

export type Translate = (key: string, options?: TOptions) => string;

export function translator(lng: string, overrides: TextOverrides = {}): Translate {
  const t = instance.getFixedT(lng);
  const own = overrides[lng] ?? {};
  return (key, options) => {
    const fullKey = key.includes(':') ? key : `common:${key}`;
    const override = own[fullKey];
    if (override !== undefined) return instance.services.interpolator.interpolate(override, options ?? {}, lng, {});
    return t(fullKey, options) as string;
  };
}

export function hasKey(lng: string, key: string): boolean {
  return instance.exists(key, { lng });
}

/** All namespaces of one language with the tenant's overrides applied, for the widgets. */
export function bundleFor(lng: string, overrides: TextOverrides = {}): Record<string, Record<string, unknown>> {
  const base = structuredClone(resources[lng] ?? {});
  for (const [fullKey, text] of Object.entries(overrides[lng] ?? {})) {
    const [ns, key] = fullKey.split(':', 2) as [string, string | undefined];
    if (!key) continue;
    const parts = key.split('.');
    let node = (base[ns] ??= {}) as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = text;
  }
  return base;
}

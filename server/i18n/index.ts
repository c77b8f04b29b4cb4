import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n, type TOptions } from 'i18next';
import { ROOT } from '../root.ts';

export const LOCALES_DIR = path.join(ROOT, 'locales');
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

// With inline resources and initAsync: false, init completes synchronously.
const instance: I18n = i18next.createInstance();
void instance.init({
  resources,
  fallbackLng: 'ru',
  supportedLngs: SUPPORTED_LOCALES,
  ns: NAMESPACES,
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/**
 * Tenant text overrides, shaped like the resources: `{ [lng]: { [ns]: { key: { nested: "text" } } } }`
 * (nested objects, because MongoDB field names cannot contain dots).
 */
export type TextOverrides = Record<string, Record<string, Record<string, unknown>>>;

export type Translate = (key: string, options?: TOptions) => string;

function lookup(tree: unknown, path: string[]): string | undefined {
  let node = tree;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * Texts that moved, by their path (`namespace.key…`) before → after: `auth.wait` went to `common`,
 * which every widget loads; the sign-up texts, the captcha's, linking an account's, the usage
 * chart's, the PIN form's and the password fields' left `auth`, `accounts` and `billing` for
 * namespaces of their own, so a widget loads only what it shows. A path with no key (`captcha`) is
 * the namespace itself; a path names a tree of texts or one text.
 */
const MOVED_TEXTS: Readonly<Record<string, string>> = {
  'auth.wait': 'common.wait',
  'auth.captcha': 'captcha',
  'auth.register': 'registration',
  'auth.consent': 'registration.consent',
  'auth.confirmed': 'registration.confirmed',
  'auth.linkFailed': 'registration.linkFailed',
  'accounts.link': 'linking',
  'billing.chart': 'chart',
  'accounts.pin': 'pin',
  'auth.fields.newPassword': 'password.new',
  'auth.fields.passwordRepeat': 'password.repeat',
  'auth.fields.showPassword': 'password.show',
  'auth.login.forgot': 'password.forgot',
};

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A supplier's overrides with those written at a text's former path (stored before it moved, or in
 * a tenant file written then) applied at its current one; one written at the current path wins.
 * The stored overrides are read as they are, never changed.
 */
function currentOverrides(overrides: TextOverrides): TextOverrides {
  let out: TextOverrides | undefined;
  for (const [lng, byNs] of Object.entries(overrides)) {
    for (const [from, to] of Object.entries(MOVED_TEXTS)) {
      const [fromNs, ...fromPath] = from.split('.') as [string, ...string[]];
      const moved = fromPath.reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), byNs?.[fromNs]);
      if (!isTree(moved) && typeof moved !== 'string') continue;
      out ??= structuredClone(overrides);
      const [toNs, ...toPath] = to.split('.') as [string, ...string[]];
      const ours = out[lng]!;
      const parent = fromPath.slice(0, -1).reduce((node, key) => node[key] as Tree, ours[fromNs] as Tree);
      delete parent[fromPath.at(-1)!];
      let target = (ours[toNs] ??= {}) as Tree;
      if (typeof moved === 'string') {
        for (const key of toPath.slice(0, -1)) target = isTree(target[key]) ? (target[key] as Tree) : (target[key] = {});
        target[toPath.at(-1)!] ??= moved;
        continue;
      }
      for (const key of toPath) target = isTree(target[key]) ? (target[key] as Tree) : (target[key] = {});
      const current = structuredClone(target);
      deepMerge(target, moved);
      deepMerge(target, current);
    }
  }
  return out ?? overrides;
}

export function translator(lng: string, overrides: TextOverrides = {}): Translate {
  const t = instance.getFixedT(lng);
  const own = currentOverrides(overrides)[lng] ?? {};
  return (key, options) => {
    const [ns, path] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['common', key];
    const override = lookup(own[ns], path.split('.'));
    if (override !== undefined) return instance.services.interpolator.interpolate(override, options ?? {}, lng, {});
    return t(`${ns}:${path}`, options) as string;
  };
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (typeof v === 'object' && v !== null && typeof existing === 'object' && existing !== null) {
      deepMerge(existing as Record<string, unknown>, v as Record<string, unknown>);
    } else if (typeof v === 'string' || (typeof v === 'object' && v !== null)) {
      target[k] = structuredClone(v);
    }
  }
}

/**
 * Texts of the widget namespaces that only the server uses (the department's e-mail, the
 * questions and answers it writes from a supplier's flows, reminders, the provider's payment
 * description): kept out of what widgets download.
 */
export const SERVER_ONLY_TEXTS: Readonly<Record<string, readonly string[]>> = {
  feedback: ['mail', 'faqFlows'],
  readings: ['reminder'],
  payments: ['intentDescription'],
};

/** The given namespaces of one language with the tenant's overrides applied, for the widgets. */
export function bundleFor(
  lng: string,
  namespaces: readonly string[],
  overrides: TextOverrides = {},
): Record<string, Record<string, unknown>> {
  const bundle: Record<string, Record<string, unknown>> = {};
  const own = currentOverrides(overrides)[lng] ?? {};
  for (const ns of namespaces) {
    bundle[ns] = structuredClone(resources[lng]?.[ns] ?? {});
    deepMerge(bundle[ns], own[ns] ?? {});
    for (const key of SERVER_ONLY_TEXTS[ns] ?? []) delete bundle[ns][key];
  }
  return bundle;
}

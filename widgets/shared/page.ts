import { TenantClient } from '../../sdk/tenant-client.ts';

/**
 * A value shared by every Gaskit bundle on the page. Each self-contained
 * bundle (dist/widgets/*.js) has its own copy of these modules, so page-wide
 * state hangs off `globalThis` under a registered symbol.
 */
export function pageSingleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`gaskit.${name}`);
  return (store[key] ??= create());
}

/** Origin of the script these widgets were loaded from: the default API base. */
export const scriptOrigin = new URL(import.meta.url).origin;

const clients = pageSingleton('clients', () => new Map<string, TenantClient>());

/**
 * The page-level client for an API base and tenant, created on first use, for
 * widgets used alone (`tenant` / `api-base` attributes). It keeps the session
 * in sessionStorage so a sign-in survives navigation between the supplier's
 * pages in the tab.
 */
export function pageClient(apiBase: string, tenant: string, locale: string): TenantClient {
  const key = `${apiBase.replace(/\/+$/, '')}|${tenant}`;
  let client = clients.get(key);
  if (!client) {
    client = new TenantClient({ apiBase, tenant, locale, storage: 'session' });
    clients.set(key, client);
  }
  return client;
}

import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { NotFoundError } from '../http/errors.ts';
import { SUPPORTED_LOCALES, translator, type Translate } from '../i18n/index.ts';
import {
  MAX_REALM_TENANTS,
  Tenant,
  TenantRealm,
  TenantSlug,
  type TenantDoc,
  type TenantRealmDoc,
  type TenantSlugDoc,
} from './model.ts';
import { getTheme } from './themes.ts';
import { findByKey } from '../db/kernel/keys.ts';

const CACHE_MS = 5_000;
const SLUG = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** Most tenants a background job goes through at once (there is one per supplier). */
const MAX_TENANTS = 10_000;

/** Most entries each cache below keeps, the least recently used going first (more than there are suppliers). */
const MAX_CACHED = 1_000;

/** Tenants read by id, each for CACHE_MS: instances see a change within that time. */
const byId = new LRUCache<string, { at: number; tenant: TenantDoc }>({ max: MAX_CACHED });
/**
 * Slug → id of tenants found by their slug. A slug's tenant never changes, so this is kept; it
 * holds only slugs of stored tenants (an unknown slug is never remembered), so however many wrong
 * slugs are requested it stays as small as the tenants collection.
 */
const idOfSlug = new LRUCache<string, Types.ObjectId>({ max: MAX_CACHED });
/** Realm → its tenants' ids, for CACHE_MS. Realms come from stored tenants only. */
const realms = new LRUCache<string, { at: number; ids: Types.ObjectId[] }>({ max: MAX_CACHED });

/** How many entries each tenant cache holds (the `gaskit_tenant_cache_entries` metric). */
export function tenantCacheSizes(): { tenants: number; slugs: number; realms: number } {
  return { tenants: byId.size, slugs: idOfSlug.size, realms: realms.size };
}

async function tenantById(id: Types.ObjectId): Promise<TenantDoc | null> {
  const hit = byId.get(String(id));
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.tenant;
  const tenant = await findByKey<TenantDoc>(Tenant, id);
  if (tenant) byId.set(String(id), { at: Date.now(), tenant });
  else byId.delete(String(id));
  return tenant;
}

/**
 * Looks an active tenant up by slug: the slug's key, then the tenant, each by `_id` (none while
 * both are cached: CACHE_MS for the tenant). A slug that is not a slug touches no database.
 */
export async function getTenantBySlug(slug: string): Promise<TenantDoc> {
  const notFound = () => new NotFoundError('tenant_not_found', { tenant: slug });
  if (!SLUG.test(slug)) throw notFound();
  let id = idOfSlug.get(slug);
  if (!id) {
    const found = await findByKey<TenantSlugDoc>(TenantSlug, slug);
    if (!found) throw notFound();
    id = found.tenantId;
  }
  const tenant = await tenantById(id);
  if (!tenant || tenant.slug !== slug) {
    idOfSlug.delete(slug);
    throw notFound();
  }
  idOfSlug.set(slug, id);
  if (!tenant.active) throw notFound();
  return tenant;
}

/** A tenant by id (for documents that point at their supplier), with the same short cache. */
export async function getTenantById(id: Types.ObjectId): Promise<TenantDoc> {
  const tenant = await tenantById(id);
  if (!tenant) throw new NotFoundError('tenant_not_found', { tenant: String(id) });
  return tenant;
}

export function clearTenantCache(): void {
  byId.clear();
  idOfSlug.clear();
  realms.clear();
}

/** Every active tenant (few: one per supplier), for workers that go through all of them. */
export async function listActiveTenants(): Promise<TenantDoc[]> {
  return Tenant.find({ active: true }).limit(MAX_TENANTS).lean<TenantDoc[]>();
}

/** The active tenants of a realm: its key, then each tenant by `_id` (cached like the tenants). */
async function realmTenants(realm: string): Promise<TenantDoc[]> {
  let hit = realms.get(realm);
  if (!hit || Date.now() - hit.at >= CACHE_MS) {
    const doc = await findByKey<TenantRealmDoc>(TenantRealm, realm);
    hit = { at: Date.now(), ids: (doc?.tenants ?? []).slice(0, MAX_REALM_TENANTS) };
    if (doc) realms.set(realm, hit);
  }
  const tenants = await Promise.all(hit.ids.map((id) => tenantById(id)));
  return tenants.filter((t): t is TenantDoc => t !== null && t.active && t.realm === realm);
}

export async function realmSuppliers(realm: string): Promise<{ slug: string; name: string }[]> {
  const tenants = await realmTenants(realm);
  return tenants.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((t) => ({ slug: t.slug, name: t.name }));
}

export async function realmTenantIds(realm: string): Promise<Map<string, TenantDoc>> {
  return new Map((await realmTenants(realm)).map((t) => [t.slug, t]));
}

export function tenantLocale(tenant: TenantDoc, accepted: string | false): string {
  return accepted && tenant.locales.includes(accepted) ? accepted : tenant.defaultLocale;
}

export function tenantLocales(tenant: TenantDoc): string[] {
  return tenant.locales.filter((l) => SUPPORTED_LOCALES.includes(l));
}

/** Translators of a tenant as read (with its texts), per language; a tenant read again gets its own. */
const translators = new WeakMap<TenantDoc, Map<string, Translate>>();

/** The translator of `lng` with the tenant's texts, made once per tenant read and language (every request asks for one). */
export function tenantTranslator(tenant: TenantDoc, lng: string): Translate {
  let made = translators.get(tenant);
  if (!made) translators.set(tenant, (made = new Map()));
  let t = made.get(lng);
  if (!t) made.set(lng, (t = translator(lng, tenant.texts)));
  return t;
}

/** The public configuration the widgets and the SDK start from. */
export async function publicConfig(tenant: TenantDoc, apiBase: string) {
  const theme = getTheme(tenant.theme);
  const r = tenant.registration;
  const departments = tenant.support?.departments ?? [];
  return {
    tenant: {
      slug: tenant.slug,
      name: tenant.name,
      legalName: tenant.legalName,
      region: tenant.region,
      realm: tenant.realm,
      logoUrl: tenant.logoUrl,
    },
    theme: { name: theme.name, cssUrl: `${apiBase}/api/v1/t/${tenant.slug}/theme.css`, tokens: theme.tokens },
    locales: tenantLocales(tenant),
    defaultLocale: tenant.defaultLocale,
    registration: {
      logins: r.logins,
      confirmation: r.confirmation,
      personTypes: r.personTypes,
      password: {
        minLength: r.password.minLength,
        maxLength: r.password.maxLength,
        pattern: r.password.pattern,
        ruleKey: r.password.ruleKey,
      },
      captcha: r.captcha,
      consent: { url: r.consent?.url ?? '', version: r.consent?.version ?? '1' },
    },
    accounts: { numberPattern: tenant.accounts.numberPattern, maxAccounts: tenant.accounts.maxAccounts },
    readings: {
      windowStartDay: tenant.readings.windowStartDay,
      windowEndDay: tenant.readings.windowEndDay,
      outsideWindow: tenant.readings.outsideWindow,
    },
    payments: {
      provider: tenant.payments.provider,
      currency: tenant.payments.currency,
      minAmount: tenant.payments.minAmount,
      maxAmount: tenant.payments.maxAmount,
    },
    support: {
      topics: departments.flatMap((d) => d.topics.map((id) => ({ id, labelKey: `feedback:topics.${id}` }))),
      email: (departments.find((d) => d.topics.includes('cabinet')) ?? departments[0])?.email ?? null,
    },
    suppliers: await realmSuppliers(tenant.realm),
  };
}

import type { Types } from 'mongoose';
import { NotFoundError } from '../http/errors.ts';
import { SUPPORTED_LOCALES, translator } from '../i18n/index.ts';
import { Tenant, type TenantDoc } from './model.ts';
import { getTheme } from './themes.ts';

const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; tenant: TenantDoc | null }>();

/**
 * Looks a tenant up by slug. A short in-process cache keeps the hot path off the database;
 * instances stay consistent within CACHE_MS of a change.
 */
export async function getTenantBySlug(slug: string): Promise<TenantDoc> {
  const hit = cache.get(slug);
  let tenant = hit && Date.now() - hit.at < CACHE_MS ? hit.tenant : undefined;
  if (tenant === undefined) {
    tenant = /^[a-z0-9][a-z0-9-]{1,39}$/.test(slug) ? await Tenant.findOne({ slug, active: true }).lean<TenantDoc>() : null;
    cache.set(slug, { at: Date.now(), tenant });
  }
  if (!tenant) throw new NotFoundError('tenant_not_found', { tenant: slug });
  return tenant;
}

const byId = new Map<string, { at: number; tenant: TenantDoc }>();

/** A tenant by id (for documents that point at their supplier), with the same short cache. */
export async function getTenantById(id: Types.ObjectId): Promise<TenantDoc> {
  const hit = byId.get(String(id));
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.tenant;
  const tenant = await Tenant.findById(id).lean<TenantDoc>();
  if (!tenant) throw new NotFoundError('tenant_not_found', { tenant: String(id) });
  byId.set(String(id), { at: Date.now(), tenant });
  return tenant;
}

export function clearTenantCache(): void {
  cache.clear();
  byId.clear();
}

/** Every active tenant (few: one per supplier), for workers that go through all of them. */
export async function listActiveTenants(): Promise<TenantDoc[]> {
  return Tenant.find({ active: true }).lean<TenantDoc[]>();
}

export async function realmSuppliers(realm: string): Promise<{ slug: string; name: string }[]> {
  const rows = await Tenant.find({ realm, active: true }, { slug: 1, name: 1 }).sort({ name: 1 }).lean();
  return rows.map((r) => ({ slug: r.slug, name: r.name }));
}

export async function realmTenantIds(realm: string): Promise<Map<string, TenantDoc>> {
  const rows = await Tenant.find({ realm, active: true }).lean<TenantDoc[]>();
  return new Map(rows.map((r) => [r.slug, r]));
}

export function tenantLocale(tenant: TenantDoc, accepted: string | false): string {
  return accepted && tenant.locales.includes(accepted) ? accepted : tenant.defaultLocale;
}

export function tenantLocales(tenant: TenantDoc): string[] {
  return tenant.locales.filter((l) => SUPPORTED_LOCALES.includes(l));
}

export function tenantTranslator(tenant: TenantDoc, lng: string) {
  return translator(lng, tenant.texts);
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

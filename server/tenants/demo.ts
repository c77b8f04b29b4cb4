import { isDuplicateKey } from '../db/kernel/keys.ts';
import { registerTenantKeys, Tenant, TenantSlug, type TenantDoc } from './model.ts';

/**
 * The demo suppliers' sites: the demo pages this server serves itself (`/examples/`), opened as
 * `http://localhost:<PORT>` or `http://127.0.0.1:<PORT>`, and PUBLIC_URL's origin when it is set.
 * With PORT=0 the port is not known yet, so only PUBLIC_URL's origin (if any) is there.
 */
export function demoOrigins(config: { port: number; publicUrl: string | undefined }): string[] {
  const local = config.port ? [`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`] : [];
  const origins = config.publicUrl ? [...local, new URL(config.publicUrl).origin] : local;
  return [...new Set(origins)];
}

/** The three fictional suppliers of demo mode (DESIGN.md, Demo mode). */
export const DEMO_TENANTS = [
  {
    slug: 'sever-gaz',
    name: 'Северогаз (демо)',
    legalName: 'ООО «Северогаз» (демонстрационная организация)',
    taxId: '2900000001',
    region: 'Северная область',
    realm: 'gazregion',
    theme: 'sever',
    logoUrl: '/examples/sever-gaz/logo.svg',
    registration: {
      logins: ['email'],
      confirmation: 'link',
      personTypes: false,
      password: { minLength: 5, maxLength: 10, pattern: '^[A-Za-z0-9]+$', ruleKey: 'latin_letters_digits' },
      captcha: true,
      consent: { url: '/examples/docs/user-agreement.html', version: '2026-01' },
    },
    readings: { windowStartDay: 15, windowEndDay: 25, outsideWindow: 'next-period' },
    support: {
      departments: [
        { id: 'tech', email: 'support@sever-gaz.example', topics: ['cabinet'] },
        { id: 'billing', email: 'billing@sever-gaz.example', topics: ['charges', 'payments'] },
        { id: 'meters', email: 'meters@sever-gaz.example', topics: ['meters'] },
        { id: 'office', email: 'office@sever-gaz.example', topics: ['other'] },
      ],
    },
  },
  {
    slug: 'yug-gaz',
    name: 'Южгаз (демо)',
    legalName: 'АО «Южгаз» (демонстрационная организация)',
    taxId: '6100000002',
    region: 'Южный край',
    realm: 'gazregion',
    theme: 'yug',
    logoUrl: '/examples/yug-gaz/logo.svg',
    registration: {
      logins: ['email', 'phone'],
      confirmation: 'code',
      personTypes: false,
      password: { minLength: 5, maxLength: 10, pattern: '^[A-Za-z0-9]+$', ruleKey: 'latin_letters_digits' },
      captcha: true,
      consent: { url: '/examples/docs/user-agreement.html', version: '2026-01' },
    },
    readings: { windowStartDay: 20, windowEndDay: 26, outsideWindow: 'reject' },
    support: {
      departments: [
        { id: 'tech', email: 'help@yug-gaz.example', topics: ['cabinet'] },
        { id: 'billing', email: 'abon@yug-gaz.example', topics: ['charges', 'payments', 'meters', 'other'] },
      ],
    },
  },
  {
    slug: 'vostok-gaz',
    name: 'Востокгаз (демо)',
    legalName: 'ПАО «Востокгаз» (демонстрационная организация)',
    taxId: '2500000003',
    region: 'Восточный округ',
    realm: 'vostok',
    theme: 'vostok',
    logoUrl: '/examples/vostok-gaz/logo.svg',
    registration: {
      logins: ['email'],
      confirmation: 'code-temp-password',
      personTypes: true,
      password: { minLength: 8, maxLength: 64, pattern: '^(?=.*[A-Za-z])(?=.*\\d)\\S+$', ruleKey: 'letters_and_digits' },
      captcha: true,
      consent: { url: '/examples/docs/access-rules.html', version: '2026-03' },
    },
    readings: { windowStartDay: 1, windowEndDay: 31, outsideWindow: 'next-period' },
    support: {
      departments: [
        { id: 'tech', email: 'lk@vostok-gaz.example', topics: ['cabinet'] },
        { id: 'billing', email: 'raschet@vostok-gaz.example', topics: ['charges', 'payments'] },
        { id: 'meters', email: 'metrology@vostok-gaz.example', topics: ['meters', 'other'] },
      ],
    },
  },
] as const;

/**
 * Inserts the demo suppliers that are missing, allowing `allowedOrigins` (see `demoOrigins`);
 * existing ones (and their edits) are left alone.
 */
export async function seedDemoTenants(allowedOrigins: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  for (const t of DEMO_TENANTS) {
    if (await TenantSlug.exists({ _id: t.slug })) continue;
    try {
      await Tenant.create({ ...structuredClone(t), allowedOrigins: [...allowedOrigins] } as object);
      created.push(t.slug);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Stored by a concurrent seeder, or before tenants had their keys: make sure it has them.
      const existing = await Tenant.findOne({ slug: t.slug }).lean<TenantDoc>();
      if (existing) await registerTenantKeys(existing);
    }
  }
  return created;
}

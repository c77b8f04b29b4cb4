import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SUPPORTED_LOCALES } from '../i18n/index.ts';
import { Tenant, TenantSlug, type TenantDoc, type TenantSlugDoc } from './model.ts';
import { themeNames } from './themes.ts';
import { findByKey } from '../db/kernel/keys.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{1,39}$/;

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression');
const origin = z.url().refine((u) => new URL(u).origin === u, 'must be an origin: scheme, host and port, no path');
const day = z.number().int().min(1).max(31);
const text = z.string().min(1);

/**
 * A supplier as an operator writes it for `gaskit tenants create|update` (JSON or YAML): the
 * fields of the tenant model (server/tenants/model.ts) with their rules, every one optional (the
 * model's defaults fill what a new supplier leaves out); unknown fields are refused.
 */
const TenantFields = z
  .strictObject({
    slug: z.string().regex(SLUG, 'must be 2–40 lowercase letters, digits and hyphens'),
    name: text,
    legalName: text,
    taxId: z.string().regex(/^(\d{10}|\d{12})?$/, 'must be 10 or 12 digits'),
    region: z.string(),
    realm: z.string().regex(SLUG, 'must be 2–40 lowercase letters, digits and hyphens'),
    theme: z.string().refine((t) => themeNames().includes(t), { error: () => `must be one of ${themeNames().join(', ')}` }),
    logoUrl: z.string(),
    locales: z.array(z.enum(SUPPORTED_LOCALES as [string, ...string[]])).min(1),
    defaultLocale: z.enum(SUPPORTED_LOCALES as [string, ...string[]]),
    allowedOrigins: z.array(origin),
    registration: z
      .strictObject({
        logins: z.array(z.enum(['email', 'phone'])).min(1),
        confirmation: z.enum(['link', 'code', 'code-temp-password']),
        personTypes: z.boolean(),
        password: z
          .strictObject({
            minLength: z.number().int().min(1),
            maxLength: z.number().int().min(1),
            pattern: regex,
            ruleKey: text,
          })
          .partial(),
        captcha: z.boolean(),
        consent: z.strictObject({ url: z.string(), version: text }).partial(),
        linkTtlHours: z.number().int().min(1),
        codeTtlMinutes: z.number().int().min(1),
      })
      .partial(),
    accounts: z.strictObject({ numberPattern: regex, maxAccounts: z.number().int().min(1).max(100) }).partial(),
    readings: z
      .strictObject({
        windowStartDay: day,
        windowEndDay: day,
        outsideWindow: z.enum(['reject', 'next-period']),
        timeZone: z
          .string()
          .refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', 'must be an IANA time zone'),
        plausibilityFactor: z.number().min(1),
        reminderDaysBeforeEnd: z.number().int().min(0).max(31),
        reminderUrl: z.union([z.literal(''), z.url()]),
        webhookUrl: z.union([z.literal(''), z.url()]),
        webhookSecret: z.string(),
      })
      .partial(),
    payments: z
      .strictObject({
        provider: z.enum(['demo', 'stripe']),
        stripeAccountId: z.string().regex(/^(acct_\w+)?$/, 'must be a Stripe account id (acct_…)'),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code, e.g. RUB'),
        minAmount: z.number().int().min(1),
        maxAmount: z.number().int().min(1),
      })
      .partial(),
    support: z.strictObject({
      departments: z.array(z.strictObject({ id: text, email: z.email(), topics: z.array(text) })),
    }),
    texts: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
    active: z.boolean(),
  })
  .partial();

export const TenantFile = TenantFields.extend({ slug: TenantFields.shape.slug.unwrap() });
export type TenantFile = z.infer<typeof TenantFile>;

const NewTenant = TenantFile.extend({
  name: text,
  legalName: text,
  realm: TenantFields.shape.realm.unwrap(),
});

/** A bad tenant file: one line per field, `path: reason`. */
export class TenantFileError extends Error {
  override name = 'TenantFileError';
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
  throw new TenantFileError(`${file}:\n${lines.join('\n')}`);
}

/** Reads a tenant file: YAML (`.yaml`, `.yml`) or JSON (anything else). */
export async function readTenantFile(file: string): Promise<unknown> {
  const source = await readFile(file, 'utf8');
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(source) : JSON.parse(source);
  } catch (e) {
    throw new TenantFileError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Plain objects are merged key by key; anything else (arrays included) replaces what was there. */
function merge(base: unknown, changes: unknown): unknown {
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(base) || !plain(changes)) return changes;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(changes)) out[k] = merge(base[k], v);
  return out;
}

async function tenantOfSlug(slug: string): Promise<TenantDoc | null> {
  const key = await findByKey<TenantSlugDoc>(TenantSlug, slug);
  return key ? findByKey<TenantDoc>(Tenant, key.tenantId) : null;
}

/** Creates a supplier from a checked file; its slug and realm keys are written as it is stored. */
export async function createTenant(input: unknown, file: string): Promise<TenantDoc> {
  const data = check(NewTenant, input, file);
  if (await tenantOfSlug(data.slug)) throw new TenantFileError(`${file}:\n  slug: “${data.slug}” exists already`);
  const doc = await Tenant.create(data);
  return doc.toObject() as TenantDoc;
}

/**
 * Changes the supplier the file's slug names: the fields the file has, nested ones merged (lists
 * replaced), checked whole before anything is written. The realm stays: it is the supplier's
 * subscribers' sign-in domain.
 */
export async function updateTenant(input: unknown, file: string): Promise<TenantDoc> {
  const changes = check(TenantFile, input, file);
  const current = await tenantOfSlug(changes.slug);
  if (!current) throw new TenantFileError(`${file}:\n  slug: no supplier “${changes.slug}”`);
  if (changes.realm !== undefined && changes.realm !== current.realm)
    throw new TenantFileError(`${file}:\n  realm: a supplier's realm cannot change (it is “${current.realm}”)`);
  const { _id, slug, realm, ...stored } = current as TenantDoc & { createdAt?: Date; updatedAt?: Date; __v?: number };
  delete stored.createdAt;
  delete stored.updatedAt;
  delete stored.__v;
  const merged = check(NewTenant, merge({ ...JSON.parse(JSON.stringify(stored)), slug, realm }, changes), file);
  const doc = await Tenant.findById(_id).orFail();
  doc.set(merged);
  doc.markModified('texts');
  await doc.save();
  return doc.toObject() as TenantDoc;
}

/** Every supplier, active or not, by slug (few: one per supplier). */
export async function listTenants(): Promise<TenantDoc[]> {
  return Tenant.find({}).sort({ slug: 1 }).limit(10_000).lean<TenantDoc[]>();
}

import mongoose, { Schema, type Types } from 'mongoose';
import { revise } from '../db/kernel/revisions.ts';
import { toJSON } from '../db/plugins.ts';

const PasswordPolicy = new Schema(
  {
    minLength: { type: Number, default: 5 },
    maxLength: { type: Number, default: 10 },
    pattern: { type: String, default: '^[A-Za-z0-9]+$' },
    ruleKey: { type: String, default: 'latin_letters_digits' },
  },
  { _id: false },
);

const Registration = new Schema(
  {
    logins: { type: [String], enum: ['email', 'phone'], default: ['email'] },
    confirmation: { type: String, enum: ['link', 'code', 'code-temp-password'], default: 'link' },
    personTypes: { type: Boolean, default: false },
    password: { type: PasswordPolicy, default: () => ({}) },
    captcha: { type: Boolean, default: true },
    consent: {
      url: { type: String, default: '' },
      version: { type: String, default: '1' },
    },
    linkTtlHours: { type: Number, default: 72 },
    codeTtlMinutes: { type: Number, default: 15 },
  },
  { _id: false },
);

const Department = new Schema(
  {
    id: { type: String, required: true },
    email: { type: String, required: true },
    topics: { type: [String], default: [] },
  },
  { _id: false },
);

const tenantSchema = new Schema<TenantDoc>(
  {
    slug: { type: String, required: true, unique: true, match: /^[a-z0-9][a-z0-9-]{1,39}$/ },
    name: { type: String, required: true },
    legalName: { type: String, required: true },
    taxId: { type: String, default: '' },
    region: { type: String, default: '' },
    realm: { type: String, required: true },
    theme: { type: String, default: 'default' },
    logoUrl: { type: String, default: '' },
    locales: { type: [String], default: ['ru', 'en'] },
    defaultLocale: { type: String, default: 'ru' },
    allowedOrigins: { type: [String], default: [] },
    registration: { type: Registration, default: () => ({}) },
    accounts: {
      numberPattern: { type: String, default: '^\\d{1,10}$' },
      maxAccounts: { type: Number, default: 10, min: 1, max: 100 },
    },
    readings: {
      windowStartDay: { type: Number, default: 1, min: 1, max: 31 },
      windowEndDay: { type: Number, default: 31, min: 1, max: 31 },
      outsideWindow: { type: String, enum: ['reject', 'next-period'], default: 'next-period' },
      // The supplier's time zone: reading windows, and the dates in receipts and in the deadlines of auth mails.
      timeZone: { type: String, default: 'Europe/Moscow' },
      plausibilityFactor: { type: Number, default: 3, min: 1 },
      reminderDaysBeforeEnd: { type: Number, default: 0, min: 0, max: 31 },
      reminderUrl: { type: String, default: '' },
      webhookUrl: { type: String, default: '' },
      webhookSecret: { type: String, default: '' },
    },
    payments: {
      provider: { type: String, enum: ['demo', 'stripe'], default: 'demo' },
      stripeAccountId: { type: String, default: '' },
      currency: { type: String, default: 'RUB' },
      minAmount: { type: Number, default: 100 },
      maxAmount: { type: Number, default: 15_000_000 },
    },
    support: { departments: { type: [Department], default: [] } },
    texts: { type: Schema.Types.Mixed, default: () => ({}) },
    active: { type: Boolean, default: true },
  },
  { timestamps: true, minimize: false },
);
tenantSchema.plugin(toJSON);

export type LoginKind = 'email' | 'phone';
export type ConfirmationFlow = 'link' | 'code' | 'code-temp-password';

export interface TenantDoc {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  legalName: string;
  taxId: string;
  region: string;
  realm: string;
  theme: string;
  logoUrl: string;
  locales: string[];
  defaultLocale: string;
  allowedOrigins: string[];
  registration: {
    logins: LoginKind[];
    confirmation: ConfirmationFlow;
    personTypes: boolean;
    password: { minLength: number; maxLength: number; pattern: string; ruleKey: string };
    captcha: boolean;
    consent: { url: string; version: string };
    linkTtlHours: number;
    codeTtlMinutes: number;
  };
  accounts: { numberPattern: string; maxAccounts: number };
  readings: {
    windowStartDay: number;
    windowEndDay: number;
    outsideWindow: 'reject' | 'next-period';
    /** IANA zone in which the window's days are counted. */
    timeZone: string;
    /** A consumption above this many times the usual asks the person to confirm it. */
    plausibilityFactor: number;
    /** Reminder emails this many days before the window closes; 0 sends none. */
    reminderDaysBeforeEnd: number;
    /** The supplier's page with the readings form, linked from reminders (default: the hosted portal). */
    reminderUrl: string;
    /** Where new readings are announced (`readings.submitted` webhook), signed with `webhookSecret`; empty: none. */
    webhookUrl: string;
    webhookSecret: string;
  };
  payments: { provider: 'demo' | 'stripe'; stripeAccountId: string; currency: string; minAmount: number; maxAmount: number };
  support: { departments: { id: string; email: string; topics: string[] }[] };
  texts: Record<string, Record<string, Record<string, unknown>>>;
  active: boolean;
}

/**
 * The key of a tenant's slug: `_id` is the slug, so resolving `/t/<slug>` is one `_id` lookup
 * (and the tenant one more), and an unknown slug is one lookup that finds nothing.
 */
export interface TenantSlugDoc {
  _id: string;
  tenantId: Types.ObjectId;
}
const tenantSlugSchema = new Schema<TenantSlugDoc>(
  { _id: { type: String, required: true }, tenantId: { type: Schema.Types.ObjectId, required: true } },
  { versionKey: false, collection: 'tenant_slugs' },
);
export const TenantSlug = mongoose.model<TenantSlugDoc>('TenantSlug', tenantSlugSchema);

/** Most suppliers one realm lists (a federal portal's regional suppliers). */
export const MAX_REALM_TENANTS = 100;

/** The suppliers of a realm: `_id` is the realm, its tenants' ids a bounded list in it. */
export interface TenantRealmDoc {
  _id: string;
  rev?: number;
  tenants: Types.ObjectId[];
}
const tenantRealmSchema = new Schema<TenantRealmDoc>(
  { _id: { type: String, required: true }, rev: { type: Number }, tenants: { type: [Schema.Types.ObjectId], default: [] } },
  { versionKey: false, collection: 'tenant_realms' },
);
export const TenantRealm = mongoose.model<TenantRealmDoc>('TenantRealm', tenantRealmSchema);

/**
 * Makes a stored tenant reachable by its slug and listed in its realm (idempotent). Tenants are
 * created by seeding, tests and operators, never by a request; the unique index on `slug` decides
 * between two creators of one slug before this runs.
 */
export async function registerTenantKeys(tenant: Pick<TenantDoc, '_id' | 'slug' | 'realm'>): Promise<void> {
  await TenantSlug.updateOne({ _id: tenant.slug }, { $set: { tenantId: tenant._id } }, { upsert: true });
  await revise<TenantRealmDoc, void>(TenantRealm, tenant.realm, (realm) => {
    const tenants = realm?.tenants ?? [];
    if (tenants.some((id) => id.equals(tenant._id))) return { result: undefined };
    if (tenants.length >= MAX_REALM_TENANTS) throw new Error(`realm ${tenant.realm} has ${MAX_REALM_TENANTS} suppliers already`);
    return { set: { tenants: [...tenants, tenant._id] }, result: undefined };
  });
}

// A tenant inserted through the model (`Tenant.create`, `save`) gets its keys as it is stored.
tenantSchema.pre('save', function () {
  this.$locals.inserted = this.isNew;
});
tenantSchema.post('save', async function (doc) {
  if (doc.$locals.inserted) await registerTenantKeys(doc);
});

export const Tenant = mongoose.model<TenantDoc>('Tenant', tenantSchema);

import mongoose, { Schema, type Types } from 'mongoose';
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
tenantSchema.index({ realm: 1, slug: 1 });
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
export const Tenant = mongoose.model<TenantDoc>('Tenant', tenantSchema);

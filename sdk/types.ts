/** Shapes of the public HTTP API v1 shared by every domain module. */

import type { PasswordPolicy } from '../contracts/rules/auth.ts';
import type { LoginKind } from '../contracts/rules/validators.ts';
import type { WidgetNamespace } from '../contracts/tenants.ts';

export type { LoginKind, PasswordPolicy, WidgetNamespace };
export type ConfirmationFlow = 'link' | 'code' | 'code-temp-password';
export type OutsideWindowPolicy = 'reject' | 'next-period';
export type PaymentProviderName = 'demo' | 'stripe';

export interface TenantInfo {
  slug: string;
  name: string;
  legalName: string;
  region: string;
  realm: string;
  logoUrl: string | null;
}

export interface ThemeInfo {
  name: string;
  /** The theme served as CSS, for host pages that want to link it. */
  cssUrl: string;
  /** Design tokens: `color-primary` (or `--gaskit-color-primary`) → CSS value. */
  tokens: Record<string, string>;
}

export interface RegistrationConfig {
  logins: LoginKind[];
  confirmation: ConfirmationFlow;
  personTypes: boolean;
  password: PasswordPolicy;
  captcha: boolean;
  consent: { url: string; version: string };
}

export interface AccountsConfig {
  /** Regular expression source an account number must match as a whole. */
  numberPattern: string;
  maxAccounts: number;
}

export interface ReadingsConfig {
  windowStartDay: number;
  windowEndDay: number;
  outsideWindow: OutsideWindowPolicy;
}

export interface PaymentsConfig {
  provider: PaymentProviderName;
  currency: string;
  /** Amounts in minor units (kopecks). */
  minAmount: number;
  maxAmount: number;
}

export interface SupportTopic {
  id: string;
  labelKey: string;
}

export interface SupplierRef {
  slug: string;
  name: string;
}

/** `GET config`: everything a widget needs to know about the tenant. */
export interface TenantConfig {
  tenant: TenantInfo;
  theme: ThemeInfo;
  locales: string[];
  defaultLocale: string;
  registration: RegistrationConfig;
  accounts: AccountsConfig;
  readings: ReadingsConfig;
  payments: PaymentsConfig;
  /** Feedback topics, and the cabinet's technical support address (seed 000) when the supplier has one. */
  support: { topics: SupportTopic[]; email: string | null };
  /** Suppliers of the tenant's realm, offered when linking an account. */
  suppliers: SupplierRef[];
}

/** `GET i18n/:lng`: i18next resources by namespace (those asked, else every widget namespace), tenant overrides applied. */
export interface Translations {
  /** The language actually served. */
  lng: string;
  resources: Record<string, Record<string, unknown>>;
}

/** The wire format of every error response. */
export interface ErrorBody {
  error: {
    code: string;
    message?: string;
    /** The values the message of `errors:<code>` interpolates. */
    params?: Record<string, unknown>;
    fields?: Record<string, string | { code: string; message?: string; params?: Record<string, unknown> }>;
  };
}

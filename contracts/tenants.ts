/** A tenant's public configuration, texts and theme (server/tenants): what a widget needs before anyone signs in. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

export const PublicConfig = z
  .object({
    tenant: z.object({
      slug: z.string(),
      name: z.string(),
      legalName: z.string(),
      region: z.string(),
      realm: z.string(),
      logoUrl: z.string(),
    }),
    theme: z.object({ name: z.string(), cssUrl: z.string(), tokens: z.record(z.string(), z.string()) }),
    locales: z.array(z.string()),
    defaultLocale: z.string(),
    registration: z.object({
      logins: z.array(z.enum(['email', 'phone'])),
      confirmation: z.enum(['link', 'code', 'code-temp-password']),
      personTypes: z.boolean(),
      password: z.object({ minLength: z.number(), maxLength: z.number(), pattern: z.string(), ruleKey: z.string() }),
      captcha: z.boolean(),
      consent: z.object({ url: z.string(), version: z.string() }),
    }),
    accounts: z.object({ numberPattern: z.string(), maxAccounts: z.number() }),
    readings: z.object({
      windowStartDay: z.number(),
      windowEndDay: z.number(),
      outsideWindow: z.enum(['reject', 'next-period']),
    }),
    payments: z.object({
      provider: z.enum(['demo', 'stripe']),
      currency: z.string(),
      minAmount: z.number(),
      maxAmount: z.number(),
    }),
    support: z.object({
      topics: z.array(z.object({ id: z.string(), labelKey: z.string() })),
      email: z
        .string()
        .nullable()
        .meta({ description: "The cabinet's technical support address, shown beside the feedback form" }),
    }),
    suppliers: z.array(z.object({ slug: z.string(), name: z.string() })),
  })
  .meta({ id: 'PublicConfig' });

/**
 * The namespaces of texts the widgets show (`locales/<lng>/<ns>.json`); the others (`cli`,
 * `notify`) are the server's own and never sent.
 */
export const WIDGET_NAMESPACES = [
  'accounts',
  'auth',
  'billing',
  'captcha',
  'chart',
  'common',
  'errors',
  'feedback',
  'linking',
  'password',
  'payments',
  'pin',
  'portal',
  'readings',
  'registration',
  'settings',
] as const;

export type WidgetNamespace = (typeof WIDGET_NAMESPACES)[number];

const namespace = `(${WIDGET_NAMESPACES.join('|')})`;

export const Translations = z.object({
  lng: z.string().meta({ description: 'The language actually served' }),
  resources: z.record(z.string(), z.record(z.string(), z.unknown())).meta({ description: 'i18next resources by namespace' }),
});

export const tenants = {
  config: endpoint({
    method: 'GET',
    path: '/config',
    auth: 'public',
    summary: "The tenant's public configuration: theme, locales, flows, rules, realm suppliers",
    tags: ['Public'],
    response: { status: 200, body: PublicConfig, description: 'Configuration' },
    errors: [404],
  }),
  texts: endpoint({
    method: 'GET',
    path: '/i18n/:lng',
    auth: 'public',
    summary: 'The UI texts of one language with the tenant overrides applied: the namespaces asked, else all the widgets’',
    tags: ['Public'],
    params: z.strictObject({ lng: z.string().max(16, 'unsupported_locale').meta({ example: 'ru' }) }),
    query: z.strictObject({
      ns: z
        .string()
        .regex(new RegExp(`^${namespace}(,${namespace})*$`), 'unknown_namespace')
        .optional()
        .meta({
          description: `Comma-separated namespaces, each one of: ${WIDGET_NAMESPACES.join(', ')}`,
          example: 'common,errors,feedback',
        }),
    }),
    response: { status: 200, body: Translations, description: 'Texts by namespace' },
    errors: [400, 404],
  }),
  theme: endpoint({
    method: 'GET',
    path: '/theme.css',
    auth: 'public',
    summary: "The tenant theme as CSS custom properties on Gaskit's elements",
    tags: ['Public'],
    response: { status: 200, body: 'text/css', description: 'CSS' },
    errors: [404],
  }),
};

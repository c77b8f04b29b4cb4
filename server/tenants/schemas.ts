import { z } from 'zod';
import { SUPPORTED_LOCALES } from '../i18n/index.ts';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

export const LngParams = z.strictObject({
  tenant: z.string(),
  lng: z.enum(SUPPORTED_LOCALES as [string, ...string[]], { message: 'unsupported_locale' }),
});

const PublicConfig = openapi.register(
  'PublicConfig',
  z.object({
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
        .openapi({ description: "The cabinet's technical support address, shown beside the feedback form" }),
    }),
    suppliers: z.array(z.object({ slug: z.string(), name: z.string() })),
  }),
);

openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/config',
  summary: "The tenant's public configuration: theme, locales, flows, rules, realm suppliers",
  tags: ['Public'],
  request: { params: z.object({ tenant: TenantParam }) },
  responses: {
    200: { description: 'Configuration', content: { 'application/json': { schema: PublicConfig } } },
    ...errorResponses(404),
  },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/i18n/{lng}',
  summary: 'All UI texts of one language with the tenant overrides applied',
  tags: ['Public'],
  request: { params: z.object({ tenant: TenantParam, lng: z.string().openapi({ example: 'ru' }) }) },
  responses: { 200: { description: 'Texts by namespace' }, ...errorResponses(400, 404) },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/theme.css',
  summary: "The tenant theme as CSS custom properties on Gaskit's elements",
  tags: ['Public'],
  request: { params: z.object({ tenant: TenantParam }) },
  responses: { 200: { description: 'CSS', content: { 'text/css': { schema: z.string() } } }, ...errorResponses(404) },
});

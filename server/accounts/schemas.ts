import { z } from 'zod';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';
import { Period } from '../billing/schemas.ts';
import { AmountDue } from '../payments/schemas.ts';

const Supplier = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'supplier_not_found');
/** Surrounding spaces are trimmed; the supplier's number rule is checked in the service. */
const Number_ = z.string({ message: 'required' }).trim().min(1, 'required').max(32, 'account_number_format');

export const AccountRef = openapi.register('AccountRef', z.strictObject({ supplier: Supplier, number: Number_ }));
export const PinBody = z.strictObject({
  pin: z
    .string()
    .trim()
    .regex(/^\d{4,8}$/, 'pin_format'),
});
/** An account's id is its key, `<tenantId>:<number>` (opaque to clients). */
export const AccountIdParams = z.strictObject({
  tenant: z.string(),
  id: z.string().regex(/^[0-9a-f]{24}:.{1,32}$/, 'account_not_found'),
});
export const SummaryQuery = z.strictObject({ period: Period.optional() });
export const ChargesQuery = z.strictObject({ from: Period.optional(), to: Period.optional() });

const LinkedAccount = openapi.register(
  'LinkedAccount',
  z.object({
    id: z.string(),
    number: z.string(),
    address: z.string(),
    holder: z.string(),
    mode: z.enum(['basic', 'extended']),
    supplier: z.object({ slug: z.string(), name: z.string() }),
    debt: z.number(),
    penalties: z.number(),
    period: z.string().nullable(),
    pendingPaid: z.number().int().openapi({ description: 'Paid in the cabinet, not yet booked by billing' }),
    due: AmountDue,
  }),
);

const params = z.object({ tenant: TenantParam });
const idParams = z.object({ tenant: TenantParam, id: z.string() });
const bearer = [{ bearer: [] }];
openapi.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/accounts/check',
  tags: ['Accounts'],
  summary: 'Check an account number before linking: masked contract details',
  security: bearer,
  request: { params, body: { content: { 'application/json': { schema: AccountRef } } } },
  responses: {
    200: { description: 'Masked details: street and house without the flat, surname and initials' },
    ...errorResponses(400, 401, 404, 429),
  },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/accounts',
  tags: ['Accounts'],
  summary: "The cabinet's linked accounts with debt",
  security: bearer,
  request: { params },
  responses: {
    200: { description: 'Accounts', content: { 'application/json': { schema: z.object({ items: z.array(LinkedAccount) }) } } },
    ...errorResponses(401),
  },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/accounts',
  tags: ['Accounts'],
  summary: 'Link an account (basic mode); at most the tenant limit per cabinet',
  security: bearer,
  request: { params, body: { content: { 'application/json': { schema: AccountRef } } } },
  responses: {
    201: { description: 'Linked', content: { 'application/json': { schema: LinkedAccount } } },
    ...errorResponses(400, 401, 404, 409, 422, 429),
  },
});
openapi.registerPath({
  method: 'delete',
  path: '/t/{tenant}/accounts/{id}',
  tags: ['Accounts'],
  summary: 'Unlink an account (not the last one)',
  security: bearer,
  request: { params: idParams },
  responses: { 204: { description: 'Unlinked' }, ...errorResponses(401, 404, 422) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/accounts/{id}/pin',
  tags: ['Accounts'],
  summary: 'Enter the PIN printed on the bill: switches the link to extended mode',
  security: bearer,
  request: { params: idParams, body: { content: { 'application/json': { schema: PinBody } } } },
  responses: {
    200: { description: 'Extended', content: { 'application/json': { schema: LinkedAccount } } },
    ...errorResponses(400, 401, 404, 422, 429),
  },
});
for (const [sub, summary] of [
  ['summary', 'Balance, meters, charges of a period and the last 12 months'],
  ['charges', 'Monthly charges with lines and penalties (extended mode)'],
  ['meters', 'Meters with last readings and verification dates'],
] as const) {
  openapi.registerPath({
    method: 'get',
    path: `/t/{tenant}/accounts/{id}/${sub}`,
    tags: ['Accounts'],
    summary,
    security: bearer,
    request: { params: idParams },
    responses: { 200: { description: summary }, ...errorResponses(401, 403, 404) },
  });
}

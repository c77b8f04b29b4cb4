import { z } from 'zod';
import { ITEM_SCHEMAS, type BillingKind } from '../billing/schemas.ts';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

/** The largest batch one request may upsert; bigger loads go in several requests (or the CSV import). */
export const MAX_BATCH = 5000;

export const KindParams = z.strictObject({
  tenant: z.string(),
  kind: z.enum(['accounts', 'meters', 'charges', 'balances'], { message: 'route_not_found' }),
});
export const BatchBody = z.strictObject({ items: z.array(z.unknown()).min(1, 'batch_empty').max(MAX_BATCH, 'batch_too_large') });
export const ExportQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'cursor_invalid')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const ReadingStatusBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        id: z.string().min(1, 'invalid_value').max(200, 'invalid_value'),
        status: z.enum(['accepted', 'rejected']),
        reason: z.string().max(300).optional(),
      }),
    )
    .min(1)
    .max(MAX_BATCH, 'batch_too_large'),
});

const apiKey = [{ apiKey: [] }];
openapi.registerComponent('securitySchemes', 'apiKey', {
  type: 'http',
  scheme: 'bearer',
  description: 'Integration API key of the tenant',
});
for (const kind of Object.keys(ITEM_SCHEMAS) as BillingKind[]) {
  openapi.registerPath({
    method: 'post',
    path: `/t/{tenant}/integration/${kind}`,
    tags: ['Integration'],
    summary: `Bulk upsert of ${kind} (idempotent; all items are checked first, one bad item rejects the batch)`,
    security: apiKey,
    request: {
      params: z.object({ tenant: TenantParam }),
      body: { content: { 'application/json': { schema: z.object({ items: z.array(ITEM_SCHEMAS[kind]).max(MAX_BATCH) }) } } },
    },
    responses: {
      200: {
        description:
          'Counts of items: upserted created an account, a meter or a month; modified changed one; matched found one already there (changed or equal).',
        content: {
          'application/json': { schema: z.object({ upserted: z.number(), modified: z.number(), matched: z.number() }) },
        },
      },
      ...errorResponses(400, 401, 403, 413),
    },
  });
}
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/integration/export/readings',
  tags: ['Integration'],
  summary: 'Readings stored after the cursor, in order, with the next cursor (poll with the last one)',
  security: apiKey,
  request: { params: z.object({ tenant: TenantParam }), query: ExportQuery },
  responses: { 200: { description: 'Items and cursor' }, ...errorResponses(400, 401, 403) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/integration/readings/status',
  tags: ['Integration'],
  summary: "The billing system's verdict on exported readings (accepted, or rejected with the reason shown to the subscriber)",
  security: apiKey,
  request: {
    params: z.object({ tenant: TenantParam }),
    body: { content: { 'application/json': { schema: ReadingStatusBody } } },
  },
  responses: { 200: { description: 'Counts' }, ...errorResponses(400, 401, 403) },
});

/** Payments the billing system has booked, by the `paymentId` of their export entries. */
export const ConfirmPaymentsBody = z.strictObject({
  ids: z
    .array(z.string().regex(/^[0-9a-f]{24}$/i, 'invalid_value'))
    .min(1, 'batch_empty')
    .max(MAX_BATCH, 'batch_too_large'),
});
const ExportedPayment = openapi.register(
  'ExportedPayment',
  z.object({
    seq: z.number().int(),
    event: z.enum(['succeeded', 'refunded']).openapi({ description: 'A payment succeeded, or its refunded amount grew' }),
    paymentId: z.string(),
    occurredAt: z.string(),
    currency: z.string(),
    total: z.number().int().openapi({ description: 'Kopecks' }),
    refundedAmount: z.number().int().openapi({ description: 'Kopecks refunded so far (refunded entries)' }),
    providerRef: z.string().openapi({ description: 'The payment provider’s id (Stripe PaymentIntent)' }),
    items: z.array(z.object({ accountNumber: z.string(), amount: z.number().int(), penalties: z.number().int() })),
  }),
);
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/integration/export/payments',
  tags: ['Integration'],
  summary: 'Succeeded payments and refunds after the cursor, in order, with the next cursor (poll with the last one)',
  security: apiKey,
  request: { params: z.object({ tenant: TenantParam }), query: ExportQuery },
  responses: {
    200: {
      description: 'Entries and cursor',
      content: {
        'application/json': { schema: z.object({ items: z.array(ExportedPayment), cursor: z.string(), hasMore: z.boolean() }) },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/integration/payments/confirm',
  tags: ['Integration'],
  summary: 'Billing booked these payments: they stop counting as paid but unconfirmed (unknown or unpaid ids are listed back)',
  security: apiKey,
  request: {
    params: z.object({ tenant: TenantParam }),
    body: { content: { 'application/json': { schema: ConfirmPaymentsBody } } },
  },
  responses: {
    200: {
      description: 'Confirmed ids and the refused ones with their reason',
      content: {
        'application/json': {
          schema: z.object({ confirmed: z.array(z.string()), rejected: z.array(z.object({ id: z.string(), code: z.string() })) }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

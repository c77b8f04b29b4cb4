/**
 * The integration API (server/integration): the supplier's billing system sends its billing data
 * in batches and reads back readings and payments, with an API key of the tenant. Its feedback
 * calls are the feedback module's (contracts/feedback.ts).
 */
import { z } from 'zod';
import { ITEM_SCHEMAS } from './billing.ts';
import { endpoint } from './endpoint.ts';
import { Reading } from './readings.ts';

/** The largest batch one request may upsert; bigger loads go in several requests (or the CSV import). */
export const MAX_BATCH = 5000;

/** A batch of items: 1 to MAX_BATCH (the server answers more with 413 `batch_too_large`). */
export function batchOf<S extends z.ZodType>(item: S) {
  return z.strictObject({ items: z.array(item).min(1, 'batch_empty').max(MAX_BATCH, 'batch_too_large') });
}

export const ExportQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'cursor_invalid')
    .optional()
    .meta({ description: 'The `cursor` of the previous page; left out, from the start' }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

const ReadingStatusBody = z.strictObject({
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

/** Payments the billing system has booked, by the `paymentId` of their export entries. */
const ConfirmPaymentsBody = z.strictObject({
  ids: z
    .array(z.string().regex(/^[0-9a-f]{24}$/i, 'invalid_value'))
    .min(1, 'batch_empty')
    .max(MAX_BATCH, 'batch_too_large'),
});

export const ExportedReading = Reading.extend({
  seq: z.number().int().meta({ description: 'Position in the export; the last one is the next cursor' }),
  accountNumber: z.string(),
  meterSerialNumber: z.string(),
  previous: z.string().nullable().meta({ description: 'The reading before it, in the same notation' }),
}).meta({ id: 'ExportedReading' });

export const ExportedPayment = z
  .object({
    seq: z.number().int(),
    event: z.enum(['succeeded', 'refunded']).meta({ description: 'A payment succeeded, or its refunded amount grew' }),
    paymentId: z.string(),
    occurredAt: z.string(),
    currency: z.string(),
    total: z.number().int().meta({ description: 'Kopecks' }),
    refundedAmount: z.number().int().meta({ description: 'Kopecks refunded so far (refunded entries)' }),
    providerRef: z.string().meta({ description: 'The payment provider’s id (Stripe PaymentIntent)' }),
    items: z.array(z.object({ accountNumber: z.string(), amount: z.number().int(), penalties: z.number().int() })),
  })
  .meta({ id: 'ExportedPayment' });

const BatchCounts = z.object({ upserted: z.number(), modified: z.number(), matched: z.number() });

const API_KEY = { apiKey: 'billing:write' } as const;

const upsertDoc = {
  tags: ['Integration'],
  response: {
    status: 200,
    body: BatchCounts,
    description:
      'Counts of items: upserted created an account, a meter or a month; modified changed one; matched found one already there (changed or equal).',
  },
  errors: [400, 401, 403, 413],
};
const upsertSummary = (kind: string) =>
  `Bulk upsert of ${kind} (idempotent; all items are checked first, one bad item rejects the batch)`;

export const integration = {
  accounts: endpoint({
    method: 'POST',
    path: '/integration/accounts',
    auth: API_KEY,
    summary: upsertSummary('accounts'),
    body: batchOf(ITEM_SCHEMAS.accounts),
    ...upsertDoc,
  }),
  meters: endpoint({
    method: 'POST',
    path: '/integration/meters',
    auth: API_KEY,
    summary: upsertSummary('meters'),
    body: batchOf(ITEM_SCHEMAS.meters),
    ...upsertDoc,
  }),
  charges: endpoint({
    method: 'POST',
    path: '/integration/charges',
    auth: API_KEY,
    summary: upsertSummary('charges'),
    body: batchOf(ITEM_SCHEMAS.charges),
    ...upsertDoc,
  }),
  balances: endpoint({
    method: 'POST',
    path: '/integration/balances',
    auth: API_KEY,
    summary: upsertSummary('balances'),
    body: batchOf(ITEM_SCHEMAS.balances),
    ...upsertDoc,
  }),
  exportReadings: endpoint({
    method: 'GET',
    path: '/integration/export/readings',
    auth: { apiKey: 'export:read' },
    summary: 'Readings stored after the cursor, in order, with the next cursor (poll with the last one)',
    tags: ['Integration'],
    query: ExportQuery,
    response: {
      status: 200,
      body: z.object({ items: z.array(ExportedReading), cursor: z.string(), hasMore: z.boolean() }),
      description: 'Items and cursor',
    },
    errors: [400, 401, 403],
  }),
  readingStatus: endpoint({
    method: 'POST',
    path: '/integration/readings/status',
    auth: { apiKey: 'readings:write' },
    summary: "The billing system's verdict on exported readings (accepted, or rejected with the reason shown to the subscriber)",
    tags: ['Integration'],
    body: ReadingStatusBody,
    response: {
      status: 200,
      body: z.object({
        updated: z.number(),
        skipped: z.array(z.string()).meta({ description: 'Ids of readings unknown or already decided' }),
      }),
      description: 'Counts',
    },
    errors: [400, 401, 403],
  }),
  exportPayments: endpoint({
    method: 'GET',
    path: '/integration/export/payments',
    auth: { apiKey: 'export:read' },
    summary: 'Succeeded payments and refunds after the cursor, in order, with the next cursor (poll with the last one)',
    tags: ['Integration'],
    query: ExportQuery,
    response: {
      status: 200,
      body: z.object({ items: z.array(ExportedPayment), cursor: z.string(), hasMore: z.boolean() }),
      description: 'Entries and cursor',
    },
    errors: [400, 401, 403],
  }),
  confirmPayments: endpoint({
    method: 'POST',
    path: '/integration/payments/confirm',
    auth: { apiKey: 'payments:write' },
    summary: 'Billing booked these payments: they stop counting as paid but unconfirmed (unknown or unpaid ids are listed back)',
    tags: ['Integration'],
    body: ConfirmPaymentsBody,
    response: {
      status: 200,
      body: z.object({ confirmed: z.array(z.string()), rejected: z.array(z.object({ id: z.string(), code: z.string() })) }),
      description: 'Confirmed ids and the refused ones with their reason',
    },
    errors: [400, 401, 403],
  }),
};

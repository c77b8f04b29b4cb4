import { z } from 'zod';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

/** An account's id as the accounts module gives it: an opaque string. */
const AccountId = z.string().min(1, 'invalid_format').max(100, 'invalid_format');

const ReadingInput = z.strictObject({
  meterId: z.string().min(1).max(64),
  value: z
    .union([z.string().max(32), z.number()], { message: 'reading_not_a_number' })
    .openapi({ description: "In the meter's notation: digits, optionally `.` or `,` and up to 3 decimals", example: '12345' }),
  confirmRollover: z
    .boolean()
    .optional()
    .openapi({ description: 'The meter went past its capacity and started again from zero' }),
  confirmImplausible: z.boolean().optional().openapi({ description: 'The consumption is far above the usual and is confirmed' }),
});

export const SubmitReadingsBody = openapi.register(
  'SubmitReadings',
  z.strictObject({
    accountId: AccountId,
    readings: z.array(ReadingInput).min(1, 'readings_empty').max(50),
  }),
);

export const AccountIdParams = z.strictObject({ tenant: z.string(), id: AccountId });

const Window = z.object({
  startDay: z.number(),
  endDay: z.number(),
  outsideWindow: z.enum(['reject', 'next-period']),
  open: z.boolean(),
  period: z.string().nullable(),
  queued: z.boolean(),
  opensOn: z.string().openapi({ description: 'First day (YYYY-MM-DD) of the window open now, or of the next one' }),
  closesOn: z.string().openapi({ description: 'Last day (YYYY-MM-DD) of that window' }),
});

const Reading = openapi.register(
  'Reading',
  z.object({
    id: z.string(),
    accountId: z.string(),
    meterId: z.string(),
    value: z.string().openapi({ example: '12345.678' }),
    period: z.string().openapi({ example: '2026-03' }),
    status: z.enum(['accepted', 'queued', 'rejected', 'superseded']),
    source: z.enum(['portal', 'payment', 'import']),
    rejectionReason: z.string().nullable(),
    consumption: z.string().nullable(),
    rollover: z.boolean(),
    paymentId: z.string().nullable(),
    submittedAt: z.string(),
  }),
);

const Previous = z.object({ value: z.string(), date: z.string() }).nullable();

const Preview = openapi.register(
  'ReadingsPreview',
  z.object({
    accountId: z.string(),
    window: Window,
    readings: z.array(
      z.object({
        meterId: z.string(),
        value: z.string(),
        previous: Previous,
        consumption: z.string().nullable(),
        cost: z.number().nullable().openapi({ description: 'consumption × tariff, kopecks' }),
        tariff: z.object({ price: z.number(), unit: z.string() }).nullable(),
        rollover: z.boolean(),
        implausible: z.boolean(),
        confirmationsNeeded: z.array(z.enum(['rollover', 'implausible'])),
        warnings: z.array(z.enum(['verification_overdue'])),
      }),
    ),
    totalCost: z.number(),
  }),
);

const Submitted = openapi.register(
  'SubmittedReadings',
  z.object({
    accountId: z.string(),
    period: z.string(),
    queued: z.boolean(),
    readings: z.array(Reading),
    warnings: z.array(z.object({ meterId: z.string(), warning: z.enum(['verification_overdue']) })),
  }),
);

const History = openapi.register(
  'ReadingsHistory',
  z.object({
    accountId: z.string(),
    window: Window,
    meters: z.array(
      z.object({
        meter: z.object({
          id: z.string(),
          serialNumber: z.string(),
          name: z.string(),
          digits: z.number(),
          decimals: z.number(),
          verificationDue: z.string().nullable(),
          verificationOverdue: z.boolean(),
        }),
        last: Previous,
        previous: Previous.openapi({ description: 'What a reading sent now is compared with (as the preview does)' }),
        readings: z.array(Reading),
      }),
    ),
  }),
);

const bearer = [{ bearer: [] }];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/readings',
  summary: 'Submit meter readings for a linked account',
  description:
    'A retried request with the same `Idempotency-Key` returns the first result and stores nothing more. ' +
    'Outside the reading window the readings are refused or wait for the next period, as the tenant chooses.',
  tags: ['Readings'],
  security: bearer,
  request: {
    params: z.object({ tenant: TenantParam }),
    headers: z.object({ 'Idempotency-Key': z.string().optional() }),
    body: json(SubmitReadingsBody),
  },
  responses: { 201: { description: 'Stored', ...json(Submitted) }, ...errorResponses(400, 401, 404, 409, 422) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/readings/preview',
  summary: 'Check readings without storing them: consumption, cost, period, confirmations and warnings',
  tags: ['Readings'],
  security: bearer,
  request: { params: z.object({ tenant: TenantParam }), body: json(SubmitReadingsBody) },
  responses: { 200: { description: 'Preview', ...json(Preview) }, ...errorResponses(400, 401, 404, 409, 422) },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/accounts/{id}/readings',
  summary: "The account's meters with their last reading and history, and the reading window",
  description: 'Each meter lists its newest 36 readings, newest first.',
  tags: ['Readings'],
  security: bearer,
  request: { params: z.object({ tenant: TenantParam, id: z.string() }) },
  responses: { 200: { description: 'History', ...json(History) }, ...errorResponses(401, 404) },
});

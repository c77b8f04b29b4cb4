/**
 * Meter readings (server/readings). Values travel as decimal strings with the meter's decimals
 * ("12345" or "12345.678"); the rules on them are in rules/readings.ts.
 */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

/** An account's id as the accounts module gives it: an opaque string. */
const AccountId = z.string().min(1, 'invalid_format').max(100, 'invalid_format');

export const ReadingInput = z.strictObject({
  meterId: z.string().min(1).max(64),
  value: z
    .union([z.string().max(32), z.number()], { message: 'reading_not_a_number' })
    .meta({ description: "In the meter's notation: digits, optionally `.` or `,` and up to 3 decimals", example: '12345' }),
  confirmRollover: z.boolean().optional().meta({ description: 'The meter went past its capacity and started again from zero' }),
  confirmImplausible: z.boolean().optional().meta({ description: 'The consumption is far above the usual and is confirmed' }),
});

export type ReadingInput = z.output<typeof ReadingInput>;

export const SubmitReadings = z
  .strictObject({
    accountId: AccountId,
    readings: z.array(ReadingInput).min(1, 'readings_empty').max(50),
  })
  .meta({ id: 'SubmitReadings' });

export const ReadingWindow = z.object({
  startDay: z.number(),
  endDay: z.number(),
  outsideWindow: z.enum(['reject', 'next-period']),
  open: z.boolean(),
  period: z.string().nullable(),
  queued: z.boolean(),
  opensOn: z.string().meta({ description: 'First day (YYYY-MM-DD) of the window open now, or of the next one' }),
  closesOn: z.string().meta({ description: 'Last day (YYYY-MM-DD) of that window' }),
});

export const ReadingStatus = z.enum(['accepted', 'queued', 'rejected', 'superseded']);
export const ReadingConfirmation = z.enum(['rollover', 'implausible']);
export const ReadingWarning = z.enum(['verification_overdue']);
export type ReadingConfirmation = z.output<typeof ReadingConfirmation>;
export type ReadingWarning = z.output<typeof ReadingWarning>;

export const Reading = z
  .object({
    id: z.string(),
    accountId: z.string(),
    meterId: z.string(),
    value: z.string().meta({ example: '12345.678' }),
    period: z.string().meta({ example: '2026-03' }),
    status: ReadingStatus,
    source: z.enum(['portal', 'payment', 'import']),
    rejectionReason: z.string().nullable(),
    consumption: z.string().nullable(),
    rollover: z.boolean(),
    paymentId: z.string().nullable(),
    submittedAt: z.string(),
  })
  .meta({ id: 'Reading' });

export const PreviousReading = z.object({ value: z.string(), date: z.string() }).nullable();

export const ReadingPreviewItem = z.object({
  meterId: z.string(),
  value: z.string(),
  previous: PreviousReading,
  consumption: z.string().nullable(),
  cost: z.number().nullable().meta({ description: 'consumption × tariff, kopecks' }),
  tariff: z.object({ price: z.number(), unit: z.string() }).nullable(),
  rollover: z.boolean(),
  implausible: z.boolean(),
  confirmationsNeeded: z.array(ReadingConfirmation),
  warnings: z.array(ReadingWarning),
});

export const ReadingsPreview = z
  .object({ accountId: z.string(), window: ReadingWindow, readings: z.array(ReadingPreviewItem), totalCost: z.number() })
  .meta({ id: 'ReadingsPreview' });

export const SubmittedReadings = z
  .object({
    accountId: z.string(),
    period: z.string(),
    queued: z.boolean(),
    readings: z.array(Reading),
    warnings: z.array(z.object({ meterId: z.string(), warning: ReadingWarning })),
  })
  .meta({ id: 'SubmittedReadings' });

export const ReadingMeter = z.object({
  id: z.string(),
  serialNumber: z.string(),
  name: z.string(),
  digits: z.number(),
  decimals: z.number(),
  verificationDue: z.string().nullable(),
  verificationOverdue: z.boolean(),
});

export const MeterHistory = z.object({
  meter: ReadingMeter,
  last: PreviousReading,
  previous: PreviousReading.meta({ description: 'What a reading sent now is compared with (as the preview does)' }),
  readings: z.array(Reading),
});

export const ReadingsHistory = z
  .object({ accountId: z.string(), window: ReadingWindow, meters: z.array(MeterHistory) })
  .meta({ id: 'ReadingsHistory' });

export const readings = {
  submit: endpoint({
    method: 'POST',
    path: '/readings',
    auth: 'subscriber',
    idempotency: { replay: 'readings' },
    summary: 'Submit meter readings for a linked account',
    description:
      'A retried request with the same `Idempotency-Key` returns the first result and stores nothing more. ' +
      'Outside the reading window the readings are refused or wait for the next period, as the tenant chooses.',
    tags: ['Readings'],
    body: SubmitReadings,
    response: { status: 201, body: SubmittedReadings, description: 'Stored' },
    errors: [400, 401, 404, 409, 422],
  }),
  preview: endpoint({
    method: 'POST',
    path: '/readings/preview',
    auth: 'subscriber',
    summary: 'Check readings without storing them: consumption, cost, period, confirmations and warnings',
    tags: ['Readings'],
    body: SubmitReadings,
    response: { status: 200, body: ReadingsPreview, description: 'Preview' },
    errors: [400, 401, 404, 409, 422],
  }),
  history: endpoint({
    method: 'GET',
    path: '/accounts/:id/readings',
    auth: 'subscriber',
    summary: "The account's meters with their last reading and history, and the reading window",
    description: 'Each meter lists its newest 36 readings, newest first.',
    tags: ['Readings'],
    params: z.strictObject({ id: AccountId }),
    response: { status: 200, body: ReadingsHistory, description: 'History' },
    errors: [401, 404],
  }),
};

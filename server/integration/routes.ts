import { Router, type RequestHandler } from 'express';
import { ITEM_SCHEMAS, type BillingKind } from '../billing/schemas.ts';
import { upsertBilling } from '../billing/service.ts';
import { ctxOf } from '../http/context.ts';
import { DomainError, ValidationError, type FieldErrors } from '../http/errors.ts';
import { toFieldErrors, validate } from '../http/validate.ts';
import { confirmPayments, exportPayments } from '../payments/service.ts';
import { exportReadings, setReadingStatuses } from '../readings/service.ts';
import { requireApiKey } from './keys.ts';
import { BatchBody, ExportQuery, KindParams, MAX_BATCH, ReadingStatusBody } from './schemas.ts';
import { ConfirmPaymentsBody } from './schemas.ts';

export const integrationRoutes = Router({ mergeParams: true });

/** Parses every item of a batch with its schema; errors are keyed `<index>.<field>`. */
export function parseBatch(kind: BillingKind, items: unknown[]) {
  const schema = ITEM_SCHEMAS[kind];
  const fields: FieldErrors = {};
  const parsed = items.map((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) return r.data;
    for (const [name, err] of Object.entries(toFieldErrors(r.error))) fields[`${i}.${name}`] = err;
    return null;
  });
  if (Object.keys(fields).length > 0) throw new ValidationError(fields, 'batch_invalid');
  return parsed as never;
}

/** The batch as a whole: an object with 1 to MAX_BATCH `items` (more is 413 `batch_too_large`); items are checked by `parseBatch`. */
const validateBatch: RequestHandler = (req, _res, next) => {
  const parsed = BatchBody.safeParse(req.body ?? {});
  if (!parsed.success) {
    if (parsed.error.issues.some((i) => i.message === 'batch_too_large')) {
      throw new DomainError('too_large', 'batch_too_large', { max: MAX_BATCH });
    }
    throw new ValidationError(toFieldErrors(parsed.error));
  }
  req.body = parsed.data;
  next();
};

integrationRoutes.post(
  '/integration/:kind',
  requireApiKey('billing:write'),
  validate('params', KindParams),
  validateBatch,
  async (req, res) => {
    const kind = String(req.params.kind) as BillingKind;
    res.json(await upsertBilling(ctxOf(req).tenant, kind, parseBatch(kind, req.body.items)));
  },
);

integrationRoutes.get(
  '/integration/export/readings',
  requireApiKey('export:read'),
  validate('query', ExportQuery),
  async (req, res) => {
    const q = req.query as unknown as { cursor?: string; limit: number };
    res.json(await exportReadings(ctxOf(req).tenant, q));
  },
);

integrationRoutes.post(
  '/integration/readings/status',
  requireApiKey('readings:write'),
  validate('body', ReadingStatusBody),
  async (req, res) => {
    res.json(await setReadingStatuses(ctxOf(req).tenant, req.body.items));
  },
);

integrationRoutes.get(
  '/integration/export/payments',
  requireApiKey('export:read'),
  validate('query', ExportQuery),
  async (req, res) => {
    const q = req.query as unknown as { cursor?: string; limit: number };
    res.json(await exportPayments(ctxOf(req).tenant, q));
  },
);

integrationRoutes.post(
  '/integration/payments/confirm',
  requireApiKey('payments:write'),
  validate('body', ConfirmPaymentsBody),
  async (req, res) => {
    res.json(await confirmPayments(ctxOf(req).tenant, req.body.ids));
  },
);

import { Router } from 'express';
import { z } from 'zod';
import { ITEM_SCHEMAS, type BillingKind } from '../../contracts/billing.ts';
import { batchOf, integration, MAX_BATCH } from '../../contracts/integration.ts';
import { upsertBilling } from '../billing/service.ts';
import { DomainError, ValidationError, type FieldErrors } from '../http/errors.ts';
import type { Mount } from '../http/mount.ts';
import { toFieldErrors } from '../http/validate.ts';
import { confirmPayments, exportPayments } from '../payments/service.ts';
import { exportReadings, setReadingStatuses } from '../readings/service.ts';

/** The batch as a whole, its items not looked at yet. */
const Envelope = batchOf(z.unknown());

/**
 * Reads a bulk upsert's body: first the batch as a whole, an object with 1 to MAX_BATCH `items`
 * (more is 413 `batch_too_large`), then every item by its kind's schema; one bad item refuses the
 * batch (400 `batch_invalid`) with its errors keyed `<index>.<field>`.
 */
function readBatch<K extends BillingKind>(kind: K) {
  return (body: unknown): { items: z.output<(typeof ITEM_SCHEMAS)[K]>[] } => {
    const batch = Envelope.safeParse(body ?? {});
    if (!batch.success) {
      if (batch.error.issues.some((i) => i.message === 'batch_too_large')) {
        throw new DomainError('too_large', 'batch_too_large', { max: MAX_BATCH });
      }
      throw new ValidationError(toFieldErrors(batch.error));
    }
    const schema = ITEM_SCHEMAS[kind];
    const fields: FieldErrors = {};
    const items = batch.data.items.map((item, i) => {
      const parsed = schema.safeParse(item);
      if (parsed.success) return parsed.data;
      for (const [name, err] of Object.entries(toFieldErrors(parsed.error))) fields[`${i}.${name}`] = err;
      return null;
    });
    if (Object.keys(fields).length > 0) throw new ValidationError(fields, 'batch_invalid');
    return { items: items as z.output<(typeof ITEM_SCHEMAS)[K]>[] };
  };
}

/** The integration API's billing calls: bulk upserts, the exports of readings and payments, and their verdicts. */
export function integrationRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, integration.accounts, ({ ctx, body }) => upsertBilling(ctx.tenant, 'accounts', body.items), {
    readBody: readBatch('accounts'),
  });
  mount(router, integration.meters, ({ ctx, body }) => upsertBilling(ctx.tenant, 'meters', body.items), {
    readBody: readBatch('meters'),
  });
  mount(router, integration.charges, ({ ctx, body }) => upsertBilling(ctx.tenant, 'charges', body.items), {
    readBody: readBatch('charges'),
  });
  mount(router, integration.balances, ({ ctx, body }) => upsertBilling(ctx.tenant, 'balances', body.items), {
    readBody: readBatch('balances'),
  });
  mount(router, integration.exportReadings, ({ ctx, query }) => exportReadings(ctx.tenant, query));
  mount(router, integration.readingStatus, ({ ctx, body }) => setReadingStatuses(ctx.tenant, body.items));
  mount(router, integration.exportPayments, ({ ctx, query }) => exportPayments(ctx.tenant, query));
  mount(router, integration.confirmPayments, ({ ctx, body }) => confirmPayments(ctx.tenant, body.ids));
  return router;
}

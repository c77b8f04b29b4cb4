import { Router } from 'express';
import { readings } from '../../contracts/readings.ts';
import type { Mount } from '../http/mount.ts';
import { checkReadings, previewSubmission, readingHistory, storeReadings, type CheckedReadings } from './service.ts';

/** Sending meter readings, their preview, and a meter's history. */
export function readingsRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, readings.history, ({ ctx, params }) => readingHistory(ctx, params.id));
  mount(router, readings.preview, ({ ctx, body }) => previewSubmission(ctx, body));
  // The checks read while the Idempotency-Key is claimed; the readings are stored once it is.
  mount<typeof readings.submit, CheckedReadings>(router, readings.submit, ({ ctx, checked }) => storeReadings(ctx, checked), {
    check: ({ ctx, body }) => checkReadings(ctx, body),
  });
  return router;
}

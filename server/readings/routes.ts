import { Router } from 'express';
import { readings } from '../../contracts/readings.ts';
import type { Mount } from '../http/mount.ts';
import { previewSubmission, readingHistory, submitReadings } from './service.ts';

/** Sending meter readings, their preview, and a meter's history. */
export function readingsRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, readings.history, ({ ctx, params }) => readingHistory(ctx, params.id));
  mount(router, readings.preview, ({ ctx, body }) => previewSubmission(ctx, body));
  mount(router, readings.submit, ({ ctx, body }) => submitReadings(ctx, body));
  return router;
}

import { Router } from 'express';
import { requireSubscriber } from '../auth/sessions.ts';
import { subscriberCtxOf } from '../http/context.ts';
import { idempotencyKeyOf, idempotent } from '../http/idempotency.ts';
import { validate } from '../http/validate.ts';
import { AccountIdParams, SubmitReadingsBody } from './schemas.ts';
import { previewSubmission, readingHistory, submitReadings } from './service.ts';

export const readingsRoutes = Router({ mergeParams: true });

readingsRoutes.get('/accounts/:id/readings', requireSubscriber, validate('params', AccountIdParams), async (req, res) => {
  res.json(await readingHistory(subscriberCtxOf(req), String(req.params.id)));
});

readingsRoutes.post('/readings/preview', requireSubscriber, validate('body', SubmitReadingsBody), async (req, res) => {
  res.json(await previewSubmission(subscriberCtxOf(req), req.body));
});

readingsRoutes.post('/readings', requireSubscriber, validate('body', SubmitReadingsBody), async (req, res) => {
  const ctx = subscriberCtxOf(req);
  const key = idempotencyKeyOf(req);
  const { result, replayed } = await idempotent(ctx, { scope: 'readings', key, request: req.body }, () =>
    submitReadings(ctx, req.body),
  );
  if (replayed) res.set('Idempotent-Replayed', 'true');
  res.status(201).json(result);
});

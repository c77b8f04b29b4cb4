import { Router } from 'express';
import { ctxOf } from '../http/context.ts';
import { validate } from '../http/validate.ts';
import { requireApiKey } from '../integration/keys.ts';
import { deleteFaq, upsertFaq } from './faq.ts';
import {
  FaqDeleteQuery,
  FaqKeyParams,
  FaqUpsertBody,
  FeedbackExportQuery,
  FeedbackIdParams,
  FeedbackUpdateBody,
} from './schemas.ts';
import { listForIntegration, updateRequest } from './service.ts';

/** The supplier's systems: follow requests, move them on and answer them; keep the questions and answers. */
export const feedbackIntegrationRoutes = Router({ mergeParams: true });

feedbackIntegrationRoutes.get(
  '/integration/feedback',
  requireApiKey('export:read'),
  validate('query', FeedbackExportQuery),
  async (req, res) => {
    res.json(await listForIntegration(ctxOf(req).tenant, req.query as unknown as FeedbackExportQuery));
  },
);

feedbackIntegrationRoutes.patch(
  '/integration/feedback/:id',
  requireApiKey('feedback:write'),
  validate('params', FeedbackIdParams),
  validate('body', FeedbackUpdateBody),
  async (req, res) => {
    res.json(await updateRequest(ctxOf(req).tenant, String(req.params.id), req.body as FeedbackUpdateBody, 'integration'));
  },
);

feedbackIntegrationRoutes.put(
  '/integration/faq',
  requireApiKey('feedback:write'),
  validate('body', FaqUpsertBody),
  async (req, res) => {
    res.json(await upsertFaq(ctxOf(req).tenant, req.body as FaqUpsertBody));
  },
);

feedbackIntegrationRoutes.delete(
  '/integration/faq/:key',
  requireApiKey('feedback:write'),
  validate('params', FaqKeyParams),
  validate('query', FaqDeleteQuery),
  async (req, res) => {
    const { lng } = req.query as unknown as FaqDeleteQuery;
    res.json(await deleteFaq(ctxOf(req).tenant, String(req.params.key), lng));
  },
);

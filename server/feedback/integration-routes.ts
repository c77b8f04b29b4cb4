import { Router } from 'express';
import { feedback } from '../../contracts/feedback.ts';
import type { Mount } from '../http/mount.ts';
import { deleteFaq, upsertFaq } from './faq.ts';
import { listForIntegration, updateRequest } from './service.ts';

/** The supplier's systems: follow requests, move them on and answer them; keep the questions and answers. */
export function feedbackIntegrationRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, feedback.integrationList, ({ ctx, query }) => listForIntegration(ctx.tenant, query));
  mount(router, feedback.integrationUpdate, ({ ctx, params, body }) => updateRequest(ctx.tenant, params.id, body, 'integration'));
  mount(router, feedback.faqUpsert, ({ ctx, body }) => upsertFaq(ctx.tenant, body));
  mount(router, feedback.faqDelete, ({ ctx, params, query }) => deleteFaq(ctx.tenant, params.key, query.lng));
  return router;
}

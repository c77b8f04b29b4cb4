import { Router } from 'express';
import { requireSubscriber } from '../auth/sessions.ts';
import { subscriberCtxOf } from '../http/context.ts';
import { idempotencyKeyOf, idempotent } from '../http/idempotency.ts';
import { validate } from '../http/validate.ts';
import { AccountIdParams, AccountRef, ChargesQuery, PinBody, SummaryQuery } from './schemas.ts';
import {
  accountSummaryFor,
  chargesFor,
  checkAccount,
  enterPin,
  linkAccount,
  listLinkedAccounts,
  metersFor,
  unlinkAccount,
} from './service.ts';

export const accountRoutes = Router({ mergeParams: true });

accountRoutes.post('/accounts/check', requireSubscriber, validate('body', AccountRef), async (req, res) => {
  res.json(await checkAccount(subscriberCtxOf(req), req.body, { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown' }));
});

accountRoutes.get('/accounts', requireSubscriber, async (req, res) => {
  res.json({ items: await listLinkedAccounts(subscriberCtxOf(req)) });
});

accountRoutes.post('/accounts', requireSubscriber, validate('body', AccountRef), async (req, res) => {
  const ctx = subscriberCtxOf(req);
  const { result } = await idempotent(ctx, { scope: 'accounts.link', key: idempotencyKeyOf(req), request: req.body }, () =>
    linkAccount(ctx, req.body),
  );
  res.status(201).json(result);
});

accountRoutes.delete('/accounts/:id', requireSubscriber, validate('params', AccountIdParams), async (req, res) => {
  await unlinkAccount(subscriberCtxOf(req), String(req.params.id));
  res.status(204).end();
});

accountRoutes.post(
  '/accounts/:id/pin',
  requireSubscriber,
  validate('params', AccountIdParams),
  validate('body', PinBody),
  async (req, res) => {
    res.json(await enterPin(subscriberCtxOf(req), String(req.params.id), req.body.pin));
  },
);

accountRoutes.get(
  '/accounts/:id/summary',
  requireSubscriber,
  validate('params', AccountIdParams),
  validate('query', SummaryQuery),
  async (req, res) => {
    res.json(await accountSummaryFor(subscriberCtxOf(req), String(req.params.id), (req.query as { period?: string }).period));
  },
);

accountRoutes.get(
  '/accounts/:id/charges',
  requireSubscriber,
  validate('params', AccountIdParams),
  validate('query', ChargesQuery),
  async (req, res) => {
    res.json({
      items: await chargesFor(subscriberCtxOf(req), String(req.params.id), req.query as { from?: string; to?: string }),
    });
  },
);

accountRoutes.get('/accounts/:id/meters', requireSubscriber, validate('params', AccountIdParams), async (req, res) => {
  res.json({ items: await metersFor(subscriberCtxOf(req), String(req.params.id)) });
});

import { Router } from 'express';
import { appContext } from '../app-context.ts';
import { requireSubscriber } from '../auth/sessions.ts';
import type { Config } from '../config.ts';
import { ctxOf, subscriberCtxOf } from '../http/context.ts';
import { idempotencyKeyOf } from '../http/idempotency.ts';
import { validate } from '../http/validate.ts';
import { renderReceiptPage } from './receipt-page.ts';
import {
  CreatePaymentBody,
  DemoAuthenticateBody,
  DemoConfirmBody,
  ListPaymentsQuery,
  PaymentIdParams,
  ReceiptParams,
  ShortReceiptParams,
} from './schemas.ts';
import {
  cancelPayment,
  createPayment,
  demoAuthenticate,
  demoConfirm,
  getPayment,
  handleStripeWebhook,
  listPayments,
  paymentOptions,
  receiptByToken,
} from './service.ts';

/** The app's configuration (Stripe keys, demo mode). */
function configOf(): Config {
  return appContext().config;
}

export const paymentRoutes = Router({ mergeParams: true });

paymentRoutes.get('/payments/options', requireSubscriber, async (req, res) => {
  res.json(await paymentOptions(subscriberCtxOf(req)));
});

paymentRoutes.post('/payments', requireSubscriber, validate('body', CreatePaymentBody), async (req, res) => {
  const result = await createPayment(subscriberCtxOf(req), req.body, {
    idempotencyKey: idempotencyKeyOf(req),
    config: configOf(),
  });
  res.status(201).json(result);
});

paymentRoutes.get('/payments', requireSubscriber, validate('query', ListPaymentsQuery), async (req, res) => {
  res.json(await listPayments(subscriberCtxOf(req), req.query));
});

paymentRoutes.get('/payments/:id', requireSubscriber, validate('params', PaymentIdParams), async (req, res) => {
  res.json(await getPayment(subscriberCtxOf(req), String(req.params.id)));
});

paymentRoutes.post('/payments/:id/cancel', requireSubscriber, validate('params', PaymentIdParams), async (req, res) => {
  res.json(await cancelPayment(subscriberCtxOf(req), String(req.params.id), configOf()));
});

paymentRoutes.post(
  '/payments/:id/demo/confirm',
  requireSubscriber,
  validate('params', PaymentIdParams),
  validate('body', DemoConfirmBody),
  async (req, res) => {
    res.json(await demoConfirm(subscriberCtxOf(req), String(req.params.id), req.body, configOf()));
  },
);

paymentRoutes.post(
  '/payments/:id/demo/authenticate',
  requireSubscriber,
  validate('params', PaymentIdParams),
  validate('body', DemoAuthenticateBody),
  async (req, res) => {
    res.json(await demoAuthenticate(subscriberCtxOf(req), String(req.params.id), req.body.approve, configOf()));
  },
);

paymentRoutes.get('/receipts/:token', validate('params', ReceiptParams), async (req, res) => {
  const ctx = ctxOf(req);
  const payment = await receiptByToken(ctx, String(req.params.token));
  res.set('Cache-Control', 'private, no-store').type('html').send(renderReceiptPage(ctx, payment));
});

/** One Stripe webhook endpoint for every supplier: `event.account` names the connected account. */
export const paymentRootRoutes = Router();

/** The short link of a receipt sent by SMS: on to the printable receipt. */
paymentRootRoutes.get('/r/:tenant/:token', validate('params', ShortReceiptParams), (req, res) => {
  res.redirect(302, `/api/v1/t/${String(req.params.tenant)}/receipts/${String(req.params.token)}`);
});

paymentRootRoutes.post('/api/v1/webhooks/stripe', async (req, res) => {
  const result = await handleStripeWebhook(req.rawBody, req.get('stripe-signature'), configOf());
  res.json({ received: true, outcome: result.outcome });
});

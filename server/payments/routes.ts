import { Router } from 'express';
import { z } from 'zod';
import { payments } from '../../contracts/payments.ts';
import { appContext } from '../app-context.ts';
import type { Config } from '../config.ts';
import { ValidationError } from '../http/errors.ts';
import type { Mount } from '../http/mount.ts';
import { toFieldErrors } from '../http/validate.ts';
import { renderReceiptPage } from './receipt-page.ts';
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

/** Paying linked accounts, the payment's state, and its receipt. */
export function paymentRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, payments.options, ({ ctx }) => paymentOptions(ctx));
  mount(router, payments.create, ({ ctx, body, idempotencyKey }) =>
    createPayment(ctx, body, { idempotencyKey, config: configOf() }),
  );
  mount(router, payments.list, ({ ctx, query }) => listPayments(ctx, query));
  mount(router, payments.get, ({ ctx, params }) => getPayment(ctx, params.id));
  mount(router, payments.cancel, ({ ctx, params }) => cancelPayment(ctx, params.id, configOf()));
  mount(router, payments.demoConfirm, ({ ctx, params, body }) => demoConfirm(ctx, params.id, body, configOf()));
  mount(router, payments.demoAuthenticate, ({ ctx, params, body }) => demoAuthenticate(ctx, params.id, body.approve, configOf()));
  mount(router, payments.receipt, async ({ ctx, params, res }) => {
    const payment = await receiptByToken(ctx, params.token);
    res.set('Cache-Control', 'private, no-store');
    return renderReceiptPage(ctx, payment);
  });
  return router;
}

const ShortReceiptParams = z.strictObject({
  tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'invalid_format'),
  token: z.string().regex(/^[\w-]{16,64}$/, 'invalid_format'),
});

/** One Stripe webhook endpoint for every supplier (`event.account` names the connected account), and the receipts' short links. */
export function paymentRootRoutes(mount: Mount): Router {
  const router = Router();
  /** The short link of a receipt sent by SMS: on to the printable receipt. */
  router.get('/r/:tenant/:token', (req, res) => {
    const parsed = ShortReceiptParams.safeParse(req.params);
    if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
    res.redirect(302, `/api/v1/t/${parsed.data.tenant}/receipts/${parsed.data.token}`);
  });
  mount(router, payments.stripeWebhook, async ({ req }) => {
    const result = await handleStripeWebhook(req.rawBody, req.get('stripe-signature'), configOf());
    return { received: true as const, outcome: result.outcome };
  });
  return router;
}

/** Payments of linked accounts through the supplier's provider, and their receipts (server/payments). Money is in kopecks. */
import { z } from 'zod';
import { AmountDue, Period } from './common.ts';
import { endpoint } from './endpoint.ts';

const PaymentId = z.string().regex(/^[a-f\d]{24}$/i, 'invalid_format');
/** An account id as the accounts module gives it (opaque): an ObjectId's hex or `<tenantId>:<number>`. */
const AccountId = z.string().regex(/^[a-f\d]{24}(?::\S.{0,63})?$/i, 'invalid_format');
const Kopecks = z
  .number({ message: 'amount_invalid' })
  .int('amount_not_integer')
  .min(0, 'amount_negative')
  .max(Number.MAX_SAFE_INTEGER, 'amount_invalid');

const ReadingInput = z.strictObject({
  meterId: z.string().min(1).max(64),
  value: z.union([z.string().max(32), z.number()]),
  confirmRollover: z.boolean().optional(),
  confirmImplausible: z.boolean().optional(),
});

export const PaymentItemInput = z.strictObject({
  accountId: AccountId,
  amount: Kopecks,
  penalties: Kopecks.default(0),
  readings: z.array(ReadingInput).max(20).optional(),
});
/** A payment's item as the server reads it (penalties 0 when not given). */
export type PaymentItemInput = z.output<typeof PaymentItemInput>;

export const CreatePaymentBody = z
  .strictObject({ items: z.array(PaymentItemInput).min(1, 'payment_no_items').max(100) })
  .refine((b) => new Set(b.items.map((i) => i.accountId)).size === b.items.length, {
    message: 'account_duplicate',
    path: ['items'],
  })
  .meta({ id: 'CreatePayment' });

const IdParams = z.strictObject({ id: PaymentId });
const ReceiptParams = z.strictObject({ token: z.string().regex(/^[\w-]{16,64}$/, 'invalid_format') });
const ListPaymentsQuery = z.strictObject({
  from: Period.optional(),
  to: Period.optional(),
  accountId: AccountId.optional(),
});

const DemoConfirmBody = z.strictObject({
  cardNumber: z.string().min(1).max(32),
  expiry: z.string().min(1).max(10),
  cvc: z.string().min(1).max(4),
});
const DemoAuthenticateBody = z.strictObject({ approve: z.boolean() });

export const PaymentStatus = z.enum(['created', 'requires_action', 'processing', 'succeeded', 'failed', 'canceled', 'refunded']);

export const Payment = z
  .object({
    id: z.string(),
    status: PaymentStatus,
    provider: z.enum(['demo', 'stripe']),
    currency: z.string(),
    total: z.number().int().meta({ description: 'Kopecks' }),
    items: z.array(
      z.object({
        accountId: z.string(),
        accountNumber: z.string(),
        address: z.string(),
        amount: z.number().int(),
        penalties: z.number().int(),
        hasReadings: z.boolean(),
        readingsResult: z.object({ status: z.enum(['accepted', 'rejected']), code: z.string() }).nullable(),
      }),
    ),
    nextAction: z.enum(['authenticate']).nullable(),
    failureCode: z.string().nullable(),
    refundedAmount: z.number().int(),
    confirmed: z.boolean(),
    createdAt: z.string(),
    succeededAt: z.string().nullable(),
    receipt: z
      .object({
        issuedAt: z.string(),
        supplierName: z.string(),
        supplierLegalName: z.string(),
        supplierTaxId: z.string(),
        url: z.string(),
        sentTo: z
          .object({ channel: z.enum(['email', 'sms']), to: z.string().meta({ description: 'Partly hidden' }) })
          .nullable()
          .meta({
            description:
              'Where the receipt goes: by email, or by SMS (a short link) without an email; set with the success, sent right after it',
          }),
      })
      .nullable(),
  })
  .meta({ id: 'Payment' });

export const ClientParams = z.union([
  z.object({ provider: z.literal('stripe'), publishableKey: z.string(), stripeAccount: z.string(), clientSecret: z.string() }),
  z.object({ provider: z.literal('demo') }),
]);

export const PaymentElsewhere = z.object({
  period: z.string(),
  accountId: z.string(),
  accountNumber: z.string(),
  address: z.string(),
  amount: z
    .number()
    .int()
    .meta({ description: 'Kopecks billing booked as paid that month, less the cabinet’s own booked payments' }),
});

export type PaymentElsewhere = z.output<typeof PaymentElsewhere>;

export const PaymentOptions = z
  .object({
    provider: z.enum(['demo', 'stripe']),
    currency: z.string(),
    minAmount: z.number().int(),
    maxAmount: z.number().int(),
    accounts: z.array(
      z.object({
        accountId: z.string(),
        accountNumber: z.string(),
        address: z.string(),
        supplierName: z.string(),
        debt: z.number().int(),
        penalties: z.number().int(),
        pendingPaid: z.number().int(),
        due: AmountDue,
        hasMeters: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'PaymentOptions' });

export const CreatedPayment = z.object({ payment: Payment, client: ClientParams });

export const PaymentHistory = z.object({
  payments: z.array(Payment),
  elsewhere: z.array(PaymentElsewhere),
  range: z.object({ from: z.string(), to: z.string() }),
  hasEarlier: z.boolean(),
});

export const payments = {
  options: endpoint({
    method: 'GET',
    path: '/payments/options',
    auth: 'subscriber',
    summary: 'Linked accounts with debt, penalties and unconfirmed payments, the limits and the provider',
    tags: ['Payments'],
    response: { status: 200, body: PaymentOptions, description: 'Options' },
    errors: [401],
  }),
  create: endpoint({
    method: 'POST',
    path: '/payments',
    auth: 'subscriber',
    idempotency: 'key',
    summary: 'Start a payment of one or more linked accounts (kopecks; 0 skips an account), optionally with meter readings',
    description:
      'Requires `Idempotency-Key`: the same key returns the first result, so a second click never creates a second payment. ' +
      'The payment is marked paid only by the provider (Stripe webhook or the demo provider), never by the browser.',
    tags: ['Payments'],
    body: CreatePaymentBody,
    response: { status: 201, body: CreatedPayment, description: 'Created (or the first result for this key)' },
    errors: [400, 401, 404, 409, 422],
  }),
  list: endpoint({
    method: 'GET',
    path: '/payments',
    auth: 'subscriber',
    summary:
      "The subscriber's payments between two months (default the last twelve), newest first, and the payments billing booked that were made elsewhere",
    tags: ['Payments'],
    query: ListPaymentsQuery,
    response: { status: 200, body: PaymentHistory, description: 'Payments' },
    errors: [400, 401],
  }),
  get: endpoint({
    method: 'GET',
    path: '/payments/:id',
    auth: 'subscriber',
    summary: 'One payment',
    tags: ['Payments'],
    params: IdParams,
    response: { status: 200, body: Payment, description: 'Payment' },
    errors: [401, 404],
  }),
  cancel: endpoint({
    method: 'POST',
    path: '/payments/:id/cancel',
    auth: 'subscriber',
    summary: 'Ask the provider to cancel an unpaid payment',
    tags: ['Payments'],
    params: IdParams,
    response: { status: 200, body: Payment, description: 'Payment' },
    errors: [401, 404, 422],
  }),
  demoConfirm: endpoint({
    method: 'POST',
    path: '/payments/:id/demo/confirm',
    auth: 'subscriber',
    summary:
      "Demo provider: pay with a card following Stripe's test cards (4242… succeeds, 4000…0002 declined, 4000…3220 asks to confirm)",
    tags: ['Payments'],
    params: IdParams,
    body: DemoConfirmBody,
    response: { status: 200, body: Payment, description: 'Payment' },
    errors: [400, 401, 404],
  }),
  demoAuthenticate: endpoint({
    method: 'POST',
    path: '/payments/:id/demo/authenticate',
    auth: 'subscriber',
    summary: 'Demo provider: approve or reject the confirmation step',
    tags: ['Payments'],
    params: IdParams,
    body: DemoAuthenticateBody,
    response: { status: 200, body: Payment, description: 'Payment' },
    errors: [400, 401, 404],
  }),
  receipt: endpoint({
    method: 'GET',
    path: '/receipts/:token',
    auth: 'signed',
    summary: 'The printable receipt of a succeeded payment (public link, also emailed)',
    tags: ['Payments'],
    params: ReceiptParams,
    response: { status: 200, body: 'text/html', description: 'HTML receipt' },
    errors: [404],
  }),
  stripeWebhook: endpoint({
    method: 'POST',
    path: '/api/v1/webhooks/stripe',
    root: true,
    auth: 'signed',
    summary: 'Stripe Connect webhook (signed; `event.account` selects the supplier)',
    tags: ['Payments'],
    headers: z.object({ 'Stripe-Signature': z.string() }),
    response: { status: 200, body: z.object({ received: z.literal(true), outcome: z.string() }), description: 'Accepted' },
    errors: [400],
  }),
};

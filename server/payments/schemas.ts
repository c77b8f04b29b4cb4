import { z } from 'zod';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

const PaymentId = z.string().regex(/^[a-f\d]{24}$/i, 'invalid_format');
/** An account id as the accounts module gives it (opaque): an ObjectId's hex or `<tenantId>:<number>`. */
const AccountId = z.string().regex(/^[a-f\d]{24}(?::\S.{0,63})?$/i, 'invalid_format');
const Kopecks = z
  .number({ message: 'amount_invalid' })
  .int('amount_not_integer')
  .min(0, 'amount_negative')
  .max(Number.MAX_SAFE_INTEGER, 'amount_invalid');
const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'period_format');

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

export const CreatePaymentBody = openapi.register(
  'CreatePayment',
  z
    .strictObject({ items: z.array(PaymentItemInput).min(1, 'payment_no_items').max(100) })
    .refine((b) => new Set(b.items.map((i) => i.accountId)).size === b.items.length, {
      message: 'account_duplicate',
      path: ['items'],
    }),
);

export const PaymentIdParams = z.strictObject({ tenant: z.string(), id: PaymentId });
export const ReceiptParams = z.strictObject({ tenant: z.string(), token: z.string().regex(/^[\w-]{16,64}$/, 'invalid_format') });
export const ShortReceiptParams = z.strictObject({
  tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'invalid_format'),
  token: z.string().regex(/^[\w-]{16,64}$/, 'invalid_format'),
});

export const ListPaymentsQuery = z.strictObject({
  from: Period.optional(),
  to: Period.optional(),
  accountId: AccountId.optional(),
});

export const DemoConfirmBody = z.strictObject({
  cardNumber: z.string().min(1).max(32),
  expiry: z.string().min(1).max(10),
  cvc: z.string().min(1).max(4),
});
export const DemoAuthenticateBody = z.strictObject({ approve: z.boolean() });

const PaymentStatus = z.enum(['created', 'requires_action', 'processing', 'succeeded', 'failed', 'canceled', 'refunded']);

const Payment = openapi.register(
  'Payment',
  z.object({
    id: z.string(),
    status: PaymentStatus,
    provider: z.enum(['demo', 'stripe']),
    currency: z.string(),
    total: z.number().int().openapi({ description: 'Kopecks' }),
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
          .object({ channel: z.enum(['email', 'sms']), to: z.string().openapi({ description: 'Partly hidden' }) })
          .nullable()
          .openapi({ description: 'Where the receipt was sent: by email, or by SMS (a short link) without an email' }),
      })
      .nullable(),
  }),
);

const ClientParams = z.union([
  z.object({ provider: z.literal('stripe'), publishableKey: z.string(), stripeAccount: z.string(), clientSecret: z.string() }),
  z.object({ provider: z.literal('demo') }),
]);

export const AmountDue = openapi.register(
  'AmountDue',
  z.object({
    balance: z.number().int().openapi({ description: 'The debt less payments not booked yet; negative is an overpayment' }),
    total: z.number().int().openapi({ description: 'What to pay now: amount + penalties' }),
    amount: z.number().int().openapi({ description: 'Toward the services ("Сумма")' }),
    penalties: z.number().int().openapi({ description: 'Toward the penalties ("Пени")' }),
  }),
);

const PaymentElsewhere = z.object({
  period: z.string(),
  accountId: z.string(),
  accountNumber: z.string(),
  address: z.string(),
  amount: z
    .number()
    .int()
    .openapi({ description: 'Kopecks billing booked as paid that month, less the cabinet’s own booked payments' }),
});

const PaymentOptions = openapi.register(
  'PaymentOptions',
  z.object({
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
  }),
);

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const tenantParams = z.object({ tenant: TenantParam });
const idParams = z.object({ tenant: TenantParam, id: z.string() });

openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/payments/options',
  summary: 'Linked accounts with debt, penalties and unconfirmed payments, the limits and the provider',
  tags: ['Payments'],
  security: bearer,
  request: { params: tenantParams },
  responses: { 200: json(PaymentOptions, 'Options'), ...errorResponses(401) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/payments',
  summary: 'Start a payment of one or more linked accounts (kopecks; 0 skips an account), optionally with meter readings',
  description:
    'Requires `Idempotency-Key`: the same key returns the first result, so a second click never creates a second payment. ' +
    'The payment is marked paid only by the provider (Stripe webhook or the demo provider), never by the browser.',
  tags: ['Payments'],
  security: bearer,
  request: {
    params: tenantParams,
    headers: z.object({ 'Idempotency-Key': z.string() }),
    body: { content: { 'application/json': { schema: CreatePaymentBody } } },
  },
  responses: {
    201: json(z.object({ payment: Payment, client: ClientParams }), 'Created (or the first result for this key)'),
    ...errorResponses(400, 401, 404, 409, 422),
  },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/payments',
  summary:
    "The subscriber's payments between two months (default the last twelve), newest first, and the payments billing booked that were made elsewhere",
  tags: ['Payments'],
  security: bearer,
  request: { params: tenantParams, query: ListPaymentsQuery },
  responses: {
    200: json(
      z.object({
        payments: z.array(Payment),
        elsewhere: z.array(PaymentElsewhere),
        range: z.object({ from: z.string(), to: z.string() }),
        hasEarlier: z.boolean(),
      }),
      'Payments',
    ),
    ...errorResponses(400, 401),
  },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/payments/{id}',
  summary: 'One payment',
  tags: ['Payments'],
  security: bearer,
  request: { params: idParams },
  responses: { 200: json(Payment, 'Payment'), ...errorResponses(401, 404) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/payments/{id}/cancel',
  summary: 'Ask the provider to cancel an unpaid payment',
  tags: ['Payments'],
  security: bearer,
  request: { params: idParams },
  responses: { 200: json(Payment, 'Payment'), ...errorResponses(401, 404, 422) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/payments/{id}/demo/confirm',
  summary:
    "Demo provider: pay with a card following Stripe's test cards (4242… succeeds, 4000…0002 declined, 4000…3220 asks to confirm)",
  tags: ['Payments'],
  security: bearer,
  request: { params: idParams, body: { content: { 'application/json': { schema: DemoConfirmBody } } } },
  responses: { 200: json(Payment, 'Payment'), ...errorResponses(400, 401, 404) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/payments/{id}/demo/authenticate',
  summary: 'Demo provider: approve or reject the confirmation step',
  tags: ['Payments'],
  security: bearer,
  request: { params: idParams, body: { content: { 'application/json': { schema: DemoAuthenticateBody } } } },
  responses: { 200: json(Payment, 'Payment'), ...errorResponses(400, 401, 404) },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/receipts/{token}',
  summary: 'The printable receipt of a succeeded payment (public link, also emailed)',
  tags: ['Payments'],
  request: { params: z.object({ tenant: TenantParam, token: z.string() }) },
  responses: { 200: { description: 'HTML receipt', content: { 'text/html': { schema: z.string() } } }, ...errorResponses(404) },
});
openapi.registerPath({
  method: 'post',
  path: '/webhooks/stripe',
  summary: 'Stripe Connect webhook (signed; `event.account` selects the supplier)',
  tags: ['Payments'],
  request: { headers: z.object({ 'Stripe-Signature': z.string() }) },
  responses: { 200: json(z.object({ received: z.literal(true), outcome: z.string() }), 'Accepted'), ...errorResponses(400) },
});

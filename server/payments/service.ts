import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { checkPaymentTotal, periodOfDate, shiftPeriod, type PaymentItemInput } from '../../sdk/payments.ts';
import type { Config } from '../config.ts';
import type { Ctx } from '../http/context.ts';
import { AuthError, NotFoundError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { idempotent } from '../http/idempotency.ts';
import { enqueue } from '../notify/service.ts';
import { getTenantBySlug, tenantTranslator } from '../tenants/service.ts';
import type { NormalizedSubmission } from '../readings/service.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { registerWorker } from '../workers.ts';
import { amountDue } from './amounts.ts';
import { interpretEvent, type PaymentUpdate, type ProviderEvent } from './events.ts';
import { paidElsewhere } from './history.ts';
import { canMove } from './machine.ts';
import {
  Payment,
  PaymentClaim,
  PaymentEvent,
  PaymentExport,
  PaymentTransition,
  type PaymentDoc,
  type PaymentExportDoc,
  type PaymentItemDoc,
  type PaymentStatus,
  type ProviderName,
  type ReceiptDoc,
} from './model.ts';
import { demoAuthenticationEvents, demoCardEvents, providerFor, stripeClient } from './providers.ts';
import { receiptDestination, receiptShortUrl } from './receipt-delivery.ts';
import {
  acceptPaymentReadings,
  linkedAccount,
  payableAccounts,
  subscriberContacts,
  validatePaymentReadings,
} from './collaborators.ts';
import './receipt-template.ts';

const FULFIL_LEASE_MS = 60_000;
const CLAIM_KEEP_MS = 3600_000;

/** The public shape of a payment (money in kopecks, dates as ISO strings by JSON). */
export function publicPayment(p: PaymentDoc) {
  return {
    id: String(p._id),
    status: p.status,
    provider: p.provider,
    currency: p.currency,
    total: p.total,
    items: p.items.map((i) => ({
      accountId: String(i.accountId),
      accountNumber: i.accountNumber,
      address: i.address,
      amount: i.amount,
      penalties: i.penalties,
      hasReadings: i.readings !== undefined && i.readings !== null,
      readingsResult: i.readingsResult?.status ? { status: i.readingsResult.status, code: i.readingsResult.code } : null,
    })),
    nextAction: p.nextAction || null,
    failureCode: p.failureCode || null,
    refundedAmount: p.refundedAmount,
    confirmed: Boolean(p.confirmedAt),
    createdAt: p.createdAt,
    succeededAt: p.succeededAt ?? null,
    receipt: p.receipt
      ? {
          issuedAt: p.receipt.issuedAt,
          supplierName: p.receipt.supplierName,
          supplierLegalName: p.receipt.supplierLegalName,
          supplierTaxId: p.receipt.supplierTaxId,
          url: receiptUrl(p),
          sentTo: p.receipt.channel ? { channel: p.receipt.channel, to: p.receipt.sentTo } : null,
        }
      : null,
  };
}
export type PublicPayment = ReturnType<typeof publicPayment>;

export function receiptUrl(p: Pick<PaymentDoc, 'linkBase' | 'tenantSlug' | 'receiptToken'>): string {
  return `${p.linkBase}/api/v1/t/${p.tenantSlug}/receipts/${p.receiptToken}`;
}

function subscriberOf(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new AuthError();
  return new Types.ObjectId(ctx.subscriberId);
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

/** `GET payments/options`: the linked accounts with debt, penalties, unconfirmed payments and what is due now, and the limits. */
export async function paymentOptions(ctx: Ctx) {
  const accounts = await payableAccounts(ctx);
  return {
    provider: ctx.tenant.payments.provider,
    currency: ctx.tenant.payments.currency,
    minAmount: ctx.tenant.payments.minAmount,
    maxAmount: ctx.tenant.payments.maxAmount,
    accounts: accounts.map((a) => ({ ...a, due: amountDue(a, a.pendingPaid) })),
  };
}

type PreparedItem = Omit<PaymentItemDoc, 'readingsResult'>;

/** Checks the items: linked accounts, amounts, readings; drops accounts with nothing to pay. */
async function prepareItems(ctx: Ctx, items: PaymentItemInput[]): Promise<{ items: PreparedItem[]; total: number }> {
  const fields: FieldErrors = {};
  const prepared: PreparedItem[] = [];
  for (const [index, item] of items.entries()) {
    const sum = item.amount + item.penalties;
    if (sum === 0) {
      if (item.readings?.length) fields[`items.${index}.readings`] = { code: 'readings_without_payment' };
      continue;
    }
    const account = await linkedAccount(ctx, item.accountId);
    let readings: unknown;
    if (item.readings?.length) {
      const checked = await validatePaymentReadings(ctx, item.accountId, item.readings);
      if ('error' in checked) {
        for (const [name, error] of Object.entries(checked.error)) fields[`items.${index}.${name}`] = error;
        continue;
      }
      readings = checked.normalized;
    }
    prepared.push({
      accountId: new Types.ObjectId(item.accountId),
      accountNumber: account.number,
      address: account.address,
      amount: item.amount,
      penalties: item.penalties,
      ...(readings === undefined ? {} : { readings }),
    });
  }
  if (Object.keys(fields).length) throw new ValidationError(fields);
  const total = prepared.reduce((sum, i) => sum + i.amount + i.penalties, 0);
  const code = checkPaymentTotal(total, ctx.tenant.payments);
  if (code) {
    throw new RuleViolation(code, { min: ctx.tenant.payments.minAmount / 100, max: ctx.tenant.payments.maxAmount / 100 });
  }
  return { items: prepared, total };
}

function clientParams(p: PaymentDoc, config: Config) {
  return p.provider === 'stripe'
    ? {
        provider: 'stripe' as const,
        publishableKey: config.stripe.publishableKey ?? '',
        stripeAccount: p.providerAccount,
        clientSecret: p.clientSecret,
      }
    : { provider: 'demo' as const };
}

/**
 * `POST payments`. The payment is saved first (unique per idempotency key), then the provider's
 * intent is created with an idempotency key derived from the saved payment's id, so a second
 * click, a retry or two racing requests end with one payment and one intent.
 */
export async function createPayment(
  ctx: Ctx,
  input: { items: PaymentItemInput[] },
  opts: { idempotencyKey: string | undefined; config: Config; apiBase: string },
) {
  const subscriberId = subscriberOf(ctx);
  const key = opts.idempotencyKey;
  if (!key) throw new ValidationError({ 'Idempotency-Key': { code: 'idempotency_key_required' } });
  const provider = providerFor(ctx.tenant, opts.config);
  const { result } = await idempotent(ctx, { scope: 'payments.create', key, request: input }, async () => {
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    let payment = await Payment.findOne({ tenantId: ctx.tenant._id, subscriberId, idempotencyKey: key }).lean<PaymentDoc>();
    if (!payment) {
      const { items, total } = await prepareItems(ctx, input.items);
      try {
        payment = (
          await Payment.create({
            tenantId: ctx.tenant._id,
            tenantSlug: ctx.tenant.slug,
            subscriberId,
            idempotencyKey: key,
            requestHash,
            provider: provider.name,
            currency: ctx.tenant.payments.currency,
            items,
            total,
            locale: ctx.lng,
            linkBase: opts.config.publicUrl?.replace(/\/+$/, '') ?? opts.apiBase,
            receiptToken: randomBytes(24).toString('base64url'),
          })
        ).toObject<PaymentDoc>();
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        payment = await Payment.findOne({ tenantId: ctx.tenant._id, subscriberId, idempotencyKey: key }).lean<PaymentDoc>();
        if (!payment) throw err;
      }
    }
    if (payment.requestHash !== requestHash) throw new RuleViolation('idempotency_key_reused');
    if (!payment.providerRef) {
      const intent = await provider.createIntent({
        paymentId: String(payment._id),
        tenant: ctx.tenant,
        total: payment.total,
        currency: payment.currency,
        description: ctx.t('payments:intentDescription', { accounts: payment.items.map((i) => i.accountNumber).join(', ') }),
      });
      payment = await Payment.findOneAndUpdate(
        { _id: payment._id, tenantId: ctx.tenant._id },
        { $set: { providerRef: intent.ref, providerAccount: intent.account, clientSecret: intent.clientSecret } },
        { returnDocument: 'after' },
      ).lean<PaymentDoc>();
      if (!payment) throw new NotFoundError('payment_not_found');
    }
    return { payment: publicPayment(payment), client: clientParams(payment, opts.config) };
  });
  return result;
}

async function ownPayment(ctx: Ctx, id: string): Promise<PaymentDoc> {
  const subscriberId = subscriberOf(ctx);
  if (!Types.ObjectId.isValid(id)) throw new NotFoundError('payment_not_found');
  const payment = await Payment.findOne({
    _id: new Types.ObjectId(id),
    tenantId: ctx.tenant._id,
    subscriberId,
  }).lean<PaymentDoc>();
  if (!payment) throw new NotFoundError('payment_not_found');
  return payment;
}

export async function getPayment(ctx: Ctx, id: string) {
  return publicPayment(await ownPayment(ctx, id));
}

function monthStart(period: string): Date {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1));
}

/** `GET payments`: the subscriber's payments between two months (default the last twelve), newest first. */
export async function listPayments(ctx: Ctx, query: { from?: string; to?: string; accountId?: string }) {
  const subscriberId = subscriberOf(ctx);
  const to = query.to ?? periodOfDate(new Date());
  const from = query.from ?? shiftPeriod(to, -11);
  if (from > to) throw new ValidationError({ from: { code: 'period_range_invalid' } });
  const filter: Record<string, unknown> = {
    tenantId: ctx.tenant._id,
    subscriberId,
    createdAt: mongoose.trusted({ $gte: monthStart(from), $lt: monthStart(shiftPeriod(to, 1)) }),
  };
  if (query.accountId) filter['items.accountId'] = new Types.ObjectId(query.accountId);
  const rows = await Payment.find(filter).sort({ createdAt: -1 }).limit(500).lean<PaymentDoc[]>();
  const payments = rows.map((p) => publicPayment(p));
  return { payments, ...(await paidElsewhere(ctx, { from, to }, payments, query.accountId)) };
}

/** `POST payments/:id/cancel`: asks the provider to cancel; its event moves the payment. */
export async function cancelPayment(ctx: Ctx, id: string, config: Config) {
  const payment = await ownPayment(ctx, id);
  if (!canMove(payment.status, 'canceled')) throw new RuleViolation('payment_not_cancelable');
  if (payment.providerRef) {
    const provider = providerFor(ctx.tenant, config);
    const events = await provider.cancelIntent({
      ref: payment.providerRef,
      account: payment.providerAccount,
      paymentId: String(payment._id),
    });
    for (const event of events) await handleProviderEvent(payment.provider, event);
  }
  return getPayment(ctx, id);
}

async function demoPayment(ctx: Ctx, id: string, config: Config): Promise<PaymentDoc> {
  const payment = await ownPayment(ctx, id);
  if (payment.provider !== 'demo' || config.env === 'production') throw new NotFoundError('payment_not_found');
  return payment;
}

/**
 * Demo provider, card step: the demo "bank" answers for the card (Stripe's test cards) with
 * provider events, applied through the same handler as Stripe's webhooks. A second submit of a
 * payment that is no longer waiting for a card changes nothing.
 */
export async function demoConfirm(ctx: Ctx, id: string, card: { cardNumber: string }, config: Config) {
  const payment = await demoPayment(ctx, id, config);
  if (payment.status === 'created') {
    const intent = {
      ref: payment.providerRef,
      paymentId: String(payment._id),
      amount: payment.total,
      currency: payment.currency,
    };
    for (const event of demoCardEvents(intent, card.cardNumber)) await handleProviderEvent('demo', event);
  }
  return getPayment(ctx, id);
}

/** Demo provider, the confirmation step a 3220 card asks for (3-D Secure in real life). */
export async function demoAuthenticate(ctx: Ctx, id: string, approve: boolean, config: Config) {
  const payment = await demoPayment(ctx, id, config);
  if (payment.status === 'requires_action') {
    const intent = {
      ref: payment.providerRef,
      paymentId: String(payment._id),
      amount: payment.total,
      currency: payment.currency,
    };
    for (const event of demoAuthenticationEvents(intent, approve)) await handleProviderEvent('demo', event);
  }
  return getPayment(ctx, id);
}

/**
 * `POST /api/v1/webhooks/stripe`: the signature (and its timestamp, within Stripe's tolerance)
 * is checked over the raw body before anything is read; a forged, replayed-late or malformed
 * request is refused with `webhook_signature_invalid`.
 */
export async function handleStripeWebhook(rawBody: Buffer | undefined, signature: string | undefined, config: Config) {
  if (!config.stripe.webhookSecret || !config.stripe.secretKey) throw new NotFoundError('route_not_found');
  if (!rawBody || !signature)
    throw new ValidationError({ 'Stripe-Signature': { code: 'webhook_signature_invalid' } }, 'webhook_signature_invalid');
  let event: Stripe.Event;
  try {
    event = stripeClient(config).webhooks.constructEvent(rawBody, signature, config.stripe.webhookSecret);
  } catch {
    throw new ValidationError({ 'Stripe-Signature': { code: 'webhook_signature_invalid' } }, 'webhook_signature_invalid');
  }
  return handleProviderEvent('stripe', event as unknown as ProviderEvent);
}

/** The payment an update is about, if the event really belongs to it. */
async function paymentFor(
  provider: ProviderName,
  event: ProviderEvent,
  update: PaymentUpdate,
): Promise<{ payment?: PaymentDoc; reason: string }> {
  const byId = update.paymentId && Types.ObjectId.isValid(update.paymentId) ? new Types.ObjectId(update.paymentId) : undefined;
  const payment = byId
    ? await Payment.findOne({ _id: byId, provider }).lean<PaymentDoc>()
    : await Payment.findOne({ provider, providerRef: update.intentId }).lean<PaymentDoc>();
  if (!payment) return { reason: 'unknown_payment' };
  if (payment.providerRef && payment.providerRef !== update.intentId) return { reason: 'intent_mismatch' };
  if (provider === 'stripe') {
    // Stripe Connect: the event's connected account must be the tenant's, as the payment was made on it.
    const tenant = await getTenantBySlug(payment.tenantSlug);
    if (!event.account || event.account !== tenant.payments.stripeAccountId || event.account !== payment.providerAccount) {
      return { reason: 'account_mismatch' };
    }
  }
  if (update.amount !== undefined && update.amount !== payment.total) return { reason: 'amount_mismatch' };
  if (update.currency !== undefined && update.currency !== payment.currency) return { reason: 'currency_mismatch' };
  return { payment, reason: '' };
}

/**
 * The one path every provider event takes (Stripe webhooks and the demo provider). The event is
 * stored by id first: a duplicate delivery of a processed event changes nothing, and an event
 * whose handling failed half-way is handled again when it comes back. The state machine ignores
 * moves that are no longer possible, so events arriving out of order change nothing either.
 */
export async function handleProviderEvent(
  provider: ProviderName,
  event: ProviderEvent,
): Promise<{ outcome: 'applied' | 'ignored' | 'duplicate'; reason?: string }> {
  if (typeof event?.id !== 'string' || typeof event.type !== 'string') throw new ValidationError({ id: { code: 'required' } });
  try {
    await PaymentEvent.create({ provider, eventId: event.id, type: event.type, account: event.account ?? '' });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const stored = await PaymentEvent.findOne({ provider, eventId: event.id }).lean();
    if (stored?.processedAt) return { outcome: 'duplicate' };
  }
  const finish = async (outcome: 'applied' | 'ignored', reason: string, payment?: PaymentDoc) => {
    await PaymentEvent.updateOne(
      { provider, eventId: event.id },
      {
        $set: {
          outcome,
          reason,
          processedAt: new Date(),
          ...(payment ? { paymentId: payment._id, tenantId: payment.tenantId } : {}),
        },
      },
    );
    return { outcome, ...(reason ? { reason } : {}) };
  };
  const update = interpretEvent(event);
  if (!update) return finish('ignored', 'unhandled_type');
  const { payment, reason } = await paymentFor(provider, event, update);
  if (!payment) return finish('ignored', reason);
  const moved = await applyUpdate(payment, update, event.id);
  if (moved?.fulfilment === 'pending') await fulfil(moved._id);
  return finish(moved ? 'applied' : 'ignored', moved ? '' : 'stale', payment);
}

function fieldsFor(update: PaymentUpdate, to: PaymentStatus, now: Date): Record<string, unknown> {
  const set: Record<string, unknown> = { status: to, nextAction: update.nextAction ?? '' };
  if (to === 'failed') set.failureCode = update.failureCode ?? 'card_declined';
  if (to === 'succeeded') {
    set.failureCode = '';
    set.succeededAt = now;
    set.fulfilment = 'pending';
  }
  if (update.refundedAmount !== undefined) {
    set.refundedAmount = update.refundedAmount;
    set.refundedAt = now;
    set.fulfilment = 'pending';
  }
  return set;
}

/** Makes the payment document catch up with its transition log (a writer may have died after logging). */
async function rollForward(payment: PaymentDoc): Promise<PaymentDoc> {
  let current = payment;
  for (;;) {
    const next = await PaymentTransition.findById(`${current._id}:${current.version + 1}`).lean();
    if (!next) return current;
    await Payment.updateOne({ _id: current._id, version: current.version }, { $set: { ...next.set, version: next.version } });
    const reloaded = await Payment.findById(current._id).lean<PaymentDoc>();
    if (!reloaded) return current;
    current = reloaded;
  }
}

/**
 * Applies one update through the state machine. Returns the moved payment, or null when the move
 * is not possible from where the payment stands (a duplicate, a late event).
 */
async function applyUpdate(seen: PaymentDoc, update: PaymentUpdate, eventId: string): Promise<PaymentDoc | null> {
  let payment = await rollForward(seen);
  for (;;) {
    if (!update.to) {
      // A partial refund: only the refunded amount grows.
      if (payment.status !== 'succeeded' || (update.refundedAmount ?? 0) <= payment.refundedAmount) return null;
      await Payment.updateOne(
        { _id: payment._id },
        { $set: { refundedAmount: update.refundedAmount, refundedAt: new Date(), fulfilment: 'pending' } },
      );
      return Payment.findById(payment._id).lean<PaymentDoc>();
    }
    const to = update.to;
    // A refund proves the charge succeeded, even when its event has not arrived yet.
    if (to === 'refunded' && payment.status !== 'succeeded' && canMove(payment.status, 'succeeded')) {
      const succeeded = await applyUpdate(payment, { intentId: update.intentId, to: 'succeeded' }, `${eventId}:implied-success`);
      if (succeeded) await fulfil(succeeded._id);
      payment = (await Payment.findById(payment._id).lean<PaymentDoc>()) ?? payment;
    }
    if (!canMove(payment.status, to)) return null;
    const version = payment.version + 1;
    try {
      await PaymentTransition.create({
        _id: `${payment._id}:${version}`,
        paymentId: payment._id,
        tenantId: payment.tenantId,
        version,
        from: payment.status,
        to,
        eventId,
        set: fieldsFor(update, to, new Date()),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another event took this step first: catch up and judge this one again from there.
      payment = await rollForward(payment);
      continue;
    }
    return rollForward(payment);
  }
}

/**
 * Claims `work` for one holder at a time; a holder whose lease ran out is replaced. Returns the
 * release of the claim, or null when someone else holds it.
 */
async function claim(work: string, leaseMs: number): Promise<(() => Promise<void>) | null> {
  let generation = 0;
  for (;;) {
    const now = new Date();
    const id = `${work}:${generation}`;
    try {
      await PaymentClaim.create({ _id: id, work, generation, leaseUntil: new Date(now.getTime() + leaseMs) });
      // Only the holder writes its own ticket; the next claimer inserts the next generation.
      return async () => {
        await PaymentClaim.updateOne({ _id: id }, { $set: { leaseUntil: new Date(0) } });
      };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const latest = await PaymentClaim.findOne({ work }).sort({ generation: -1 }).lean();
    if (!latest || latest.leaseUntil > now) return null;
    generation = latest.generation + 1;
  }
}

function tenantCtx(tenant: TenantDoc, payment: PaymentDoc): Ctx {
  const lng = tenant.locales.includes(payment.locale) ? payment.locale : tenant.defaultLocale;
  return {
    tenant,
    lng,
    t: tenantTranslator(tenant, lng),
    requestId: `payment-${payment._id}`,
    subscriberId: String(payment.subscriberId),
  };
}

/**
 * What a succeeded payment sets off, once: the readings sent with it are taken, the receipt is
 * issued and emailed, and the payment enters the export stream (again when a refund follows).
 * Each step records that it is done, so a run that died half-way is finished by the next one
 * (the worker) without repeating a step; a refund that lands during a run is taken by the same run.
 */
export async function fulfil(paymentId: Types.ObjectId): Promise<void> {
  const initial = await Payment.findById(paymentId).lean<PaymentDoc>();
  if (!initial || initial.fulfilment !== 'pending') return;
  const release = await claim(`fulfil:${paymentId}`, FULFIL_LEASE_MS);
  if (!release) return;
  try {
    const tenant = await getTenantBySlug(initial.tenantSlug);
    const ctx = tenantCtx(tenant, initial);
    for (let payment = initial; ;) {
      await takeReadings(ctx, payment);
      const done = await issueReceipt(ctx, tenant, payment._id);
      await appendToExport(done);
      await Payment.updateOne({ _id: paymentId }, { $set: { fulfilment: 'done' } });
      const after = await Payment.findById(paymentId).lean<PaymentDoc>();
      if (!after || (after.status === done.status && after.refundedAmount === done.refundedAmount)) return;
      await Payment.updateOne({ _id: paymentId }, { $set: { fulfilment: 'pending' } });
      payment = after;
    }
  } finally {
    await release();
  }
}

async function takeReadings(ctx: Ctx, payment: PaymentDoc): Promise<void> {
  for (const [index, item] of payment.items.entries()) {
    if (item.readings === undefined || item.readings === null || item.readingsResult?.status) continue;
    const result = await acceptPaymentReadings(ctx, item.readings as NormalizedSubmission, String(payment._id));
    await Payment.updateOne({ _id: payment._id }, { $set: { [`items.${index}.readingsResult`]: result } });
  }
}

async function issueReceipt(ctx: Ctx, tenant: TenantDoc, paymentId: Types.ObjectId): Promise<PaymentDoc> {
  const payment = await Payment.findById(paymentId).lean<PaymentDoc>();
  if (!payment) throw new NotFoundError('payment_not_found');
  const receipt: ReceiptDoc = payment.receipt ?? {
    issuedAt: payment.succeededAt ?? new Date(),
    supplierName: tenant.name,
    supplierLegalName: tenant.legalName,
    supplierTaxId: tenant.taxId,
    emailJobId: '',
    channel: '',
    sentTo: '',
  };
  if (!payment.receipt) await Payment.updateOne({ _id: paymentId }, { $set: { receipt } });
  if (!receipt.emailJobId) {
    const destination = receiptDestination(await subscriberContacts(ctx));
    if (destination) {
      const data = receiptEmailData(ctx, { ...payment, receipt }, tenant);
      const job = await enqueue(ctx, {
        kind: destination.channel,
        to: destination.to,
        template: 'payments.receipt',
        data,
        lng: ctx.lng,
      });
      Object.assign(receipt, { emailJobId: job.id, channel: destination.channel, sentTo: destination.shown });
      await Payment.updateOne(
        { _id: paymentId },
        { $set: { 'receipt.emailJobId': job.id, 'receipt.channel': destination.channel, 'receipt.sentTo': destination.shown } },
      );
    }
  }
  return { ...payment, receipt };
}

/** The export entries a payment owes the stream: its success, and its refunded amount once there is one. */
async function appendToExport(payment: PaymentDoc): Promise<void> {
  if (payment.status !== 'succeeded' && payment.status !== 'refunded') return;
  await appendExportEntry(payment, 'succeeded');
  if (payment.refundedAmount > 0) await appendExportEntry(payment, 'refunded');
}

/**
 * Appends one entry at the end of the tenant's export stream: the position is the last one + 1,
 * made unique by an index, so a concurrent append that took it first makes this one try the next
 * (inserts are atomic on FerretDB v1, conditional updates and `$inc` are not). An entry already
 * there for this payment and event is not appended twice.
 */
async function appendExportEntry(p: PaymentDoc, event: 'succeeded' | 'refunded'): Promise<void> {
  const key = event === 'succeeded' ? 'succeeded' : `refund:${p.refundedAmount}`;
  const entry = {
    tenantId: p.tenantId,
    paymentId: p._id,
    key,
    event,
    occurredAt: (event === 'succeeded' ? p.succeededAt : p.refundedAt) ?? p.updatedAt,
    currency: p.currency,
    total: p.total,
    refundedAmount: event === 'refunded' ? p.refundedAmount : 0,
    providerRef: p.providerRef,
    items: p.items.map((i) => ({ accountNumber: i.accountNumber, amount: i.amount, penalties: i.penalties })),
  };
  for (;;) {
    const last = await PaymentExport.findOne({ tenantId: p.tenantId }, { seq: 1 }).sort({ seq: -1 }).lean();
    try {
      await PaymentExport.create({ ...entry, seq: (last?.seq ?? 0) + 1 });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (await PaymentExport.exists({ tenantId: p.tenantId, paymentId: p._id, key })) return;
    }
  }
}

/**
 * `GET integration/export/payments?cursor=`: the tenant's succeeded payments and refunds after the
 * cursor, in the order they happened, with the cursor to continue from. The cursor is a position
 * in a gap-free stream, so polling with the last cursor never skips or repeats an entry.
 */
export async function exportPayments(tenant: TenantDoc, { cursor, limit = 500 }: { cursor?: string; limit?: number }) {
  const after = cursor ? Number(cursor) : 0;
  const rows = await PaymentExport.find({ tenantId: tenant._id, seq: mongoose.trusted({ $gt: after }) })
    .sort({ seq: 1 })
    .limit(limit + 1)
    .lean<PaymentExportDoc[]>();
  const items = rows.slice(0, limit).map((e) => ({
    seq: e.seq,
    event: e.event,
    paymentId: String(e.paymentId),
    occurredAt: e.occurredAt,
    currency: e.currency,
    total: e.total,
    refundedAmount: e.refundedAmount,
    providerRef: e.providerRef,
    items: e.items.map((i) => ({ accountNumber: i.accountNumber, amount: i.amount, penalties: i.penalties })),
  }));
  return { items, cursor: String(items.at(-1)?.seq ?? after), hasMore: rows.length > limit };
}

function money(kopecks: number, lng: string, currency: string): string {
  return new Intl.NumberFormat(lng, { style: 'currency', currency }).format(kopecks / 100);
}

function receiptEmailData(ctx: Ctx, p: PaymentDoc, tenant: TenantDoc) {
  const lines = p.items.map((i) =>
    ctx.t(i.penalties ? 'payments:receipt.lineWithPenalties' : 'payments:receipt.line', {
      account: i.accountNumber,
      amount: money(i.amount + i.penalties, ctx.lng, p.currency),
      penalties: money(i.penalties, ctx.lng, p.currency),
    }),
  );
  return {
    paymentId: String(p._id),
    supplier: tenant.name,
    taxId: tenant.taxId,
    date: new Intl.DateTimeFormat(ctx.lng, { dateStyle: 'long', timeStyle: 'short', timeZone: tenant.readings.timeZone }).format(
      p.receipt?.issuedAt ?? new Date(),
    ),
    total: money(p.total, ctx.lng, p.currency),
    lines: lines.join('\n'),
    url: receiptUrl(p),
    shortUrl: receiptShortUrl(p),
  };
}

/** The printable receipt behind the public link. */
export async function receiptByToken(ctx: Ctx, token: string) {
  const payment = await Payment.findOne({ tenantId: ctx.tenant._id, receiptToken: token }).lean<PaymentDoc>();
  if (!payment?.receipt) throw new NotFoundError('receipt_not_found');
  return payment;
}

/**
 * Finishes fulfilment that a crash interrupted (claims make it safe on any number of instances),
 * and removes claim tickets whose lease ended an hour ago: nobody holds them any more.
 */
export async function fulfilPending(limit = 50, now = new Date()): Promise<number> {
  const rows = await Payment.find({ fulfilment: 'pending' }, { _id: 1 }).limit(limit).lean();
  for (const row of rows) await fulfil(row._id);
  await PaymentClaim.deleteMany({ leaseUntil: mongoose.trusted({ $lt: new Date(now.getTime() - CLAIM_KEEP_MS) }) });
  return rows.length;
}

registerWorker({
  name: 'payments.fulfil',
  intervalMs: 30_000,
  async run(logger: Logger) {
    const n = await fulfilPending();
    if (n) logger.debug({ n }, 'payment fulfilment resumed');
  },
});

async function pendingPaidByAccount(tenantId: Types.ObjectId, accountIds: string[]): Promise<Map<string, number>> {
  const ids = accountIds.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
  const out = new Map<string, number>();
  if (!ids.length) return out;
  const rows = await Payment.find({
    tenantId,
    'items.accountId': mongoose.trusted({ $in: ids }),
    status: 'succeeded',
    confirmedAt: mongoose.trusted({ $exists: false }),
  }).lean<PaymentDoc[]>();
  for (const p of rows) {
    for (const i of p.items) {
      const key = String(i.accountId);
      if (accountIds.includes(key)) out.set(key, (out.get(key) ?? 0) + i.amount + i.penalties);
    }
  }
  return out;
}

/**
 * Kopecks paid through the cabinet for an account that the supplier's billing has not booked
 * yet: the account summary shows them as "paid, awaiting confirmation".
 */
export async function pendingPaidAmount(tenantId: Types.ObjectId, accountId: string): Promise<number> {
  return (await pendingPaidByAccount(tenantId, [accountId])).get(accountId) ?? 0;
}

/**
 * Integration API: billing reports payments as booked. Unknown ids and payments that did not
 * succeed are listed back, so the billing system can tell what was not taken.
 */
export async function confirmPayments(tenant: TenantDoc, ids: string[]) {
  const valid = ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
  const rows = await Payment.find(
    { tenantId: tenant._id, _id: mongoose.trusted({ $in: valid }) },
    { status: 1, confirmedAt: 1 },
  ).lean();
  const found = new Map(rows.map((r) => [String(r._id), r]));
  const confirmed: string[] = [];
  const rejected: { id: string; code: string }[] = [];
  const now = new Date();
  for (const id of ids) {
    const row = found.get(id);
    if (!row) rejected.push({ id, code: 'payment_not_found' });
    else if (row.status !== 'succeeded' && row.status !== 'refunded') rejected.push({ id, code: 'payment_not_succeeded' });
    else {
      if (!row.confirmedAt) await Payment.updateOne({ _id: row._id, tenantId: tenant._id }, { $set: { confirmedAt: now } });
      confirmed.push(id);
    }
  }
  return { confirmed, rejected };
}

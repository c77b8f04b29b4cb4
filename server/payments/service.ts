import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { checkPaymentTotal, periodOfDate, shiftPeriod } from '../../contracts/rules/payments.ts';
import type { PaymentItemInput } from '../../contracts/payments.ts';
import { appContext } from '../app-context.ts';
import type { Config } from '../config.ts';
import { dueAt, queue, sweepDue, type Due } from '../db/kernel/expiry.ts';
import { findByKey, isDuplicateKey, key } from '../db/kernel/keys.ts';
import { claim } from '../db/kernel/leases.ts';
import { revise } from '../db/kernel/revisions.ts';
import { append, appendNext, appendOnce, lastSeq, readAfter, readBefore, streamId } from '../db/kernel/streams.ts';
import type { Ctx, SubscriberCtx } from '../http/context.ts';
import { NotFoundError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { idempotent } from '../http/idempotency.ts';
import { publicUrl } from '../http/public-url.ts';
import { enqueue } from '../notify/service.ts';
import { getTenantBySlug, tenantTranslator } from '../tenants/service.ts';
import type { NormalizedSubmission } from '../readings/service.ts';
import type { TenantDoc } from '../tenants/model.ts';
import type { Worker } from '../workers.ts';
import { amountDue } from '../accounts/amount-due.ts';
import { interpretEvent, type PaymentUpdate, type ProviderEvent } from './events.ts';
import { paidElsewhere } from './history.ts';
import { canMove } from './machine.ts';
import {
  Payment,
  PaymentEvent,
  PaymentExport,
  PaymentHistory,
  PaymentKey,
  PaymentTransition,
  PendingPaid,
  type PaymentDoc,
  type PaymentEventDoc,
  type PaymentExportDoc,
  type PaymentHistoryDoc,
  type PaymentItemDoc,
  type PaymentKeyDoc,
  type PaymentStatus,
  type PaymentTransitionDoc,
  type PendingPaidDoc,
  type ProviderName,
  type ReceiptDoc,
} from './model.ts';
import { demoAuthenticationEvents, demoCardEvents, providerFor, stripeClient } from './providers.ts';
import { receiptDestination, receiptShortUrl } from './receipt-delivery.ts';
import { publicPayment, receiptUrl, type PublicPayment } from './view.ts';
import {
  acceptPaymentReadings,
  linkedAccount,
  payableAccounts,
  subscriberContacts,
  validatePaymentReadings,
} from './collaborators.ts';
import { exportOnce, exportStream, historyStream, paymentIdFor, pendingStream, providerRefKey, receiptKey } from './keys.ts';
import { dateTimeFormat, formatMoney } from '../i18n/formats.ts';

/**
 * How long a fulfilment run holds its payment before another instance may take it over:
 * GASKIT_LEASE_MS, as every claim of an instance (`AppContext.payments`).
 */
const fulfilLeaseMs = () => appContext().payments.fulfilLeaseMs;
/** How long after its record the worker looks at a follow-up once more, for a writer slow to make its move. */
const DUE_GRACE_MS = 10 * 60_000;
/**
 * The history is read newest first, this many entries first (a year of monthly payments and the
 * one before it, which ends the default twelve months)…
 */
const HISTORY_FIRST_PAGE = 14;
/** …then this many at a time… */
const HISTORY_PAGE = 25;
/** …looking at no more than this many entries in one request… */
const HISTORY_SCAN = 1_000;
/** …and showing at most this many payments. */
const HISTORY_LIMIT = 500;
/** Confirmations of one integration request handled at a time. */
const CONFIRM_PARALLEL = 16;

function subscriberOf(ctx: SubscriberCtx): Types.ObjectId {
  return new Types.ObjectId(ctx.subscriberId);
}

/** Inserts a key document; one already there (a retry) is the same pointer. */
async function addKey(id: string, paymentId: string): Promise<void> {
  try {
    await PaymentKey.create({ _id: id, paymentId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/**
 * The queue of follow-ups (server/db/kernel/expiry.ts), in buckets of the worker's interval.
 * Payments whose follow-up the earlier version left pending (no record; it kept marks in
 * `pay_due`, which `gaskit migrate` drops) are enrolled once, due since their last write.
 */
export const FULFIL_QUEUE = queue('payments-fulfil', 30_000, [Payment], async (register) => {
  const pending = Payment.find({ fulfilment: 'pending' }, { updatedAt: 1 });
  for await (const payment of pending.lean<Pick<PaymentDoc, '_id' | 'updatedAt'>>().cursor()) {
    await register(Payment, payment._id, payment.updatedAt);
  }
});

/**
 * Registers the payment's follow-up with the worker, before the move that makes it due or when a
 * run is held by another: due when a run started now would have lost its lease (the inline run
 * normally finishes first), and once more after `DUE_GRACE_MS`, for a writer that makes its move
 * late and then dies.
 */
async function markDue(paymentId: string): Promise<void> {
  const now = Date.now();
  await Promise.all([
    dueAt(FULFIL_QUEUE, Payment, paymentId, new Date(now + fulfilLeaseMs())),
    dueAt(FULFIL_QUEUE, Payment, paymentId, new Date(now + DUE_GRACE_MS)),
  ]);
}

function ownedBy(p: PaymentDoc | null, tenantId: Types.ObjectId, subscriberId?: Types.ObjectId): p is PaymentDoc {
  return p !== null && p.tenantId.equals(tenantId) && (!subscriberId || p.subscriberId.equals(subscriberId));
}

/** `GET payments/options`: the linked accounts with debt, penalties, unconfirmed payments and what is due now, and the limits. */
export async function paymentOptions(ctx: SubscriberCtx) {
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
async function prepareItems(ctx: SubscriberCtx, items: PaymentItemInput[]): Promise<{ items: PreparedItem[]; total: number }> {
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
      accountId: item.accountId,
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
 * `POST payments`. The payment is saved first under the id its idempotency key gives it, then
 * entered in the cabinet's history, then the provider's intent is created with an idempotency key
 * derived from the payment's id, so a second click, a retry or two racing requests end with one
 * payment and one intent; a retry after a crash finishes the steps the payment does not show done.
 */
export async function createPayment(
  ctx: SubscriberCtx,
  input: { items: PaymentItemInput[] },
  opts: { idempotencyKey: string | undefined; config: Config },
) {
  const subscriberId = subscriberOf(ctx);
  const idempotencyKey = opts.idempotencyKey;
  if (!idempotencyKey) throw new ValidationError({ 'Idempotency-Key': { code: 'idempotency_key_required' } });
  const provider = providerFor(ctx.tenant, opts.config);
  const { result } = await idempotent(ctx, { scope: 'payments.create', key: idempotencyKey, request: input }, async () => {
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const id = paymentIdFor(ctx.tenant._id, subscriberId, idempotencyKey);
    let payment = await findByKey<PaymentDoc>(Payment, id);
    if (!payment) {
      const { items, total } = await prepareItems(ctx, input.items);
      try {
        payment = (
          await Payment.create({
            _id: id,
            tenantId: ctx.tenant._id,
            tenantSlug: ctx.tenant.slug,
            subscriberId,
            idempotencyKey,
            requestHash,
            provider: provider.name,
            currency: ctx.tenant.payments.currency,
            items,
            total,
            locale: ctx.lng,
            linkBase: publicUrl(),
            receiptToken: randomBytes(24).toString('base64url'),
          })
        ).toObject<PaymentDoc>();
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        payment = await findByKey<PaymentDoc>(Payment, id);
      }
    }
    if (!ownedBy(payment, ctx.tenant._id, subscriberId)) throw new NotFoundError('payment_not_found');
    if (payment.requestHash !== requestHash) throw new RuleViolation('idempotency_key_reused');
    if (payment.historySeq === undefined) {
      const historySeq = await append(PaymentHistory, historyStream(ctx.tenant._id, subscriberId), {
        shown: publicPayment(payment),
      });
      payment = (await writePayment(id, { historySeq }, payment)) ?? payment;
    }
    if (!payment.providerRef) {
      const intent = await provider.createIntent({
        paymentId: id,
        tenant: ctx.tenant,
        total: payment.total,
        currency: payment.currency,
        description: ctx.t('payments:intentDescription', { accounts: payment.items.map((i) => i.accountNumber).join(', ') }),
      });
      // The pointer first: an event naming the intent finds the payment as soon as the intent exists.
      await addKey(providerRefKey(payment.provider, intent.ref), id);
      payment = await writePayment(
        id,
        { providerRef: intent.ref, providerAccount: intent.account, clientSecret: intent.clientSecret },
        payment,
      );
      if (!payment) throw new NotFoundError('payment_not_found');
    }
    return { payment: publicPayment(payment), client: clientParams(payment, opts.config) };
  });
  return result;
}

/** The subscriber's own payment: one `_id` lookup; another cabinet's or supplier's is not found. */
async function ownPayment(ctx: SubscriberCtx, id: string): Promise<PaymentDoc> {
  const subscriberId = subscriberOf(ctx);
  const payment = await findByKey<PaymentDoc>(Payment, id);
  if (!ownedBy(payment, ctx.tenant._id, subscriberId)) throw new NotFoundError('payment_not_found');
  return payment;
}

export async function getPayment(ctx: SubscriberCtx, id: string) {
  return publicPayment(await ownPayment(ctx, id));
}

function monthStart(period: string): Date {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1));
}

/**
 * `GET payments`: the subscriber's payments between two months (default the last twelve), newest
 * first. The cabinet's history is read newest first a page at a time, down to the first month
 * asked for; each entry carries the payment as shown, so no payment is looked up.
 */
export async function listPayments(ctx: SubscriberCtx, query: { from?: string; to?: string; accountId?: string }) {
  const subscriberId = subscriberOf(ctx);
  const to = query.to ?? periodOfDate(new Date());
  const from = query.from ?? shiftPeriod(to, -11);
  if (from > to) throw new ValidationError({ from: { code: 'period_range_invalid' } });
  const start = monthStart(from).getTime();
  const end = monthStart(shiftPeriod(to, 1)).getTime();
  const stream = historyStream(ctx.tenant._id, subscriberId);
  // By id: a payment entered twice (its request died before it noted its entry) is shown once, as its newer entry has it.
  const shown = new Map<string, PublicPayment>();
  let before: number | undefined;
  for (let scanned = 0; scanned < HISTORY_SCAN && shown.size < HISTORY_LIMIT;) {
    const size = scanned === 0 ? HISTORY_FIRST_PAGE : HISTORY_PAGE;
    const page = await readBefore<PaymentHistoryDoc>(PaymentHistory, stream, size, before);
    for (const { shown: p } of page.rows) {
      const at = p.createdAt.getTime();
      if (
        at >= start &&
        at < end &&
        (!query.accountId || p.items.some((i) => i.accountId === query.accountId)) &&
        !shown.has(p.id)
      )
        shown.set(p.id, p);
    }
    scanned += page.rows.length;
    const oldest = page.rows.at(-1);
    if (page.next === null || !oldest || oldest.shown.createdAt.getTime() < start) break;
    before = page.next;
  }
  const payments = [...shown.values()].slice(0, HISTORY_LIMIT).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { payments, ...(await paidElsewhere(ctx, { from, to }, payments, query.accountId)) };
}

/** `POST payments/:id/cancel`: asks the provider to cancel; its event moves the payment. */
export async function cancelPayment(ctx: SubscriberCtx, id: string, config: Config) {
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

/** The payment as the demo "bank" knows it: its intent. */
function demoIntent(payment: PaymentDoc) {
  return { ref: payment.providerRef, paymentId: String(payment._id), amount: payment.total, currency: payment.currency };
}

async function demoPayment(ctx: SubscriberCtx, id: string, config: Config): Promise<PaymentDoc> {
  const payment = await ownPayment(ctx, id);
  if (payment.provider !== 'demo' || config.env === 'production') throw new NotFoundError('payment_not_found');
  return payment;
}

/**
 * Runs the payment's follow-up (`fulfil`) after the answer, as a provider's webhook does while the
 * payer's page already shows the outcome: the payer does not wait for the readings, the export or
 * the receipt's email. Should it fail or the server stop, the worker finishes it (it was
 * registered before the move that made it due).
 */
function followUpAfter(paymentId: string): void {
  const { logger } = appContext();
  // Once the answer is on its way.
  setImmediate(() => {
    fulfil(paymentId).catch((err: unknown) =>
      logger.error({ err, paymentId }, 'payment follow-up failed; the worker resumes it'),
    );
  });
}

/**
 * Applies the demo "bank"'s events through the same handler as Stripe's webhooks, answers with
 * the payment as they left it (a success shows its receipt) and runs the follow-up after. A
 * success counts as paid and unconfirmed before the answer: the pages the payer opens next (the
 * account, the pay form) must not offer the paid amount again.
 */
async function demoEvents(ctx: SubscriberCtx, seen: PaymentDoc, events: ProviderEvent[]) {
  // The payment as each event moved it; read again after an event that moved nothing (it may have
  // caught the payment up with a step another writer logged).
  let payment: PaymentDoc | undefined = seen;
  for (const event of events) ({ moved: payment } = await applyProviderEvent('demo', event, { followUp: false, known: payment }));
  payment ??= await ownPayment(ctx, seen._id);
  if (payment.status === 'succeeded') await syncPending(payment);
  followUpAfter(payment._id);
  return publicPayment(payment);
}

/**
 * Demo provider, card step: the demo "bank" answers for the card (Stripe's test cards) with
 * provider events. A second submit of a payment that is no longer waiting for a card changes
 * nothing.
 */
export async function demoConfirm(ctx: SubscriberCtx, id: string, card: { cardNumber: string }, config: Config) {
  const payment = await demoPayment(ctx, id, config);
  if (payment.status !== 'created') return publicPayment(payment);
  return demoEvents(ctx, payment, demoCardEvents(demoIntent(payment), card.cardNumber));
}

/** Demo provider, the confirmation step a 3220 card asks for (3-D Secure in real life). */
export async function demoAuthenticate(ctx: SubscriberCtx, id: string, approve: boolean, config: Config) {
  const payment = await demoPayment(ctx, id, config);
  if (payment.status !== 'requires_action') return publicPayment(payment);
  return demoEvents(ctx, payment, demoAuthenticationEvents(demoIntent(payment), approve));
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
  known?: PaymentDoc,
): Promise<{ payment?: PaymentDoc; reason: string }> {
  const byRef = update.paymentId ? null : await findByKey<PaymentKeyDoc>(PaymentKey, providerRefKey(provider, update.intentId));
  const id = update.paymentId ?? byRef?.paymentId;
  const payment = !id ? null : known && String(known._id) === id ? known : await findByKey<PaymentDoc>(Payment, id);
  if (!payment || payment.provider !== provider) return { reason: 'unknown_payment' };
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
 * The one path every provider event takes (Stripe webhooks and the demo provider, through
 * `applyProviderEvent`). The event is stored by id first: a duplicate delivery of a processed
 * event changes nothing, and an event whose handling failed half-way is handled again when it
 * comes back. The state machine ignores moves that are no longer possible, so events arriving out
 * of order change nothing either. The follow-up a move sets off runs before it returns.
 */
export async function handleProviderEvent(
  provider: ProviderName,
  event: ProviderEvent,
): Promise<{ outcome: 'applied' | 'ignored' | 'duplicate'; reason?: string }> {
  const { moved: _moved, ...result } = await applyProviderEvent(provider, event);
  return result;
}

/**
 * `handleProviderEvent`, for a caller that may know the payment the event is about (`known`, as it
 * has just read it: one lookup less) and may run the follow-up itself after its answer
 * (`followUp: false`, see `followUpAfter`). Also returns the payment as the event moved it.
 */
async function applyProviderEvent(
  provider: ProviderName,
  event: ProviderEvent,
  { followUp = true, known }: { followUp?: boolean; known?: PaymentDoc } = {},
): Promise<{ outcome: 'applied' | 'ignored' | 'duplicate'; reason?: string; moved?: PaymentDoc }> {
  if (typeof event?.id !== 'string' || typeof event.type !== 'string') throw new ValidationError({ id: { code: 'required' } });
  const eventKey = key(provider, event.id);
  try {
    await PaymentEvent.create({ _id: eventKey, provider, eventId: event.id, type: event.type, account: event.account ?? '' });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const stored = await findByKey<PaymentEventDoc>(PaymentEvent, eventKey);
    if (stored?.processedAt) return { outcome: 'duplicate' };
  }
  const finish = async (outcome: 'applied' | 'ignored', reason: string, payment?: PaymentDoc) => {
    await PaymentEvent.updateOne(
      { _id: eventKey },
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
  const { payment, reason } = await paymentFor(provider, event, update, known);
  if (!payment) return finish('ignored', reason);
  const moved = await applyUpdate(payment, update, event.id);
  const followedUp = followUp && moved?.fulfilment === 'pending' && (await fulfil(moved._id));
  // Also when nothing moved: a redelivery finishes what a handler that died after its move left.
  if (!followedUp) await showInHistory(moved ?? payment);
  return { ...(await finish(moved ? 'applied' : 'ignored', moved ? '' : 'stale', payment)), ...(moved ? { moved } : {}) };
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

/**
 * Writes fields of a payment, as a revision of it (server/db/kernel/revisions.ts): a provider's
 * event, billing's confirmation, the fulfilment and the payer's request may write one payment at
 * the same moment, and FerretDB v1 rewrites the whole document on every update, so two plain
 * updates at once can lose one of them (a refund shown as succeeded). `decide` sees the payment as
 * it is and returns the fields to write, or nothing to leave it; the payment as it then stands is
 * returned (null when there is none), with its revision, so it may be passed on as `seen`: the
 * payment as the caller has just read or written it, which spares the revision a lookup.
 */
async function revisePayment(
  id: string,
  decide: (current: PaymentDoc) => Record<string, unknown> | undefined,
  seen?: PaymentDoc,
): Promise<PaymentDoc | null> {
  return revise<PaymentDoc, PaymentDoc | null>(
    Payment,
    id,
    (current) => {
      if (!current) return { result: null };
      const set = decide(current);
      if (!set) return { result: current };
      return { set, result: withSet(current, { ...set, rev: (current.rev ?? 0) + 1 }) };
    },
    { seen },
  );
}

/** The document with `set` applied as `$set` applies it (dotted paths such as `items.0.readingsResult`), copied where it changes. */
function withSet<T extends object>(doc: T, set: Record<string, unknown>): T {
  const out = { ...doc } as Record<string, unknown>;
  for (const [path, value] of Object.entries(set)) {
    const parts = path.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) {
      const inner = at[part];
      at[part] = Array.isArray(inner) ? [...(inner as unknown[])] : { ...(inner as object) };
      at = at[part] as Record<string, unknown>;
    }
    at[parts.at(-1)!] = value;
  }
  return out as T;
}

/** Writes `set` into the payment whatever it stands at (see `revisePayment`). */
const writePayment = (id: string, set: Record<string, unknown>, seen?: PaymentDoc) => revisePayment(id, () => set, seen);

/**
 * Makes the payment document catch up with its transition log (a writer may have died after
 * logging): each logged step is written once, onto the step before it.
 */
async function rollForward(payment: PaymentDoc, logged?: Pick<PaymentTransitionDoc, 'version' | 'set'>): Promise<PaymentDoc> {
  let current = payment;
  for (;;) {
    const next =
      logged?.version === current.version + 1
        ? logged
        : await findByKey<PaymentTransitionDoc>(PaymentTransition, key(current._id, current.version + 1));
    if (!next) return current;
    const moved = await revisePayment(
      current._id,
      (now) => (now.version === next.version - 1 ? { ...next.set, version: next.version } : undefined),
      current,
    );
    if (!moved) return current;
    current = moved;
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
      const refunded = update.refundedAmount ?? 0;
      const grows = (p: PaymentDoc) => p.status === 'succeeded' && refunded > p.refundedAmount;
      if (!grows(payment)) return null;
      await markDue(payment._id);
      let moved = false;
      const after = await revisePayment(payment._id, (now) => {
        moved = grows(now);
        return moved ? { refundedAmount: refunded, refundedAt: new Date(), fulfilment: 'pending' } : undefined;
      });
      return moved ? after : null;
    }
    const to = update.to;
    // A refund proves the charge succeeded, even when its event has not arrived yet.
    if (to === 'refunded' && payment.status !== 'succeeded' && canMove(payment.status, 'succeeded')) {
      const succeeded = await applyUpdate(payment, { intentId: update.intentId, to: 'succeeded' }, `${eventId}:implied-success`);
      if (succeeded) await fulfil(succeeded._id);
      payment = (await findByKey<PaymentDoc>(Payment, payment._id)) ?? payment;
    }
    if (!canMove(payment.status, to)) return null;
    const version = payment.version + 1;
    const now = new Date();
    const set = fieldsFor(update, to, now);
    // The worker learns of the follow-up before the move that makes it due: a crash in between loses nothing.
    const [, receipt] = await Promise.all([
      set.fulfilment === 'pending' ? markDue(payment._id) : undefined,
      to === 'succeeded' && !payment.receipt ? newReceipt(payment, now) : undefined,
    ]);
    if (receipt) set.receipt = receipt;
    const step: Omit<PaymentTransitionDoc, 'at'> = {
      _id: key(payment._id, version),
      paymentId: payment._id,
      tenantId: payment.tenantId,
      version,
      from: payment.status,
      to,
      eventId,
      set,
    };
    try {
      await PaymentTransition.create(step);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another event took this step first: catch up and judge this one again from there.
      payment = await rollForward(payment);
      continue;
    }
    return rollForward(payment, step);
  }
}

function tenantCtx(tenant: TenantDoc, payment: PaymentDoc): Ctx {
  const lng = tenant.locales.includes(payment.locale) ? payment.locale : tenant.defaultLocale;
  return {
    tenant,
    lng,
    t: tenantTranslator(tenant, lng),
    requestId: `payment-${payment._id}`,
  };
}

/**
 * What a succeeded payment sets off, once: the readings sent with it are taken, the receipt is
 * issued and emailed, its accounts count it as paid and unconfirmed, and the payment enters the
 * export stream (again when a refund follows). Each step records that it is done, so a run that
 * died half-way is finished by the next one (the worker) without repeating a step; a refund that
 * lands during a run is taken by the same run. One run at a time per payment (a kernel lease).
 * Each run ends by showing the payment in the cabinet's history. Returns whether this call ran.
 */
export async function fulfil(paymentId: string): Promise<boolean> {
  const initial = await findByKey<PaymentDoc>(Payment, paymentId);
  if (!initial || initial.fulfilment !== 'pending') return false;
  const work = key('payments.fulfil', paymentId);
  const lease = await claim(work, fulfilLeaseMs());
  if (!lease) {
    // The holder may be past its last look at the payment: the worker finishes what it leaves.
    await markDue(paymentId);
    return false;
  }
  let finished = false;
  try {
    const tenant = await getTenantBySlug(initial.tenantSlug);
    const ctx = tenantCtx(tenant, initial);
    for (let payment = initial; ;) {
      // First what the payer's account page shows next (the run may follow the payer's answer).
      await syncPending(payment);
      await takeReadings(ctx, payment);
      const done = await issueReceipt(ctx, tenant, payment._id);
      await appendToExport(done);
      await showInHistory(done);
      // Done, unless a refund or a move landed during the run: this run takes it too.
      let changed = false;
      const after = await revisePayment(paymentId, (now) => {
        changed = now.status !== done.status || now.refundedAmount !== done.refundedAmount;
        return changed ? undefined : { fulfilment: 'done' };
      });
      if (!after || !changed) break;
      payment = after;
    }
    finished = true;
  } finally {
    // A finished run leaves no tickets behind; the next change of the payment claims afresh.
    if (finished && (await lease.stillHeld())) await lease.forget();
    else await lease.release();
  }
  return true;
}

async function takeReadings(ctx: Ctx, payment: PaymentDoc): Promise<void> {
  for (const [index, item] of payment.items.entries()) {
    if (item.readings === undefined || item.readings === null || item.readingsResult?.status) continue;
    const result = await acceptPaymentReadings(ctx, item.readings as NormalizedSubmission, String(payment._id));
    await writePayment(payment._id, { [`items.${index}.readingsResult`]: result });
  }
}

/**
 * The receipt of a payment, issued with its success (written in the same move, so the payer's
 * answer shows it): the pointer by its token first, so its link works once the payment shows it.
 * It names where the follow-up sends it (the email, else an SMS to the phone), so the answer
 * tells the payer where to look; the message itself is queued by the follow-up (`issueReceipt`).
 */
async function newReceipt(payment: PaymentDoc, issuedAt: Date): Promise<ReceiptDoc> {
  const tenant = await getTenantBySlug(payment.tenantSlug);
  const [, contacts] = await Promise.all([
    addKey(receiptKey(payment.tenantId, payment.receiptToken), payment._id),
    subscriberContacts(tenant.realm, payment.subscriberId),
  ]);
  const destination = receiptDestination(contacts);
  return {
    issuedAt,
    supplierName: tenant.name,
    supplierLegalName: tenant.legalName,
    supplierTaxId: tenant.taxId,
    emailJobId: '',
    channel: destination?.channel ?? '',
    sentTo: destination?.shown ?? '',
  };
}

/** Sends the payment's receipt; one that succeeded without it (an earlier version's success) is issued first. */
async function issueReceipt(ctx: Ctx, tenant: TenantDoc, paymentId: string): Promise<PaymentDoc> {
  const payment = await findByKey<PaymentDoc>(Payment, paymentId);
  if (!payment) throw new NotFoundError('payment_not_found');
  let receipt = payment.receipt;
  if (!receipt) {
    receipt = await newReceipt(payment, payment.succeededAt ?? new Date());
    await writePayment(paymentId, { receipt });
  }
  if (!receipt.emailJobId) {
    const destination = receiptDestination(await subscriberContacts(tenant.realm, payment.subscriberId));
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
      await writePayment(paymentId, {
        'receipt.emailJobId': job.id,
        'receipt.channel': destination.channel,
        'receipt.sentTo': destination.shown,
      });
    }
  }
  return { ...payment, receipt };
}

/**
 * Brings the payment's entry in its cabinet's history in line with the payment (`publicPayment`).
 * Every writer of what the history shows calls it after its write, with the payment as it last
 * read it: the entry is written from that, then the payment is read again and the entry written
 * once more while they differ. So the writer that finishes last leaves the entry as the payment
 * ended, whatever order concurrent writers ran in (the entry's `shown` is replaced whole, by
 * `_id`; nothing else in it changes). An entry left behind by a writer that died is brought up to
 * date by the retry its caller gets: a provider's redelivery, the fulfilment worker, billing
 * confirming again. Cost: one write and one lookup, and as many again per change that raced it.
 */
async function showInHistory(seen: PaymentDoc): Promise<void> {
  if (seen.historySeq === undefined) return;
  const entry = streamId(historyStream(seen.tenantId, seen.subscriberId), seen.historySeq);
  for (let shown = publicPayment(seen); ;) {
    await PaymentHistory.updateOne({ _id: entry }, { $set: { shown } });
    const now = await findByKey<PaymentDoc>(Payment, seen._id);
    if (!now) return;
    const next = publicPayment(now);
    if (isDeepStrictEqual(next, shown)) return;
    shown = next;
  }
}

/**
 * Brings the unconfirmed amounts of the payment's accounts in line with the payment: counted
 * while it stands succeeded and unbooked, dropped once billing confirms it or it is refunded.
 * Every writer of those fields (a status move, a confirmation) saves the payment first and calls
 * this after; each change reads the account's newest entry and then the payment, so whichever
 * change comes last sees the payment as it ended.
 */
async function syncPending(payment: Pick<PaymentDoc, '_id' | 'tenantId' | 'items'>): Promise<void> {
  for (const accountId of new Set(payment.items.map((i) => i.accountId))) {
    await appendNext<PendingPaidDoc, Pick<PendingPaidDoc, 'open'>>(
      PendingPaid,
      pendingStream(payment.tenantId, accountId),
      async (last) => {
        const current = await findByKey<PaymentDoc>(Payment, payment._id);
        const counted = current?.status === 'succeeded' && !current.confirmedAt;
        const want = counted
          ? current.items.filter((i) => i.accountId === accountId).reduce((sum, i) => sum + i.amount + i.penalties, 0)
          : 0;
        const open = last?.open ?? [];
        const have = open.find((o) => o.paymentId === payment._id)?.amount ?? 0;
        if (want === have) return null;
        const others = open.filter((o) => o.paymentId !== payment._id);
        return { open: want ? [...others, { paymentId: payment._id, amount: want }] : others };
      },
    );
  }
}

/** The export entries a payment owes the stream: its success, and its refunded amount once there is one. */
async function appendToExport(payment: PaymentDoc): Promise<void> {
  if (payment.status !== 'succeeded' && payment.status !== 'refunded') return;
  await appendExportEntry(payment, 'succeeded');
  if (payment.refundedAmount > 0) await appendExportEntry(payment, 'refunded');
}

/** Appends one entry at the end of the tenant's export stream, once per payment and event. */
async function appendExportEntry(p: PaymentDoc, event: 'succeeded' | 'refunded'): Promise<void> {
  const exportKey = event === 'succeeded' ? 'succeeded' : `refund:${p.refundedAmount}`;
  await appendOnce(PaymentExport, exportStream(p.tenantId), exportOnce(p._id, exportKey), {
    paymentId: p._id,
    key: exportKey,
    event,
    occurredAt: (event === 'succeeded' ? p.succeededAt : p.refundedAt) ?? p.updatedAt,
    currency: p.currency,
    total: p.total,
    refundedAmount: event === 'refunded' ? p.refundedAmount : 0,
    providerRef: p.providerRef,
    items: p.items.map((i) => ({ accountNumber: i.accountNumber, amount: i.amount, penalties: i.penalties })),
  });
}

/**
 * `GET integration/export/payments?cursor=`: the tenant's succeeded payments and refunds after the
 * cursor, in the order they happened, with the cursor to continue from. The cursor is a position
 * in a gap-free stream, so polling with the last cursor never skips or repeats an entry. Cost: the
 * stream's end (two `_id` lookups once this process has seen it) and one lookup per entry returned.
 */
export async function exportPayments(tenant: TenantDoc, { cursor, limit = 500 }: { cursor?: string; limit?: number }) {
  const after = cursor ? Number(cursor) : 0;
  const stream = exportStream(tenant._id);
  const end = await lastSeq(PaymentExport, stream);
  const rows = end > after ? await readAfter<PaymentExportDoc>(PaymentExport, stream, after, Math.min(limit, end - after)) : [];
  const items = rows.map((e) => ({
    seq: e.seq,
    event: e.event,
    paymentId: e.paymentId,
    occurredAt: e.occurredAt,
    currency: e.currency,
    total: e.total,
    refundedAmount: e.refundedAmount,
    providerRef: e.providerRef,
    items: e.items.map((i) => ({ accountNumber: i.accountNumber, amount: i.amount, penalties: i.penalties })),
  }));
  const last = items.at(-1)?.seq ?? after;
  return { items, cursor: String(last), hasMore: end > last };
}

function receiptEmailData(ctx: Ctx, p: PaymentDoc, tenant: TenantDoc) {
  const lines = p.items.map((i) =>
    ctx.t(i.penalties ? 'payments:receipt.lineWithPenalties' : 'payments:receipt.line', {
      account: i.accountNumber,
      amount: formatMoney(i.amount + i.penalties, ctx.lng, p.currency),
      penalties: formatMoney(i.penalties, ctx.lng, p.currency),
    }),
  );
  return {
    paymentId: String(p._id),
    supplier: tenant.name,
    taxId: tenant.taxId,
    date: dateTimeFormat(ctx.lng, { dateStyle: 'long', timeStyle: 'short', timeZone: tenant.readings.timeZone }).format(
      p.receipt?.issuedAt ?? new Date(),
    ),
    total: formatMoney(p.total, ctx.lng, p.currency),
    lines: lines.join('\n'),
    url: receiptUrl(p),
    shortUrl: receiptShortUrl(p),
  };
}

/** The printable receipt behind the public link (opened often): the token's key, then the payment, through the driver. */
export async function receiptByToken(ctx: Ctx, token: string) {
  const ref = await findByKey<PaymentKeyDoc>(PaymentKey, receiptKey(ctx.tenant._id, token));
  const payment = ref ? await findByKey<PaymentDoc>(Payment, ref.paymentId) : null;
  if (!ownedBy(payment, ctx.tenant._id) || !payment.receipt || payment.receiptToken !== token) {
    throw new NotFoundError('receipt_not_found');
  }
  return payment;
}

/** Most due follow-ups one run of the worker takes on. */
const FULFIL_BATCH = 50;

/** Runs a due follow-up if its payment still waits for one; tells whether it did. */
async function fulfilRecord(record: Due): Promise<boolean> {
  const payment = await findByKey<Pick<PaymentDoc, 'fulfilment'>>(Payment, record.id, { fulfilment: 1 });
  if (payment?.fulfilment !== 'pending') return false;
  await fulfil(record.id);
  return true;
}

/**
 * Finishes follow-ups that a crash or a busy holder left (leases make it safe on any number of
 * instances): the queue's records due by `now`, at most `limit` a run, each payment read and
 * claimed by `_id`, one after the other. Returns how many payments were pending.
 */
export async function fulfilPending(limit = FULFIL_BATCH, now = new Date()): Promise<number> {
  return sweepDue(FULFIL_QUEUE, now, limit, async (due) => {
    let n = 0;
    for (const record of due) if (await fulfilRecord(record)) n += 1;
    return n;
  });
}

/** Resumes the fulfilment of payments an instance left unfinished. */
export const fulfilWorker: Worker = {
  name: 'payments.fulfil',
  intervalMs: 30_000,
  async run(logger: Logger) {
    const n = await fulfilPending();
    if (n) logger.debug({ n }, 'payment fulfilment resumed');
  },
};

/**
 * Kopecks paid through the cabinet for an account that the supplier's billing has not booked
 * yet: the account summary shows them as "paid, awaiting confirmation". The newest entry of the
 * account's chain: its end and one `_id` lookup.
 */
export async function pendingPaidAmount(tenantId: Types.ObjectId, accountId: string): Promise<number> {
  const { rows } = await readBefore<PendingPaidDoc>(PendingPaid, pendingStream(tenantId, accountId), 1);
  return (rows[0]?.open ?? []).reduce((sum, o) => sum + o.amount, 0);
}

/** One id of a confirmation: found by `_id`, the tenant checked after. */
async function confirmOne(tenant: TenantDoc, id: string, now: Date): Promise<string> {
  const payment = await findByKey<PaymentDoc>(Payment, id);
  if (!ownedBy(payment, tenant._id)) return 'payment_not_found';
  if (payment.status !== 'succeeded' && payment.status !== 'refunded') return 'payment_not_succeeded';
  if (!payment.confirmedAt) await writePayment(id, { confirmedAt: now });
  // Also when confirmed before: a confirmation whose server died half-way is finished by its retry.
  await syncPending(payment);
  await showInHistory({ ...payment, confirmedAt: payment.confirmedAt ?? now });
  return '';
}

/**
 * Integration API: billing reports payments as booked. Unknown ids and payments that did not
 * succeed are listed back, so the billing system can tell what was not taken.
 */
export async function confirmPayments(tenant: TenantDoc, ids: string[]) {
  const now = new Date();
  const codes: string[] = [];
  for (let i = 0; i < ids.length; i += CONFIRM_PARALLEL) {
    codes.push(...(await Promise.all(ids.slice(i, i + CONFIRM_PARALLEL).map((id) => confirmOne(tenant, id, now)))));
  }
  const confirmed: string[] = [];
  const rejected: { id: string; code: string }[] = [];
  ids.forEach((id, i) => (codes[i] ? rejected.push({ id, code: codes[i] }) : confirmed.push(id)));
  return { confirmed, rejected };
}

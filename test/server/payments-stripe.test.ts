import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import Stripe from 'stripe';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Gaskit } from '../../server/bootstrap.ts';
import { providerRefKey } from '../../server/payments/keys.ts';
import { Payment, PaymentEvent, PaymentKey, type PaymentDoc } from '../../server/payments/model.ts';
import { stripeClient } from '../../server/payments/providers.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { startApp, testServer } from '../helpers/server.ts';
import { linkPayableAccount } from '../helpers/payments.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';
import { startStripeMock, type StripeMock } from '../helpers/stripe-mock.ts';

const WEBHOOK_SECRET = 'whsec_gaskit_test';
const signer = new Stripe('sk_test_signer');

/**
 * The Stripe provider against the official stripe-mock, and the webhook endpoint with payloads
 * signed like Stripe's. stripe-mock keeps no state, so what these tests check is Gaskit's own
 * state machine: which events move a payment and which change nothing.
 */
describe('payments: Stripe Connect provider and webhooks', function () {
  this.timeout(60_000);
  let mock: StripeMock;
  let app: Gaskit;
  let baseUrl: string;
  let config: Config;
  let tenant: TenantDoc;

  before(async () => {
    mock = await startStripeMock(testServer().config.cacheDir);
    config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      GASKIT_DEMO: '1',
      STRIPE_SECRET_KEY: 'sk_test_gaskit',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_gaskit',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: mock.url,
    });
    ({ app, baseUrl } = await startApp(config));
    const slug = `stripe-${randomBytes(4).toString('hex')}`;
    tenant = (
      await Tenant.create({
        slug,
        name: 'Газ Stripe',
        legalName: 'ООО «Газ Stripe»',
        taxId: '7700000009',
        realm: slug,
        payments: { provider: 'stripe', stripeAccountId: `acct_${randomBytes(8).toString('hex')}` },
      })
    ).toObject<TenantDoc>();
  });

  after(async () => {
    await app.stop();
    await mock.stop();
  });

  async function stripePayment(overrides: Partial<PaymentDoc> = {}): Promise<PaymentDoc> {
    const { subscriber } = await signedInSubscriber(tenant.slug);
    const doc = await Payment.create({
      _id: randomBytes(12).toString('hex'),
      tenantId: tenant._id,
      tenantSlug: tenant.slug,
      subscriberId: subscriber._id,
      idempotencyKey: randomBytes(8).toString('hex'),
      requestHash: 'test',
      provider: 'stripe',
      providerAccount: tenant.payments.stripeAccountId,
      providerRef: `pi_${randomBytes(8).toString('hex')}`,
      currency: 'RUB',
      items: [
        {
          accountId: new Types.ObjectId().toString(),
          accountNumber: '1234567',
          address: 'ул. Тестовая, 1',
          amount: 150_000,
          penalties: 2_500,
        },
      ],
      total: 152_500,
      linkBase: baseUrl,
      receiptToken: randomBytes(24).toString('base64url'),
      ...overrides,
    });
    // What `POST payments` records when the intent is created: events naming the intent find the payment.
    await PaymentKey.create({ _id: providerRefKey('stripe', doc.providerRef), paymentId: doc._id });
    return doc.toObject<PaymentDoc>();
  }

  function intentEvent(p: PaymentDoc, type: string, extra: Record<string, unknown> = {}) {
    return {
      id: `evt_${randomBytes(10).toString('hex')}`,
      object: 'event',
      type,
      account: p.providerAccount,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: p.providerRef,
          object: 'payment_intent',
          amount: p.total,
          currency: 'rub',
          metadata: { paymentId: String(p._id), tenant: p.tenantSlug },
          last_payment_error: null,
          ...extra,
        },
      },
    };
  }

  async function deliver(event: object, opts: { secret?: string; timestamp?: number; signature?: string | null } = {}) {
    const payload = JSON.stringify(event);
    const header =
      opts.signature === null
        ? undefined
        : (opts.signature ??
          signer.webhooks.generateTestHeaderString({
            payload,
            secret: opts.secret ?? WEBHOOK_SECRET,
            ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
          }));
    const res = await fetch(`${baseUrl}/api/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(header ? { 'Stripe-Signature': header } : {}) },
      body: payload,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  const statusOf = async (p: PaymentDoc) => (await Payment.findById(p._id).lean<PaymentDoc>())!;

  it('starts a payment on the connected account once, however often "pay" is clicked', async () => {
    const payer = await signedInSubscriber(tenant.slug);
    const account = await linkPayableAccount(tenant.slug, payer.auth, { debt: 150_000, penalties: 0 });
    const intents: { account?: string; idempotency_key?: string }[] = [];
    const onRequest = (e: { account?: string; idempotency_key?: string; path: string }) => {
      if (e.path === '/v1/payment_intents') intents.push(e);
    };
    stripeClient(config).on('request', onRequest);
    const key = randomBytes(12).toString('hex');
    const body = JSON.stringify({ items: [{ accountId: account.id, amount: 150_000, penalties: 0 }] });
    const post = () =>
      fetch(`${baseUrl}/api/v1/t/${tenant.slug}/payments`, {
        method: 'POST',
        headers: { ...payer.auth, 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const first = await post();
    const second = await post();
    stripeClient(config).off('request', onRequest);

    expect(first.status).to.equal(201);
    expect(first.body.client).to.include({
      provider: 'stripe',
      publishableKey: 'pk_test_gaskit',
      stripeAccount: tenant.payments.stripeAccountId,
    });
    expect(first.body.client.clientSecret).to.match(/_secret_/);
    expect(second.body).to.deep.equal(first.body);
    expect(intents).to.have.length(1);
    expect(intents[0]).to.include({
      account: tenant.payments.stripeAccountId,
      idempotency_key: `gaskit-payment-${first.body.payment.id}`,
    });
  });

  it('marks the payment succeeded on a signed payment_intent.succeeded and issues the receipt', async () => {
    const p = await stripePayment();
    const res = await deliver(intentEvent(p, 'payment_intent.succeeded'));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ received: true, outcome: 'applied' });
    const after = await statusOf(p);
    expect(after.status).to.equal('succeeded');
    expect(after.succeededAt).to.be.instanceOf(Date);
    expect(after.fulfilment).to.equal('done');
    expect(after.receipt?.supplierTaxId).to.equal('7700000009');
    expect(after.receipt?.emailJobId).to.be.a('string').and.not.empty;
  });

  it('refuses a webhook with a bad signature and changes nothing', async () => {
    const p = await stripePayment();
    const res = await deliver(intentEvent(p, 'payment_intent.succeeded'), { secret: 'whsec_forged' });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('webhook_signature_invalid');
    expect((await statusOf(p)).status).to.equal('created');
  });

  it('refuses a webhook without a signature', async () => {
    const p = await stripePayment();
    const res = await deliver(intentEvent(p, 'payment_intent.succeeded'), { signature: null });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('webhook_signature_invalid');
    expect((await statusOf(p)).status).to.equal('created');
  });

  it('refuses a correctly signed webhook whose timestamp is too old (a replay)', async () => {
    const p = await stripePayment();
    const res = await deliver(intentEvent(p, 'payment_intent.succeeded'), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('webhook_signature_invalid');
    expect((await statusOf(p)).status).to.equal('created');
  });

  it('stores events by id: a duplicate delivery changes nothing and sends no second receipt', async () => {
    const p = await stripePayment();
    const event = intentEvent(p, 'payment_intent.succeeded');
    expect((await deliver(event)).body.outcome).to.equal('applied');
    const first = await statusOf(p);
    const second = await deliver(event);
    expect(second.status).to.equal(200);
    expect(second.body.outcome).to.equal('duplicate');
    const after = await statusOf(p);
    expect(after.version).to.equal(first.version);
    expect(after.receipt?.emailJobId).to.equal(first.receipt?.emailJobId);
    expect(await PaymentEvent.countDocuments({ provider: 'stripe', eventId: event.id })).to.equal(1);
  });

  it('ignores events that arrive out of order after the payment succeeded', async () => {
    const p = await stripePayment();
    await deliver(intentEvent(p, 'payment_intent.succeeded'));
    const late = await deliver(intentEvent(p, 'payment_intent.processing'));
    const failed = await deliver(
      intentEvent(p, 'payment_intent.payment_failed', {
        last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' },
      }),
    );
    expect(late.body.outcome).to.equal('ignored');
    expect(failed.body.outcome).to.equal('ignored');
    expect((await statusOf(p)).status).to.equal('succeeded');
  });

  it('records a decline with its code and still takes a later success on the same intent', async () => {
    const p = await stripePayment();
    await deliver(
      intentEvent(p, 'payment_intent.payment_failed', {
        last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' },
      }),
    );
    const failed = await statusOf(p);
    expect(failed.status).to.equal('failed');
    expect(failed.failureCode).to.equal('insufficient_funds');
    await deliver(intentEvent(p, 'payment_intent.succeeded'));
    expect((await statusOf(p)).status).to.equal('succeeded');
  });

  it('ignores an event from another connected account', async () => {
    const p = await stripePayment();
    const res = await deliver({ ...intentEvent(p, 'payment_intent.succeeded'), account: 'acct_someone_else' });
    expect(res.status).to.equal(200);
    expect(res.body.outcome).to.equal('ignored');
    expect((await statusOf(p)).status).to.equal('created');
  });

  it('ignores a success whose amount differs from the payment', async () => {
    const p = await stripePayment();
    const res = await deliver(intentEvent(p, 'payment_intent.succeeded', { amount: 100 }));
    expect(res.body.outcome).to.equal('ignored');
    expect((await statusOf(p)).status).to.equal('created');
  });

  it('takes a refund that arrives before the success as proof of both', async () => {
    const p = await stripePayment();
    const res = await deliver({
      id: `evt_${randomBytes(10).toString('hex')}`,
      object: 'event',
      type: 'charge.refunded',
      account: p.providerAccount,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: 'ch_1',
          object: 'charge',
          payment_intent: p.providerRef,
          amount: p.total,
          amount_refunded: p.total,
          refunded: true,
        },
      },
    });
    expect(res.body.outcome).to.equal('applied');
    const after = await statusOf(p);
    expect(after.status).to.equal('refunded');
    expect(after.refundedAmount).to.equal(p.total);
    expect(after.receipt).to.exist;
  });
});

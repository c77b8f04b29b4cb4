import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { loadConfig, type Config } from '../../server/config.ts';
import { RuleViolation, ValidationError } from '../../server/http/errors.ts';
import { interpretEvent } from '../../server/payments/events.ts';
import { canMove, sourcesOf } from '../../server/payments/machine.ts';
import { demoAuthenticationEvents, demoCardEvents, providerFor, stripeClient } from '../../server/payments/providers.ts';
import type { TenantDoc } from '../../server/tenants/model.ts';
import { startStripeMock, type StripeMock } from '../helpers/stripe-mock.ts';
import { testServer } from '../helpers/server.ts';

const intent = { ref: 'pi_demo_1', paymentId: new Types.ObjectId().toString(), amount: 10_000, currency: 'RUB' };
const outcome = (cardNumber: string) => demoCardEvents(intent, cardNumber).map((e) => interpretEvent(e)?.to);

describe('payments: providers and the state machine', function () {
  this.timeout(60_000);

  describe('Stripe Connect against stripe-mock', () => {
    let mock: StripeMock;
    let config: Config;
    const tenant = {
      slug: 'stripe-provider',
      payments: {
        provider: 'stripe',
        stripeAccountId: `acct_${randomBytes(8).toString('hex')}`,
        currency: 'RUB',
        minAmount: 100,
        maxAmount: 15_000_000,
      },
    } as TenantDoc;

    before(async () => {
      mock = await startStripeMock(testServer().config.cacheDir);
      config = loadConfig({
        ...process.env,
        NODE_ENV: 'test',
        STRIPE_SECRET_KEY: 'sk_test_gaskit',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_gaskit',
        STRIPE_WEBHOOK_SECRET: 'whsec_gaskit',
        STRIPE_API_BASE: mock.url,
      });
    });

    after(async () => {
      await mock.stop();
    });

    it('creates the PaymentIntent on the supplier’s connected account with an idempotency key from the saved payment', async () => {
      const seen: { account?: string; idempotency_key?: string; path: string }[] = [];
      const onRequest = (e: { account?: string; idempotency_key?: string; path: string }) => seen.push(e);
      const stripe = stripeClient(config);
      stripe.on('request', onRequest);
      const paymentId = new Types.ObjectId().toString();
      const provider = providerFor(tenant, config);
      const first = await provider.createIntent({ paymentId, tenant, total: 152_500, currency: 'RUB', description: 'test' });
      await provider.createIntent({ paymentId, tenant, total: 152_500, currency: 'RUB', description: 'test' });
      stripe.off('request', onRequest);

      expect(first.ref).to.match(/^pi_/);
      expect(first.clientSecret).to.be.a('string').and.not.empty;
      expect(first.account).to.equal(tenant.payments.stripeAccountId);
      expect(seen.map((e) => e.path)).to.deep.equal(['/v1/payment_intents', '/v1/payment_intents']);
      for (const e of seen) {
        expect(e.account).to.equal(tenant.payments.stripeAccountId);
        expect(e.idempotency_key).to.equal(`gaskit-payment-${paymentId}`);
      }
    });

    it('is unavailable for a supplier without a connected account', () => {
      const without = { ...tenant, payments: { ...tenant.payments, stripeAccountId: '' } } as TenantDoc;
      expect(() => providerFor(without, config))
        .to.throw(RuleViolation)
        .with.property('code', 'payment_provider_unavailable');
    });
  });

  describe('demo provider', () => {
    it("follows Stripe's test cards: 4242 succeeds, 0002 is declined, 3220 asks for a confirmation", () => {
      expect(outcome('4242 4242 4242 4242')).to.deep.equal(['succeeded']);
      expect(outcome('4000 0000 0000 0002')).to.deep.equal(['failed']);
      expect(outcome('4000 0000 0000 3220')).to.deep.equal(['requires_action']);
      expect(interpretEvent(demoCardEvents(intent, '4000000000000002')[0]!)?.failureCode).to.equal('generic_decline');
    });

    it('declines a valid card number that is not a test card, as Stripe test mode does', () => {
      expect(interpretEvent(demoCardEvents(intent, '4111 1111 1111 1111')[0]!)).to.include({
        to: 'failed',
        failureCode: 'test_mode_live_card',
      });
    });

    it('refuses a card number that fails the Luhn check', () => {
      expect(() => demoCardEvents(intent, '4242 4242 4242 4241')).to.throw(ValidationError);
    });

    it('succeeds or fails the confirmation step by the payer’s answer', () => {
      expect(demoAuthenticationEvents(intent, true).map((e) => interpretEvent(e)?.to)).to.deep.equal(['succeeded']);
      expect(interpretEvent(demoAuthenticationEvents(intent, false)[0]!)).to.include({
        to: 'failed',
        failureCode: 'authentication_failed',
      });
    });

    it('produces events in Stripe’s shape, each with its own id', () => {
      const [first] = demoCardEvents(intent, '4242424242424242');
      const [second] = demoCardEvents(intent, '4242424242424242');
      expect(first!.id)
        .to.match(/^evt_demo_/)
        .and.not.equal(second!.id);
      expect(first!.data.object).to.include({ id: 'pi_demo_1', object: 'payment_intent', amount: 10_000, currency: 'rub' });
    });

    it('is refused when NODE_ENV=production', () => {
      const production = loadConfig({
        NODE_ENV: 'production',
        GASKIT_DEMO: '0',
        MONGODB_URI: 'mongodb://127.0.0.1:1/gaskit',
        PUBLIC_URL: 'https://lk.example.ru',
        GASKIT_FEEDBACK_SECRET: 'f'.repeat(32),
        GASKIT_INBOUND_SECRET: 'i'.repeat(32),
      });
      expect(() => providerFor({ payments: { provider: 'demo' } } as TenantDoc, production))
        .to.throw(RuleViolation)
        .with.property('code', 'payment_provider_unavailable');
    });
  });

  describe('state machine', () => {
    it('lets only provider outcomes settle a payment and keeps settled ones settled', () => {
      expect(canMove('created', 'succeeded')).to.equal(true);
      expect(canMove('succeeded', 'processing')).to.equal(false);
      expect(canMove('succeeded', 'failed')).to.equal(false);
      expect(canMove('canceled', 'succeeded')).to.equal(false);
      expect(canMove('succeeded', 'refunded')).to.equal(true);
    });

    it('still takes a success after a decline on the same intent (the payer tried another card)', () => {
      expect(sourcesOf('succeeded')).to.include('failed');
    });

    it('reads a full refund as refunded and a partial one as an amount only', () => {
      const charge = (amountRefunded: number, refunded: boolean) =>
        interpretEvent({
          id: 'evt_1',
          type: 'charge.refunded',
          created: 0,
          data: {
            object: {
              id: 'ch_1',
              object: 'charge',
              payment_intent: 'pi_1',
              amount: 10_000,
              amount_refunded: amountRefunded,
              refunded,
            },
          },
        });
      expect(charge(10_000, true)).to.include({ intentId: 'pi_1', to: 'refunded', refundedAmount: 10_000 });
      expect(charge(4_000, false)).to.deep.equal({ intentId: 'pi_1', paymentId: undefined, refundedAmount: 4_000 });
    });

    it('ignores event types that do not concern payments', () => {
      expect(
        interpretEvent({
          id: 'evt_2',
          type: 'customer.created',
          created: 0,
          data: { object: { id: 'cus_1', object: 'customer' } },
        }),
      ).to.equal(null);
    });
  });
});

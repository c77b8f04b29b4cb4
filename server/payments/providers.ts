import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { Config } from '../config.ts';
import { RuleViolation, ValidationError } from '../http/errors.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { cardNumber, digitsOnly } from '../../contracts/rules/payments.ts';
import type { ProviderEvent } from './events.ts';
import type { ProviderName } from './model.ts';

export interface IntentInput {
  paymentId: string;
  tenant: TenantDoc;
  total: number;
  currency: string;
  description: string;
}

export interface Intent {
  ref: string;
  clientSecret: string;
  account: string;
}

/**
 * Where the money goes. `createIntent` is idempotent per payment id (a retried request never
 * creates a second intent). Outcomes come back as provider events, never as return values.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  createIntent(input: IntentInput): Promise<Intent>;
  /** Asks the provider to cancel; the `payment_intent.canceled` event that follows moves the payment. */
  cancelIntent(intent: { ref: string; account: string; paymentId: string }): Promise<ProviderEvent[]>;
}

const stripeClients = new WeakMap<Config['stripe'], Stripe>();

/** The platform's Stripe client; `STRIPE_API_BASE` points it at another host (stripe-mock). */
export function stripeClient(config: Config): Stripe {
  let client = stripeClients.get(config.stripe);
  if (!client) {
    if (!config.stripe.secretKey) throw new RuleViolation('payment_provider_unavailable');
    const base = config.stripe.apiBase ? new URL(config.stripe.apiBase) : undefined;
    client = new Stripe(config.stripe.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
            protocol: base.protocol === 'https:' ? 'https' : 'http',
          }
        : {}),
    });
    stripeClients.set(config.stripe, client);
  }
  return client;
}

class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  constructor(private readonly stripe: Stripe) {}

  async createIntent({ paymentId, tenant, total, currency, description }: IntentInput): Promise<Intent> {
    const account = tenant.payments.stripeAccountId;
    const intent = await this.stripe.paymentIntents.create(
      {
        amount: total,
        currency: currency.toLowerCase(),
        automatic_payment_methods: { enabled: true },
        description,
        metadata: { paymentId, tenant: tenant.slug },
      },
      { stripeAccount: account, idempotencyKey: `gaskit-payment-${paymentId}` },
    );
    if (!intent.client_secret) throw new Error(`Stripe returned intent ${intent.id} without a client secret`);
    return { ref: intent.id, clientSecret: intent.client_secret, account };
  }

  async cancelIntent({ ref, account, paymentId }: { ref: string; account: string; paymentId: string }): Promise<ProviderEvent[]> {
    await this.stripe.paymentIntents.cancel(ref, {}, { stripeAccount: account, idempotencyKey: `gaskit-cancel-${paymentId}` });
    return [];
  }
}

/** The offline simulator: events in Stripe's shape, made here instead of arriving by webhook. */
class DemoProvider implements PaymentProvider {
  readonly name = 'demo' as const;

  async createIntent(): Promise<Intent> {
    return { ref: `pi_demo_${randomBytes(12).toString('hex')}`, clientSecret: '', account: '' };
  }

  async cancelIntent(intent: { ref: string; paymentId: string }): Promise<ProviderEvent[]> {
    return [demoEvent('payment_intent.canceled', intent)];
  }
}

export interface DemoIntentRef {
  ref: string;
  paymentId: string;
  amount?: number;
  currency?: string;
}

export function demoEvent(type: string, intent: DemoIntentRef, error?: { code: string; decline_code?: string }): ProviderEvent {
  return {
    id: `evt_demo_${randomBytes(12).toString('hex')}`,
    type,
    account: '',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: intent.ref,
        object: 'payment_intent',
        ...(intent.amount !== undefined ? { amount: intent.amount } : {}),
        ...(intent.currency ? { currency: intent.currency.toLowerCase() } : {}),
        metadata: { paymentId: intent.paymentId },
        last_payment_error: error ?? null,
      },
    },
  };
}

type DemoOutcome = { kind: 'succeed' } | { kind: 'authenticate' } | { kind: 'decline'; code: string };

/** Stripe's test cards; any other valid number is declined, as Stripe's test mode does with real cards. */
const DEMO_CARDS: Record<string, DemoOutcome> = {
  '4242424242424242': { kind: 'succeed' },
  '5555555555554444': { kind: 'succeed' },
  '4000000000003220': { kind: 'authenticate' },
  '4000002500003155': { kind: 'authenticate' },
  '4000000000000002': { kind: 'decline', code: 'generic_decline' },
  '4000000000009995': { kind: 'decline', code: 'insufficient_funds' },
  '4000000000000069': { kind: 'decline', code: 'expired_card' },
};

/**
 * The events the demo "bank" produces for a card, following Stripe's test cards:
 * 4242… succeeds, 4000…0002 is declined, 4000…3220 asks for a confirmation step. A card payment
 * goes straight to succeeded, as Stripe's do ("processing" is for bank debits and the like).
 */
export function demoCardEvents(intent: DemoIntentRef, number: string): ProviderEvent[] {
  const invalid = cardNumber.execute(number, undefined);
  if (invalid) throw new ValidationError({ cardNumber: { code: invalid } });
  const outcome = DEMO_CARDS[digitsOnly(number)] ?? { kind: 'decline', code: 'test_mode_live_card' };
  if (outcome.kind === 'authenticate') return [demoEvent('payment_intent.requires_action', intent)];
  if (outcome.kind === 'decline') {
    return [demoEvent('payment_intent.payment_failed', intent, { code: 'card_declined', decline_code: outcome.code })];
  }
  return [demoEvent('payment_intent.succeeded', intent)];
}

/** The answer of the demo confirmation step (3-D Secure in real life). */
export function demoAuthenticationEvents(intent: DemoIntentRef, approve: boolean): ProviderEvent[] {
  return approve
    ? [demoEvent('payment_intent.succeeded', intent)]
    : [
        demoEvent('payment_intent.payment_failed', intent, {
          code: 'payment_intent_authentication_failure',
          decline_code: 'authentication_failed',
        }),
      ];
}

const demoProvider = new DemoProvider();

/**
 * The provider a tenant's payments go through. The demo provider is refused in production;
 * Stripe needs the platform keys and the tenant's connected account.
 */
export function providerFor(tenant: TenantDoc, config: Config): PaymentProvider {
  if (tenant.payments.provider === 'demo') {
    if (config.env === 'production') throw new RuleViolation('payment_provider_unavailable');
    return demoProvider;
  }
  if (!config.stripe.secretKey || !config.stripe.publishableKey || !tenant.payments.stripeAccountId) {
    throw new RuleViolation('payment_provider_unavailable');
  }
  return new StripeProvider(stripeClient(config));
}

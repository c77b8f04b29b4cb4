import type { PaymentStatus } from './model.ts';

/**
 * A provider event in Stripe's shape (the subset Gaskit reads). Stripe webhooks arrive in it and
 * the demo provider produces it, so both go through one handler.
 */
export interface ProviderEvent {
  id: string;
  type: string;
  /** The connected account the event belongs to (Stripe Connect); empty for the demo provider. */
  account?: string | null;
  created: number;
  data: { object: ProviderObject };
}

export interface ProviderObject {
  id: string;
  object: string;
  amount?: number;
  amount_refunded?: number;
  currency?: string;
  refunded?: boolean;
  metadata?: Record<string, string> | null;
  payment_intent?: string | { id: string } | null;
  last_payment_error?: { code?: string | null; decline_code?: string | null } | null;
}

/** What an event says about a payment. */
export interface PaymentUpdate {
  intentId: string;
  /** Our payment id, from the intent's metadata (charges carry only the intent id). */
  paymentId?: string;
  /** The status the event reports; undefined for a partial refund (amount only). */
  to?: PaymentStatus;
  failureCode?: string;
  nextAction?: 'authenticate';
  refundedAmount?: number;
  /** Amount and currency of the intent, checked against the payment. */
  amount?: number;
  currency?: string;
}

const INTENT_STATUS: Record<string, PaymentStatus> = {
  'payment_intent.requires_action': 'requires_action',
  'payment_intent.processing': 'processing',
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
};

/** Reads a provider event; `null` for event types that do not concern payments. */
export function interpretEvent(event: ProviderEvent): PaymentUpdate | null {
  const obj = event.data?.object;
  if (!obj || typeof obj.id !== 'string') return null;
  const to = INTENT_STATUS[event.type];
  if (to && obj.object === 'payment_intent') {
    const error = obj.last_payment_error;
    return {
      intentId: obj.id,
      paymentId: obj.metadata?.paymentId,
      to,
      amount: obj.amount,
      currency: obj.currency?.toUpperCase(),
      ...(to === 'failed' ? { failureCode: error?.decline_code || error?.code || 'card_declined' } : {}),
      ...(to === 'requires_action' ? { nextAction: 'authenticate' as const } : {}),
    };
  }
  if (event.type === 'charge.refunded' && obj.object === 'charge') {
    const intent = typeof obj.payment_intent === 'string' ? obj.payment_intent : obj.payment_intent?.id;
    if (!intent) return null;
    const refundedAmount = obj.amount_refunded ?? 0;
    return {
      intentId: intent,
      paymentId: obj.metadata?.paymentId,
      refundedAmount,
      ...(obj.refunded && refundedAmount >= (obj.amount ?? 0) ? { to: 'refunded' as const } : {}),
    };
  }
  return null;
}

import type { PaymentStatus } from './model.ts';

/**
 * The payment state machine. A provider event names the status it reports; the move is applied
 * only from the statuses listed here, so a duplicate or late event (a `processing` after
 * `succeeded`, a `payment_failed` after `succeeded`) changes nothing. `failed → succeeded` stays
 * open: with Stripe the payer may retry another card on the same intent, and money that moved
 * must never be lost.
 */
const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  created: ['requires_action', 'processing', 'succeeded', 'failed', 'canceled'],
  requires_action: ['processing', 'succeeded', 'failed', 'canceled'],
  processing: ['succeeded', 'failed', 'canceled'],
  failed: ['succeeded'],
  succeeded: ['refunded'],
  canceled: [],
  refunded: [],
};

/** Statuses from which a payment may move to `to`. */
export function sourcesOf(to: PaymentStatus): PaymentStatus[] {
  return (Object.keys(NEXT) as PaymentStatus[]).filter((from) => NEXT[from].includes(to));
}

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

/** No further move is possible except a refund: the widget stops waiting. */
export function isSettled(status: PaymentStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'refunded';
}

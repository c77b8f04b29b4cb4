import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { key } from '../db/kernel/keys.ts';
import type { ProviderName } from './model.ts';

/**
 * The keys of the payments module's documents (see model.ts): each request finds what it needs by
 * one of these `_id`s, built from the natural key of the thing.
 */

/**
 * The `_id` of the payment a subscriber makes with an Idempotency-Key: 24 hex digits of the key's
 * sha256 with its tenant and subscriber. One key makes one payment because `_id`s are unique, on
 * MongoDB and on FerretDB v1 alike; the id is as hard to guess as the key (the SDK's are random),
 * and every read checks the owner anyway.
 */
export function paymentIdFor(tenantId: Types.ObjectId, subscriberId: Types.ObjectId, idempotencyKey: string): string {
  return createHash('sha256')
    .update(key(tenantId, subscriberId, idempotencyKey))
    .digest('hex')
    .slice(0, 24);
}

/** A provider's payment reference (a Stripe PaymentIntent id), for provider events. */
export function providerRefKey(provider: ProviderName, ref: string): string {
  return key(provider, ref);
}

/** A receipt link's token, hashed: it is a bearer secret. */
export function receiptKey(tenantId: Types.ObjectId, token: string): string {
  return key(tenantId, 'receipt', createHash('sha256').update(token).digest('base64url'));
}

/** The cabinet's history stream. */
export const historyStream = (tenantId: Types.ObjectId, subscriberId: Types.ObjectId) => key(tenantId, subscriberId);

/** The chain of an account's unconfirmed payments. */
export const pendingStream = (tenantId: Types.ObjectId, accountId: string) => key(tenantId, accountId);

/** The tenant's export stream: entries `<tenantId>:<seq>`. */
export const exportStream = (tenantId: Types.ObjectId) => String(tenantId);

/** What an export entry is the one entry of: a payment's success, or its refunded amount reaching a value. */
export const exportOnce = (paymentId: string, exportKey: string) => key(paymentId, exportKey);

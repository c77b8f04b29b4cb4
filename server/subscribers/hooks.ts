import { appContext } from '../app-context.ts';
import type { Types } from 'mongoose';

export interface SubscriberDeleted {
  realm: string;
  subscriberId: Types.ObjectId;
  /** The tenant where the cabinet was opened. */
  tenantId: Types.ObjectId;
  /** `deleted`: the person deleted the cabinet (consent withdrawn); `unconfirmed`: removed after its confirmation deadline. */
  reason: 'deleted' | 'unconfirmed';
}

export type SubscriberDeletedHook = (event: SubscriberDeleted) => Promise<void>;

/**
 * Modules that keep data about a subscriber (sessions, tokens, account links…) list their cleanup
 * in their manifest (`subscriberDeleted`); each runs before the subscriber document is removed,
 * so a failed cleanup leaves the cabinet in place to be deleted again.
 */
export async function runSubscriberDeleted(event: SubscriberDeleted): Promise<void> {
  for (const hook of appContext().subscriberDeleted) await hook.run(event);
}

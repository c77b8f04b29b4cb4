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

const hooks: { name: string; run: SubscriberDeletedHook }[] = [];

/**
 * Modules that keep data about a subscriber (sessions, tokens, account links…) register their
 * cleanup here; it runs before the subscriber document is removed, so a failed cleanup leaves
 * the cabinet in place to be deleted again.
 */
export function onSubscriberDeleted(name: string, run: SubscriberDeletedHook): void {
  const existing = hooks.findIndex((h) => h.name === name);
  if (existing >= 0) hooks.splice(existing, 1);
  hooks.push({ name, run });
}

export async function runSubscriberDeleted(event: SubscriberDeleted): Promise<void> {
  for (const hook of hooks) await hook.run(event);
}

/**
 * What payments needs from other modules, through their services: linked accounts (accounts),
 * debt and penalties (billing), readings rules (readings) and the subscriber's email
 * (subscribers). Each function maps their answers to the plain shapes payments works with.
 */
import type { Types } from 'mongoose';
import type { ReadingInput } from '../../contracts/readings.ts';
import { assertLinked, listLinkedAccountRefs, listLinkedAccountsWithMeters } from '../accounts/service.ts';
import { paidByMonth } from '../billing/service.ts';
import type { Ctx, SubscriberCtx } from '../http/context.ts';
import { DomainError, type FieldErrors } from '../http/errors.ts';
import { acceptSubmission, validateSubmission, type NormalizedSubmission } from '../readings/service.ts';
import { findById } from '../subscribers/service.ts';

export interface LinkedAccount {
  number: string;
  address: string;
}

/** The account, if the signed-in subscriber has it linked; else the accounts module's error. */
export async function linkedAccount(ctx: SubscriberCtx, accountId: string): Promise<LinkedAccount> {
  const account = await assertLinked(ctx, accountId);
  return { number: account.number, address: account.address };
}

/** The subscriber's linked accounts of this tenant with what is owed on each. */
export async function payableAccounts(ctx: SubscriberCtx) {
  const accounts = await listLinkedAccountsWithMeters(ctx);
  return accounts
    .filter((a) => a.supplier.slug === ctx.tenant.slug)
    .map((a) => ({
      accountId: a.id,
      accountNumber: a.number,
      address: a.address,
      supplierName: a.supplier.name,
      debt: Math.max(0, a.debt),
      penalties: Math.max(0, a.penalties),
      pendingPaid: a.pendingPaid,
      hasMeters: a.meterCount > 0,
    }));
}

/**
 * Readings sent with a payment, checked by the readings rules now. Errors come back by field of
 * the submission (`readings.0.value`), or on `readings` when the rule concerns them all.
 */
export async function validatePaymentReadings(
  ctx: SubscriberCtx,
  accountId: string,
  readings: ReadingInput[],
): Promise<{ normalized: NormalizedSubmission } | { error: FieldErrors }> {
  try {
    return { normalized: await validateSubmission(ctx, { accountId, readings }) };
  } catch (err) {
    if (err instanceof DomainError && err.kind !== 'unauthenticated')
      return { error: err.fields ?? { readings: { code: err.code, params: err.params } } };
    throw err;
  }
}

/**
 * Takes the readings of a succeeded payment. A rule that refuses them now (the window closed,
 * a newer reading arrived) does not undo the payment: the refusal is recorded with it.
 */
export async function acceptPaymentReadings(
  ctx: Ctx,
  normalized: NormalizedSubmission,
  paymentId: string,
): Promise<{ status: 'accepted' | 'rejected'; code: string }> {
  try {
    await acceptSubmission(ctx, normalized, { source: 'payment', paymentId });
    return { status: 'accepted', code: '' };
  } catch (err) {
    if (err instanceof DomainError) return { status: 'rejected', code: err.code };
    throw err;
  }
}

/** The email and phone of the subscriber who paid, where the receipt may go. */
export async function subscriberContacts(
  realm: string,
  subscriberId: Types.ObjectId,
): Promise<{ email?: string | null; phone?: string | null }> {
  const subscriber = await findById(realm, subscriberId);
  return { email: subscriber?.email, phone: subscriber?.phone };
}

/**
 * The subscriber's linked accounts of this tenant (or the one asked for) with what billing booked
 * as paid on each in the months of `range`, and the first month billing booked a payment in.
 */
export async function bookedPayments(ctx: SubscriberCtx, range: { from: string; to: string }, accountId?: string) {
  const accounts = (await listLinkedAccountRefs(ctx)).filter(
    (a) => a.supplier.slug === ctx.tenant.slug && (!accountId || a.id === accountId),
  );
  return Promise.all(
    accounts.map(async (a) => ({
      accountId: a.id,
      accountNumber: a.number,
      address: a.address,
      ...(await paidByMonth(ctx.tenant._id, a.id, range)),
    })),
  );
}

import { randomBytes } from 'node:crypto';
import { Payment, type PaymentDoc } from '../../server/payments/model.ts';
import { freshNumber, integrationUpsert } from './billing.ts';
import { waitFor } from './process.ts';
import { api } from './server.ts';
import { signedInSubscriber } from './subscribers.ts';

export interface PayableSpec {
  /** Kopecks owed at the latest period (the closing balance). */
  debt?: number;
  /** Kopecks of penalties ("пени"). */
  penalties?: number;
  /** Give the account one gas meter whose last reading is 1000 m³. */
  meter?: boolean;
}

export interface LinkedTestAccount {
  id: string;
  number: string;
  /** The meter's id, as readings name it (when the account has one). */
  meterId?: string;
}

/**
 * An account of `slug` owing `debt` and `penalties`, sent by "billing" through the integration API
 * (demo key) and linked to the subscriber through `POST accounts`, as a person would link it.
 */
export async function linkPayableAccount(
  slug: string,
  auth: Record<string, string>,
  { debt = 150_000, penalties = 2_500, meter = false }: PayableSpec = {},
): Promise<LinkedTestAccount> {
  const number = freshNumber();
  await integrationUpsert(slug, 'accounts', [{ number, holder: 'Плательщиков Павел Петрович', address: 'ул. Тестовая, 1' }]);
  if (meter) {
    await integrationUpsert(slug, 'meters', [
      {
        meterId: `m-${number}`,
        accountNumber: number,
        serialNumber: `SN${number}`,
        digits: 5,
        decimals: 0,
        lastReading: 1000,
        tariff: 850,
      },
    ]);
  }
  await integrationUpsert(slug, 'balances', [
    { accountNumber: number, period: '2026-10', opening: 0, charged: debt, paid: 0, closing: debt, penalties },
  ]);
  const linked = await api(`/api/v1/t/${slug}/accounts`, { body: { supplier: slug, number }, headers: auth });
  if (linked.status !== 201) throw new Error(`link failed: ${linked.status} ${JSON.stringify(linked.body)}`);
  const id = linked.body.id as string;
  if (!meter) return { id, number };
  const meters = await api(`/api/v1/t/${slug}/accounts/${id}/meters`, { headers: auth });
  return { id, number, meterId: meters.body.items[0].id as string };
}

export const idempotencyKey = () => randomBytes(12).toString('hex');

/** A test card for the demo provider (Stripe's test cards). */
export const card = (cardNumber: string) => ({ cardNumber, expiry: '12/39', cvc: '123' });

/**
 * Waits until the payment's follow-up (its readings, the receipt's email, the export, the history)
 * is done: the demo card's answer comes before it, as a provider's webhook does.
 */
export async function followedUp(paymentId: string): Promise<void> {
  const done = await waitFor(async () => (await Payment.findById(paymentId).lean<PaymentDoc>())?.fulfilment === 'done', 30_000);
  if (!done) throw new Error(`the follow-up of payment ${paymentId} did not finish`);
}

/**
 * A signed-in subscriber of `slug` with `count` linked accounts, and shortcuts to pay them:
 * `pay(body, key)` is `POST payments` (a fresh Idempotency-Key unless given; `null` sends none),
 * `call(path, body?)` any other payments call of the subscriber.
 */
export async function payer(slug: string, count = 1, spec: PayableSpec = {}) {
  const s = await signedInSubscriber(slug);
  const accounts: LinkedTestAccount[] = [];
  for (let i = 0; i < count; i++) accounts.push(await linkPayableAccount(slug, s.auth, spec));
  const pay = (body: unknown, key: string | null = idempotencyKey()) =>
    api(`/api/v1/t/${slug}/payments`, { body, headers: { ...s.auth, ...(key ? { 'Idempotency-Key': key } : {}) } });
  const call = (path: string, body?: unknown) =>
    api(`/api/v1/t/${slug}/${path}`, { ...(body === undefined ? {} : { body }), headers: s.auth });
  /** Pays `amount` (+ `penalties`) on the first account with the 4242 card; returns the payment, once followed up. */
  const paid = async (amount: number, penalties = 0, account = accounts[0]!) => {
    const created = await pay({ items: [{ accountId: account.id, amount, penalties }] });
    if (created.status !== 201) throw new Error(`payment failed: ${created.status} ${JSON.stringify(created.body)}`);
    const res = await call(`payments/${created.body.payment.id}/demo/confirm`, card('4242424242424242'));
    if (res.body.status !== 'succeeded') throw new Error(`payment not succeeded: ${JSON.stringify(res.body)}`);
    await followedUp(res.body.id);
    return res.body as { id: string; total: number; receipt: { url: string; sentTo: { channel: string; to: string } | null } };
  };
  return { ...s, accounts, pay, call, paid };
}

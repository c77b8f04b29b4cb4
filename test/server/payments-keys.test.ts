import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { append } from '../../server/db/kernel/streams.ts';
import { historyStream, providerRefKey } from '../../server/payments/keys.ts';
import { Payment, PaymentHistory, PaymentKey, type PaymentDoc } from '../../server/payments/model.ts';
import { confirmPayments, fulfil, handleProviderEvent, pendingPaidAmount } from '../../server/payments/service.ts';
import { publicPayment } from '../../server/payments/view.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { card, followedUp, payer } from '../helpers/payments.ts';
import { api } from '../helpers/server.ts';
import { waitFor } from '../helpers/process.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';
import { OutboxJob } from '../../server/notify/model.ts';
import { watchOperations } from '../helpers/operations.ts';

/** The collections the payments module and the kernel primitives it uses keep. */
const OWN = /^(pay_|kernel_)/;

interface Op {
  collection: string;
  method: string;
  filter: unknown;
  /** Made by a payment's follow-up (`fulfil`), which a demo card's answer does not wait for. */
  followUp: boolean;
}

/** Whether the code running now was called from a payment's follow-up. */
function inFollowUp(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  try {
    return /\bfulfil\b/.test(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

let recording: Op[] | null = null;

/** The database operations `run` makes, as mongoose issues them. */
async function opsOf(run: () => Promise<unknown>): Promise<Op[]> {
  recording = [];
  try {
    await run();
    return recording;
  } finally {
    recording = null;
  }
}

/** Whether an operation is an insert or names exactly one `_id` and nothing else. */
function byKey(op: Op): boolean {
  if (op.method === 'insertOne' || op.method === 'insertMany') return true;
  if (!['findOne', 'updateOne', 'deleteOne', 'findOneAndUpdate', 'replaceOne'].includes(op.method)) return false;
  const filter = op.filter as Record<string, unknown> | null;
  if (!filter || Object.keys(filter).join() !== '_id') return false;
  const id = filter._id;
  return typeof id === 'string' || id instanceof mongoose.Types.ObjectId;
}

async function freshTenant(): Promise<TenantDoc> {
  const slug = `keys-${randomBytes(4).toString('hex')}`;
  const tenant = await Tenant.create({ slug, name: 'Газ по ключу', legalName: 'ООО «Ключ»', taxId: '7700000012', realm: slug });
  return tenant.toObject<TenantDoc>();
}

const demoKey = (slug: string) => ({ Authorization: `Bearer demo-${slug}` });

function refundEvent(providerRef: string, amount: number, refunded: number) {
  return {
    id: `evt_${randomBytes(10).toString('hex')}`,
    type: 'charge.refunded',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `ch_${randomBytes(6).toString('hex')}`,
        object: 'charge',
        payment_intent: providerRef,
        amount,
        amount_refunded: refunded,
        refunded: refunded === amount,
      },
    },
  };
}

describe('payments: by key', function () {
  this.timeout(60_000);

  let stopWatching: () => void;
  before(() => {
    stopWatching = watchOperations((collection: string, method: string, ...args: unknown[]) => {
      recording?.push({ collection, method, filter: args[0], followUp: inFollowUp() });
    });
  });
  after(() => {
    stopWatching();
  });

  it("finds every payments document of a subscriber's or integrator's request by _id alone, a bounded number each", async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 2, { debt: 90_000, penalties: 1_000 });
    const [a, b] = p.accounts;
    const own: Record<string, Op[]> = {};
    const billing: Record<string, Record<string, number>> = {};
    const measure = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      let result: T | undefined;
      const ops = await opsOf(async () => {
        result = await run();
      });
      own[name] = ops.filter((o) => OWN.test(o.collection));
      billing[name] = {};
      for (const o of ops.filter((o) => o.collection.startsWith('billing_')))
        billing[name][o.collection] = (billing[name][o.collection] ?? 0) + 1;
      return result as T;
    };

    await measure('options', () => p.call('payments/options'));
    const created = await measure('create', () =>
      p.pay({
        items: [
          { accountId: a!.id, amount: 10_000, penalties: 500 },
          { accountId: b!.id, amount: 20_000, penalties: 0 },
        ],
      }),
    );
    const id = created.body.payment.id as string;
    await measure('get', () => p.call(`payments/${id}`));
    const paid = await measure('pay (demo card)', () => p.call(`payments/${id}/demo/confirm`, card('4242424242424242')));
    // The payment's follow-up (receipt, booking) runs after the answer; measure the next requests once it is over.
    await waitFor(async () => (await Payment.findById(id).lean<PaymentDoc>())?.fulfilment === 'done', 30_000);
    await waitFor(
      async () =>
        (await OutboxJob.exists({ tenantId: tenant._id, status: mongoose.trusted({ $in: ['queued', 'sending'] }) })) === null,
      30_000,
    );
    await measure('history', () => p.call('payments'));
    await measure('history of an account', () => p.call(`payments?accountId=${encodeURIComponent(b!.id)}`));
    await measure('receipt', () => api(new URL(paid.body.receipt.url).pathname));
    await measure('summary', () => p.call(`accounts/${a!.id}/summary`));
    const other = await p.pay({ items: [{ accountId: a!.id, amount: 5_000, penalties: 0 }] });
    await measure('cancel', () => p.call(`payments/${other.body.payment.id}/cancel`, {}));
    const doc = (await Payment.findById(id).lean<PaymentDoc>())!;
    await measure('webhook (refund)', () => handleProviderEvent('demo', refundEvent(doc.providerRef, 30_500, 1_000)));
    await measure('export', () => api(`/api/v1/t/${tenant.slug}/integration/export/payments`, { headers: demoKey(tenant.slug) }));
    await measure('confirm', () =>
      api(`/api/v1/t/${tenant.slug}/integration/payments/confirm`, { body: { ids: [id] }, headers: demoKey(tenant.slug) }),
    );

    for (const [name, ops] of Object.entries(own)) {
      expect(
        ops.filter((o) => !byKey(o)),
        name,
      ).to.deep.equal([]);
    }
    const count = (name: string) => own[name]!.length;
    expect(count('get')).to.equal(1);
    expect(count('receipt')).to.equal(2);
    expect(count('options')).to.be.at.most(2);
    expect(count('summary')).to.be.at.most(2);
    // The history's entries carry what it shows: the stream's end, then its entries; no payment is looked up.
    expect(count('history')).to.be.at.most(3);
    for (const name of ['history', 'history of an account'])
      expect(
        own[name]!.filter((o) => o.collection === 'pay_payments'),
        name,
      ).to.deep.equal([]);
    // 7 of the payment's own, 6 of its Idempotency-Key record (look, claim, look again, mark running, store, release),
    // and the expiry of the record and of its claim's ticket registered (server/db/kernel/expiry.ts: each an
    // append, at most two lookups of its bucket's end and one insert). The payment's two writes (its history
    // entry, its provider's intent) are revisions (server/db/kernel/revisions.ts): at most 5 more each, a lookup
    // before and after the claim, the claim's ticket (not registered with the sweep), the ticket's removal.
    expect(count('create')).to.be.at.most(13 + 2 * 3 + 2 * 5);
    // The card's answer: the payment looked up before and after, and the demo bank's two events, each
    // stored and marked handled, with the payment's lookup, its transition log (a lookup, the insert, a
    // lookup after), the move (a revision: 5), the next step looked for, and its history entry (a write,
    // a lookup); the success also registers the follow-up twice (two appends, 4) and its receipt's
    // pointer (the queue's cursor, made once per process, aside); then the unconfirmed amount of each of
    // its two accounts, from the payment as the answer shows it, before the answer (per account its
    // pending chain's end, the payment, the entry). The rest of the follow-up runs after the answer.
    const answer = own['pay (demo card)']!.filter((o) => !o.followUp && o.collection !== 'kernel_expiry_cursors');
    expect(answer).to.have.length.at.most(2 + 2 * 14 + 4 + 1 + 2 * 3);
    expect(count('export')).to.be.at.most(8);
    // Each account and its billing months are read once, not again for what is owed or was booked:
    // what is owed is the current month's, what was booked needs the past months too.
    expect(billing.options).to.deep.equal({ billing_accounts: 2, billing_current: 2, billing_balances: 2 });
    expect(billing.history).to.deep.equal({ billing_accounts: 2, billing_current: 2, billing_balances: 2, billing_past: 2 });
  });

  it('lists every payment past the first page, by account and by month', async () => {
    const p = await payer('sever-gaz', 2);
    const [a, b] = p.accounts;
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const account = i % 3 === 0 ? b! : a!;
      ids.push((await p.pay({ items: [{ accountId: account.id, amount: 1_000 + i, penalties: 0 }] })).body.payment.id);
    }
    // The first payment was made long ago.
    const longAgo = new Date(Date.UTC(2025, 0, 15));
    await Payment.updateOne({ _id: ids[0] }, { $set: { createdAt: longAgo } });
    await PaymentHistory.updateOne({ _id: key(p.tenant._id, p.subscriber._id, 1) }, { $set: { 'shown.createdAt': longAgo } });

    const all = (await p.call('payments')).body.payments.map((x: { id: string }) => x.id);
    expect(all).to.deep.equal(ids.slice(1).reverse());
    const ofB = (await p.call(`payments?accountId=${encodeURIComponent(b!.id)}`)).body.payments.map((x: { id: string }) => x.id);
    expect(ofB).to.deep.equal(ids.filter((_, i) => i % 3 === 0 && i > 0).reverse());
    const old = await p.call('payments?from=2025-01&to=2025-01');
    expect(old.body.payments.map((x: { id: string }) => x.id)).to.deep.equal([ids[0]]);
    expect((await p.call('payments?from=2025-02&to=2025-12')).body.payments).to.deep.equal([]);
  });

  it('reads a year of monthly payments from the history alone, without reading the year before or any payment', async () => {
    const p = await payer('sever-gaz', 1);
    const stream = historyStream(p.tenant._id, p.subscriber._id);
    const month = 30 * 86_400_000;
    // Two years of monthly entries, oldest first, each carrying its payment as shown (payments this test never made:
    // the history must show them from the entries alone).
    const shown = Array.from({ length: 24 }, (_, i) =>
      publicPayment({
        _id: randomBytes(12).toString('hex'),
        tenantId: p.tenant._id,
        tenantSlug: p.tenant.slug,
        subscriberId: p.subscriber._id,
        provider: 'demo',
        currency: 'RUB',
        items: [
          {
            accountId: p.accounts[0]!.id,
            accountNumber: p.accounts[0]!.number,
            address: 'ул. Тестовая, 1',
            amount: 1_000 + i,
            penalties: 0,
          },
        ],
        total: 1_000 + i,
        status: 'succeeded',
        nextAction: '',
        failureCode: '',
        refundedAmount: 0,
        confirmedAt: new Date(),
        receiptToken: randomBytes(24).toString('base64url'),
        linkBase: 'http://localhost',
        createdAt: new Date(Date.now() - (23 - i) * month - 86_400_000),
      } as unknown as PaymentDoc),
    );
    for (const entry of shown) await append(PaymentHistory, stream, { shown: entry });

    let answer: { body: { payments: unknown[] } } | undefined;
    const ops = await opsOf(async () => {
      answer = await p.call('payments');
    });
    const reads = (collection: string) => ops.filter((o) => o.collection === collection && o.method === 'findOne').length;
    // The end of the stream (its last entry and one past it), then the first page down to the oldest month asked for.
    expect(reads('pay_cabinet_history')).to.be.at.most(2 + 13);
    expect(reads('pay_payments')).to.equal(0);
    // The payments of the twelve months, newest first, as their entries show them (the oldest may be on the edge).
    const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 11, 1)).getTime();
    const want = shown.filter((s) => s.createdAt.getTime() >= start).reverse();
    expect(want.length).to.be.within(11, 13);
    expect(answer!.body.payments).to.deep.equal(JSON.parse(JSON.stringify(want)));
  });

  it('shows each payment in the history as GET payments/:id shows it, through success, receipt, refund and booking racing', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 2, { debt: 900_000, penalties: 0 });
    const [a, b] = p.accounts;
    const created = await Promise.all(
      [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000].map((amount, i) =>
        p.pay({ items: [{ accountId: (i % 2 ? b : a)!.id, amount, penalties: i === 0 ? 500 : 0 }] }),
      ),
    );
    const ids = created.map((c) => c.body.payment.id as string);
    const [, declined, ...paid] = ids;
    await p.call(`payments/${declined}/demo/confirm`, card('4000000000000002'));
    await Promise.all(paid.map((id) => p.call(`payments/${id}/demo/confirm`, card('4242424242424242'))));
    await waitFor(async () => {
      const docs = await Promise.all(paid.map((id) => Payment.findById(id).lean<PaymentDoc>()));
      return docs.every((d) => d?.fulfilment === 'done');
    }, 30_000);
    // Refunds (whole and partial) race billing booking every paid payment.
    const docs = (await Promise.all(paid.map((id) => Payment.findById(id).lean<PaymentDoc>()))) as PaymentDoc[];
    await Promise.all([
      handleProviderEvent('demo', refundEvent(docs[0]!.providerRef, docs[0]!.total, docs[0]!.total)),
      handleProviderEvent('demo', refundEvent(docs[1]!.providerRef, docs[1]!.total, 5_000)),
      confirmPayments(tenant, paid),
      handleProviderEvent('demo', refundEvent(docs[2]!.providerRef, docs[2]!.total, docs[2]!.total)),
    ]);
    await waitFor(async () => {
      const now = await Promise.all(paid.map((id) => Payment.findById(id).lean<PaymentDoc>()));
      return now.every((d) => d?.fulfilment === 'done');
    }, 30_000);

    const shownById = async () => {
      const list = (await p.call('payments')).body.payments as { id: string; status: string; confirmed: boolean }[];
      return new Map(list.map((x) => [x.id, x]));
    };
    const history = await shownById();
    expect([...history.keys()].sort()).to.deep.equal([...ids].sort());
    for (const id of ids) expect(history.get(id), id).to.deep.equal((await p.call(`payments/${id}`)).body);
    const statuses = ids.map((id) => history.get(id)!.status);
    expect(statuses).to.deep.equal(['created', 'failed', 'refunded', 'succeeded', 'refunded', 'succeeded', 'succeeded']);
    expect(paid.map((id) => history.get(id)!.confirmed)).to.deep.equal([true, true, true, true, true]);

    // A booking whose server died after writing the payment and before the history: billing's retry shows it.
    const late = await p.paid(1_000);
    await Payment.updateOne({ _id: late.id }, { $set: { confirmedAt: new Date() } });
    expect((await shownById()).get(late.id)!.confirmed).to.equal(false);
    await confirmPayments(tenant, [late.id]);
    expect((await shownById()).get(late.id)).to.deep.equal((await p.call(`payments/${late.id}`)).body);
  });

  it('answers 503 record_busy with Retry-After while a dead writer holds the payment, and confirms it once the hold ends', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 1, { debt: 50_000, penalties: 0 });
    const created = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 50_000, penalties: 0 }] });
    const id = created.body.payment.id as string;
    const before = (await Payment.findById(id).lean<PaymentDoc>())!;
    // An instance killed while it wrote the payment holds its revision until its lease ends.
    const held = await claim(key(Payment.collection.collectionName, id, before.rev ?? 0), 60_000, { swept: false });
    expect(held).to.not.equal(null);
    const confirm = (lng: string) =>
      api(`/api/v1/t/${tenant.slug}/payments/${id}/demo/confirm`, {
        body: card('4242424242424242'),
        headers: { ...p.auth, 'Accept-Language': lng },
      });
    const busy = await confirm('en');
    expect(busy.status).to.equal(503);
    const seconds = Number(busy.headers.get('retry-after'));
    // The hold began before the request, so it ends within a lease of it.
    expect(seconds).to.be.within(1, 60);
    expect(busy.body.error).to.deep.include({
      code: 'record_busy',
      message: `Another request is changing this record. Please retry in ${seconds} s.`,
      params: { seconds },
    });
    expect((await p.call(`payments/${id}`)).body.status).to.equal('created');
    await held!.release();
    const confirmed = await confirm('ru');
    expect(confirmed.status).to.equal(200);
    expect(confirmed.body).to.deep.include({ id, status: 'succeeded', total: 50_000 });
    await followedUp(id);
    const history = (await p.call('payments')).body.payments as { id: string; status: string; total: number }[];
    expect(history.filter((x) => x.id === id).map((x) => [x.status, x.total])).to.deep.equal([['succeeded', 50_000]]);
  });

  it('counts payments of one account that succeed together, and drops each as billing books it or it is refunded', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 1, { debt: 90_000, penalties: 0 });
    const account = p.accounts[0]!;
    const created = await Promise.all(
      [10_000, 20_000, 30_000].map((amount) => p.pay({ items: [{ accountId: account.id, amount, penalties: 0 }] })),
    );
    const [first, second, third] = created.map((c) => c.body.payment.id as string);
    await Promise.all(created.map((c) => p.call(`payments/${c.body.payment.id}/demo/confirm`, card('4242424242424242'))));
    await Promise.all([first, second, third].map((id) => followedUp(id!)));
    expect(await pendingPaidAmount(tenant._id, account.id)).to.equal(60_000);

    expect((await confirmPayments(tenant, [first!])).confirmed).to.deep.equal([first]);
    expect(await pendingPaidAmount(tenant._id, account.id)).to.equal(50_000);
    const ref = (await Payment.findById(second).lean<PaymentDoc>())!.providerRef;
    await handleProviderEvent('demo', refundEvent(ref, 20_000, 20_000));
    expect(await pendingPaidAmount(tenant._id, account.id)).to.equal(30_000);
    expect((await p.call('payments/options')).body.accounts[0].pendingPaid).to.equal(30_000);
    await confirmPayments(tenant, [third!, third!]);
    expect(await pendingPaidAmount(tenant._id, account.id)).to.equal(0);
  });

  it('adds no second export entry, amount or receipt email when the follow-up runs again', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug);
    const payment = await p.paid(25_000);
    const before = (await Payment.findById(payment.id).lean<PaymentDoc>())!;
    await Payment.updateOne({ _id: payment.id }, { $set: { fulfilment: 'pending' } });
    await fulfil(payment.id);
    const after = (await Payment.findById(payment.id).lean<PaymentDoc>())!;
    expect(after.fulfilment).to.equal('done');
    expect(after.receipt?.emailJobId).to.equal(before.receipt?.emailJobId);
    const exported = await api(`/api/v1/t/${tenant.slug}/integration/export/payments`, { headers: demoKey(tenant.slug) });
    expect(exported.body.items.map((e: { paymentId: string }) => e.paymentId)).to.deep.equal([payment.id]);
    expect(await pendingPaidAmount(tenant._id, p.accounts[0]!.id)).to.equal(25_000);
  });

  it('keeps an account id of the keyed shape (<tenantId>:<number>) through success, the unconfirmed amount and booking', async () => {
    const tenant = await freshTenant();
    const accountId = key(tenant._id, '7000123');
    const { subscriber } = await signedInSubscriber(tenant.slug);
    const payment = await Payment.create({
      _id: randomBytes(12).toString('hex'),
      tenantId: tenant._id,
      tenantSlug: tenant.slug,
      subscriberId: subscriber._id,
      idempotencyKey: randomBytes(8).toString('hex'),
      requestHash: 'test',
      provider: 'demo',
      providerRef: `pi_demo_${randomBytes(8).toString('hex')}`,
      currency: 'RUB',
      items: [{ accountId, accountNumber: '7000123', address: 'ул. Ключевая, 1', amount: 40_000, penalties: 700 }],
      total: 40_700,
      linkBase: 'http://localhost',
      receiptToken: randomBytes(24).toString('base64url'),
    });
    await PaymentKey.create({ _id: providerRefKey('demo', payment.providerRef), paymentId: payment._id });
    const succeeded = {
      id: `evt_${randomBytes(10).toString('hex')}`,
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: payment.providerRef, object: 'payment_intent', amount: 40_700, currency: 'rub' } },
    };
    expect((await handleProviderEvent('demo', succeeded)).outcome).to.equal('applied');
    expect(await pendingPaidAmount(tenant._id, accountId)).to.equal(40_700);
    expect((await confirmPayments(tenant, [payment._id])).confirmed).to.deep.equal([payment._id]);
    expect(await pendingPaidAmount(tenant._id, accountId)).to.equal(0);
  });
});

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { enrolAgain } from '../../server/db/kernel/expiry.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { Ticket } from '../../server/db/kernel/models.ts';
import { createApiKey } from '../../server/integration/keys.ts';
import { Payment, PaymentTransition, type PaymentDoc } from '../../server/payments/model.ts';
import { demoCardEvents } from '../../server/payments/providers.ts';
import { fulfilPending, handleProviderEvent } from '../../server/payments/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { card, followedUp, payer } from '../helpers/payments.ts';
import { api, testApp, testServer } from '../helpers/server.ts';
import { watchOperations } from '../helpers/operations.ts';

/** A supplier of its own (its own realm and export stream) paying through the demo provider. */
async function freshTenant(): Promise<TenantDoc> {
  const slug = `pay-${randomBytes(4).toString('hex')}`;
  const tenant = await Tenant.create({
    slug,
    name: 'Газ Экспорт',
    legalName: 'ООО «Газ Экспорт»',
    taxId: '7700000011',
    realm: slug,
  });
  return tenant.toObject<TenantDoc>();
}

const demoKey = (slug: string) => ({ Authorization: `Bearer demo-${slug}` });

function exportPage(slug: string, query = '', headers: Record<string, string> = demoKey(slug)) {
  return api(`/api/v1/t/${slug}/integration/export/payments${query}`, { headers });
}

function confirm(slug: string, ids: string[], headers: Record<string, string> = demoKey(slug)) {
  return api(`/api/v1/t/${slug}/integration/payments/confirm`, { body: { ids }, headers });
}

describe('payments: integration API (export and confirmation)', function () {
  this.timeout(30_000);

  it('exports succeeded payments in order; polling with the last cursor never skips or repeats one', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 1, { debt: 90_000, penalties: 0 });
    const declined = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 5_000, penalties: 0 }] });
    await p.call(`payments/${declined.body.payment.id}/demo/confirm`, card('4000000000000002'));
    const first = await p.paid(10_000, 500);
    const second = await p.paid(20_000);
    const third = await p.paid(30_000);

    const page1 = await exportPage(tenant.slug, '?limit=2');
    expect(page1.status).to.equal(200);
    expect(page1.body.items.map((e: { paymentId: string }) => e.paymentId)).to.deep.equal([first.id, second.id]);
    expect(page1.body).to.include({ cursor: '2', hasMore: true });
    expect(page1.body.items[0]).to.deep.include({
      seq: 1,
      event: 'succeeded',
      currency: 'RUB',
      total: 10_500,
      refundedAmount: 0,
      items: [{ accountNumber: p.accounts[0]!.number, amount: 10_000, penalties: 500 }],
    });
    const page2 = await exportPage(tenant.slug, `?cursor=${page1.body.cursor}&limit=2`);
    expect(page2.body.items.map((e: { paymentId: string }) => e.paymentId)).to.deep.equal([third.id]);
    expect(page2.body).to.include({ cursor: '3', hasMore: false });
    const idle = await exportPage(tenant.slug, `?cursor=${page2.body.cursor}`);
    expect(idle.body).to.deep.equal({ items: [], cursor: '3', hasMore: false });
  });

  it('numbers payments that succeed at the same moment without gaps or duplicates', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 1, { debt: 90_000, penalties: 0 });
    const created = [];
    for (let i = 1; i <= 6; i++)
      created.push((await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: i * 1_000, penalties: 0 }] })).body);
    await Promise.all(created.map((c) => p.call(`payments/${c.payment.id}/demo/confirm`, card('4242424242424242'))));
    await Promise.all(created.map((c) => followedUp(c.payment.id)));

    const { body } = await exportPage(tenant.slug);
    expect(body.items.map((e: { seq: number }) => e.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(new Set(body.items.map((e: { paymentId: string }) => e.paymentId))).to.have.property('size', 6);
  });

  it('adds a refund to the stream as a new entry with the amount refunded so far', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug);
    const payment = await p.paid(40_000);
    const doc = (await Payment.findById(payment.id).lean<PaymentDoc>())!;
    const refund = (amountRefunded: number) => ({
      id: `evt_${randomBytes(10).toString('hex')}`,
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `ch_${randomBytes(6).toString('hex')}`,
          object: 'charge',
          payment_intent: doc.providerRef,
          amount: 40_000,
          amount_refunded: amountRefunded,
          refunded: amountRefunded === 40_000,
        },
      },
    });
    await handleProviderEvent('demo', refund(15_000));
    await handleProviderEvent('demo', refund(40_000));

    const { body } = await exportPage(tenant.slug);
    expect(
      body.items.map((e: { seq: number; event: string; refundedAmount: number }) => [e.seq, e.event, e.refundedAmount]),
    ).to.deep.equal([
      [1, 'succeeded', 0],
      [2, 'refunded', 15_000],
      [3, 'refunded', 40_000],
    ]);
    expect((await p.call(`payments/${payment.id}`)).body.status).to.equal('refunded');
  });

  it('finishes the receipt and the export of a paid payment whose follow-up was left by a crashed instance', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug);
    const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 25_000, penalties: 0 }] });
    const work = key('payments.fulfil', body.payment.id);
    // Another instance holds the follow-up when the provider's events make the payment succeed (the
    // follow-up run inline finds it held), then dies: its lease runs out.
    const crashed = await claim(work, 60_000);
    const created = (await Payment.findById(body.payment.id).lean<PaymentDoc>())!;
    const intent = {
      ref: created.providerRef,
      paymentId: String(created._id),
      amount: created.total,
      currency: created.currency,
    };
    for (const event of demoCardEvents(intent, '4242424242424242')) await handleProviderEvent('demo', event);
    const paid = (await Payment.findById(body.payment.id).lean<PaymentDoc>())!;
    expect(paid).to.include({ status: 'succeeded', fulfilment: 'pending' });
    // Issued with the success, naming where it goes, not sent yet.
    expect(paid.receipt).to.include({ emailJobId: '', channel: 'email' });
    expect((await exportPage(tenant.slug)).body.items).to.deep.equal([]);
    await crashed!.release();

    // Due once the held lease would have run out; past the queue's one-time enrolment, a run reads every document by `_id`.
    await fulfilPending(0);
    const filters: Record<string, unknown>[] = [];
    const stopWatching = watchOperations((_collection: string, method: string, filter: Record<string, unknown>) => {
      if (['find', 'findOne', 'countDocuments', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany'].includes(method)) {
        filters.push(filter);
      }
    });
    try {
      expect(await fulfilPending(50, new Date(Date.now() + testServer().config.leaseMs + 1000))).to.equal(1);
    } finally {
      stopWatching();
    }
    expect(filters).to.not.deep.equal([]);
    const byKey = (f: Record<string, unknown>) =>
      Object.keys(f).join() === '_id' && (typeof f._id === 'string' || f._id instanceof Types.ObjectId);
    expect(filters.filter((f) => !byKey(f))).to.deep.equal([]);
    const doc = (await Payment.findById(body.payment.id).lean<PaymentDoc>())!;
    expect(doc.fulfilment).to.equal('done');
    expect(doc.receipt?.emailJobId).to.be.a('string').and.not.empty;
    expect((await exportPage(tenant.slug)).body.items.map((e: { paymentId: string }) => e.paymentId)).to.deep.equal([
      body.payment.id,
    ]);

    expect(await Ticket.countDocuments({ work })).to.equal(0);
  });

  it('enrols and finishes a follow-up the earlier version left pending (no queue record)', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug);
    const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 25_000, penalties: 0 }] });
    const id = body.payment.id as string;
    // As the earlier version moved a payment to succeeded (its due mark aside): the transition, the move; then it died.
    const before = (await Payment.findById(id).lean<PaymentDoc>())!;
    const set = { status: 'succeeded', nextAction: '', failureCode: '', succeededAt: new Date(), fulfilment: 'pending' };
    const version = before.version + 1;
    await PaymentTransition.create({
      _id: key(id, version),
      paymentId: id,
      tenantId: before.tenantId,
      version,
      from: before.status,
      to: 'succeeded',
      eventId: `evt_${randomBytes(6).toString('hex')}`,
      set,
    });
    await Payment.updateOne({ _id: id }, { $set: { ...set, version } });

    // The upgraded server's first run of the queue enrols it.
    await enrolAgain();
    expect(await fulfilPending(1000)).to.be.greaterThanOrEqual(1);
    const doc = (await Payment.findById(id).lean<PaymentDoc>())!;
    expect(doc.fulfilment).to.equal('done');
    expect(doc.receipt?.emailJobId).to.be.a('string').and.not.empty;
    expect((await exportPage(tenant.slug)).body.items.map((e: { paymentId: string }) => e.paymentId)).to.deep.equal([id]);
  });

  it('holds a paid payment’s follow-up for GASKIT_LEASE_MS, as every claim of an instance', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug);
    const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 25_000, penalties: 0 }] });
    const work = key('payments.fulfil', body.payment.id);
    const claims: { leaseUntil: Date }[] = [];
    testApp().payments.fulfilLeaseMs = 7_000;
    const stopWatching = watchOperations((collection: string, method: string, doc: { work?: string; leaseUntil: Date }) => {
      if (collection === 'kernel_tickets' && method === 'insertOne' && doc.work === work) claims.push(doc);
    });
    const from = Date.now();
    try {
      expect((await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242424242424242'))).body.status).to.equal(
        'succeeded',
      );
      // The follow-up claims after the answer.
      await followedUp(body.payment.id);
    } finally {
      stopWatching();
      testApp().payments.fulfilLeaseMs = testServer().config.leaseMs;
    }
    expect(claims).to.have.length(1);
    expect(claims[0]!.leaseUntil.getTime()).to.be.within(from + 7_000, Date.now() + 7_000);
  });

  it("shows no other supplier's payments", async () => {
    const tenant = await freshTenant();
    const other = await freshTenant();
    await (await payer(other.slug)).paid(10_000);
    expect((await exportPage(tenant.slug)).body.items).to.deep.equal([]);
  });

  it('requires a key with export:read to export and payments:write to confirm', async () => {
    const tenant = await freshTenant();
    const billing = await createApiKey(tenant._id, 'billing upload', ['billing:write']);
    const headers = { Authorization: `Bearer ${billing.key}` };
    const exported = await exportPage(tenant.slug, '', headers);
    expect(exported.status).to.equal(403);
    expect(exported.body.error).to.include({ code: 'api_key_scope' });
    const confirmed = await confirm(tenant.slug, [new Types.ObjectId().toString()], headers);
    expect(confirmed.status).to.equal(403);
    expect((await exportPage(tenant.slug, '', {})).status).to.equal(401);

    const reader = await createApiKey(tenant._id, 'export', ['export:read']);
    expect((await exportPage(tenant.slug, '', { Authorization: `Bearer ${reader.key}` })).status).to.equal(200);
  });

  it('refuses a malformed cursor and malformed payment ids', async () => {
    const tenant = await freshTenant();
    const cursor = await exportPage(tenant.slug, '?cursor=abc');
    expect(cursor.status).to.equal(400);
    expect(cursor.body.error.fields.cursor.code).to.equal('cursor_invalid');
    const ids = await confirm(tenant.slug, ['not-an-id']);
    expect(ids.status).to.equal(400);
    expect(ids.body.error.fields['ids.0'].code).to.equal('invalid_value');
  });

  it('counts a paid payment as awaiting confirmation until billing confirms it', async () => {
    const tenant = await freshTenant();
    const p = await payer(tenant.slug, 1, { debt: 90_000, penalties: 2_000 });
    const account = p.accounts[0]!;
    const payment = await p.paid(30_000, 1_000);
    const declined = await p.pay({ items: [{ accountId: account.id, amount: 5_000, penalties: 0 }] });
    await p.call(`payments/${declined.body.payment.id}/demo/confirm`, card('4000000000000002'));
    expect((await p.call(`accounts/${account.id}/summary`)).body.pendingPaid).to.equal(31_000);
    expect((await p.call('payments/options')).body.accounts[0].pendingPaid).to.equal(31_000);

    const foreign = await (await payer('sever-gaz')).paid(10_000);
    const unknown = new Types.ObjectId().toString();
    const res = await confirm(tenant.slug, [payment.id, declined.body.payment.id, unknown, foreign.id]);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      confirmed: [payment.id],
      rejected: [
        { id: declined.body.payment.id, code: 'payment_not_succeeded' },
        { id: unknown, code: 'payment_not_found' },
        { id: foreign.id, code: 'payment_not_found' },
      ],
    });
    expect((await p.call(`accounts/${account.id}/summary`)).body.pendingPaid).to.equal(0);
    expect((await p.call('payments/options')).body.accounts[0].pendingPaid).to.equal(0);
    expect((await p.call(`payments/${payment.id}`)).body.confirmed).to.equal(true);
    expect((await confirm(tenant.slug, [payment.id])).body).to.deep.equal({ confirmed: [payment.id], rejected: [] });
  });

  it('lists both integration endpoints in the OpenAPI document', async () => {
    const { body } = await api('/api/v1/openapi.json');
    expect(body.paths['/t/{tenant}/integration/export/payments'].get.security).to.deep.equal([{ apiKey: [] }]);
    expect(body.paths['/t/{tenant}/integration/payments/confirm'].post.requestBody).to.exist;
  });
});

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { key } from '../../server/db/kernel/keys.ts';
import { streamId } from '../../server/db/kernel/streams.ts';
import { historyStream } from '../../server/payments/keys.ts';
import { migrationCtx, runMigrations } from '../../server/db/migrate.ts';
import type { SubscriberCtx } from '../../server/http/context.ts';
import { migration } from '../../server/payments/migrate.ts';
import { Payment, PaymentHistory, type PaymentDoc, type PaymentHistoryDoc } from '../../server/payments/model.ts';
import {
  exportPayments,
  fulfilPending,
  getPayment,
  handleProviderEvent,
  listPayments,
  pendingPaidAmount,
  confirmPayments,
} from '../../server/payments/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { tenantTranslator } from '../../server/tenants/service.ts';
import { card, payer } from '../helpers/payments.ts';
import { waitFor } from '../helpers/process.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const db = () => mongoose.connection.db!;
const hex = () => randomBytes(4).toString('hex');

/** A payment as the earlier version stored it in `payments`. */
function legacyPayment(
  tenant: TenantDoc,
  subscriberId: Types.ObjectId,
  createdAt: Date,
  items: { accountId: Types.ObjectId; accountNumber: string; amount: number; penalties: number }[],
  extra: Record<string, unknown>,
) {
  const total = items.reduce((s, i) => s + i.amount + i.penalties, 0);
  return {
    _id: new Types.ObjectId(),
    tenantId: tenant._id,
    tenantSlug: tenant.slug,
    subscriberId,
    idempotencyKey: hex(),
    requestHash: hex(),
    provider: 'demo',
    providerAccount: '',
    providerRef: `pi_demo_${hex()}`,
    clientSecret: '',
    currency: 'RUB',
    items: items.map((i) => ({ ...i, address: `ул. Прежняя, ${i.accountNumber}` })),
    total,
    status: 'created',
    version: 0,
    nextAction: '',
    failureCode: '',
    refundedAmount: 0,
    locale: 'ru',
    receiptToken: randomBytes(24).toString('base64url'),
    linkBase: 'http://gaskit.example',
    fulfilment: 'none',
    createdAt,
    updatedAt: createdAt,
    __v: 0,
    ...extra,
  };
}

describe('migration: payments from the earlier collections', function () {
  this.timeout(60_000);

  it('moves payments, history, receipts, unconfirmed amounts, the export stream, events and transitions; nothing a subscriber or integrator sees changes', async () => {
    const slug = `mig-${hex()}`;
    const tenant = (
      await Tenant.create({ slug, name: 'Газ Прежний', legalName: 'ООО «Прежний»', taxId: '7700000013', realm: slug })
    ).toObject<TenantDoc>();
    const { subscriber } = await signedInSubscriber(slug);
    const ctx: SubscriberCtx = {
      tenant,
      requestId: 'migrate-test',
      lng: 'ru',
      t: tenantTranslator(tenant, 'ru'),
      subscriberId: String(subscriber._id),
      sessionHash: 'migrate-test',
    };

    // Earlier accounts had ObjectId ids; the migration maps them to `<tenantId>:<number>`.
    const [a1, a2] = [`55${hex()}`.slice(0, 8), `66${hex()}`.slice(0, 8)];
    const legacyAccounts = [
      { _id: new Types.ObjectId(), tenantId: tenant._id, number: a1 },
      { _id: new Types.ObjectId(), tenantId: tenant._id, number: a2 },
    ];
    await db().collection('accounts').insertMany(legacyAccounts);
    const [acc1, acc2] = legacyAccounts.map((a) => ({ accountId: a._id, accountNumber: a.number }));
    const keyed1 = key(tenant._id, a1);
    const keyed2 = key(tenant._id, a2);

    const jan = new Date(Date.UTC(2026, 0, 10, 9));
    const feb = new Date(Date.UTC(2026, 1, 10, 9));
    const mar = new Date(Date.UTC(2026, 2, 10, 9));
    const receipt = {
      issuedAt: jan,
      supplierName: 'Газ Прежний',
      supplierLegalName: 'ООО «Прежний»',
      supplierTaxId: '7700000013',
      emailJobId: 'job-1',
    };
    const booked = legacyPayment(
      tenant,
      subscriber._id,
      jan,
      [
        { ...acc1!, amount: 10_000, penalties: 500 },
        { ...acc2!, amount: 20_000, penalties: 0 },
      ],
      { status: 'succeeded', version: 2, succeededAt: jan, confirmedAt: feb, fulfilment: 'done', receipt },
    );
    const unbooked = legacyPayment(tenant, subscriber._id, feb, [{ ...acc1!, amount: 40_000, penalties: 1_000 }], {
      status: 'succeeded',
      version: 1,
      succeededAt: feb,
      fulfilment: 'done',
      receipt: { ...receipt, issuedAt: feb },
    });
    const declined = legacyPayment(tenant, subscriber._id, mar, [{ ...acc2!, amount: 5_000, penalties: 0 }], {
      status: 'failed',
      version: 1,
      failureCode: 'generic_decline',
    });
    // Succeeded while the earlier version ran, its receipt and export entry not made yet.
    const unfinished = legacyPayment(tenant, subscriber._id, mar, [{ ...acc2!, amount: 7_000, penalties: 0 }], {
      status: 'succeeded',
      version: 1,
      succeededAt: mar,
      fulfilment: 'pending',
    });
    await db().collection('payments').insertMany([booked, unbooked, declined, unfinished]);
    const exportEntry = (p: typeof booked, seq: number, at: Date) => ({
      _id: new Types.ObjectId(),
      tenantId: tenant._id,
      seq,
      paymentId: p._id,
      key: 'succeeded',
      event: 'succeeded',
      occurredAt: at,
      currency: 'RUB',
      total: p.total,
      refundedAmount: 0,
      providerRef: p.providerRef,
      items: p.items.map((i) => ({ accountNumber: i.accountNumber, amount: i.amount, penalties: i.penalties })),
    });
    await db()
      .collection('payment_exports')
      .insertMany([exportEntry(booked, 1, jan), exportEntry(unbooked, 2, feb)]);
    const legacyEvent = `evt_demo_${hex()}`;
    await db().collection('paymentevents').insertOne({
      _id: new Types.ObjectId(),
      provider: 'demo',
      eventId: legacyEvent,
      type: 'payment_intent.succeeded',
      account: '',
      paymentId: unbooked._id,
      tenantId: tenant._id,
      outcome: 'applied',
      reason: '',
      processedAt: feb,
      receivedAt: feb,
    });
    await db()
      .collection<mongoose.mongo.Document & { _id: string }>('paymenttransitions')
      .insertOne({
        _id: `${unbooked._id}:1`,
        paymentId: unbooked._id,
        tenantId: tenant._id,
        version: 1,
        from: 'created',
        to: 'succeeded',
        eventId: legacyEvent,
        set: { status: 'succeeded', succeededAt: feb, fulfilment: 'pending' },
        at: feb,
      });

    const logged: string[] = [];
    const { moved } = await migration.run(migrationCtx(db(), (m) => logged.push(m)));
    expect(moved).to.equal(8);

    // The subscriber's payments, as the API shows them.
    const first = await getPayment(ctx, String(booked._id));
    expect(first).to.deep.include({
      id: String(booked._id),
      status: 'succeeded',
      provider: 'demo',
      currency: 'RUB',
      total: 30_500,
      refundedAmount: 0,
      confirmed: true,
      nextAction: null,
      failureCode: null,
    });
    expect(first.items).to.deep.equal([
      {
        accountId: keyed1,
        accountNumber: a1,
        address: `ул. Прежняя, ${a1}`,
        amount: 10_000,
        penalties: 500,
        hasReadings: false,
        readingsResult: null,
      },
      {
        accountId: keyed2,
        accountNumber: a2,
        address: `ул. Прежняя, ${a2}`,
        amount: 20_000,
        penalties: 0,
        hasReadings: false,
        readingsResult: null,
      },
    ]);
    expect(first.createdAt).to.deep.equal(jan);
    expect(first.succeededAt).to.deep.equal(jan);
    expect(first.receipt).to.deep.equal({
      issuedAt: jan,
      supplierName: 'Газ Прежний',
      supplierLegalName: 'ООО «Прежний»',
      supplierTaxId: '7700000013',
      url: `http://gaskit.example/api/v1/t/${slug}/receipts/${booked.receiptToken}`,
      // Where a receipt went is recorded since this version; an earlier one does not say.
      sentTo: null,
    });
    expect((await getPayment(ctx, String(declined._id))).failureCode).to.equal('generic_decline');

    const history = await listPayments(ctx, { from: '2026-01', to: '2026-03' });
    expect(history.payments.map((p) => p.id)).to.deep.equal([unfinished, declined, unbooked, booked].map((p) => String(p._id)));
    const ofSecond = await listPayments(ctx, { from: '2026-01', to: '2026-03', accountId: keyed2 });
    expect(ofSecond.payments.map((p) => p.id)).to.deep.equal([unfinished, declined, booked].map((p) => String(p._id)));

    // The receipt link keeps its earlier token.
    const page = await api(`/api/v1/t/${slug}/receipts/${booked.receiptToken}`);
    expect(page.status).to.equal(200);
    expect(page.body).to.include(String(booked._id)).and.include(a2);

    // Paid and not booked: the February and the unfinished March payments, each on its account.
    expect(await pendingPaidAmount(tenant._id, keyed1)).to.equal(41_000);
    expect(await pendingPaidAmount(tenant._id, keyed2)).to.equal(7_000);

    // The integrator's cursor means the same entry; the stream goes on after it.
    const after1 = await exportPayments(tenant, { cursor: '1' });
    expect(after1.items.map((e) => [e.seq, e.paymentId])).to.deep.equal([[2, String(unbooked._id)]]);
    expect(after1).to.include({ cursor: '2', hasMore: false });

    // The worker finishes the follow-up the earlier version left: receipt, export entry, amount counted once.
    expect((await Payment.findById(String(unfinished._id)).lean<PaymentDoc>())?.fulfilment).to.equal('pending');
    await fulfilPending(1000);
    expect((await getPayment(ctx, String(unfinished._id))).receipt).to.include({ supplierTaxId: '7700000013' });
    expect(await pendingPaidAmount(tenant._id, keyed2)).to.equal(7_000);
    expect((await exportPayments(tenant, { cursor: '2' })).items.map((e) => [e.seq, e.paymentId])).to.deep.equal([
      [3, String(unfinished._id)],
    ]);

    // An earlier event delivered again changes nothing; a refund of an earlier payment finds it by its intent.
    const duplicate = await handleProviderEvent('demo', {
      id: legacyEvent,
      type: 'payment_intent.succeeded',
      created: 0,
      data: { object: { id: unbooked.providerRef, object: 'payment_intent' } },
    });
    expect(duplicate.outcome).to.equal('duplicate');
    const refund = await handleProviderEvent('demo', {
      id: `evt_${hex()}`,
      type: 'charge.refunded',
      created: 0,
      data: {
        object: {
          id: `ch_${hex()}`,
          object: 'charge',
          payment_intent: unbooked.providerRef,
          amount: 41_000,
          amount_refunded: 41_000,
          refunded: true,
        },
      },
    });
    expect(refund.outcome).to.equal('applied');
    expect((await getPayment(ctx, String(unbooked._id))).status).to.equal('refunded');
    expect(await pendingPaidAmount(tenant._id, keyed1)).to.equal(0);
    const after3 = await exportPayments(tenant, { cursor: '3' });
    expect(after3.items.map((e) => [e.seq, e.event, e.paymentId])).to.deep.equal([[4, 'refunded', String(unbooked._id)]]);

    // Running the step again moves the same documents and leaves the ones already moved as they are.
    expect((await migration.run(migrationCtx(db(), () => {}))).moved).to.equal(8);
    expect((await getPayment(ctx, String(unbooked._id))).status).to.equal('refunded');
    expect((await exportPayments(tenant, {})).items.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4]);
    expect(logged).to.deep.equal([]);
  });

  it('moves the history of the keyed version before (entries naming their payment) to entries showing it, and drops its pay_due marks', async () => {
    const slug = `mig-${hex()}`;
    await Tenant.create({ slug, name: 'Газ Ключевой', legalName: 'ООО «Ключевой»', taxId: '7700000014', realm: slug });
    const p = await payer(slug, 2, { debt: 500_000, penalties: 0 });
    const [a, b] = p.accounts;
    const booked = await p.paid(10_000, 0, a);
    const waiting = (await p.pay({ items: [{ accountId: b!.id, amount: 20_000, penalties: 0 }] })).body.payment.id as string;
    const declined = (
      await p.pay({
        items: [
          { accountId: a!.id, amount: 30_000, penalties: 0 },
          { accountId: b!.id, amount: 1_000, penalties: 0 },
        ],
      })
    ).body.payment.id as string;
    await p.call(`payments/${declined}/demo/confirm`, card('4000000000000002'));
    const unbooked = await p.paid(40_000, 0, b);
    await waitFor(async () => {
      const docs = await Promise.all([booked.id, unbooked.id].map((id) => Payment.findById(id).lean<PaymentDoc>()));
      return docs.every((d) => d?.fulfilment === 'done');
    }, 30_000);
    await confirmPayments(p.tenant, [booked.id]);
    const shownBefore = (await p.call('payments')).body;
    expect(shownBefore.payments.map((x: { id: string }) => x.id)).to.deep.equal([unbooked.id, declined, waiting, booked.id]);

    // As the version before stored them: entries naming their payment in `pay_history`, due marks in `pay_due`.
    const stream = historyStream(p.tenant._id, p.subscriber._id);
    const ids = [1, 2, 3, 4].map((seq) => streamId(stream, seq));
    const entries = (await PaymentHistory.find({ _id: mongoose.trusted({ $in: ids }) }).lean<PaymentHistoryDoc[]>()).sort(
      (x, y) => x.seq - y.seq,
    );
    expect(entries.map((e) => e.shown.id)).to.deep.equal([booked.id, waiting, declined, unbooked.id]);
    await PaymentHistory.deleteMany({ _id: mongoose.trusted({ $in: ids }) });
    await db()
      .collection<mongoose.mongo.Document & { _id: string }>('pay_history')
      .insertMany(
        entries.map((e) => ({
          _id: e._id,
          stream: e.stream,
          seq: e.seq,
          paymentId: e.shown.id,
          createdAt: e.shown.createdAt,
          accountIds: e.shown.items.map((i) => i.accountId),
        })),
      );
    await db()
      .collection<mongoose.mongo.Document & { _id: string }>('pay_due')
      .insertMany([booked.id, unbooked.id].map((id) => ({ _id: id, at: new Date() })));

    await runMigrations(db(), [migration], () => {});
    const left = (await db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(left).to.not.include.members(['pay_history', 'pay_due']);
    expect((await p.call('payments')).body).to.deep.equal(shownBefore);
    for (const id of [booked.id, waiting, declined, unbooked.id]) {
      const entry = shownBefore.payments.find((x: { id: string }) => x.id === id);
      expect(entry, id).to.deep.equal((await p.call(`payments/${id}`)).body);
    }

    // The moved entries follow their payments from now on.
    await confirmPayments(p.tenant, [unbooked.id]);
    const after = (await p.call('payments')).body.payments.find((x: { id: string }) => x.id === unbooked.id);
    expect(after).to.deep.equal((await p.call(`payments/${unbooked.id}`)).body);
    expect(after.confirmed).to.equal(true);
  });
});

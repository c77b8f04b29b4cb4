import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { jobStatus } from '../../server/notify/service.ts';
import { Payment, type PaymentDoc } from '../../server/payments/model.ts';
import { pendingPaidAmount } from '../../server/payments/service.ts';
import { MeterReadings, type MeterReadingsDoc } from '../../server/readings/model.ts';
import { card, followedUp, idempotencyKey as key, payer } from '../helpers/payments.ts';
import { waitFor } from '../helpers/process.ts';
import { api } from '../helpers/server.ts';

describe('payments: subscriber API and the demo provider', function () {
  this.timeout(30_000);

  describe('amounts', () => {
    it('pre-fills each linked account with its debt and penalties', async () => {
      const p = await payer('sever-gaz', 2, { debt: 123_456, penalties: 789 });
      const res = await p.call('payments/options');
      expect(res.status).to.equal(200);
      expect(res.body.provider).to.equal('demo');
      expect(res.body.minAmount).to.equal(100);
      expect(res.body.accounts).to.have.length(2);
      for (const a of res.body.accounts) {
        expect(a).to.include({ debt: 123_456, penalties: 789, pendingPaid: 0 });
      }
    });

    it('refuses a payment whose total is zero', async () => {
      const p = await payer('sever-gaz');
      const res = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 0, penalties: 0 }] });
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('payment_total_zero');
    });

    it('refuses negative and fractional kopecks with a field error each', async () => {
      const p = await payer('sever-gaz');
      const negative = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: -100, penalties: 0 }] });
      expect(negative.status).to.equal(400);
      expect(negative.body.error.fields['items.0.amount'].code).to.equal('amount_negative');
      const fractional = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 100.5, penalties: 0 }] });
      expect(fractional.status).to.equal(400);
      expect(fractional.body.error.fields['items.0.amount'].code).to.equal('amount_not_integer');
    });

    it('refuses a total above the tenant maximum and below its minimum', async () => {
      const p = await payer('sever-gaz');
      const over = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 15_000_001, penalties: 0 }] });
      expect(over.status).to.equal(422);
      expect(over.body.error.code).to.equal('payment_above_max');
      const under = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 99, penalties: 0 }] });
      expect(under.status).to.equal(422);
      expect(under.body.error.code).to.equal('payment_below_min');
    });

    it('refuses an account the subscriber has not linked', async () => {
      const p = await payer('sever-gaz');
      const other = await payer('sever-gaz');
      const res = await p.pay({ items: [{ accountId: other.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('account_not_linked');
      expect(await Payment.countDocuments({ subscriberId: p.subscriber._id })).to.equal(0);
    });

    it('refuses the same account twice in one payment', async () => {
      const p = await payer('sever-gaz');
      const id = p.accounts[0]!.id;
      const res = await p.pay({
        items: [
          { accountId: id, amount: 100, penalties: 0 },
          { accountId: id, amount: 100, penalties: 0 },
        ],
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.items.code).to.equal('account_duplicate');
    });

    it('requires an Idempotency-Key', async () => {
      const p = await payer('sever-gaz');
      const res = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] }, null);
      expect(res.status).to.equal(400);
      expect(res.body.error.fields['Idempotency-Key'].code).to.equal('idempotency_key_required');
    });

    it('pays several accounts in one go with per-account amounts and skips an account with 0', async () => {
      const p = await payer('sever-gaz', 3);
      const [a, b, c] = p.accounts;
      const res = await p.pay({
        items: [
          { accountId: a!.id, amount: 100_000, penalties: 2_500 },
          { accountId: b!.id, amount: 0, penalties: 0 },
          { accountId: c!.id, amount: 50_000, penalties: 0 },
        ],
      });
      expect(res.status).to.equal(201);
      expect(res.body.payment.total).to.equal(152_500);
      expect(res.body.payment.items.map((i: { accountId: string }) => i.accountId)).to.deep.equal([a!.id, c!.id]);
      expect(res.body.payment.status).to.equal('created');
      expect(res.body.client).to.deep.equal({ provider: 'demo' });
    });
  });

  describe('a second click', () => {
    it('returns the first payment for a repeated Idempotency-Key', async () => {
      const p = await payer('sever-gaz');
      const body = { items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] };
      const k = key();
      const first = await p.pay(body, k);
      const second = await p.pay(body, k);
      expect(second.status).to.equal(201);
      expect(second.body.payment.id).to.equal(first.body.payment.id);
      expect(await Payment.countDocuments({ subscriberId: p.subscriber._id })).to.equal(1);
    });

    it('creates one payment when two clicks race', async () => {
      const p = await payer('sever-gaz');
      const body = { items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] };
      const k = key();
      const results = await Promise.all([p.pay(body, k), p.pay(body, k)]);
      const created = results.filter((r) => r.status === 201);
      expect(created.length).to.be.at.least(1);
      for (const r of results) expect(r.status).to.be.oneOf([201, 409]);
      expect(await Payment.countDocuments({ subscriberId: p.subscriber._id })).to.equal(1);
    });

    it('refuses the same key with other amounts', async () => {
      const p = await payer('sever-gaz');
      const k = key();
      await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] }, k);
      const res = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 20_000, penalties: 0 }] }, k);
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('idempotency_key_reused');
    });

    it('does not charge a second time when the card is submitted again', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      const first = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242 4242 4242 4242'));
      const second = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242 4242 4242 4242'));
      expect(first.body.status).to.equal('succeeded');
      expect(second.body.status).to.equal('succeeded');
      const doc = await Payment.findById(body.payment.id).lean<PaymentDoc>();
      // One move (created → succeeded); the second submit moved nothing.
      expect(doc!.version).to.equal(1);
    });
  });

  describe('demo provider', () => {
    it('takes 4242 4242 4242 4242, marks the payment paid and emails a receipt', async () => {
      const p = await payer('sever-gaz', 2);
      const { body } = await p.pay({
        items: [
          { accountId: p.accounts[0]!.id, amount: 100_000, penalties: 2_500 },
          { accountId: p.accounts[1]!.id, amount: 40_000, penalties: 0 },
        ],
      });
      const res = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242 4242 4242 4242'));
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('succeeded');
      // The receipt is issued with the success; the follow-up (its email among it) runs after the answer.
      expect(res.body.receipt).to.include({ supplierName: 'Северогаз (демо)', supplierTaxId: '2900000001' });
      expect((await api(new URL(res.body.receipt.url).pathname)).status).to.equal(200);
      await followedUp(body.payment.id);
      const doc = await Payment.findById(body.payment.id).lean<PaymentDoc>();
      expect(await jobStatus(doc!.receipt!.emailJobId)).to.not.equal(null);
      const mail = await waitFor(async () => {
        const box = await api(`/dev/mailbox.json?to=${encodeURIComponent(p.subscriber.email!)}`);
        return box.body.some?.((m: { subject: string }) => m.subject.includes('Квитанция'));
      });
      expect(mail).to.equal(true);
    });

    it('declines 4000 0000 0000 0002 with its reason and marks nothing paid', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      const res = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4000000000000002'));
      expect(res.body.status).to.equal('failed');
      expect(res.body.failureCode).to.equal('generic_decline');
      expect(res.body.receipt).to.equal(null);
      expect(await pendingPaidAmount(p.tenant._id, p.accounts[0]!.id)).to.equal(0);
    });

    it('asks for a confirmation step for 4000 0000 0000 3220 and pays once it is approved', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      const asked = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4000 0000 0000 3220'));
      expect(asked.body).to.include({ status: 'requires_action', nextAction: 'authenticate' });
      const approved = await p.call(`payments/${body.payment.id}/demo/authenticate`, { approve: true });
      expect(approved.body.status).to.equal('succeeded');
    });

    it('fails the payment when the confirmation step is rejected', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      await p.call(`payments/${body.payment.id}/demo/confirm`, card('4000000000003220'));
      const rejected = await p.call(`payments/${body.payment.id}/demo/authenticate`, { approve: false });
      expect(rejected.body).to.include({ status: 'failed', failureCode: 'authentication_failed' });
    });

    it('refuses a card number that fails the Luhn check', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      const res = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242 4242 4242 4241'));
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.cardNumber.code).to.equal('card_number_invalid');
      expect((await Payment.findById(body.payment.id).lean<PaymentDoc>())!.status).to.equal('created');
    });

    it('cancels an unpaid payment through the provider', async () => {
      const p = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      const res = await p.call(`payments/${body.payment.id}/cancel`, {});
      expect(res.body.status).to.equal('canceled');
      const again = await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242424242424242'));
      expect(again.body.status).to.equal('canceled');
    });

    it('does not let another subscriber see or confirm the payment', async () => {
      const p = await payer('sever-gaz');
      const other = await payer('sever-gaz');
      const { body } = await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      expect((await other.call(`payments/${body.payment.id}`)).status).to.equal(404);
      expect((await other.call(`payments/${body.payment.id}/demo/confirm`, card('4242424242424242'))).status).to.equal(404);
      expect((await api(`/api/v1/t/yug-gaz/payments/${body.payment.id}`, { headers: p.auth })).status).to.equal(404);
    });
  });

  describe('readings with the payment', () => {
    it('stores the readings only when the payment succeeds', async () => {
      const p = await payer('vostok-gaz', 1, { debt: 50_000, penalties: 0, meter: true });
      const account = p.accounts[0]!;
      const readings = [{ meterId: account.meterId!, value: '1250' }];
      const sentWith = async (paymentId: string) =>
        ((await MeterReadings.findById(account.meterId!).lean<MeterReadingsDoc>())?.readings ?? []).filter(
          (r) => r.paymentId === paymentId,
        );
      const declined = await p.pay({ items: [{ accountId: account.id, amount: 50_000, penalties: 0, readings }] });
      expect(declined.status).to.equal(201);
      await p.call(`payments/${declined.body.payment.id}/demo/confirm`, card('4000000000000002'));
      expect(await sentWith(declined.body.payment.id)).to.deep.equal([]);

      const paid = await p.pay({ items: [{ accountId: account.id, amount: 50_000, penalties: 0, readings }] });
      expect((await p.call(`payments/${paid.body.payment.id}/demo/confirm`, card('4242424242424242'))).body.status).to.equal(
        'succeeded',
      );
      await followedUp(paid.body.payment.id);
      const res = await p.call(`payments/${paid.body.payment.id}`);
      expect(res.body.items[0].readingsResult).to.deep.equal({ status: 'accepted', code: '' });
      expect((await sentWith(paid.body.payment.id)).map((r) => r.source)).to.deep.equal(['payment']);
    });

    it('refuses readings that break the readings rules before any payment starts', async () => {
      const p = await payer('vostok-gaz', 1, { debt: 50_000, penalties: 0, meter: true });
      const account = p.accounts[0]!;
      const res = await p.pay({
        items: [
          { accountId: account.id, amount: 50_000, penalties: 0, readings: [{ meterId: account.meterId!, value: '12.5.1' }] },
        ],
      });
      expect(res.status).to.equal(400);
      expect(Object.keys(res.body.error.fields).some((f) => f.startsWith('items.0.readings'))).to.equal(true);
      expect(await Payment.countDocuments({ subscriberId: p.subscriber._id })).to.equal(0);
    });
  });

  describe('history, receipts and billing', () => {
    it('lists the payments by month with the receipt link, and serves the receipt', async () => {
      const p = await payer('sever-gaz', 2);
      const { body } = await p.pay({
        items: [
          { accountId: p.accounts[0]!.id, amount: 10_000, penalties: 500 },
          { accountId: p.accounts[1]!.id, amount: 20_000, penalties: 0 },
        ],
      });
      await p.call(`payments/${body.payment.id}/demo/confirm`, card('4242424242424242'));
      const list = await p.call('payments');
      expect(list.status).to.equal(200);
      expect(list.body.payments).to.have.length(1);
      const [payment] = list.body.payments;
      expect(payment.items.map((i: { amount: number }) => i.amount)).to.deep.equal([10_000, 20_000]);
      const receiptUrl = new URL(payment.receipt.url);
      const page = await api(receiptUrl.pathname);
      expect(page.status).to.equal(200);
      expect(page.body).to.include('2900000001').and.include(body.payment.id).and.include(p.accounts[1]!.number);
      // Each reader gets the page's texts in their language, the second page of a language as the first.
      for (const [lng, title, total] of [
        ['en', 'Payment receipt', 'Total'],
        ['ru', 'Квитанция об оплате', 'Итого'],
        ['en', 'Payment receipt', 'Total'],
      ]) {
        const read = await api(receiptUrl.pathname, { headers: { 'Accept-Language': lng! } });
        expect(read.body, lng).to.include(`<h1>${title}</h1>`).and.include(`<th scope="row" colspan="3">${total}</th>`);
        expect(read.body, lng).to.include(`<html lang="${lng}">`);
      }
      expect((await api(`/api/v1/t/sever-gaz/receipts/${randomBytes(24).toString('base64url')}`)).status).to.equal(404);
    });

    it('filters the history by months', async () => {
      const p = await payer('sever-gaz');
      await p.pay({ items: [{ accountId: p.accounts[0]!.id, amount: 10_000, penalties: 0 }] });
      expect((await p.call('payments?from=2001-01&to=2001-12')).body.payments).to.have.length(0);
      expect((await p.call('payments?from=2001-13')).status).to.equal(400);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { periodOfDate, shiftPeriod } from '../../sdk/payments.ts';
import { amountDue } from '../../server/accounts/amount-due.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { paymentsElsewhere } from '../../server/payments/amounts.ts';
import { fulfil } from '../../server/payments/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { integrationUpsert } from '../helpers/billing.ts';
import { card, linkPayableAccount, payer } from '../helpers/payments.ts';
import { api } from '../helpers/server.ts';

/** A supplier of its own, so its export stream holds only this test's payments. */
async function freshTenant(): Promise<TenantDoc> {
  const slug = `due-${randomBytes(4).toString('hex')}`;
  const tenant = await Tenant.create({ slug, name: 'Газ Сумма', legalName: 'ООО «Газ Сумма»', taxId: '7700000021', realm: slug });
  return tenant.toObject<TenantDoc>();
}

/** Every entry of the tenant's payments export. */
async function exported(slug: string) {
  const res = await api(`/api/v1/t/${slug}/integration/export/payments?limit=1000`, {
    headers: { Authorization: `Bearer demo-${slug}` },
  });
  expect(res.status).to.equal(200);
  return res.body.items as {
    paymentId: string;
    total: number;
    items: { accountNumber: string; amount: number; penalties: number }[];
  }[];
}

describe('payments: what is owed and pre-filled', function () {
  this.timeout(30_000);

  describe('amountDue', () => {
    it('splits the debt into services and penalties that together make it', () => {
      expect(amountDue({ debt: 81_674, penalties: 718 }, 0)).to.deep.equal({
        balance: 81_674,
        total: 81_674,
        amount: 80_956,
        penalties: 718,
      });
    });

    it('subtracts a payment not booked yet, from the services first', () => {
      expect(amountDue({ debt: 81_674, penalties: 718 }, 50_000)).to.deep.equal({
        balance: 31_674,
        total: 31_674,
        amount: 30_956,
        penalties: 718,
      });
      expect(amountDue({ debt: 81_674, penalties: 718 }, 81_000)).to.deep.equal({
        balance: 674,
        total: 674,
        amount: 0,
        penalties: 674,
      });
    });

    it('asks for nothing once the debt is paid, and shows what was paid beyond it as an overpayment', () => {
      expect(amountDue({ debt: 81_674, penalties: 718 }, 81_674)).to.deep.equal({
        balance: 0,
        total: 0,
        amount: 0,
        penalties: 0,
      });
      expect(amountDue({ debt: 81_674, penalties: 718 }, 90_000)).to.deep.equal({
        balance: -8_326,
        total: 0,
        amount: 0,
        penalties: 0,
      });
      expect(amountDue({ debt: -5_000, penalties: 0 }, 0)).to.deep.equal({ balance: -5_000, total: 0, amount: 0, penalties: 0 });
    });
  });

  describe('paymentsElsewhere', () => {
    const account = (accountId: string, months: [string, number][]) => ({
      accountId,
      accountNumber: `N-${accountId}`,
      address: `addr ${accountId}`,
      months: months.map(([period, paid]) => ({ period, paid })),
    });

    it("lists billing's monthly payments less the cabinet's own booked ones, newest month first", () => {
      const rows = paymentsElsewhere(
        [
          account('a', [
            ['2026-09', 30_000],
            ['2026-10', 50_000],
            ['2026-11', 0],
          ]),
          account('b', [['2026-10', 12_000]]),
        ],
        [
          { period: '2026-10', accountId: 'a', paid: 20_000, confirmed: true },
          { period: '2026-10', accountId: 'b', paid: 12_000, confirmed: true },
          { period: '2026-09', accountId: 'a', paid: 9_999, confirmed: false },
        ],
      );
      expect(rows).to.deep.equal([
        { period: '2026-10', accountId: 'a', accountNumber: 'N-a', address: 'addr a', amount: 30_000 },
        { period: '2026-09', accountId: 'a', accountNumber: 'N-a', address: 'addr a', amount: 30_000 },
      ]);
    });
  });

  describe('through the API', () => {
    it('pre-fills Сумма = debt − penalties and Пени = penalties; the payment, receipt and export agree to the kopeck', async () => {
      const tenant = await freshTenant();
      const p = await payer(tenant.slug, 1, { debt: 81_674, penalties: 718 });
      const options = await p.call('payments/options');
      const [offer] = options.body.accounts;
      expect(offer).to.deep.include({ debt: 81_674, penalties: 718, pendingPaid: 0 });
      expect(offer.due).to.deep.equal({ balance: 81_674, total: 81_674, amount: 80_956, penalties: 718 });

      const payment = await p.paid(offer.due.amount, offer.due.penalties);
      expect(payment.total).to.equal(81_674);
      const stored = (await p.call(`payments/${payment.id}`)).body;
      expect(stored.items[0]).to.include({ amount: 80_956, penalties: 718 });

      const receipt = await api(new URL(stored.receipt.url).pathname);
      expect(receipt.status).to.equal(200);
      const cells = [...String(receipt.body).matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]!.replace(/\s/g, ' '));
      expect(cells).to.deep.equal(['809,56 ₽', '7,18 ₽', '816,74 ₽', '816,74 ₽']);

      const [entry] = (await exported(tenant.slug)).filter((e) => e.paymentId === payment.id);
      expect(entry!.total).to.equal(81_674);
      expect(entry!.items).to.deep.equal([{ accountNumber: p.accounts[0]!.number, amount: 80_956, penalties: 718 }]);
    });

    it('after paying, offers and shows nothing more to pay on the account, with the payment waiting beside it', async () => {
      const p = await payer('sever-gaz', 1, { debt: 81_674, penalties: 718 });
      const account = p.accounts[0]!;
      const created = await p.pay({ items: [{ accountId: account.id, amount: 80_956, penalties: 718 }] });
      const id = created.body.payment.id as string;
      // The payment's follow-up (receipt email, export…) runs after the answer; here it is held up.
      const held = (await claim(key('payments.fulfil', id), 60_000))!;
      const paid = await p.call(`payments/${id}/demo/confirm`, card('4242424242424242'));
      expect(paid.body.status).to.equal('succeeded');
      const nothingDue = { balance: 0, total: 0, amount: 0, penalties: 0 };

      const [offer] = (await p.call('payments/options')).body.accounts;
      expect(offer).to.deep.include({ pendingPaid: 81_674, due: nothingDue });
      const [listed] = (await p.call('accounts')).body.items;
      expect(listed).to.deep.include({ debt: 81_674, pendingPaid: 81_674, due: nothingDue });
      const summary = (await p.call(`accounts/${account.id}/summary`)).body;
      expect(summary).to.deep.include({ pendingPaid: 81_674, due: nothingDue });
      expect(summary.balance.closing).to.equal(81_674);
      await held.release();
      expect(await fulfil(id)).to.equal(true);
      expect((await p.call(`accounts/${account.id}/summary`)).body).to.deep.include({ pendingPaid: 81_674, due: nothingDue });
    });

    it('after a part payment, pre-fills the rest; once billing books it, owes what billing says', async () => {
      const p = await payer('sever-gaz', 1, { debt: 81_674, penalties: 718 });
      const account = p.accounts[0]!;
      const payment = await p.paid(50_000);
      const [offer] = (await p.call('payments/options')).body.accounts;
      expect(offer.due).to.deep.equal({ balance: 31_674, total: 31_674, amount: 30_956, penalties: 718 });
      expect((await p.call(`accounts/${account.id}/summary`)).body.due).to.deep.equal(offer.due);

      await api(`/api/v1/t/sever-gaz/integration/payments/confirm`, {
        body: { ids: [payment.id] },
        headers: { Authorization: 'Bearer demo-sever-gaz' },
      });
      await integrationUpsert('sever-gaz', 'balances', [
        {
          accountNumber: account.number,
          period: '2026-11',
          opening: 81_674,
          charged: 0,
          paid: 50_000,
          closing: 31_674,
          penalties: 718,
        },
      ]);
      const [booked] = (await p.call('accounts')).body.items;
      expect(booked).to.deep.include({
        debt: 31_674,
        pendingPaid: 0,
        due: { balance: 31_674, total: 31_674, amount: 30_956, penalties: 718 },
      });
    });
  });

  describe('payment history', () => {
    const now = periodOfDate(new Date());
    const month = (by: number) => shiftPeriod(now, by);
    const balance = (accountNumber: string, period: string, paid: number) => ({
      accountNumber,
      period,
      opening: 100_000,
      charged: 0,
      paid,
      closing: 100_000 - paid,
      penalties: 0,
    });

    it('lists what billing booked as paid elsewhere, by month and account, within the months asked', async () => {
      const p = await payer('yug-gaz', 2, { debt: 100_000, penalties: 0 });
      const [a, b] = p.accounts as [{ id: string; number: string }, { id: string; number: string }];
      await integrationUpsert('yug-gaz', 'balances', [
        balance(a.number, month(-18), 40_000),
        balance(a.number, month(-9), 30_000),
        balance(b.number, month(-1), 20_000),
        balance(b.number, month(-2), 0),
      ]);
      const recent = (await p.call('payments')).body;
      expect(recent.range).to.deep.equal({ from: month(-11), to: now });
      expect(recent.hasEarlier).to.equal(true);
      expect(recent.elsewhere).to.deep.equal([
        { period: month(-1), accountId: b.id, accountNumber: b.number, address: 'ул. Тестовая, 1', amount: 20_000 },
        { period: month(-9), accountId: a.id, accountNumber: a.number, address: 'ул. Тестовая, 1', amount: 30_000 },
      ]);

      const earlier = (await p.call(`payments?from=${month(-23)}`)).body;
      expect(earlier.elsewhere.map((e: { period: string }) => e.period)).to.deep.equal([month(-1), month(-9), month(-18)]);
      expect(earlier.hasEarlier).to.equal(false);

      const one = (await p.call(`payments?from=${month(-23)}&accountId=${a.id}`)).body;
      expect(one.elsewhere.map((e: { accountId: string }) => e.accountId)).to.deep.equal([a.id, a.id]);

      const stranger = await payer('yug-gaz');
      expect(
        (await stranger.call(`payments?from=${month(-23)}`)).body.elsewhere.map((e: { accountId: string }) => e.accountId),
      ).to.deep.equal([]);
    });

    it("does not count a cabinet payment billing booked twice: the month's figure less the cabinet's", async () => {
      const p = await payer('yug-gaz', 1, { debt: 100_000, penalties: 0 });
      const account = p.accounts[0]!;
      const payment = await p.paid(30_000);
      await api('/api/v1/t/yug-gaz/integration/payments/confirm', {
        body: { ids: [payment.id] },
        headers: { Authorization: 'Bearer demo-yug-gaz' },
      });
      await integrationUpsert('yug-gaz', 'balances', [balance(account.number, now, 35_000)]);
      const listed = (await p.call('payments')).body;
      expect(listed.payments.map((x: { id: string }) => x.id)).to.deep.equal([payment.id]);
      expect(listed.elsewhere).to.deep.equal([
        { period: now, accountId: account.id, accountNumber: account.number, address: 'ул. Тестовая, 1', amount: 5_000 },
      ]);
    });

    it('offers nothing earlier when billing booked no payment before the months listed', async () => {
      const p = await payer('yug-gaz', 1, { debt: 100_000, penalties: 0 });
      await integrationUpsert('yug-gaz', 'balances', [balance(p.accounts[0]!.number, month(-15), 0)]);
      expect((await p.call('payments')).body).to.deep.include({ elsewhere: [], hasEarlier: false });
    });

    it("lists only the accounts of the request's supplier", async () => {
      const p = await payer('sever-gaz', 1, { debt: 100_000, penalties: 0 });
      const other = await linkPayableAccount('yug-gaz', p.auth, { debt: 100_000, penalties: 0 });
      await integrationUpsert('yug-gaz', 'balances', [balance(other.number, month(-1), 10_000)]);
      expect((await p.call('payments')).body.elsewhere).to.deep.equal([]);
    });
  });
});

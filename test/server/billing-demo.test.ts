import { expect } from 'chai';
import { demoAccounts, demoPeriods, seedDemoBilling } from '../../server/billing/demo-data.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

describe('demo billing data', () => {
  let tenant: TenantDoc;
  before(async () => {
    const doc = await Tenant.create({
      slug: 'demo-billing-gaz',
      name: 'Демогаз',
      legalName: 'ООО «Демогаз»',
      realm: 'demo-billing',
    });
    tenant = doc.toObject() as TenantDoc;
    expect(await seedDemoBilling(tenant, { now: new Date('2026-11-21T00:00:00Z'), count: 25 })).to.equal(25);
  });

  it('is the same every time for a supplier, with PINs only the generator knows', () => {
    const a = demoAccounts('sever-gaz', 5);
    expect(demoAccounts('sever-gaz', 5)).to.deep.equal(a);
    expect(demoAccounts('yug-gaz', 5)[0]!.number).to.not.equal(a[0]!.number);
    for (const acc of a) {
      expect(acc.number).to.match(/^\d{1,10}$/);
      expect(acc.pin).to.match(/^\d{4}$/);
    }
  });

  it('covers 24 months ending last month', () => {
    const periods = demoPeriods(new Date('2026-11-21T00:00:00Z'));
    expect(periods).to.have.length(24);
    expect(periods[0]).to.equal('2024-11');
    expect(periods.at(-1)).to.equal('2026-10');
  });

  it('seeds a supplier once, and the sample bills link and unlock accounts with consistent balances', async () => {
    expect(await seedDemoBilling(tenant, { count: 25 })).to.equal(0);
    const { body } = await api('/demo/bills/demo-billing-gaz.json');
    expect(body.bills).to.have.length(20);
    const bill = body.bills[3];
    const { auth } = await signedInSubscriber('demo-billing-gaz');
    const linked = await api('/api/v1/t/demo-billing-gaz/accounts', {
      body: { supplier: 'demo-billing-gaz', number: bill.number },
      headers: auth,
    });
    expect(linked.status).to.equal(201);
    expect(linked.body.debt).to.equal(bill.debt);
    const pin = await api(`/api/v1/t/demo-billing-gaz/accounts/${linked.body.id}/pin`, {
      body: { pin: bill.pin },
      headers: auth,
    });
    expect(pin.body.mode).to.equal('extended');

    const charges = (await api(`/api/v1/t/demo-billing-gaz/accounts/${linked.body.id}/charges`, { headers: auth })).body.items;
    expect(charges).to.have.length(24);
    let opening = 0;
    for (const period of demoPeriods(new Date('2026-11-21T00:00:00Z'))) {
      const s = (await api(`/api/v1/t/demo-billing-gaz/accounts/${linked.body.id}/summary?period=${period}`, { headers: auth }))
        .body;
      expect(s.balance.opening, period).to.equal(opening);
      expect(s.balance.closing, period).to.equal(s.balance.opening + s.balance.charged - s.balance.paid);
      expect(s.balance.charged, period).to.equal(s.charges.total);
      opening = s.balance.closing;
    }
    expect(opening).to.equal(bill.debt);
  });

  it('serves a printable page of sample bills with numbers and PINs', async () => {
    const page = await api('/demo/bills/demo-billing-gaz');
    expect(page.status).to.equal(200);
    expect(page.body).to.include('PIN-код').and.include(demoAccounts('demo-billing-gaz', 1)[0]!.pin);
    expect(page.body).to.match(
      /<h2>Квитанция за (январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь) \d{4} г\.<\/h2>/,
    );
    expect(page.body).not.to.match(/Квитанция за \d{4}-\d{2}/);
  });
});

import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'chai';
import { AccountItem, MeterItem } from '../../contracts/billing.ts';
import { upsertBilling } from '../../server/billing/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Auth = Record<string, string>;

/** A supplier of its own whose readings window is open all month, with one account and a gas meter at 12345 m³. */
async function supplier(): Promise<{ tenant: TenantDoc; number: string; pin: string }> {
  const slug = `sec-${randomBytes(4).toString('hex')}`;
  const tenant = (
    await Tenant.create({
      slug,
      name: `Тестгаз ${slug}`,
      legalName: 'ООО «Тестгаз»',
      realm: slug,
      readings: { windowStartDay: 1, windowEndDay: 31, outsideWindow: 'next-period', timeZone: 'Europe/Moscow' },
    })
  ).toObject() as TenantDoc;
  clearTenantCache();
  const number = String(randomInt(1_000_000_000, 9_999_999_999));
  const pin = '5802';
  await upsertBilling(tenant, 'accounts', [
    AccountItem.parse({ number, holder: 'Смирнова Ольга Петровна', address: 'ул. Лесная, 3', pin }),
  ]);
  await upsertBilling(tenant, 'meters', [
    MeterItem.parse({
      meterId: `${number}-gas`,
      accountNumber: number,
      serialNumber: `SN${number}`,
      digits: 6,
      decimals: 0,
      lastReading: '12345',
      lastReadingDate: new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 10),
      usualMonthly: '40',
    }),
  ]);
  return { tenant, number, pin };
}

/** A cabinet that links the account without the PIN, and the id of its meter. */
async function cabinet(tenant: TenantDoc, number: string): Promise<{ auth: Auth; accountId: string; meterId: string }> {
  const { auth } = await signedInSubscriber(tenant.slug);
  const linked = await api(`/api/v1/t/${tenant.slug}/accounts`, { body: { supplier: tenant.slug, number }, headers: auth });
  expect(linked.status).to.equal(201);
  expect(linked.body.mode).to.equal('basic');
  const meters = await api(`/api/v1/t/${tenant.slug}/accounts/${linked.body.id}/meters`, { headers: auth });
  return { auth, accountId: linked.body.id, meterId: meters.body.items[0].id };
}

function submit(tenant: TenantDoc, who: { auth: Auth; accountId: string; meterId: string }, value: string) {
  return api(`/api/v1/t/${tenant.slug}/readings`, {
    body: { accountId: who.accountId, readings: [{ meterId: who.meterId, value, confirmImplausible: true }] },
    headers: who.auth,
  });
}

async function history(tenant: TenantDoc, who: { auth: Auth; accountId: string }) {
  const res = await api(`/api/v1/t/${tenant.slug}/accounts/${who.accountId}/readings`, { headers: who.auth });
  expect(res.status).to.equal(200);
  return res.body.meters[0] as { last: { value: string } | null; readings: { value: string; status: string }[] };
}

/**
 * Issue 14, item 7: a stranger who knows the owner's account number links it without the PIN and
 * sends +40,000 m³, confirming it as implausible.
 */
describe('security: a link without the PIN cannot overwrite the owner’s readings (issue 14, item 7)', () => {
  it('keeps the owner’s reading current and shows the stranger none of the owner’s readings', async () => {
    const { tenant, number } = await supplier();
    const owner = await cabinet(tenant, number);
    const first = await submit(tenant, owner, '12385');
    expect(first.status, JSON.stringify(first.body)).to.equal(201);

    const stranger = await cabinet(tenant, number);
    const overwrite = await submit(tenant, stranger, '52385');
    expect(overwrite.status).to.equal(422);
    expect(overwrite.body.error.code).to.equal('reading_by_other_cabinet');

    const own = await history(tenant, owner);
    expect(own.last?.value).to.equal('12385');
    expect(own.readings.map((r) => [r.value, r.status])).to.deep.equal([['12385', 'accepted']]);

    const seen = await history(tenant, stranger);
    expect(seen.readings).to.deep.equal([]);
    expect(seen.last?.value, 'the billing system’s reading, not the owner’s').to.equal('12345');
  });

  it('lets the owner replace a stranger’s reading once the account is linked with the PIN', async () => {
    const { tenant, number, pin } = await supplier();
    const stranger = await cabinet(tenant, number);
    expect((await submit(tenant, stranger, '52385')).status).to.equal(201);

    const owner = await cabinet(tenant, number);
    const basic = await submit(tenant, owner, '12385');
    expect(basic.body.error.code, 'without the PIN the owner cannot either').to.equal('reading_by_other_cabinet');
    expect((await history(tenant, owner)).readings, 'nor see it').to.deep.equal([]);

    const extended = await api(`/api/v1/t/${tenant.slug}/accounts/${owner.accountId}/pin`, {
      body: { pin },
      headers: owner.auth,
    });
    expect(extended.body.mode).to.equal('extended');
    expect((await submit(tenant, owner, '12385')).status).to.equal(201);
    const all = await history(tenant, owner);
    expect(all.readings.map((r) => [r.value, r.status])).to.deep.equal([
      ['12385', 'accepted'],
      ['52385', 'superseded'],
    ]);
    expect((await history(tenant, stranger)).readings.map((r) => [r.value, r.status])).to.deep.equal([['52385', 'superseded']]);
  });
});

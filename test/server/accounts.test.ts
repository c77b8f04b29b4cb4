import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { AccountLinkList, type AccountLinkListDoc } from '../../server/accounts/model.ts';
import { linksOfTenant } from '../../server/accounts/service.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import { freshNumber, integrationUpsert, seedAccount } from '../helpers/billing.ts';
import { api, testApp } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Auth = Record<string, string>;
const link = (slug: string, auth: Auth, body: unknown) => api(`/api/v1/t/${slug}/accounts`, { body, headers: auth });

describe('accounts: linking personal accounts', () => {
  it('checks an account and shows masked contract details before linking', async () => {
    const { number } = await seedAccount('sever-gaz', { holder: 'Сидорова Анна Викторовна' });
    const { auth } = await signedInSubscriber('sever-gaz');
    const res = await api('/api/v1/t/sever-gaz/accounts/check', {
      body: { supplier: 'sever-gaz', number: `  ${number} ` },
      headers: auth,
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({
      number,
      holder: 'Сидорова А. В.',
      address: 'г. Демо, ул. Газовая, д. 7',
      alreadyLinked: false,
    });
    expect(res.body.supplier).to.deep.equal({ slug: 'sever-gaz', name: 'Северогаз (демо)' });
  });

  it('links an account of another supplier of the same realm, in basic mode with its debt', async () => {
    const { number } = await seedAccount('yug-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const res = await link('sever-gaz', auth, { supplier: 'yug-gaz', number });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({
      number,
      mode: 'basic',
      holder: 'Петров П. П.',
      debt: 36270,
      penalties: 1250,
      period: '2026-10',
    });
    expect(res.body.supplier.slug).to.equal('yug-gaz');
    const list = await api('/api/v1/t/sever-gaz/accounts', { headers: auth });
    expect(list.body.items.map((a: { number: string }) => a.number)).to.deep.equal([number]);
  });

  it('refuses a supplier outside the realm, a malformed number and an unknown account with field errors', async () => {
    const { number } = await seedAccount('vostok-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const otherRealm = await link('sever-gaz', auth, { supplier: 'vostok-gaz', number });
    expect(otherRealm.status).to.equal(400);
    expect(otherRealm.body.error.fields.supplier.code).to.equal('supplier_not_found');
    for (const bad of ['12a45', '12345678901']) {
      const res = await link('sever-gaz', { ...auth, 'Accept-Language': 'en' }, { supplier: 'sever-gaz', number: bad });
      expect(res.status, bad).to.equal(400);
      expect(res.body.error.fields.number.code).to.equal('account_number_format');
    }
    const missing = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: '7777777' });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('account_not_found');
  });

  it('lets several cabinets link the same account but one cabinet only once', async () => {
    const { number } = await seedAccount('sever-gaz');
    const a = await signedInSubscriber('sever-gaz');
    const b = await signedInSubscriber('sever-gaz');
    expect((await link('sever-gaz', a.auth, { supplier: 'sever-gaz', number })).status).to.equal(201);
    expect((await link('sever-gaz', b.auth, { supplier: 'sever-gaz', number })).status).to.equal(201);
    const again = await link('sever-gaz', a.auth, { supplier: 'sever-gaz', number });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('account_already_linked');
  });

  it('holds the account limit even under concurrent link requests', async () => {
    await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { 'accounts.maxAccounts': 3 } });
    clearTenantCache();
    try {
      const numbers = [freshNumber(), freshNumber(), freshNumber(), freshNumber(), freshNumber()];
      await integrationUpsert(
        'yug-gaz',
        'accounts',
        numbers.map((number) => ({ number, holder: 'Ким Ю. Д.', address: 'ул. Южная, 1' })),
      );
      const { auth } = await signedInSubscriber('yug-gaz');
      const results = await Promise.all(numbers.map((number) => link('yug-gaz', auth, { supplier: 'yug-gaz', number })));
      expect(results.filter((r) => r.status === 201)).to.have.length(3);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => r.body.error.code)).to.deep.equal(['account_limit_reached', 'account_limit_reached']);
      expect(refused[0]!.body.error.message).to.include('3');
      expect((await api('/api/v1/t/yug-gaz/accounts', { headers: auth })).body.items).to.have.length(3);
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { 'accounts.maxAccounts': 10 } });
      clearTenantCache();
    }
  });

  it('unlinks an account, frees its place, but keeps the last one', async () => {
    const first = await seedAccount('sever-gaz');
    const second = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const a = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: first.number });
    const b = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: second.number });
    expect((await api(`/api/v1/t/sever-gaz/accounts/${a.body.id}`, { method: 'DELETE', headers: auth })).status).to.equal(204);
    const last = await api(`/api/v1/t/sever-gaz/accounts/${b.body.id}`, { method: 'DELETE', headers: auth });
    expect(last.status).to.equal(422);
    expect(last.body.error.code).to.equal('last_account');
    expect((await link('sever-gaz', auth, { supplier: 'sever-gaz', number: first.number })).status).to.equal(201);
  });

  it('lists the accounts oldest link first when a link takes a place freed by an unlink', async () => {
    const [a, b, c, d] = [
      await seedAccount('sever-gaz'),
      await seedAccount('sever-gaz'),
      await seedAccount('sever-gaz'),
      await seedAccount('sever-gaz'),
    ];
    const { auth } = await signedInSubscriber('sever-gaz');
    const first = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: a.number });
    for (const { number } of [b, c]) await link('sever-gaz', auth, { supplier: 'sever-gaz', number });
    await api(`/api/v1/t/sever-gaz/accounts/${first.body.id}`, { method: 'DELETE', headers: auth });
    expect((await link('sever-gaz', auth, { supplier: 'sever-gaz', number: d.number })).status).to.equal(201);
    const list = await api('/api/v1/t/sever-gaz/accounts', { headers: auth });
    expect(list.body.items.map((x: { number: string }) => x.number)).to.deep.equal([b.number, c.number, d.number]);
  });

  it('keeps one account when the last two are unlinked at the same time', async () => {
    const first = await seedAccount('sever-gaz');
    const second = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const a = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: first.number });
    const b = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: second.number });
    const results = await Promise.all(
      [a.body.id, b.body.id].map((id) => api(`/api/v1/t/sever-gaz/accounts/${id}`, { method: 'DELETE', headers: auth })),
    );
    const unlinked = results.filter((r) => r.status === 204).length;
    expect(unlinked).to.be.at.most(1);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.error.code === 'last_account')).to.equal(true);
    expect((await api('/api/v1/t/sever-gaz/accounts', { headers: auth })).body.items).to.have.length(2 - unlinked);
  });

  it('answers 409 links_busy while the link list stays busy, changing nothing, and links once it is free', async () => {
    const [first, second, third] = [
      await seedAccount('sever-gaz'),
      await seedAccount('sever-gaz'),
      await seedAccount('sever-gaz'),
    ];
    const { auth, subscriber } = await signedInSubscriber('sever-gaz');
    const a = await link('sever-gaz', auth, { supplier: 'sever-gaz', number: first.number });
    await link('sever-gaz', auth, { supplier: 'sever-gaz', number: second.number });
    // Another writer holds the list's revision, as `revise` holds it, through every try.
    const list = await AccountLinkList.findById(String(subscriber._id)).lean<AccountLinkListDoc>();
    const lease = await claim(key(AccountLinkList.collection.collectionName, String(subscriber._id), list!.rev!), 60_000);
    expect(lease).to.not.equal(null);
    testApp().accounts.linkTries = 3;
    try {
      const linking = await link(
        'sever-gaz',
        { ...auth, 'Accept-Language': 'en' },
        { supplier: 'sever-gaz', number: third.number },
      );
      expect(linking.status).to.equal(409);
      expect(linking.body.error).to.deep.include({
        code: 'links_busy',
        message: "The cabinet's list of accounts is being changed. Please try again.",
      });
      const unlinking = await api(`/api/v1/t/sever-gaz/accounts/${a.body.id}`, { method: 'DELETE', headers: auth });
      expect(unlinking.status).to.equal(409);
      expect(unlinking.body.error.code).to.equal('links_busy');
      const unchanged = await api('/api/v1/t/sever-gaz/accounts', { headers: auth });
      expect(unchanged.body.items.map((x: { number: string }) => x.number)).to.deep.equal([first.number, second.number]);
      await lease!.release();
      expect((await link('sever-gaz', auth, { supplier: 'sever-gaz', number: third.number })).status).to.equal(201);
      expect((await api(`/api/v1/t/sever-gaz/accounts/${a.body.id}`, { method: 'DELETE', headers: auth })).status).to.equal(204);
    } finally {
      testApp().accounts.linkTries = 50;
    }
  });

  it('requires a signed-in subscriber', async () => {
    const res = await api('/api/v1/t/sever-gaz/accounts');
    expect(res.status).to.equal(401);
  });
});

describe('accounts: extended mode by PIN', () => {
  it('switches to extended mode with the PIN from the bill and then shows full charges and holder', async () => {
    const { number, pin } = await seedAccount('sever-gaz', { holder: 'Орлов Игорь Сергеевич' });
    const { auth } = await signedInSubscriber('sever-gaz');
    const { body: linked } = await link('sever-gaz', auth, { supplier: 'sever-gaz', number });
    const basicCharges = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/charges`, { headers: auth });
    expect(basicCharges.status).to.equal(403);
    expect(basicCharges.body.error.code).to.equal('pin_required');

    const res = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/pin`, { body: { pin }, headers: auth });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ mode: 'extended', holder: 'Орлов Игорь Сергеевич' });
    const charges = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/charges`, { headers: auth });
    expect(charges.body.items.map((c: { period: string }) => c.period)).to.deep.equal(['2026-10', '2026-09']);
    expect(charges.body.items[0]).to.deep.include({ penalties: 1250, total: 36270 });
    expect(charges.body.items[0].lines[0]).to.deep.include({ service: 'Газоснабжение', volume: 41.2, amount: 35020 });
  });

  it('limits PIN attempts, even when sent in parallel, and then locks PIN entry', async () => {
    const { number, pin } = await seedAccount('yug-gaz');
    const { auth } = await signedInSubscriber('yug-gaz');
    const { body: linked } = await link('yug-gaz', auth, { supplier: 'yug-gaz', number });
    const guesses = await Promise.all(
      ['0000', '1111', '2222', '3333', '5555', '6666', '7777'].map((guess) =>
        api(`/api/v1/t/yug-gaz/accounts/${linked.id}/pin`, { body: { pin: guess }, headers: auth }),
      ),
    );
    const checked = guesses.filter((g) => g.status === 400);
    expect(checked.length).to.be.at.most(5);
    for (const g of checked) expect(g.body.error.fields.pin.code).to.equal('pin_wrong');
    expect(guesses.filter((g) => g.status === 429).length).to.be.at.least(2);
    const locked = await api(`/api/v1/t/yug-gaz/accounts/${linked.id}/pin`, { body: { pin }, headers: auth });
    expect(locked.status).to.equal(429);
    expect(locked.body.error.code).to.equal('pin_locked');
    expect(Number(locked.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('gives no new PIN attempts when the account is unlinked and linked again', async () => {
    const { number, pin } = await seedAccount('yug-gaz');
    const other = await seedAccount('yug-gaz');
    const { auth } = await signedInSubscriber('yug-gaz');
    await link('yug-gaz', auth, { supplier: 'yug-gaz', number: other.number });
    const { body: linked } = await link('yug-gaz', auth, { supplier: 'yug-gaz', number });
    for (const guess of ['0000', '1111', '2222', '3333', '5555']) {
      const res = await api(`/api/v1/t/yug-gaz/accounts/${linked.id}/pin`, { body: { pin: guess }, headers: auth });
      expect(res.status, guess).to.equal(400);
    }
    expect((await api(`/api/v1/t/yug-gaz/accounts/${linked.id}`, { method: 'DELETE', headers: auth })).status).to.equal(204);
    expect((await link('yug-gaz', auth, { supplier: 'yug-gaz', number })).status).to.equal(201);
    const again = await api(`/api/v1/t/yug-gaz/accounts/${linked.id}/pin`, { body: { pin }, headers: auth });
    expect(again.status).to.equal(429);
    expect(again.body.error.code).to.equal('pin_locked');
  });

  it('limits PIN attempts per account across cabinets', async () => {
    const { number, pin } = await seedAccount('yug-gaz');
    const guessFrom = async (guesses: string[]) => {
      const { auth } = await signedInSubscriber('yug-gaz');
      const { body: linked } = await link('yug-gaz', auth, { supplier: 'yug-gaz', number });
      const statuses = [];
      for (const guess of guesses)
        statuses.push((await api(`/api/v1/t/yug-gaz/accounts/${linked.id}/pin`, { body: { pin: guess }, headers: auth })).status);
      return statuses;
    };
    expect(await guessFrom(['0000', '1111', '2222', '3333', '5555'])).to.deep.equal([400, 400, 400, 400, 400]);
    expect(await guessFrom(['0001', '1112', '2223', '3334', '5556'])).to.deep.equal([400, 400, 400, 400, 400]);
    expect(await guessFrom([pin]), 'the account has had its ten guesses this hour').to.deep.equal([429]);
  });
});

describe('accounts: summary equals the imported data', () => {
  it('shows the period’s balance, meters, charges, 12-month history and data freshness', async () => {
    const { number, pin } = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const { body: linked } = await link('sever-gaz', auth, { supplier: 'sever-gaz', number });
    await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/pin`, { body: { pin }, headers: auth });

    const res = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/summary`, { headers: auth });
    expect(res.status).to.equal(200);
    const s = res.body;
    expect(s.period).to.equal('2026-10');
    expect(s.periods).to.deep.equal({ first: '2026-09', last: '2026-10' });
    expect(s.balance).to.deep.equal({ opening: 0, charged: 36270, paid: 0, closing: 36270, penalties: 1250 });
    expect(s.meters).to.have.length(1);
    expect(s.meters[0]).to.deep.include({
      serialNumber: `SN${number}`,
      digits: 5,
      decimals: 3,
      tariff: 850,
      usualMonthlyMilli: 40000,
    });
    expect(s.meters[0].lastReading.valueMilli).to.equal(1234500);
    expect(s.history).to.deep.equal([
      { period: '2026-09', volume: 38.5, amount: 32725 },
      { period: '2026-10', volume: 41.2, amount: 36270 },
    ]);
    expect(new Date(s.dataAsOf).getTime()).to.be.closeTo(Date.now(), 120_000);

    const previous = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/summary?period=2026-09`, { headers: auth });
    expect(previous.body.balance.closing).to.equal(0);
    expect(previous.body.charges.total).to.equal(32725);
  });

  it('hides charge lines in basic mode but keeps debt and meters', async () => {
    const { number } = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const { body: linked } = await link('sever-gaz', auth, { supplier: 'sever-gaz', number });
    const s = (await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/summary`, { headers: auth })).body;
    expect(s.account.mode).to.equal('basic');
    expect(s.balance.closing).to.equal(36270);
    expect(s.charges.lines).to.deep.equal([]);
    expect(s.meters[0].serialNumber).to.equal('');
  });

  it('refuses the summary of an account the cabinet has not linked', async () => {
    const { number } = await seedAccount('sever-gaz');
    const owner = await signedInSubscriber('sever-gaz');
    const stranger = await signedInSubscriber('sever-gaz');
    const { body: linked } = await link('sever-gaz', owner.auth, { supplier: 'sever-gaz', number });
    const res = await api(`/api/v1/t/sever-gaz/accounts/${linked.id}/summary`, { headers: stranger.auth });
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('account_not_linked');
  });
});

describe('accounts: links of a supplier for the readings reminders', () => {
  it('pages through every link of the supplier and no other, a cabinet’s links in one page', async () => {
    const realm = `rem-${randomBytes(4).toString('hex')}`;
    const [tenant, other] = await Promise.all(
      ['gaz', 'neft'].map((name) =>
        Tenant.create({ slug: `${realm}-${name}`, name: `Напомингаз ${name}`, legalName: 'ООО «Напомингаз»', realm }),
      ),
    );
    const slug = tenant!.slug;
    const accounts = [await seedAccount(slug), await seedAccount(slug), await seedAccount(slug)];
    const neighbour = await seedAccount(other!.slug);
    const expected: string[] = [];
    for (let c = 0; c < 4; c += 1) {
      const { auth, subscriber } = await signedInSubscriber(slug);
      await link(slug, auth, { supplier: other!.slug, number: neighbour.number });
      for (const { number } of accounts.slice(0, c)) {
        expect((await link(slug, auth, { supplier: slug, number })).status).to.equal(201);
        expected.push(`${String(subscriber._id)} ${number}`);
      }
    }
    const pages = [];
    for await (const page of linksOfTenant(tenant!._id, 2)) pages.push(page);
    const seen = pages.flat().map((l) => `${String(l.subscriberId)} ${l.accountNumber}`);
    expect([...seen].sort()).to.deep.equal([...expected].sort());
    const pageOf = new Map<string, number>();
    pages.forEach((page, i) => {
      for (const l of page) {
        expect(pageOf.get(String(l.subscriberId)) ?? i, 'a cabinet split between pages').to.equal(i);
        pageOf.set(String(l.subscriberId), i);
      }
    });
    expect(pages.length).to.be.greaterThan(1);
  });
});

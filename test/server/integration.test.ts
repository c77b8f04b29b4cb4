import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { Account, BalanceEntry, BalanceFoldList, BillingCurrent, BillingPast } from '../../server/billing/model.ts';
import { accountSummary, findAccountByNumber, getDebt, listCharges } from '../../server/billing/service.ts';
import { BalanceItem, ChargeItem } from '../../contracts/billing.ts';
import { BALANCE_FOLD, BillingWriter, FOLD_FROM, foldBalances, foldBalancesFor } from '../../server/billing/writer.ts';
import { createApiKey, revokeApiKey } from '../../server/integration/keys.ts';
import type { ApiScope } from '../../server/integration/model.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { freshNumber } from '../helpers/billing.ts';
import { spawnServer } from '../helpers/process.ts';
import { api, startApp, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Kind = 'accounts' | 'meters' | 'charges' | 'balances';

/** A supplier of its own; `realm` lets two of them share a subscriber base. */
async function freshTenant(realm?: string): Promise<TenantDoc> {
  const slug = `int-${randomBytes(4).toString('hex')}`;
  const doc = await Tenant.create({
    slug,
    name: `Интегаз ${slug}`,
    legalName: 'ООО «Интегаз»',
    realm: realm ?? slug,
    readings: { windowStartDay: 1, windowEndDay: 31, outsideWindow: 'next-period', timeZone: 'Europe/Moscow' },
  });
  return doc.toObject() as TenantDoc;
}

async function keyOf(tenant: TenantDoc, scopes: ApiScope[] = ['billing:write', 'export:read']) {
  const { key } = await createApiKey(tenant._id, 'billing', scopes);
  return { Authorization: `Bearer ${key}` };
}

function send(slug: string, kind: Kind, items: unknown[], headers: Record<string, string>) {
  return api(`/api/v1/t/${slug}/integration/${kind}`, { body: { items }, headers });
}

/** Every billing document the tenant has (accounts with their meters, current and past months, balance entries), to show that a refused request wrote nothing. */
async function snapshot(tenant: TenantDoc) {
  const [accounts, current, past, entries] = await Promise.all([
    Account.find({ tenantId: tenant._id }).sort({ number: 1 }).lean(),
    BillingCurrent.find({ tenantId: tenant._id }).sort({ _id: 1 }).lean(),
    BillingPast.find({ tenantId: tenant._id }).sort({ _id: 1 }).lean(),
    BalanceEntry.find({ tenantId: tenant._id }).sort({ _id: 1 }).lean(),
  ]);
  return JSON.stringify({ accounts, current, past, entries });
}

const account = (number: string, extra: Record<string, unknown> = {}) => ({
  number,
  holder: 'Зимин Захар Захарович',
  address: 'г. Интегральск, ул. Трубная, д. 4, кв. 8',
  pin: '2468',
  services: ['gas'],
  ...extra,
});

/** A balance of October 2026 with 900 ₽ charged and `paid` of it paid. */
const october = (number: string, paid: number) => ({
  accountNumber: number,
  period: '2026-10',
  opening: 0,
  charged: 90_000,
  paid,
  closing: 90_000 - paid,
});

describe('integration API: bulk upserts', function () {
  this.timeout(30_000);
  let tenant: TenantDoc;
  let key: Record<string, string>;

  before(async () => {
    tenant = await freshTenant();
    key = await keyOf(tenant);
  });

  /** `count` new accounts of the tenant, sent through the API: their numbers and keys. */
  async function newAccounts(count: number): Promise<{ numbers: string[]; ids: string[] }> {
    const numbers = Array.from({ length: count }, () => freshNumber());
    await send(
      tenant.slug,
      'accounts',
      numbers.map((n) => account(n)),
      key,
    );
    return { numbers, ids: await Promise.all(numbers.map(async (n) => (await findAccountByNumber(tenant._id, n))!._id)) };
  }

  it('writes accounts, meters, charges and balances that a subscriber who links the account sees', async () => {
    const number = freshNumber();
    expect((await send(tenant.slug, 'accounts', [account(number)], key)).body).to.deep.equal({
      upserted: 1,
      modified: 0,
      matched: 0,
    });
    const meter = {
      meterId: `m-${number}`,
      accountNumber: number,
      serialNumber: 'СГМН-1 №778899',
      name: 'Газовый счётчик',
      digits: 5,
      decimals: 3,
      lastReading: '4321,125',
      lastReadingDate: '2026-10-20',
      verificationDue: '2027-03-01',
      tariff: 850,
    };
    expect((await send(tenant.slug, 'meters', [meter], key)).status).to.equal(200);
    const charges = [
      {
        accountNumber: number,
        period: '2026-09',
        lines: [{ service: 'Газоснабжение', volume: 30, unit: 'm3', tariff: 850, amount: 25500 }],
      },
      {
        accountNumber: number,
        period: '2026-10',
        lines: [
          { service: 'Газоснабжение', volume: '40,5', unit: 'm3', tariff: 850, amount: 34425 },
          { service: 'Техобслуживание ВДГО', amount: 15000 },
        ],
        penalties: 310,
      },
    ];
    expect((await send(tenant.slug, 'charges', charges, key)).status).to.equal(200);
    const balances = [
      { accountNumber: number, period: '2026-09', opening: -10000, charged: 25500, paid: 0, closing: 15500 },
      { accountNumber: number, period: '2026-10', opening: 15500, charged: 49735, paid: 15500, closing: 49735, penalties: 310 },
    ];
    expect((await send(tenant.slug, 'balances', balances, key)).status).to.equal(200);

    const s = await signedInSubscriber(tenant.slug);
    const linked = await api(`/api/v1/t/${tenant.slug}/accounts`, { body: { supplier: tenant.slug, number }, headers: s.auth });
    expect(linked.status, JSON.stringify(linked.body)).to.equal(201);
    expect(linked.body).to.include({ number, debt: 49735, penalties: 310, period: '2026-10', holder: 'Зимин З. З.' });
    const id = linked.body.id as string;
    expect(
      (await api(`/api/v1/t/${tenant.slug}/accounts/${id}/pin`, { body: { pin: '2468' }, headers: s.auth })).status,
    ).to.equal(200);

    const summary = (await api(`/api/v1/t/${tenant.slug}/accounts/${id}/summary?period=2026-10`, { headers: s.auth })).body;
    expect(summary.balance).to.deep.equal({ opening: 15500, charged: 49735, paid: 15500, closing: 49735, penalties: 310 });
    expect(summary.charges).to.deep.equal({
      period: '2026-10',
      lines: [
        { service: 'Газоснабжение', volume: 40.5, unit: 'm3', tariff: 850, amount: 34425 },
        { service: 'Техобслуживание ВДГО', volume: 0, unit: 'm3', tariff: 0, amount: 15000 },
      ],
      penalties: 310,
      total: 49735,
    });
    expect(summary.meters[0]).to.include({
      serialNumber: 'СГМН-1 №778899',
      decimals: 3,
      verificationDue: '2027-03-01T00:00:00.000Z',
    });
    expect(summary.meters[0].lastReading.valueMilli).to.equal(4_321_125);
    const september = (await api(`/api/v1/t/${tenant.slug}/accounts/${id}/summary?period=2026-09`, { headers: s.auth })).body;
    expect(september.balance.opening, 'an overpayment is a negative balance').to.equal(-10000);
  });

  it('keeps the newest month in a small document of its own and moves it into the past when a newer month arrives', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const id = (await findAccountByNumber(tenant._id, number))!._id;
    const charge = (period: string, amount: number) => ({
      accountNumber: number,
      period,
      lines: [{ service: 'Газоснабжение', volume: amount / 1000, unit: 'm3', tariff: 1000, amount }],
    });
    const balance = (period: string, opening: number, charged: number, paid: number) => ({
      accountNumber: number,
      period,
      opening,
      charged,
      paid,
      closing: opening + charged - paid,
    });
    const counts = async (kind: Kind, items: unknown[]) => (await send(tenant.slug, kind, items, key)).body;
    expect(await counts('charges', [charge('2026-08', 30_000), charge('2026-09', 40_000)])).to.include({ upserted: 2 });
    expect(await counts('balances', [balance('2026-08', 0, 30_000, 0), balance('2026-09', 30_000, 40_000, 30_000)])).to.include({
      upserted: 2,
    });
    /** The current month as stored (period, its own closing), its balance entries (closings), and the past's periods. */
    const months = async () => {
      const [current, past] = await Promise.all([BillingCurrent.findById(id).lean(), BillingPast.findById(id).lean()]);
      const entries = current
        ? await BalanceEntry.find({ stream: `${id}:${current.period}` })
            .sort({ seq: 1 })
            .lean()
        : [];
      return {
        current: current && [current.period, current.balance?.closing],
        entries: entries.map((e) => [e._id, e.balance?.closing]),
        past: Object.keys(past?.months ?? {}).sort(),
      };
    };
    // The balance of a month written with its charge is the first entry of its balance stream.
    expect(await months()).to.deep.equal({
      current: ['2026-09', undefined],
      entries: [[`${id}:2026-09:1`, 40_000]],
      past: ['2026-08'],
    });

    // A newer month: the current one moves into the past with its newest balance; charges before balances, as billing sends them.
    expect(await counts('charges', [charge('2026-10', 50_000)])).to.include({ upserted: 1 });
    expect(await months()).to.deep.equal({ current: ['2026-10', undefined], entries: [], past: ['2026-08', '2026-09'] });
    expect((await BillingPast.findById(id).lean())!.months['2026-09']!.balance).to.deep.include({ closing: 40_000 });
    expect(await getDebt(tenant._id, id), 'the latest balance, from the past while the current month has none').to.deep.equal({
      period: '2026-09',
      debt: 40_000,
      penalties: 0,
    });
    expect(await counts('balances', [balance('2026-10', 40_000, 50_000, 40_000)])).to.include({ upserted: 1 });
    expect(await months()).to.deep.equal({
      current: ['2026-10', undefined],
      entries: [[`${id}:2026-10:1`, 50_000]],
      past: ['2026-08', '2026-09'],
    });

    // A correction of an earlier month is written into the past, once.
    const corrected = [balance('2026-08', 0, 30_000, 10_000), balance('2026-10', 40_000, 50_000, 40_000)];
    expect(await counts('balances', corrected)).to.deep.equal({ upserted: 0, modified: 1, matched: 2 });
    expect(await counts('balances', corrected)).to.deep.equal({ upserted: 0, modified: 0, matched: 2 });

    const summary = await accountSummary(tenant._id, id);
    expect(summary).to.deep.include({ period: '2026-10', periods: { first: '2026-08', last: '2026-10' } });
    expect(summary.balance).to.deep.equal({ opening: 40_000, charged: 50_000, paid: 40_000, closing: 50_000, penalties: 0 });
    expect(summary.history.map((h) => [h.period, h.amount])).to.deep.equal([
      ['2026-08', 30_000],
      ['2026-09', 40_000],
      ['2026-10', 50_000],
    ]);
    expect((await accountSummary(tenant._id, id, '2026-08')).balance).to.deep.include({ paid: 10_000, closing: 20_000 });
    expect((await listCharges(tenant._id, id)).map((c) => [c.period, c.total])).to.deep.equal([
      ['2026-10', 50_000],
      ['2026-09', 40_000],
      ['2026-08', 30_000],
    ]);
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 50_000, penalties: 0 });
  });

  it('inserts a correction of the open month as the next balance entry, never rewriting the month, and writes nothing for the newest balance again', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const id = (await findAccountByNumber(tenant._id, number))!._id;
    const counts = async (kind: Kind, items: unknown[]) => (await send(tenant.slug, kind, items, key)).body;
    const balance = (period: string, paid: number) => ({
      accountNumber: number,
      period,
      opening: 10_000,
      charged: 50_000,
      paid,
      closing: 60_000 - paid,
    });
    const charge = (period: string, amount: number) => ({
      accountNumber: number,
      period,
      lines: [{ service: 'Газоснабжение', volume: amount / 1000, unit: 'm3', tariff: 1000, amount }],
    });
    expect(await counts('balances', [balance('2026-10', 0)])).to.include({ upserted: 1 });
    expect(await counts('charges', [charge('2026-10', 50_000)])).to.include({ upserted: 1 });
    const month = await BillingCurrent.findById(id).lean();
    expect(month).to.deep.include({ period: '2026-10', balanceSeq: 0 });
    const entry = async (seq: number) => (await BalanceEntry.findById(`${id}:2026-10:${seq}`).lean())?.balance?.paid;
    /** What a subscriber sees of the balance: the summary's, the debt, and the charges (which corrections leave alone). */
    const seen = async () => {
      const summary = await accountSummary(tenant._id, id);
      return {
        paid: summary.balance!.paid,
        debt: (await getDebt(tenant._id, id)).debt,
        charges: (await listCharges(tenant._id, id)).map((c) => c.total),
      };
    };
    const sees = (paid: number) => ({ paid, debt: 60_000 - paid, charges: [50_000] });

    expect(await counts('balances', [balance('2026-10', 20_000)])).to.deep.equal({ upserted: 0, modified: 1, matched: 1 });
    expect(await BillingCurrent.findById(id).lean(), 'the month is not rewritten').to.deep.equal(month);
    expect(await entry(1)).to.equal(20_000);
    expect(await seen()).to.deep.equal(sees(20_000));
    expect(await counts('balances', [balance('2026-10', 20_000)]), 'the newest balance again').to.deep.equal({
      upserted: 0,
      modified: 0,
      matched: 1,
    });
    expect(await entry(2)).to.equal(undefined);
    // The newest entry is the balance, whatever was sent before it.
    expect(await counts('balances', [balance('2026-10', 30_000)])).to.include({ modified: 1 });
    expect(await counts('balances', [balance('2026-10', 20_000)])).to.include({ modified: 1 });
    expect([await entry(2), await entry(3)]).to.deep.equal([30_000, 20_000]);
    expect(await seen()).to.deep.equal(sees(20_000));
    expect(await BillingCurrent.findById(id).lean()).to.deep.equal(month);
    // A balance that differs from the month's own is planned without looking at the stream; a dry
    // run (exact) looks, and the commit answers what it found.
    const newestAgain = [BalanceItem.parse(balance('2026-10', 20_000))];
    const writer = new BillingWriter(tenant);
    expect((await writer.plan('balances', newestAgain, { exact: true })).counts).to.deep.equal({
      created: 0,
      changed: 0,
      unchanged: 1,
    });
    const blind = await writer.plan('balances', newestAgain);
    expect(blind.counts).to.deep.equal({ created: 0, changed: 1, unchanged: 0 });
    expect(await blind.commit()).to.deep.equal({ created: 0, changed: 0, unchanged: 1 });
    expect(await entry(4)).to.equal(undefined);

    // The BALANCE_FOLD-th entry past the month's balance is folded into the month, so readers look at a few entries at most.
    expect(BALANCE_FOLD).to.equal(4);
    expect(await counts('balances', [balance('2026-10', 40_000)])).to.include({ modified: 1 });
    const folded = await BillingCurrent.findById(id).lean();
    expect(folded).to.deep.include({ balance: month!.balance, balanceSeq: 0 });
    expect(folded!.fold).to.deep.include({ period: '2026-10', seq: 4 });
    expect(folded!.fold!.balance).to.deep.include({ paid: 40_000 });
    expect(await counts('balances', [balance('2026-10', 45_000)])).to.include({ modified: 1 });
    expect(await entry(5)).to.equal(45_000);
    expect(await seen()).to.deep.equal(sees(45_000));
    expect(await BillingCurrent.findById(id).lean(), 'one entry past the fold is not folded').to.deep.equal(folded);

    // A charge of the month rewrites it with its newest balance; a newer month moves that balance into the past.
    expect(await counts('charges', [charge('2026-10', 51_000)])).to.include({ modified: 1 });
    const charged = await BillingCurrent.findById(id).lean();
    expect(charged).to.deep.include({ period: '2026-10', balanceSeq: 5 });
    expect(charged).to.not.have.property('fold');
    expect(charged!.balance).to.deep.include({ paid: 45_000 });
    expect(await seen()).to.deep.equal({ ...sees(45_000), charges: [51_000] });
    expect(await counts('charges', [charge('2026-11', 52_000)])).to.include({ upserted: 1 });
    expect((await BillingPast.findById(id).lean())!.months['2026-10']!.balance).to.deep.include({ paid: 45_000 });
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 15_000, penalties: 0 });
  });

  it('keeps every correction of concurrent writers once: different ones each get an entry, equal ones one between them; the fold job folds the newest', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const id = (await findAccountByNumber(tenant._id, number))!._id;
    const balance = (paid: number) => october(number, paid);
    expect((await send(tenant.slug, 'balances', [balance(0)], key)).body).to.include({ upserted: 1 });
    const entries = async () =>
      (
        await BalanceEntry.find({ stream: `${id}:2026-10` })
          .sort({ seq: 1 })
          .lean()
      ).map((e): [number, number] => [e.seq, e.balance!.paid]);

    const paid = Array.from({ length: 20 }, (_, k) => 1_000 * (k + 1));
    const answers = await Promise.all(paid.map((p) => send(tenant.slug, 'balances', [balance(p)], key)));
    expect(answers.map((a) => a.body)).to.deep.equal(paid.map(() => ({ upserted: 0, modified: 1, matched: 1 })));
    const written = await entries();
    expect(
      written.map(([seq]) => seq),
      'numbers without a gap',
    ).to.deep.equal(paid.map((_, k) => k + 1));
    expect(
      written.map(([, p]) => p).sort((a, b) => a - b),
      'each correction once',
    ).to.deep.equal(paid);
    const newest = written.at(-1)![1];
    expect((await accountSummary(tenant._id, id)).balance).to.deep.include({ paid: newest, closing: 90_000 - newest });

    await Promise.all(Array.from({ length: 20 }, () => send(tenant.slug, 'balances', [balance(55_555)], key)));
    const after = await entries();
    expect(after.slice(0, 20)).to.deep.equal(written);
    expect(after.slice(20), 'one entry for twenty equal corrections').to.deep.equal([[21, 55_555]]);
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 90_000 - 55_555, penalties: 0 });

    // The fold job takes the lists the writers left and folds the newest entry into the month
    // where FOLD_FROM or more lie past its fold: fewer are left past it.
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id })).to.be.above(0);
    while ((await foldBalances()) > 0);
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id })).to.equal(0);
    const month = await BillingCurrent.findById(id).lean();
    expect(month!.fold!.period).to.equal('2026-10');
    expect(21 - month!.fold!.seq).to.be.below(FOLD_FROM);
    expect(month!.fold!.balance!.paid, 'the entry folded').to.equal(new Map(after).get(month!.fold!.seq));
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 90_000 - 55_555, penalties: 0 });
    // The next correction goes right after the newest entry.
    expect((await send(tenant.slug, 'balances', [balance(66_666)], key)).body).to.deep.equal({
      upserted: 0,
      modified: 1,
      matched: 1,
    });
    expect((await entries()).slice(21)).to.deep.equal([[22, 66_666]]);
    expect((await accountSummary(tenant._id, id)).balance).to.deep.include({ paid: 66_666 });
  });

  it('folds a month corrected twice, not once, in runs of bounded time: the lists a run had no time for are folded by the next', async () => {
    const { numbers, ids } = await newAccounts(3);
    await send(
      tenant.slug,
      'balances',
      numbers.map((n) => october(n, 0)),
      key,
    );
    while ((await foldBalances()) > 0);
    const corrections = await send(
      tenant.slug,
      'balances',
      numbers.map((n) => october(n, 5_000)),
      key,
    );
    expect(corrections.body).to.deep.equal({ upserted: 0, modified: 3, matched: 3 });
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id }), 'one entry a month: nothing to fold').to.equal(0);
    // A second correction a request: each request leaves a list of its own.
    for (const [i, n] of numbers.entries()) await send(tenant.slug, 'balances', [october(n, 10_000 * (i + 1))], key);
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id })).to.equal(3);

    expect(await foldBalancesFor(0), 'a run out of time at once still folds one list').to.equal(1);
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id })).to.equal(2);
    expect(await foldBalancesFor(60_000)).to.equal(2);
    expect(await BalanceFoldList.countDocuments({ tenantId: tenant._id })).to.equal(0);
    for (const [i, id] of ids.entries()) {
      const month = await BillingCurrent.findById(id).lean();
      expect(month!.fold).to.deep.include({ period: '2026-10', seq: 2 });
      expect(month!.fold!.balance).to.deep.include({ paid: 10_000 * (i + 1) });
      expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 90_000 - 10_000 * (i + 1), penalties: 0 });
    }
    expect(await foldBalancesFor(60_000), 'nothing left').to.equal(0);
  });

  it('moves a month into the past with the correction another writer inserted while the move was planned', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const id = (await findAccountByNumber(tenant._id, number))!._id;
    const balance = (paid: number) =>
      BalanceItem.parse({ accountNumber: number, period: '2026-10', opening: 0, charged: 70_000, paid, closing: 70_000 - paid });
    const writer = new BillingWriter(tenant);
    await (await writer.plan('balances', [balance(0)])).commit();
    const move = await writer.plan('charges', [
      ChargeItem.parse({
        accountNumber: number,
        period: '2026-11',
        lines: [{ service: 'Газоснабжение', volume: 70, unit: 'm3', tariff: 1000, amount: 70_000 }],
      }),
    ]);
    expect(await (await writer.plan('balances', [balance(30_000)])).commit()).to.include({ changed: 1 });
    await move.commit();
    expect((await BillingCurrent.findById(id).lean())!.period).to.equal('2026-11');
    expect((await BillingPast.findById(id).lean())!.months['2026-10']!.balance).to.deep.include({ paid: 30_000 });
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 40_000, penalties: 0 });
  });

  it('keeps a correction planned before a newer month moved its month into the past, and one sent for the month just closed, each once', async () => {
    const writer = new BillingWriter(tenant);
    const { numbers, ids } = await newAccounts(2);
    const balance = (number: string, period: string, paid: number) =>
      BalanceItem.parse({ accountNumber: number, period, opening: 0, charged: 70_000, paid, closing: 70_000 - paid });
    const octoberItems = (paid: number) => numbers.map((n) => balance(n, '2026-10', paid));
    const pastOctober = async () =>
      Promise.all(ids.map(async (id) => (await BillingPast.findById(id).lean())?.months['2026-10']?.balance?.paid));
    await (await writer.plan('balances', octoberItems(0))).commit();
    await (await writer.plan('balances', octoberItems(10_000))).commit();
    while ((await foldBalances()) > 0);
    // Planned while October is the open month: one without reading the stream, one as a dry run does.
    const late = [
      await writer.plan('balances', [balance(numbers[0]!, '2026-10', 30_000)]),
      await writer.plan('balances', [balance(numbers[1]!, '2026-10', 30_000)], { exact: true }),
    ];
    for (const plan of late) expect(plan.counts).to.deep.equal({ created: 0, changed: 1, unchanged: 0 });
    const november = numbers.map((n) =>
      ChargeItem.parse({
        accountNumber: n,
        period: '2026-11',
        lines: [{ service: 'Газоснабжение', volume: 70, unit: 'm3', tariff: 1000, amount: 70_000 }],
      }),
    );
    expect(await (await writer.plan('charges', november)).commit()).to.include({ created: 2 });
    expect(await pastOctober(), 'the month moved with the balance it had').to.deep.equal([10_000, 10_000]);

    // Written after November replaced October: into October's past, counted once.
    for (const plan of late) expect(await plan.commit()).to.deep.equal({ created: 0, changed: 1, unchanged: 0 });
    expect(await pastOctober()).to.deep.equal([30_000, 30_000]);
    for (const id of ids) {
      expect((await BillingCurrent.findById(id).lean())!.period).to.equal('2026-11');
      expect(await getDebt(tenant._id, id)).to.deep.equal({ period: '2026-10', debt: 40_000, penalties: 0 });
    }

    // The month that just closed: the same balance again writes nothing, a new one is written once.
    expect(await (await writer.plan('balances', octoberItems(30_000))).commit()).to.deep.equal({
      created: 0,
      changed: 0,
      unchanged: 2,
    });
    expect(await (await writer.plan('balances', octoberItems(35_000))).commit()).to.deep.equal({
      created: 0,
      changed: 2,
      unchanged: 0,
    });
    expect(await pastOctober()).to.deep.equal([35_000, 35_000]);
    const summaries = await Promise.all(ids.map((id) => accountSummary(tenant._id, id, '2026-10')));
    expect(summaries.map((s) => s.balance!.paid)).to.deep.equal([35_000, 35_000]);
  });

  it('is idempotent: the same batch sent again changes no data and creates no document', async () => {
    const numbers = [freshNumber(), freshNumber(), freshNumber()];
    const items = numbers.map((n) => account(n));
    expect((await send(tenant.slug, 'accounts', items, key)).body).to.include({ upserted: 3 });
    const before = await Account.find({ tenantId: tenant._id, number: mongoose.trusted({ $in: numbers }) })
      .sort({ number: 1 })
      .lean();
    const again = await send(tenant.slug, 'accounts', items, key);
    expect(again.body).to.include({ upserted: 0, matched: 3 });
    const after = await Account.find({ tenantId: tenant._id, number: mongoose.trusted({ $in: numbers }) })
      .sort({ number: 1 })
      .lean();
    expect(after.map(({ updatedAt: _u, ...a }) => a)).to.deep.equal(before.map(({ updatedAt: _u, ...a }) => a));
  });

  it('refuses the whole batch when one item is invalid, names the item and field, and writes nothing', async () => {
    const before = await snapshot(tenant);
    const good = freshNumber();
    const res = await send(
      tenant.slug,
      'accounts',
      [account(good), account(freshNumber(), { pin: '12' }), account('12345678901')],
      key,
    );
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('batch_invalid');
    expect(res.body.error.fields['1.pin']).to.include({ code: 'pin_format' });
    expect(await findAccountByNumber(tenant._id, good)).to.equal(null);
    expect(await snapshot(tenant)).to.equal(before);

    const rule = await send(tenant.slug, 'accounts', [account(freshNumber()), account('12345678901')], key);
    expect(rule.status).to.equal(400);
    expect(rule.body.error.fields).to.have.keys(['1.number']);
    expect(rule.body.error.fields['1.number'].code).to.equal('account_number_format');
    expect(await snapshot(tenant)).to.equal(before);
  });

  it('refuses a balance whose closing is not opening plus charged minus paid', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const before = await snapshot(tenant);
    const res = await send(
      tenant.slug,
      'balances',
      [{ accountNumber: number, period: '2026-10', opening: 100, charged: 50, paid: 20, closing: 100 }],
      key,
    );
    expect(res.status).to.equal(400);
    expect(res.body.error.fields['0.closing'].code).to.equal('balance_mismatch');
    expect(await snapshot(tenant)).to.equal(before);
  });

  it("refuses meters, charges and balances of an account the supplier does not have, even another supplier's of its realm", async () => {
    const neighbour = await freshTenant(tenant.realm);
    const theirs = freshNumber();
    await send(neighbour.slug, 'accounts', [account(theirs)], await keyOf(neighbour));
    const [mine, theirsBefore] = [await snapshot(tenant), await snapshot(neighbour)];
    const items: Record<Kind, unknown[]> = {
      accounts: [],
      meters: [{ meterId: `m-${theirs}`, accountNumber: theirs }],
      charges: [{ accountNumber: theirs, period: '2026-10', lines: [{ service: 'Газоснабжение', amount: 100 }] }],
      balances: [{ accountNumber: theirs, period: '2026-10', opening: 0, charged: 100, paid: 0, closing: 100 }],
    };
    for (const kind of ['meters', 'charges', 'balances'] as const) {
      const res = await send(tenant.slug, kind, items[kind], key);
      expect(res.status, kind).to.equal(400);
      expect(res.body.error.fields['0.accountNumber'].code, kind).to.equal('account_not_found');
    }
    expect(await snapshot(tenant)).to.equal(mine);
    expect(await snapshot(neighbour)).to.equal(theirsBefore);
  });

  it('refuses more meters on one account than it holds, naming the first one over the limit', async () => {
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const meters = Array.from({ length: 21 }, (_, i) => ({
      meterId: `m-${number}-${String(i).padStart(2, '0')}`,
      accountNumber: number,
    }));
    const before = await snapshot(tenant);
    const res = await send(tenant.slug, 'meters', meters, { ...key, 'Accept-Language': 'en' });
    expect(res.status).to.equal(400);
    expect(Object.keys(res.body.error.fields)).to.deep.equal(['20.meterId']);
    expect(res.body.error.fields['20.meterId']).to.include({
      code: 'meter_limit_reached',
      message: 'An account can have at most 20 meters.',
    });
    expect(await snapshot(tenant)).to.equal(before);
    expect((await send(tenant.slug, 'meters', meters.slice(0, 20), key)).body).to.include({ upserted: 20 });
  });

  it('refuses a batch of more than 5,000 items with 413 and writes nothing', async () => {
    const before = await snapshot(tenant);
    const items = Array.from({ length: 5001 }, () => account(freshNumber()));
    const res = await send(tenant.slug, 'accounts', items, key);
    expect(res.status).to.equal(413);
    expect(res.body.error).to.include({ code: 'batch_too_large' });
    expect(res.body.error.message).to.include('5000');
    expect(await snapshot(tenant)).to.equal(before);
  });

  it('explains errors in the language asked for', async () => {
    const bad = [account(freshNumber(), { pin: 'abc' })];
    const ru = await api(`/api/v1/t/${tenant.slug}/integration/accounts`, {
      body: { items: bad },
      headers: { ...key, 'Accept-Language': 'ru' },
    });
    expect(ru.body.error.fields['0.pin'].message).to.equal('PIN-код — от 4 до 8 цифр.');
    const en = await api(`/api/v1/t/${tenant.slug}/integration/accounts`, {
      body: { items: bad },
      headers: { ...key, 'Accept-Language': 'en' },
    });
    expect(en.body.error.fields['0.pin'].message).to.equal('A PIN has 4 to 8 digits.');
    expect(en.body.error.message).to.equal('Batch refused: some items have errors; nothing was written.');
  });
});

describe('integration API: keys', function () {
  this.timeout(30_000);
  let tenant: TenantDoc;

  before(async () => {
    tenant = await freshTenant();
  });

  it('refuses a request without a key, or with a wrong, revoked or another supplier’s key, writing nothing', async () => {
    const other = await freshTenant();
    const { id, key: revoked } = await createApiKey(tenant._id, 'old', ['billing:write']);
    await revokeApiKey(tenant._id, id);
    const before = await snapshot(tenant);
    const cases: [Record<string, string>, string][] = [
      [{}, 'api_key_missing'],
      [{ Authorization: 'Bearer gk_wrongwrongwrongwrongwrongwrongwrong' }, 'api_key_invalid'],
      [{ Authorization: `Bearer ${revoked}` }, 'api_key_invalid'],
      [await keyOf(other), 'api_key_invalid'],
      [{ Authorization: `Bearer demo-${other.slug}` }, 'api_key_invalid'],
    ];
    for (const [headers, code] of cases) {
      const res = await send(tenant.slug, 'accounts', [account(freshNumber())], headers);
      expect(res.status, code).to.equal(401);
      expect(res.body.error.code).to.equal(code);
    }
    expect(await snapshot(tenant)).to.equal(before);
  });

  it('refuses a key without the scope of the endpoint', async () => {
    const exportOnly = await keyOf(tenant, ['export:read']);
    const res = await send(tenant.slug, 'accounts', [account(freshNumber())], exportOnly);
    expect(res.status).to.equal(403);
    expect(res.body.error).to.include({ code: 'api_key_scope' });
    const writeOnly = await keyOf(tenant, ['billing:write']);
    expect((await api(`/api/v1/t/${tenant.slug}/integration/export/readings`, { headers: writeOnly })).status).to.equal(403);
  });

  it('takes the key from X-Api-Key as well', async () => {
    const { key } = await createApiKey(tenant._id, 'header', ['billing:write']);
    const res = await send(tenant.slug, 'accounts', [account(freshNumber())], { 'X-Api-Key': key });
    expect(res.status).to.equal(200);
  });

  it('accepts the demo key only in demo mode', async () => {
    const number = freshNumber();
    expect(
      (await send(tenant.slug, 'accounts', [account(number)], { Authorization: `Bearer demo-${tenant.slug}` })).status,
    ).to.equal(200);

    const { app, baseUrl } = await startApp({ ...testServer().config, demo: false });
    try {
      const res = await fetch(`${baseUrl}/api/v1/t/${tenant.slug}/integration/accounts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer demo-${tenant.slug}` },
        body: JSON.stringify({ items: [account(freshNumber())] }),
      });
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('api_key_invalid');
    } finally {
      await app.stop();
    }
  });
});

describe('integration API: export since a cursor', function () {
  this.timeout(30_000);

  it('pages through readings with a limit, says when more remain, and repeats nothing', async () => {
    const tenant = await freshTenant();
    const key = await keyOf(tenant);
    const number = freshNumber();
    await send(tenant.slug, 'accounts', [account(number)], key);
    const meterIds = ['a', 'b', 'c'].map((m) => `m-${number}-${m}`);
    await send(
      tenant.slug,
      'meters',
      meterIds.map((meterId) => ({
        meterId,
        accountNumber: number,
        digits: 5,
        decimals: 0,
        lastReading: 100,
        lastReadingDate: '2026-01-01',
      })),
      key,
    );
    const s = await signedInSubscriber(tenant.slug);
    const linked = await api(`/api/v1/t/${tenant.slug}/accounts`, { body: { supplier: tenant.slug, number }, headers: s.auth });
    const meters = (await api(`/api/v1/t/${tenant.slug}/accounts/${linked.body.id}/meters`, { headers: s.auth })).body.items as {
      id: string;
    }[];
    for (const [i, m] of meters.entries()) {
      const sent = await api(`/api/v1/t/${tenant.slug}/readings`, {
        body: { accountId: linked.body.id, readings: [{ meterId: m.id, value: String(110 + i) }] },
        headers: { ...s.auth, 'Idempotency-Key': `export-${number}-${i}` },
      });
      expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    }
    const page = (cursor?: string) =>
      api(`/api/v1/t/${tenant.slug}/integration/export/readings?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers: key });

    const first = await page();
    expect(first.body.items.map((r: { value: string }) => r.value)).to.deep.equal(['110', '111']);
    expect(first.body).to.include({ cursor: '2', hasMore: true });
    const second = await page(first.body.cursor);
    expect(second.body.items.map((r: { value: string }) => r.value)).to.deep.equal(['112']);
    expect(second.body.items[0]).to.include({ accountNumber: number, previous: '100' });
    expect(second.body).to.include({ cursor: '3', hasMore: false });
    expect((await page(second.body.cursor)).body).to.deep.equal({ items: [], cursor: '3', hasMore: false });

    const bad = await api(`/api/v1/t/${tenant.slug}/integration/export/readings?cursor=abc`, { headers: key });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.fields.cursor.code).to.equal('cursor_invalid');
  });
});

describe('integration API: OpenAPI document', () => {
  it('documents every integration endpoint with the API key, and the items of each bulk upsert', async () => {
    const { body } = await api('/api/v1/openapi.json');
    const integration = Object.entries(body.paths as Record<string, Record<string, { security?: unknown }>>).filter(([p]) =>
      p.includes('/integration/'),
    );
    expect(integration.map(([p]) => p)).to.include.members(
      ['accounts', 'meters', 'charges', 'balances', 'export/readings', 'readings/status'].map(
        (p) => `/t/{tenant}/integration/${p}`,
      ),
    );
    for (const [p, ops] of integration)
      for (const op of Object.values(ops)) expect(op.security, p).to.deep.equal([{ apiKey: [] }]);
    const schemas = body.components.schemas;
    expect(schemas.BillingAccount.properties).to.include.keys(['number', 'holder', 'address', 'pin', 'services']);
    expect(schemas.BillingMeter.properties).to.include.keys([
      'meterId',
      'serialNumber',
      'digits',
      'lastReading',
      'lastReadingDate',
      'verificationDue',
    ]);
    expect(schemas.BillingCharge.properties).to.include.keys(['period', 'lines', 'penalties']);
    expect(schemas.BillingBalance.properties).to.include.keys(['opening', 'charged', 'paid', 'closing']);
    const accounts = body.paths['/t/{tenant}/integration/accounts'].post;
    expect(accounts.requestBody.content['application/json'].schema.properties.items.maxItems).to.equal(5000);
    expect(accounts.responses).to.include.keys(['200', '400', '401', '403', '413']);
  });
});

describe('integration API: a full batch on the embedded database', function () {
  this.timeout(180_000);
  let dataDir: string;
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-int-batch-'));
    server = await spawnServer({ GASKIT_DATA_DIR: dataDir, GASKIT_DEMO: '1' });
  });
  after(async () => {
    server?.child.kill('SIGKILL');
    if (server) await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes 1,000 accounts sent in one request, and the same request again changes nothing', async () => {
    const url = `http://127.0.0.1:${server!.port}/api/v1/t/vostok-gaz/integration/accounts`;
    const items = Array.from({ length: 1000 }, (_, i) => account(String(4_400_000 + i)));
    const post = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-vostok-gaz' },
        body: JSON.stringify({ items }),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: res.status, body: (await res.json()) as Record<string, number> };
    };
    const first = await post();
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.include({ upserted: 1000 });
    expect((await post()).body).to.include({ upserted: 0, matched: 1000 });
  });
});

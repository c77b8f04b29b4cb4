import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { migration } from '../../server/billing/migrate.ts';
import { BalanceEntry, BillingCurrent, BillingPast } from '../../server/billing/model.ts';
import {
  accountSummary,
  checkPin,
  findAccountByNumber,
  getDebt,
  getMeters,
  listCharges,
  paidByMonth,
} from '../../server/billing/service.ts';
import { BillingWriter } from '../../server/billing/writer.ts';
import { BalanceItem } from '../../contracts/billing.ts';
import { pinHash } from '../../server/billing/writer.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { freshNumber } from '../helpers/billing.ts';

const { ObjectId } = mongoose.Types;

/** A supplier with two accounts in the earlier shape: ObjectId accounts, meters apart, histories by account ObjectId. */
async function earlierSupplier() {
  const slug = `mig-${randomBytes(4).toString('hex')}`;
  const tenant = (
    await Tenant.create({ slug, name: `Мигргаз ${slug}`, legalName: 'ООО «Мигргаз»', realm: slug })
  ).toObject() as TenantDoc;
  const db = mongoose.connection.db!;
  const [first, second] = [new ObjectId(), new ObjectId()];
  const numbers = [freshNumber(), freshNumber()] as const;
  const updatedAt = new Date('2026-10-25T09:00:00Z');
  await db.collection('accounts').insertMany([
    {
      _id: first,
      tenantId: tenant._id,
      number: numbers[0],
      holder: 'Старов Степан Степанович',
      address: 'г. Прежний, ул. Старая, д. 1',
      pinHash: pinHash(tenant._id, '8642'),
      services: ['gas', 'vdgo'],
      updatedAt,
    },
    {
      _id: second,
      tenantId: tenant._id,
      number: numbers[1],
      holder: 'Новов Н. Н.',
      address: '',
      pinHash: '',
      services: ['gas'],
      updatedAt,
    },
  ]);
  const meter = (accountId: mongoose.Types.ObjectId, meterId: string, extra: Record<string, unknown> = {}) => ({
    _id: new ObjectId(),
    tenantId: tenant._id,
    accountId,
    meterId,
    serialNumber: `SN-${meterId}`,
    name: 'Газовый счётчик',
    service: 'gas',
    digits: 5,
    decimals: 3,
    lastReadingMilli: 1_234_500,
    lastReadingDate: new Date('2026-10-20T00:00:00Z'),
    verificationDue: new Date('2028-01-15T00:00:00Z'),
    tariff: 850,
    usualMonthlyMilli: 40_000,
    updatedAt,
    ...extra,
  });
  await db
    .collection('meters')
    .insertMany([
      meter(first, `m-${numbers[0]}-2`, { decimals: 0, lastReadingMilli: null, lastReadingDate: null }),
      meter(first, `m-${numbers[0]}-1`),
      meter(second, `m-${numbers[1]}-1`),
    ]);
  const line = { service: 'Газоснабжение', volumeMilli: 41_200, unit: 'm3', tariff: 850, amount: 35_020 };
  await db.collection('billinghistories').insertOne({
    _id: first,
    tenantId: tenant._id,
    months: {
      '2026-09': {
        charge: { lines: [{ ...line, volumeMilli: 38_500, amount: 32_725 }], penalties: 0, total: 32_725 },
        balance: { opening: 0, charged: 32_725, paid: 32_725, closing: 0, penalties: 0 },
      },
      '2026-10': {
        charge: { lines: [line], penalties: 1250, total: 36_270 },
        balance: { opening: 0, charged: 36_270, paid: 0, closing: 36_270, penalties: 1250 },
      },
    },
    updatedAt,
  });
  return { tenant, numbers, ids: [first, second] };
}

describe('migration: billing data to accounts by key', function () {
  this.timeout(60_000);

  it('moves accounts with their meters and histories, keeps every field a subscriber sees, and may run again', async () => {
    const { tenant, numbers, ids } = await earlierSupplier();
    const ctx = migrationCtx(mongoose.connection.db!, () => {});
    expect((await migration.run(ctx)).moved).to.be.at.least(3);

    const account = (await findAccountByNumber(tenant._id, numbers[0]))!;
    expect(account._id).to.equal(`${String(tenant._id)}:${numbers[0]}`);
    expect(await ctx.accountKey(ids[0])).to.equal(account._id);
    expect(account).to.include({ holder: 'Старов Степан Степанович', address: 'г. Прежний, ул. Старая, д. 1' });
    expect(account.services).to.deep.equal(['gas', 'vdgo']);
    expect(checkPin(account, '8642')).to.equal(true);

    const meters = await getMeters(tenant._id, account._id);
    expect(meters.map((m) => m.meterId)).to.deep.equal([`m-${numbers[0]}-1`, `m-${numbers[0]}-2`]);
    expect(meters[0]).to.deep.include({
      serialNumber: `SN-m-${numbers[0]}-1`,
      name: 'Газовый счётчик',
      digits: 5,
      decimals: 3,
      tariff: 850,
      usualMonthlyMilli: 40_000,
      lastReading: { valueMilli: 1_234_500, date: new Date('2026-10-20T00:00:00Z') },
      verificationDue: new Date('2028-01-15T00:00:00Z'),
    });
    expect(meters[1]!.lastReading).to.deep.equal(null);
    const meterIds = await Promise.all(
      (await mongoose.connection.db!.collection('meters').find({ accountId: ids[0] }).toArray()).map((m) => ctx.meterKey(m._id)),
    );
    expect([...meterIds].sort(), 'the earlier meter ids map to the ids readings see').to.deep.equal(meters.map((m) => m.id));

    const summary = await accountSummary(tenant._id, account._id);
    expect(summary.period).to.equal('2026-10');
    expect(summary.balance).to.deep.equal({ opening: 0, charged: 36_270, paid: 0, closing: 36_270, penalties: 1250 });
    expect(summary.history).to.deep.equal([
      { period: '2026-09', volume: 38.5, amount: 32_725 },
      { period: '2026-10', volume: 41.2, amount: 36_270 },
    ]);
    expect(summary.dataAsOf).to.deep.equal(new Date('2026-10-25T09:00:00Z'));
    expect((await listCharges(tenant._id, account._id)).map((c) => [c.period, c.total, c.penalties])).to.deep.equal([
      ['2026-10', 36_270, 1250],
      ['2026-09', 32_725, 0],
    ]);

    const other = (await findAccountByNumber(tenant._id, numbers[1]))!;
    expect((await getMeters(tenant._id, other._id)).map((m) => m.meterId)).to.deep.equal([`m-${numbers[1]}-1`]);
    expect((await accountSummary(tenant._id, other._id)).balance).to.equal(null);

    const again = await migration.run(migrationCtx(mongoose.connection.db!, () => {}));
    expect(again.moved, 'nothing is moved twice').to.equal(0);
    expect(await findAccountByNumber(tenant._id, numbers[0])).to.deep.equal(account);
  });

  it('splits histories written whole by account key into the current month and the past, losing no month, and may run again', async () => {
    const { tenant } = await earlierSupplier();
    const db = mongoose.connection.db!;
    const [number, single] = [freshNumber(), freshNumber()];
    const [id, singleId] = [`${String(tenant._id)}:${number}`, `${String(tenant._id)}:${single}`];
    await db.collection('billing_accounts').insertMany(
      [number, single].map((n) => ({
        _id: `${String(tenant._id)}:${n}` as never,
        tenantId: tenant._id,
        number: n,
        holder: 'Целов Ц. Ц.',
        address: '',
        pinHash: '',
        services: ['gas'],
        meters: [],
        updatedAt: new Date('2026-11-01T00:00:00Z'),
      })),
    );
    const month = (k: number) => ({
      charge: {
        lines: [{ service: 'Газоснабжение', volumeMilli: 1000 * k, unit: 'm3', tariff: 1000, amount: 1000 * k }],
        penalties: 0,
        total: 1000 * k,
      },
      balance: { opening: 0, charged: 1000 * k, paid: 100 * k, closing: 900 * k, penalties: 0 },
    });
    const periods = Array.from(
      { length: 24 },
      (_, k) => `${2024 + Math.floor((k + 11) / 12)}-${String(((k + 11) % 12) + 1).padStart(2, '0')}`,
    );
    const months = Object.fromEntries(periods.map((p, k) => [p, month(k + 1)]));
    // The newest month has a charge only: billing sends balances later.
    months[periods.at(-1)!] = { charge: month(24).charge } as never;
    const updatedAt = new Date('2026-11-05T10:00:00Z');
    await db.collection('billing_histories').insertMany([
      { _id: id as never, tenantId: tenant._id, months, updatedAt },
      { _id: singleId as never, tenantId: tenant._id, months: { '2026-10': month(3) }, updatedAt },
    ]);
    const before = { summary: summaryWhole(months) };

    const ctx = migrationCtx(db, () => {});
    expect((await migration.run(ctx)).moved).to.be.at.least(3);
    const [current, past] = [await BillingCurrent.findById(id).lean(), await BillingPast.findById(id).lean()];
    expect(current).to.deep.include({ period: periods.at(-1), charge: month(24).charge, updatedAt });
    expect(current!.balance).to.equal(undefined);
    expect(Object.keys(past!.months).sort()).to.deep.equal(periods.slice(0, -1));
    expect(await BillingCurrent.findById(singleId).lean()).to.deep.include({ period: '2026-10', ...month(3) });
    expect(await BillingPast.findById(singleId).lean(), 'a single month has no past').to.equal(null);

    const summary = await accountSummary(tenant._id, id);
    // As before: the summary opens at the latest balance, the current month's charge waits for its balance.
    expect(summary).to.deep.include({ period: periods.at(-2), periods: before.summary.periods });
    expect(summary.balance).to.deep.equal(month(23).balance);
    expect(summary.history).to.deep.equal(before.summary.history);
    expect((await accountSummary(tenant._id, id, periods.at(-1))).charges!.total).to.equal(24_000);
    expect((await listCharges(tenant._id, id)).map((c) => c.total)).to.deep.equal(
      periods.map((_, k) => 1000 * (k + 1)).reverse(),
    );
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: periods.at(-2), debt: 900 * 23, penalties: 0 });
    expect(await paidByMonth(tenant._id, id, { from: periods[0]!, to: periods.at(-1)! })).to.deep.equal({
      first: periods[0],
      months: periods.slice(0, -1).map((period, k) => ({ period, paid: 100 * (k + 1) })),
    });

    expect((await migration.run(migrationCtx(db, () => {}))).moved, 'nothing is moved twice').to.equal(0);
    await db.dropCollection('billing_histories');

    // The newest month's balance then arrives: the first entry of the month's balance stream; the
    // current month and the past, as the migration wrote them, stay as they are.
    const balance = BalanceItem.parse({
      accountNumber: number,
      period: periods.at(-1),
      opening: 0,
      charged: 24_000,
      paid: 0,
      closing: 24_000,
    });
    const plan = await new BillingWriter(tenant).plan('balances', [balance]);
    expect(await plan.commit()).to.deep.equal({ created: 1, changed: 0, unchanged: 0 });
    expect(await getDebt(tenant._id, id)).to.deep.equal({ period: periods.at(-1), debt: 24_000, penalties: 0 });
    expect(await BillingCurrent.findById(id).lean()).to.deep.equal(current);
    expect(Object.keys((await BillingPast.findById(id).lean())!.months)).to.have.length(23);
    expect((await BalanceEntry.findById(`${id}:${periods.at(-1)}:1`).lean())!.balance).to.deep.include({ closing: 24_000 });

    // A current month written with its balance before balance entries existed (no `balanceSeq`):
    // a correction of it is an entry too, and readers take it.
    const singleMonth = await BillingCurrent.findById(singleId).lean();
    expect(singleMonth).to.not.have.property('balanceSeq');
    const corrected = { ...month(3).balance, paid: 600, closing: month(3).balance.closing - 300 };
    const item = BalanceItem.parse({ accountNumber: single, period: '2026-10', ...corrected });
    expect(await (await new BillingWriter(tenant).plan('balances', [item])).commit()).to.deep.equal({
      created: 0,
      changed: 1,
      unchanged: 0,
    });
    expect(await BillingCurrent.findById(singleId).lean()).to.deep.equal(singleMonth);
    expect((await accountSummary(tenant._id, singleId)).balance).to.deep.equal(corrected);
    expect(await getDebt(tenant._id, singleId)).to.deep.include({ period: '2026-10', debt: corrected.closing });
    expect(await (await new BillingWriter(tenant).plan('balances', [item])).commit(), 'the same again').to.deep.equal({
      created: 0,
      changed: 0,
      unchanged: 1,
    });
    expect(await BalanceEntry.findById(`${singleId}:2026-10:2`).lean()).to.equal(null);
  });
});

/** What the summary showed from a whole history: the periods with a balance, and the last 12 months of charges. */
function summaryWhole(
  months: Record<string, { charge?: { lines: { volumeMilli: number }[]; total: number }; balance?: unknown }>,
) {
  const periods = Object.keys(months).sort();
  const withBalance = periods.filter((p) => months[p]!.balance);
  const at = withBalance.at(-1)!;
  return {
    periods: { first: withBalance[0], last: at },
    history: periods
      .filter((p) => p <= at)
      .slice(-12)
      .map((p) => ({
        period: p,
        volume: months[p]!.charge!.lines.reduce((s, l) => s + l.volumeMilli, 0) / 1000,
        amount: months[p]!.charge!.total,
      })),
  };
}

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { migration } from '../../server/billing/migrate.ts';
import { accountSummary, checkPin, findAccountByNumber, getMeters, listCharges } from '../../server/billing/service.ts';
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
});

import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { enrol } from '../../server/db/kernel/expiry.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { streamId } from '../../server/db/kernel/streams.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { migration } from '../../server/readings/migrate.ts';
import { Reading, ReadingReminder, type ReadingDoc } from '../../server/readings/model.ts';
import {
  acceptQueued,
  EARLIER_QUEUE,
  exportReadings,
  meterReadings,
  READINGS_QUEUE,
  setReadingStatuses,
} from '../../server/readings/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';

const DAY = 86_400_000;

async function makeTenant(): Promise<TenantDoc> {
  const slug = `mr-${randomBytes(4).toString('hex')}`;
  const doc = await Tenant.create({ slug, name: `Тестгаз ${slug}`, legalName: 'ООО «Тестгаз»', realm: slug });
  clearTenantCache();
  return doc.toObject() as TenantDoc;
}

describe('readings: migration from the earlier collections', function () {
  this.timeout(60_000);
  const db = () => mongoose.connection.db!;
  const period = new Date().toISOString().slice(0, 7);
  let tenant: TenantDoc;
  let other: TenantDoc;
  let accountKey: string;
  let meterA: string;
  let meterB: string;
  const ids = Array.from({ length: 9 }, () => new Types.ObjectId());
  const subscriberId = new Types.ObjectId();
  const accountNumber = String(randomInt(1_000_000_000, 9_999_999_999));

  before(async () => {
    [tenant, other] = [await makeTenant(), await makeTenant()];
    // Earlier accounts and meters, as the migration framework maps them.
    const accountId = new Types.ObjectId();
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await db().collection('accounts').insertOne({ _id: accountId, tenantId: tenant._id, number: accountNumber });
    await db()
      .collection('meters')
      .insertMany([
        { _id: a, tenantId: tenant._id, accountId, meterId: `${accountNumber}-a`, serialNumber: 'SN-A' },
        { _id: b, tenantId: tenant._id, accountId, meterId: `${accountNumber}-b`, serialNumber: 'SN-B' },
      ]);
    accountKey = key(tenant._id, accountNumber);
    [meterA, meterB] = [key(accountKey, `${accountNumber}-a`), key(accountKey, `${accountNumber}-b`)];
    const base = {
      tenantId: tenant._id,
      accountId,
      accountNumber,
      decimals: 0,
      rollover: false,
      updatedAt: new Date(),
    };
    const at = (days: number) => new Date(Date.now() - days * DAY);
    const reading = (i: number, seq: number, fields: Record<string, unknown>) => ({
      _id: ids[i],
      ...base,
      seq,
      countsKey: `void:${ids[i]}`,
      ...fields,
    });
    await db()
      .collection('readings')
      .insertMany([
        reading(0, 1, {
          meterId: a,
          meterSerialNumber: 'SN-A',
          subscriberId,
          source: 'portal',
          period: '2020-01',
          valueMilli: 100_000,
          previousMilli: null,
          consumptionMilli: null,
          status: 'accepted',
          countsKey: '2020-01:100000',
          submittedAt: at(60),
        }),
        reading(1, 2, {
          meterId: a,
          meterSerialNumber: 'SN-A',
          subscriberId,
          source: 'portal',
          period,
          valueMilli: 130_000,
          previousMilli: 100_000,
          consumptionMilli: 30_000,
          status: 'superseded',
          submittedAt: at(3),
        }),
        reading(2, 3, {
          meterId: b,
          meterSerialNumber: 'SN-B',
          subscriberId,
          source: 'payment',
          paymentId: 'pay_legacy',
          period,
          valueMilli: 99_000,
          previousMilli: 99_000_000,
          consumptionMilli: 1_000,
          rollover: true,
          status: 'rejected',
          rejectionReason: 'Не совпадает с показаниями контролёра',
          submittedAt: at(2),
        }),
        reading(3, 4, {
          meterId: a,
          meterSerialNumber: 'SN-A',
          subscriberId,
          source: 'portal',
          period,
          valueMilli: 120_000,
          previousMilli: 100_000,
          consumptionMilli: 20_000,
          status: 'accepted',
          countsKey: `${period}:120000`,
          submittedAt: at(2),
        }),
        // seq 5 is missing; seq 6 is of a meter that no longer exists.
        reading(4, 6, {
          meterId: new Types.ObjectId(),
          meterSerialNumber: 'SN-GONE',
          source: 'portal',
          period,
          valueMilli: 5_000,
          previousMilli: null,
          consumptionMilli: null,
          status: 'accepted',
          submittedAt: at(1),
        }),
        reading(5, 7, {
          meterId: b,
          meterSerialNumber: 'SN-B',
          subscriberId,
          source: 'portal',
          period: '2099-01',
          valueMilli: 150_000,
          previousMilli: 99_000_000,
          consumptionMilli: 1_150_000,
          rollover: true,
          status: 'queued',
          acceptAt: at(0.5),
          countsKey: '2099-01:150',
          submittedAt: at(1),
        }),
      ]);
    await db()
      .collection('reading_reminders')
      .insertOne({ _id: ids[8], tenantId: tenant._id, subscriberId, period, sentAt: at(1) });
    await migration.run(migrationCtx(db(), () => {}));
  });

  it('keeps every reading with what the subscriber and the billing system saw, in the earlier export order and numbers', async () => {
    const page = await exportReadings(tenant, {});
    expect(page).to.deep.include({ cursor: '7', hasMore: false });
    expect(page.items.map((i) => [i.seq, i.id, i.value, i.status])).to.deep.equal([
      [1, `${meterA}:1`, '100', 'accepted'],
      [2, `${meterA}:2`, '130', 'superseded'],
      [3, `${meterB}:1`, '99', 'rejected'],
      [4, `${meterA}:3`, '120', 'accepted'],
      [7, `${meterB}:2`, '150', 'queued'],
    ]);
    expect(page.items[2]).to.deep.equal({
      id: `${meterB}:1`,
      accountId: accountKey,
      meterId: meterB,
      value: '99',
      period,
      status: 'rejected',
      source: 'payment',
      rejectionReason: 'Не совпадает с показаниями контролёра',
      consumption: '1',
      rollover: true,
      paymentId: 'pay_legacy',
      submittedAt: page.items[2]!.submittedAt,
      seq: 3,
      accountNumber,
      meterSerialNumber: 'SN-B',
      previous: '99000',
    });
    expect(page.items[0]).to.include({ consumption: null, previous: null, source: 'portal', rejectionReason: null });
  });

  it('writes the same documents when run again', async () => {
    const before = await exportReadings(tenant, {});
    await migration.run(migrationCtx(db(), () => {}));
    expect(await exportReadings(tenant, {})).to.deep.equal(before);
  });

  it('continues an integrator’s earlier cursor where it stood', async () => {
    const after = await exportReadings(tenant, { cursor: '3' });
    expect(after.items.map((i) => i.seq)).to.deep.equal([4, 7]);
    expect((await exportReadings(tenant, { cursor: '4', limit: 1 })).items.map((i) => i.seq)).to.deep.equal([7]);
    expect(await exportReadings(tenant, { cursor: '7' })).to.deep.equal({ items: [], cursor: '7', hasMore: false });
  });

  it('shows each meter’s history newest first, with its last counting reading', async () => {
    const a = await meterReadings(meterA);
    expect(a.readings.map((r) => [r.value, r.status, r.period])).to.deep.equal([
      ['120', 'accepted', period],
      ['130', 'superseded', period],
      ['100', 'accepted', '2020-01'],
    ]);
    expect(a.last?.valueMilli).to.equal(120_000);
    expect((await meterReadings(meterB)).readings.map((r) => r.status)).to.deep.equal(['queued', 'rejected']);
  });

  it('refuses the value that counts this period again, and keeps the earlier reminders', async () => {
    expect(await claim(key('reading', meterA, period, 120_000), 1000)).to.equal(null);
    expect(await ReadingReminder.exists({ _id: key(tenant._id, period, subscriberId) })).to.not.equal(null);
  });

  it('takes the billing system’s answer by the earlier id, for the tenant’s own readings only', async () => {
    const foreign = await setReadingStatuses(other, [{ id: String(ids[3]), status: 'rejected', reason: 'x' }]);
    expect(foreign).to.deep.equal({ updated: 0, skipped: [String(ids[3])] });
    const own = await setReadingStatuses(tenant, [{ id: String(ids[3]), status: 'rejected', reason: 'Ошибка' }]);
    expect(own).to.deep.equal({ updated: 1, skipped: [] });
    expect((await meterReadings(meterA)).readings[0]).to.include({ status: 'rejected', rejectionReason: 'Ошибка' });
    const again = await claim(key('reading', meterA, period, 120_000), 1000);
    expect(again?.generation).to.equal(1);
  });

  it('accepts a migrated queued reading when its window opens', async () => {
    await acceptQueued(new Date());
    expect((await meterReadings(meterB)).readings[0]!.status).to.equal('accepted');
  });

  it('accepts a reading queued by the previous version (readings_queue) when its window opens, and drops that queue', async () => {
    const id = streamId(key(accountKey, `queued-${randomBytes(4).toString('hex')}`), 1);
    const acceptAt = new Date(Date.now() - 1000);
    await Reading.collection.insertOne({ _id: id as never, tenantId: tenant._id, status: 'queued', acceptAt });
    await db()
      .collection(EARLIER_QUEUE)
      .insertOne({ _id: id as never, acceptAt });
    // What the queue's first sweep after the upgrade, or `gaskit migrate`, does once.
    expect(await enrol(READINGS_QUEUE)).to.equal(1);
    expect(await acceptQueued(new Date())).to.be.at.least(1);
    expect((await Reading.findById(id).lean<ReadingDoc>())!.status).to.equal('accepted');
    expect(await db().listCollections({ name: EARLIER_QUEUE }).toArray()).to.deep.equal([]);
  });
});

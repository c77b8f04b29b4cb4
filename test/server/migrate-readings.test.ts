import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { enrol } from '../../server/db/kernel/expiry.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { streamId } from '../../server/db/kernel/streams.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { migration } from '../../server/readings/migrate.ts';
import { MeterReadings, ReadingPage, ReadingReminder } from '../../server/readings/model.ts';
import {
  acceptQueued,
  exportReadings,
  holdValue,
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
    // What `gaskit migrate` leaves to the queue's next sweep: enrolling the queued readings it moved.
    await enrol(READINGS_QUEUE);
    await acceptQueued(new Date());
    expect((await meterReadings(meterB)).readings[0]!.status).to.equal('accepted');
  });
});

describe('readings: migration of readings kept one document each (readings_by_meter)', function () {
  this.timeout(120_000);
  const db = () => mongoose.connection.db!;
  const period = new Date().toISOString().slice(0, 7);
  let tenant: TenantDoc;
  let accountKey: string;
  let meterA: string;
  let meterB: string;
  const subscriberId = new Types.ObjectId();
  const accountNumber = String(randomInt(1_000_000_000, 9_999_999_999));
  const months = (n: number) => {
    const d = new Date(Date.UTC(2024, n, 1));
    return d.toISOString().slice(0, 7);
  };
  /** What the earlier version stored, per meter, oldest first. */
  const earlier: Record<string, Record<string, unknown>[]> = {};
  const periodSeq = new Map<string, number>();
  let exported = 0;

  /** A reading as the earlier version stored it (server/readings/service.ts `storeReading`), with its export and period entries. */
  async function storeEarlier(
    meterId: string,
    fields: Record<string, unknown> & { period: string; valueMilli: number; status: string },
  ): Promise<Record<string, unknown>> {
    const list = (earlier[meterId] ??= []);
    const seq = list.length + 1;
    const counting = fields.status === 'accepted' || fields.status === 'queued';
    const claim = counting ? await holdValue(meterId, fields.period, fields.valueMilli) : null;
    const submittedAt = new Date(Date.UTC(2024, 0, 1) + seq * 86_400_000);
    const doc = {
      _id: streamId(meterId, seq),
      stream: meterId,
      seq,
      tenantId: tenant._id,
      accountId: accountKey,
      accountNumber,
      meterId,
      meterSerialNumber: `SN-${meterId.slice(-1)}`,
      subscriberId,
      source: 'portal',
      decimals: 3,
      previousMilli: null,
      consumptionMilli: null,
      rollover: false,
      claim,
      submittedAt,
      updatedAt: submittedAt,
      ...fields,
    };
    list.push(doc);
    await db()
      .collection('readings_by_meter')
      .insertOne(doc as never);
    const periodStream = key(meterId, fields.period);
    const place = (periodSeq.get(periodStream) ?? 0) + 1;
    periodSeq.set(periodStream, place);
    exported += 1;
    await db()
      .collection('readings_by_period')
      .insertOne({ _id: streamId(periodStream, place) as never, stream: periodStream, seq: place, reading: doc._id });
    await db()
      .collection('readings_export')
      .insertOne({
        _id: streamId(String(tenant._id), exported) as never,
        stream: String(tenant._id),
        seq: exported,
        reading: doc._id,
      });
    return doc;
  }

  before(async () => {
    tenant = await makeTenant();
    accountKey = key(tenant._id, accountNumber);
    [meterA, meterB] = [key(accountKey, 'a'), key(accountKey, 'b')];
    // Meter A: 26 monthly readings (two full pages and two more), a correction superseding one,
    // one rejected with its reason and one sent with a payment; this month's reading counts.
    for (let m = 0; m < 26; m += 1) {
      const valueMilli = 100_000 + m * 12_345;
      const fields = {
        period: m === 25 ? period : months(m),
        valueMilli,
        previousMilli: m === 0 ? null : valueMilli - 12_345,
        consumptionMilli: m === 0 ? null : 12_345,
        status: m === 3 ? 'superseded' : m === 7 ? 'rejected' : 'accepted',
        ...(m === 7 ? { rejectionReason: 'Не совпадает с показаниями контролёра' } : {}),
        ...(m === 11 ? { source: 'payment', paymentId: 'pay_earlier' } : {}),
      };
      await storeEarlier(meterA, fields);
    }
    // Meter B: one reading waiting for its window, listed in the queue of an older version too.
    const doc = await storeEarlier(meterB, {
      period,
      valueMilli: 5_000,
      status: 'queued',
      acceptAt: new Date(Date.now() - 1000),
    });
    await db()
      .collection('readings_queue')
      .insertOne({ _id: doc._id as never, acceptAt: doc.acceptAt });
    await migration.run(migrationCtx(db(), () => {}));
  });

  it('keeps every reading of a meter, with every number and date the subscriber saw, as its document and pages', async () => {
    const stored = earlier[meterA]!;
    const shown = await meterReadings(meterA);
    expect(shown.readings).to.have.length(26);
    expect(shown.readings).to.deep.equal(
      [...stored].reverse().map((r) => ({
        id: r._id,
        accountId: accountKey,
        meterId: meterA,
        value: (Number(r.valueMilli) / 1000).toFixed(3),
        period: r.period,
        status: r.status,
        source: r.source,
        rejectionReason: r.rejectionReason ?? null,
        consumption: r.consumptionMilli === null ? null : (Number(r.consumptionMilli) / 1000).toFixed(3),
        rollover: false,
        paymentId: r.paymentId ?? null,
        submittedAt: (r.submittedAt as Date).toISOString(),
      })),
    );
    expect(shown.last?.valueMilli).to.equal(stored[25]!.valueMilli);
    const doc = await MeterReadings.findById(meterA).lean();
    expect(doc).to.include({ seq: 26, pages: 2 });
    expect(doc!.readings.map((r) => r.seq)).to.deep.equal([25, 26]);
    expect((await ReadingPage.findById(key(meterA, 1)).lean())!.readings.map((r) => r.seq)).to.deep.equal(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('exports every reading at its earlier place and id', async () => {
    const page = await exportReadings(tenant, {});
    expect(page.items.map((i) => [i.seq, i.id, i.value])).to.deep.equal(
      [...earlier[meterA]!, ...earlier[meterB]!].map((r, n) => [n + 1, r._id, (Number(r.valueMilli) / 1000).toFixed(3)]),
    );
    expect(page.items[11]).to.include({ source: 'payment', paymentId: 'pay_earlier', accountNumber, meterSerialNumber: 'SN-a' });
  });

  it('writes the same documents when run again', async () => {
    const before = await Promise.all([MeterReadings.findById(meterA).lean(), ReadingPage.findById(key(meterA, 2)).lean()]);
    await migration.run(migrationCtx(db(), () => {}));
    const after = await Promise.all([MeterReadings.findById(meterA).lean(), ReadingPage.findById(key(meterA, 2)).lean()]);
    expect(after).to.deep.equal(before);
  });

  it('keeps the value that counts this period held, and takes the billing system’s answer on a reading in a page', async () => {
    expect(await claim(key('reading', meterA, period, earlier[meterA]![25]!.valueMilli as number), 1000)).to.equal(null);
    const old = String(earlier[meterA]![4]!._id);
    expect(await setReadingStatuses(tenant, [{ id: old, status: 'rejected', reason: 'Ошибка' }])).to.deep.equal({
      updated: 1,
      skipped: [],
    });
    const shown = (await meterReadings(meterA)).readings.find((r) => r.id === old);
    expect(shown).to.include({ status: 'rejected', rejectionReason: 'Ошибка', value: '149.380' });
  });

  it('accepts the migrated queued reading once the queue enrols it', async () => {
    await enrol(READINGS_QUEUE);
    await acceptQueued(new Date());
    expect((await meterReadings(meterB)).readings.map((r) => [r.id, r.status])).to.deep.equal([[`${meterB}:1`, 'accepted']]);
  });
});

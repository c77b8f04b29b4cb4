import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { type Types } from 'mongoose';
import type { SubscriberCtx } from '../../server/http/context.ts';
import type { DomainError } from '../../server/http/errors.ts';
import { translator } from '../../server/i18n/index.ts';
import { AccountLinkList } from '../../server/accounts/model.ts';
import { linkAccount } from '../../server/accounts/service.ts';
import { AccountItem, MeterItem } from '../../contracts/billing.ts';
import { getMeters, upsertBilling } from '../../server/billing/service.ts';
import { OutboxJob } from '../../server/notify/model.ts';
import type { NotifyOptions } from '../../server/notify/service.ts';
import { ExportEntry, MeterReadings, type MeterReadingsDoc } from '../../server/readings/model.ts';
import {
  acceptQueued,
  acceptSubmission,
  previewSubmission,
  remindTenant,
  setReadingStatuses,
  submitReadings,
  validateSubmission,
} from '../../server/readings/service.ts';
import { formatReading } from '../../sdk/readings.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import { startEndpoint } from '../helpers/endpoint.ts';
import { startMailCatcher, type MailCatcher } from '../helpers/mail.ts';
import { waitFor } from '../helpers/process.ts';
import { api, testApp } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';
import { watchOperations } from '../helpers/operations.ts';

const DAY = 86_400_000;

/** Today's day of the month in Moscow, where the test tenants count their windows. */
function moscowDay(at = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', day: 'numeric' }).format(at));
}

function periodOf(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit' }).format(at);
}

interface MeterSpec {
  digits: number;
  decimals: 0 | 3;
  /** The billing system's last reading, in thousandths. */
  last: number;
  usualMonthlyMilli?: number;
  verificationDue?: Date;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** An account of the tenant with meters, sent the way the billing system sends them, linked to the subscriber. */
async function givenAccount(
  tenant: TenantDoc,
  subscriberId: Types.ObjectId,
  { meters, tariff }: { meters: MeterSpec[]; tariff: number },
) {
  const accountNumber = String(randomInt(1_000_000_000, 9_999_999_999));
  await upsertBilling(tenant, 'accounts', [
    AccountItem.parse({ number: accountNumber, holder: 'Иванов Иван Иванович', address: 'ул. Тестовая, 1' }),
  ]);
  await upsertBilling(
    tenant,
    'meters',
    meters.map((m, i) =>
      MeterItem.parse({
        meterId: `${accountNumber}-${i}`,
        accountNumber,
        serialNumber: `SN${accountNumber}${i}`,
        digits: m.digits,
        decimals: m.decimals,
        lastReading: formatReading(m.last, 3),
        lastReadingDate: isoDay(new Date(Date.now() - 35 * DAY)),
        verificationDue: isoDay(m.verificationDue ?? new Date(Date.now() + 365 * DAY)),
        tariff,
        ...(m.usualMonthlyMilli === undefined ? {} : { usualMonthly: formatReading(m.usualMonthlyMilli, 3) }),
      }),
    ),
  );
  const ctx: SubscriberCtx = {
    tenant,
    requestId: 'test',
    lng: 'ru',
    t: translator('ru'),
    subscriberId: String(subscriberId),
    sessionHash: 'test',
  };
  const linked = await linkAccount(ctx, { supplier: tenant.slug, number: accountNumber });
  const stored = await getMeters(tenant._id, linked.id);
  return { accountId: linked.id, accountNumber, meters: stored.map((m) => ({ id: m.id, serialNumber: m.serialNumber })) };
}

interface TenantOptions {
  windowStartDay?: number;
  windowEndDay?: number;
  outsideWindow?: 'reject' | 'next-period';
  reminderDaysBeforeEnd?: number;
  webhookUrl?: string;
  webhookSecret?: string;
}

/** A tenant of its own (its own realm) with the readings rules a test needs; the window is open all month unless told. */
async function makeTenant(options: TenantOptions = {}): Promise<TenantDoc> {
  const slug = `rd-${randomBytes(4).toString('hex')}`;
  const doc = await Tenant.create({
    slug,
    name: `Тестгаз ${slug}`,
    legalName: 'ООО «Тестгаз»',
    realm: slug,
    readings: { windowStartDay: 1, windowEndDay: 31, outsideWindow: 'next-period', timeZone: 'Europe/Moscow', ...options },
  });
  clearTenantCache();
  return doc.toObject() as TenantDoc;
}

/** A day of the month that is not today, so a one-day window on it is closed now. */
function otherDay(): number {
  return moscowDay() === 1 ? 2 : 1;
}

interface Scene {
  tenant: TenantDoc;
  auth: Record<string, string>;
  subscriberId: string;
  accountId: string;
  accountNumber: string;
  meters: { id: string; serialNumber: string }[];
}

async function scene(
  options: TenantOptions = {},
  meters: MeterSpec[] = [{ digits: 5, decimals: 0, last: 12_345_000 }],
  tariff = 751,
): Promise<Scene> {
  const tenant = await makeTenant(options);
  const s = await signedInSubscriber(tenant.slug);
  const account = await givenAccount(tenant, s.subscriber._id, { meters, tariff });
  return { tenant, auth: s.auth, subscriberId: String(s.subscriber._id), ...account };
}

function submit(s: Scene, readings: unknown[], headers: Record<string, string> = {}) {
  return api(`/api/v1/t/${s.tenant.slug}/readings`, {
    body: { accountId: s.accountId, readings },
    headers: { ...s.auth, ...headers },
  });
}

function preview(s: Scene, readings: unknown[]) {
  return api(`/api/v1/t/${s.tenant.slug}/readings/preview`, { body: { accountId: s.accountId, readings }, headers: s.auth });
}

function history(s: Scene) {
  return api(`/api/v1/t/${s.tenant.slug}/accounts/${s.accountId}/readings`, { headers: s.auth });
}

/** How many readings the scene's meters have stored. */
async function stored(s: Scene): Promise<number> {
  const docs = await Promise.all(s.meters.map((m) => MeterReadings.findById(m.id).lean<MeterReadingsDoc>()));
  return docs.reduce((n, d) => n + (d?.seq ?? 0), 0);
}

function ctxFor(s: Scene): SubscriberCtx {
  return {
    tenant: s.tenant,
    requestId: 'test',
    lng: 'ru',
    t: translator('ru'),
    subscriberId: s.subscriberId,
    sessionHash: 'test',
  };
}

describe('readings: submission rules', () => {
  it('takes a reading in the window for the current period and shows it in the meter’s history', async () => {
    const s = await scene();
    const res = await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }]);
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ accountId: s.accountId, period: periodOf(new Date()), queued: false });
    expect(res.body.readings[0]).to.include({
      value: '12400',
      status: 'accepted',
      source: 'portal',
      consumption: '55',
      rollover: false,
    });
    const h = await history(s);
    expect(h.status).to.equal(200);
    expect(h.body.window).to.include({ open: true, queued: false, period: periodOf(new Date()) });
    expect(h.body.meters[0].last.value).to.equal('12400');
    expect(h.body.meters[0].readings.map((r: { value: string; status: string }) => [r.value, r.status])).to.deep.equal([
      ['12400', 'accepted'],
    ]);
    expect(
      await OutboxJob.countDocuments({ tenantId: s.tenant._id, kind: 'webhook' }),
      'no webhook configured, none sent',
    ).to.equal(0);
  });

  it('gives per meter the reading a new one is compared with, which a reading of this period does not replace', async () => {
    const s = await scene();
    expect((await history(s)).body.meters[0]).to.deep.include({ last: (await history(s)).body.meters[0].previous });
    expect((await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }])).status).to.equal(201);
    const m = (await history(s)).body.meters[0];
    expect(m.last.value).to.equal('12400');
    expect(m.previous.value).to.equal('12345');
    const p = await api(`/api/v1/t/${s.tenant.slug}/readings/preview`, {
      body: { accountId: s.accountId, readings: [{ meterId: s.meters[0]!.id, value: '12410' }] },
      headers: s.auth,
    });
    expect(p.body.readings[0].previous.value).to.equal(m.previous.value);
  });

  it('gives the first and last day of the window open now, and of the next one while closed', async () => {
    const month = periodOf(new Date());
    expect((await history(await scene())).body.window).to.include({ open: true, opensOn: `${month}-01` });
    expect((await history(await scene())).body.window.closesOn).to.match(new RegExp(`^${month}-(28|29|30|31)$`));
    const day = otherDay();
    const closed = (await history(await scene({ windowStartDay: day, windowEndDay: day }))).body.window;
    expect(closed).to.include({ open: false, closesOn: closed.opensOn });
    expect(closed.opensOn).to.match(new RegExp(`-0${day}$`));
    expect(closed.opensOn > `${month}-${String(moscowDay()).padStart(2, '0')}`).to.equal(true);
  });

  it('refuses readings outside the window when the tenant says so, in the person’s language, storing nothing', async () => {
    const day = otherDay();
    const s = await scene({ windowStartDay: day, windowEndDay: day, outsideWindow: 'reject' });
    const res = await api(`/api/v1/t/${s.tenant.slug}/readings`, {
      body: { accountId: s.accountId, readings: [{ meterId: s.meters[0]!.id, value: '12400' }] },
      headers: { ...s.auth, 'Accept-Language': 'en' },
    });
    expect(res.status).to.equal(422);
    expect(res.body.error).to.include({
      code: 'readings_window_closed',
      message: `Readings are not being taken now. They are taken from day ${day} to day ${day} of the month.`,
    });
    expect(await stored(s)).to.equal(0);
    expect((await history(s)).body.window).to.include({ open: false, queued: false, period: null });
  });

  it('takes readings outside the window for the next period when the tenant says so, and tells which', async () => {
    const day = otherDay();
    const s = await scene({ windowStartDay: day, windowEndDay: day, outsideWindow: 'next-period' });
    const p = await preview(s, [{ meterId: s.meters[0]!.id, value: '12400' }]);
    expect(p.body.window).to.include({ open: false, queued: true });
    const res = await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }]);
    expect(res.status).to.equal(201);
    expect(res.body.queued).to.equal(true);
    expect(res.body.period).to.equal(p.body.window.period);
    expect(res.body.readings[0].status).to.equal('queued');
  });

  it('accepts a queued reading once its window opens, not before', async () => {
    // The window is tomorrow (Moscow time): the queue's sweep walks a day or two of hourly buckets.
    const day = moscowDay(new Date(Date.now() + DAY));
    const s = await scene({ windowStartDay: day, windowEndDay: day });
    const res = await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }]);
    expect(res.body.readings[0].status).to.equal('queued');
    const { acceptAt } = (await MeterReadings.findById(s.meters[0]!.id).lean<MeterReadingsDoc>())!.readings.at(-1)!;
    expect(moscowDay(acceptAt!)).to.equal(day);
    expect(acceptAt!.getTime() - Date.now()).to.be.within(0, 2 * DAY);
    await acceptQueued(new Date(acceptAt!.getTime() - 1));
    expect((await history(s)).body.meters[0].readings[0].status).to.equal('queued');
    await acceptQueued(acceptAt!);
    expect((await history(s)).body.meters[0].readings[0].status).to.equal('accepted');
  });

  it('rejects a reading lower than the last accepted one', async () => {
    const s = await scene();
    const res = await submit(s, [{ meterId: s.meters[0]!.id, value: '12000' }]);
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('reading_below_last');
    expect(res.body.error.fields['readings.0.value']).to.deep.equal({
      code: 'reading_below_last',
      message: 'Показания меньше предыдущих (12345). Проверьте их.',
      params: { last: '12345' },
    });
    expect(await stored(s)).to.equal(0);
  });

  it('takes a reading below the last one as a rollover past the meter’s capacity only once the person confirms', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 0, last: 99_950_000 }]);
    const meterId = s.meters[0]!.id;
    const p = await preview(s, [{ meterId, value: '30' }]);
    expect(p.body.readings[0]).to.include({ rollover: true, consumption: '80' });
    expect(p.body.readings[0].confirmationsNeeded).to.deep.equal(['rollover']);
    const unconfirmed = await submit(s, [{ meterId, value: '30' }]);
    expect(unconfirmed.status).to.equal(422);
    expect(unconfirmed.body.error.code).to.equal('readings_confirmation_required');
    expect(unconfirmed.body.error.fields['readings.0.value'].code).to.equal('rollover_confirmation_required');
    expect(await stored(s)).to.equal(0);
    const confirmed = await submit(s, [{ meterId, value: '30', confirmRollover: true }]);
    expect(confirmed.status).to.equal(201);
    expect(confirmed.body.readings[0]).to.include({ rollover: true, consumption: '80', value: '30' });
  });

  it('asks to confirm a consumption far above the account’s usual one instead of refusing it', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 0, last: 1_000_000, usualMonthlyMilli: 50_000 }]);
    const meterId = s.meters[0]!.id;
    const p = await preview(s, [{ meterId, value: '1900' }]);
    expect(p.body.readings[0]).to.include({ implausible: true, consumption: '900' });
    const unconfirmed = await submit(s, [{ meterId, value: '1900' }]);
    expect(unconfirmed.status).to.equal(422);
    expect(unconfirmed.body.error.fields['readings.0.value'].code).to.equal('implausible_confirmation_required');
    const plausible = await preview(s, [{ meterId, value: '1040' }]);
    expect(plausible.body.readings[0]).to.include({ implausible: false });
    const confirmed = await submit(s, [{ meterId, value: '1900', confirmImplausible: true }]);
    expect(confirmed.status).to.equal(201);
  });

  it('judges plausibility by the meter’s own readings when billing keeps no usual consumption', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 0, last: 1_000_000 }]);
    const ctx = ctxFor(s);
    const meterId = s.meters[0]!.id;
    const on = (day: string) => ({ now: new Date(`${day}T09:00:00Z`) });
    await submitReadings(ctx, { accountId: s.accountId, readings: [{ meterId, value: '1050' }] }, on('2031-01-10'));
    await submitReadings(ctx, { accountId: s.accountId, readings: [{ meterId, value: '1100' }] }, on('2031-02-10'));
    const usual = await previewSubmission(
      ctx,
      { accountId: s.accountId, readings: [{ meterId, value: '1200' }] },
      on('2031-03-10'),
    );
    expect(usual.readings[0]).to.include({ consumption: '100', implausible: false });
    const far = await previewSubmission(
      ctx,
      { accountId: s.accountId, readings: [{ meterId, value: '1400' }] },
      on('2031-03-10'),
    );
    expect(far.readings[0]).to.include({ consumption: '300', implausible: true });
    expect(far.readings[0]!.confirmationsNeeded).to.deep.equal(['implausible']);
  });

  it('warns about a meter past its verification date but still takes its reading', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 0, last: 12_345_000, verificationDue: new Date(Date.now() - 30 * DAY) }]);
    const meterId = s.meters[0]!.id;
    const p = await preview(s, [{ meterId, value: '12400' }]);
    expect(p.body.readings[0].warnings).to.deep.equal(['verification_overdue']);
    expect((await history(s)).body.meters[0].meter.verificationOverdue).to.equal(true);
    const res = await submit(s, [{ meterId, value: '12400' }]);
    expect(res.status).to.equal(201);
    expect(res.body.warnings).to.deep.equal([{ meterId, warning: 'verification_overdue' }]);
  });

  it('previews the cost as consumption × tariff in kopecks, exactly, before anything is stored', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 3, last: 100_000 }], 751);
    const p = await preview(s, [{ meterId: s.meters[0]!.id, value: '112,345' }]);
    expect(p.status).to.equal(200);
    // 12.345 m³ × 7.51 ₽ = 92.71095 ₽
    expect(p.body.readings[0]).to.include({ value: '112.345', consumption: '12.345', cost: 9271 });
    expect(p.body.readings[0].tariff).to.deep.equal({ price: 751, unit: 'm3' });
    expect(p.body.totalCost).to.equal(9271);
    expect(await stored(s)).to.equal(0);
  });

  it('replaces an earlier reading of the same period when a corrected value is sent', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    await submit(s, [{ meterId, value: '12500' }]);
    const corrected = await submit(s, [{ meterId, value: '12450' }]);
    expect(corrected.status).to.equal(201);
    const readings = (await history(s)).body.meters[0].readings;
    expect(readings.map((r: { value: string; status: string }) => [r.value, r.status])).to.deep.equal([
      ['12450', 'accepted'],
      ['12500', 'superseded'],
    ]);
  });
});

/** The readings queries a call makes: collection, method and filter (an insert's document). */
async function readingsQueries(fn: () => Promise<unknown>) {
  const seen: { collection: string; method: string; filter: Record<string, unknown> }[] = [];
  const stopWatching = watchOperations((collection: string, method: string, ...args: unknown[]) => {
    const filter = (args[0] ?? {}) as Record<string, unknown>;
    const mine =
      collection.startsWith('readings_') || (collection === 'kernel_tickets' && String(filter._id).startsWith('reading:'));
    if (mine) seen.push({ collection, method, filter });
  });
  try {
    await fn();
  } finally {
    stopWatching();
  }
  return seen;
}

/** A scene whose meter has a counting reading in each of the last `months` months (billing keeps a usual consumption). */
async function sceneWithHistory(months: number): Promise<Scene> {
  const s = await scene({}, [{ digits: 5, decimals: 0, last: 12_345_000, usualMonthlyMilli: 10_000 }]);
  for (let m = months; m >= 1; m -= 1) {
    const value = String(12_345 + (months - m + 1) * 10);
    await submitReadings(
      ctxFor(s),
      // Billing's last reading is dated later than these: each compares with it, and confirms the consumption.
      { accountId: s.accountId, readings: [{ meterId: s.meters[0]!.id, value, confirmImplausible: true }] },
      { now: new Date(Date.now() - m * 31 * DAY) },
    );
  }
  return s;
}

describe('readings: by key', () => {
  it('asks the database by `_id` alone on every readings request, as often with three years of history as with two months', async () => {
    const costs = [];
    for (const months of [2, 30]) {
      const s = await sceneWithHistory(months);
      const value = String(12_345 + (months + 1) * 10);
      const readings = [{ meterId: s.meters[0]!.id, value }];
      const cost = { preview: 0, submit: 0, history: 0 };
      for (const [name, call] of [
        ['preview', () => preview(s, readings)],
        ['submit', () => submit(s, readings)],
        ['history', () => history(s)],
      ] as const) {
        const queries = await readingsQueries(async () => expect((await call()).status, name).to.be.oneOf([200, 201]));
        for (const q of queries.filter((x) => !x.method.startsWith('insert'))) {
          expect(Object.keys(q.filter), `${name}: ${q.collection}.${q.method}`).to.deep.equal(['_id']);
          expect(q.filter._id, `${name}: ${q.collection}.${q.method}`).to.be.a('string');
        }
        cost[name] = queries.length;
      }
      costs.push(cost);
    }
    const [recent, years] = costs;
    expect(years!.preview).to.equal(recent!.preview);
    expect(years!.submit).to.equal(recent!.submit);
    // The history is the meter's document, and the two pages before it that three years need.
    expect(years!.history - recent!.history).to.equal(2);
  });

  it('keeps one counting reading per meter and period when corrections arrive at once, and exports them all', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    const values = Array.from({ length: 8 }, (_, i) => String(12_400 + i));
    const answers = await Promise.all(values.map((value) => submit(s, [{ meterId, value }])));
    expect(answers.map((a) => a.status)).to.deep.equal(values.map(() => 201));
    const shown = (await history(s)).body.meters[0];
    const readings = shown.readings as { value: string; status: string }[];
    expect(readings).to.have.length(8);
    // Sent at the same moment, none is later than another: exactly one counts, and it is the one shown as the last.
    const counting = readings.filter((r) => r.status === 'accepted');
    expect(counting).to.have.length(1);
    expect(readings.filter((r) => r.status === 'superseded')).to.have.length(7);
    expect(shown.last.value).to.equal(counting[0]!.value);
    expect(await ExportEntry.countDocuments({ stream: String(s.tenant._id) })).to.equal(8);
  });

  it('numbers concurrent readings of one meter once each when its page fills up, and keeps one counting across pages', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    for (let i = 1; i <= 10; i += 1) expect((await submit(s, [{ meterId, value: String(12_345 + i) }])).status).to.equal(201);
    const values = Array.from({ length: 5 }, (_, i) => String(12_360 + i));
    const answers = await Promise.all(values.map((value) => submit(s, [{ meterId, value }])));
    expect(answers.map((a) => a.status)).to.deep.equal(values.map(() => 201));
    const ids = answers.map((a) => a.body.readings[0].id as string).sort();
    expect(ids).to.deep.equal(['11', '12', '13', '14', '15'].map((n) => `${meterId}:${n}`).sort());
    const shown = (await history(s)).body.meters[0];
    const readings = shown.readings as { id: string; value: string; status: string }[];
    expect(readings.map((r) => r.id)).to.deep.equal(Array.from({ length: 15 }, (_, i) => `${meterId}:${15 - i}`));
    expect(readings.filter((r) => r.status === 'accepted').map((r) => r.value)).to.deep.equal([shown.last.value]);
    expect(readings.filter((r) => r.status === 'superseded')).to.have.length(14);
    const doc = await MeterReadings.findById(meterId).lean<MeterReadingsDoc>();
    expect(doc).to.include({ seq: 15, pages: 1 });
    const page = await api(`/api/v1/t/${s.tenant.slug}/integration/export/readings`, {
      headers: { Authorization: `Bearer demo-${s.tenant.slug}` },
    });
    expect(page.body.items.map((i: { id: string }) => i.id).sort()).to.deep.equal(readings.map((r) => r.id).sort());
  });

  it('takes a value again once the reading that had it was superseded', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    expect((await submit(s, [{ meterId, value: '12500' }])).status).to.equal(201);
    expect((await submit(s, [{ meterId, value: '12450' }])).status).to.equal(201);
    expect((await submit(s, [{ meterId, value: '12500' }])).status).to.equal(201);
    expect((await submit(s, [{ meterId, value: '12500' }])).status).to.equal(409);
    const readings = (await history(s)).body.meters[0].readings as { value: string; status: string }[];
    expect(readings.map((r) => [r.value, r.status])).to.deep.equal([
      ['12500', 'accepted'],
      ['12450', 'superseded'],
      ['12500', 'superseded'],
    ]);
  });

  it('shows the newest 36 readings of each meter, and its last counting one', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    for (let i = 1; i <= 37; i += 1) {
      await submitReadings(ctxFor(s), { accountId: s.accountId, readings: [{ meterId, value: String(12_345 + i) }] });
    }
    let h: { readings: { value: string }[]; last: { value: string } } | undefined;
    const queries = await readingsQueries(async () => {
      h = (await history(s)).body.meters[0];
    });
    expect(h!.readings).to.have.length(36);
    expect(h!.readings[0]!.value).to.equal('12382');
    expect(h!.readings[35]!.value).to.equal('12347');
    expect(h!.last.value).to.equal('12382');
    // The meter's document holds the newest reading, three pages of twelve the 35 before it: four lookups, not one per reading.
    expect(queries.map((q) => [q.collection, q.filter._id])).to.deep.equal([
      ['readings_meters', meterId],
      ['readings_pages', `${meterId}:3`],
      ['readings_pages', `${meterId}:2`],
      ['readings_pages', `${meterId}:1`],
    ]);
  });
});

describe('readings: bad input', () => {
  let s: Scene;
  before(async () => {
    s = await scene({}, [
      { digits: 5, decimals: 0, last: 12_345_000 },
      { digits: 5, decimals: 3, last: 100_000 },
    ]);
  });

  it('refuses negative, non-numeric, too long and over-precise values with a code per field, storing nothing', async () => {
    const [integer, decimal] = s.meters;
    const cases: [unknown, string][] = [
      [-5, 'reading_negative'],
      ['12a', 'reading_not_a_number'],
      ['123456', 'reading_too_many_digits'],
      ['12400.5', 'reading_decimals_not_allowed'],
    ];
    for (const [value, code] of cases) {
      const res = await submit(s, [{ meterId: integer!.id, value }]);
      expect(res.status, String(value)).to.equal(400);
      expect(res.body.error.fields['readings.0.value'].code, String(value)).to.equal(code);
    }
    const precise = await submit(s, [{ meterId: decimal!.id, value: '101.0001' }]);
    expect(precise.body.error.fields['readings.0.value']).to.deep.equal({
      code: 'reading_too_many_decimals',
      message: 'После запятой — не больше 3 цифр.',
      params: { decimals: 3 },
    });
    const typed = await submit(s, [{ meterId: integer!.id, value: { $gt: 0 } }]);
    expect(typed.status).to.equal(400);
    expect(await stored(s)).to.equal(0);
  });

  it('refuses an empty submission and a meter given twice', async () => {
    const empty = await submit(s, []);
    expect(empty.body.error.fields.readings.code).to.equal('readings_empty');
    const twice = await submit(s, [
      { meterId: s.meters[0]!.id, value: '12400' },
      { meterId: s.meters[0]!.id, value: '12401' },
    ]);
    expect(twice.body.error.fields['readings.1.meterId'].code).to.equal('meter_repeated');
    expect(await stored(s)).to.equal(0);
  });

  it('refuses a meter of another account, an account not linked and an account of another tenant', async () => {
    const other = await scene();
    const foreignMeter = await submit(s, [{ meterId: other.meters[0]!.id, value: '12400' }]);
    expect(foreignMeter.status).to.equal(400);
    expect(foreignMeter.body.error.fields['readings.0.meterId'].code).to.equal('meter_not_found');
    const unlinked = await api(`/api/v1/t/${s.tenant.slug}/readings`, {
      body: { accountId: other.accountId, readings: [{ meterId: other.meters[0]!.id, value: '12400' }] },
      headers: s.auth,
    });
    expect(unlinked.status).to.equal(404);
    const crossTenant = await api(`/api/v1/t/${other.tenant.slug}/readings`, {
      body: { accountId: s.accountId, readings: [{ meterId: s.meters[0]!.id, value: '12400' }] },
      headers: other.auth,
    });
    expect(crossTenant.status).to.equal(404);
    const history = await api(`/api/v1/t/${s.tenant.slug}/accounts/${other.accountId}/readings`, { headers: s.auth });
    expect(history.status).to.equal(404);
    expect(await stored(s)).to.equal(0);
    expect(await stored(other)).to.equal(0);
  });

  it('refuses the same reading sent again in the period', async () => {
    const meterId = s.meters[0]!.id;
    expect((await submit(s, [{ meterId, value: '12400' }])).status).to.equal(201);
    const again = await submit(s, [{ meterId, value: '12400' }]);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('reading_duplicate');
    expect(await stored(s)).to.equal(1);
  });

  it('requires a signed-in subscriber', async () => {
    const res = await api(`/api/v1/t/${s.tenant.slug}/readings`, { body: { accountId: s.accountId, readings: [] } });
    expect(res.status).to.equal(401);
  });
});

describe('readings: Idempotency-Key', () => {
  it('answers a retried submission with the first result and stores one reading', async () => {
    const s = await scene();
    const key = randomBytes(16).toString('hex');
    const readings = [{ meterId: s.meters[0]!.id, value: '12400' }];
    const first = await submit(s, readings, { 'Idempotency-Key': key });
    const retry = await submit(s, readings, { 'Idempotency-Key': key });
    expect(retry.status).to.equal(201);
    expect(retry.headers.get('idempotent-replayed')).to.equal('true');
    expect(retry.body).to.deep.equal(first.body);
    expect(await stored(s)).to.equal(1);
  });

  it('stores one reading when the same request arrives many times at once', async () => {
    const s = await scene();
    const key = randomBytes(16).toString('hex');
    const readings = [{ meterId: s.meters[0]!.id, value: '12400' }];
    const answers = await Promise.all(Array.from({ length: 10 }, () => submit(s, readings, { 'Idempotency-Key': key })));
    const ok = answers.filter((a) => a.status === 201);
    expect(ok.length).to.be.greaterThan(0);
    expect(new Set(ok.map((a) => a.body.readings[0].id)).size).to.equal(1);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a.body.error.code).to.equal('idempotency_in_progress');
    expect(await stored(s)).to.equal(1);
  });

  it('stores one reading for concurrent duplicates without a key too', async () => {
    const s = await scene();
    const readings = [{ meterId: s.meters[0]!.id, value: '12400' }];
    const answers = await Promise.all(Array.from({ length: 6 }, () => submit(s, readings)));
    expect(answers.filter((a) => a.status === 201)).to.have.length(1);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a.body.error.code).to.equal('reading_duplicate');
    expect(await stored(s)).to.equal(1);
  });

  it('refuses a key reused for another submission and a malformed key', async () => {
    const s = await scene();
    const key = randomBytes(16).toString('hex');
    await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }], { 'Idempotency-Key': key });
    const reused = await submit(s, [{ meterId: s.meters[0]!.id, value: '12401' }], { 'Idempotency-Key': key });
    expect(reused.status).to.equal(422);
    expect(reused.body.error.code).to.equal('idempotency_key_reused');
    const bad = await submit(s, [{ meterId: s.meters[0]!.id, value: '12402' }], { 'Idempotency-Key': 'short' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.fields['Idempotency-Key'].code).to.equal('idempotency_key_invalid');
    expect(await stored(s)).to.equal(1);
  });
});

describe('readings: with a payment', () => {
  it('checks readings when the payment is made and stores them, marked as sent with it, when it succeeds', async () => {
    const s = await scene({}, [{ digits: 5, decimals: 0, last: 99_950_000 }]);
    const ctx = ctxFor(s);
    const meterId = s.meters[0]!.id;
    const refused = await validateSubmission(ctx, { accountId: s.accountId, readings: [{ meterId, value: '30' }] }).then(
      () => expect.fail('a rollover needs confirming'),
      (e: unknown) => e as DomainError,
    );
    expect(refused.code).to.equal('readings_confirmation_required');
    const normalized = await validateSubmission(ctx, {
      accountId: s.accountId,
      readings: [{ meterId, value: '30', confirmRollover: true }],
    });
    expect(await stored(s)).to.equal(0);
    const kept = JSON.parse(JSON.stringify(normalized));
    const result = await acceptSubmission({ tenant: ctx.tenant, requestId: ctx.requestId, lng: ctx.lng, t: ctx.t }, kept, {
      source: 'payment',
      paymentId: 'pay_1',
    });
    expect(result.readings[0]).to.include({ source: 'payment', paymentId: 'pay_1', value: '30' });
    const h = await history(s);
    expect(h.body.meters[0].readings[0]).to.include({ source: 'payment', status: 'accepted' });
  });
});

describe('readings: integration export and webhook', () => {
  const key = (t: TenantDoc) => ({ Authorization: `Bearer demo-${t.slug}` });

  it('exports new readings after a cursor, in order, without skipping or repeating any', async () => {
    const s = await scene({}, [
      { digits: 5, decimals: 0, last: 1_000_000 },
      { digits: 5, decimals: 3, last: 1_000_000 },
    ]);
    const url = (cursor?: string) => `/api/v1/t/${s.tenant.slug}/integration/export/readings${cursor ? `?cursor=${cursor}` : ''}`;
    await submit(s, [{ meterId: s.meters[0]!.id, value: '1010' }]);
    const first = await api(url(), { headers: key(s.tenant) });
    expect(first.status).to.equal(200);
    expect(first.body.items.map((i: { value: string }) => i.value)).to.deep.equal(['1010']);
    expect(first.body.items[0]).to.include({
      accountNumber: s.accountNumber,
      meterSerialNumber: s.meters[0]!.serialNumber,
      period: periodOf(new Date()),
    });
    await Promise.all([
      submit(s, [{ meterId: s.meters[0]!.id, value: '1011' }]),
      submit(s, [{ meterId: s.meters[1]!.id, value: '1002.5' }]),
    ]);
    const next = await api(url(first.body.cursor), { headers: key(s.tenant) });
    expect(next.body.items.map((i: { value: string }) => i.value).sort()).to.deep.equal(['1002.500', '1011']);
    const seqs = [...first.body.items, ...next.body.items].map((i: { seq: number }) => i.seq);
    expect(seqs).to.deep.equal([1, 2, 3]);
    const none = await api(url(next.body.cursor), { headers: key(s.tenant) });
    expect(none.body).to.deep.include({ items: [], cursor: next.body.cursor, hasMore: false });
  });

  it('refuses the export without the tenant’s API key', async () => {
    const s = await scene();
    const res = await api(`/api/v1/t/${s.tenant.slug}/integration/export/readings`, { headers: s.auth });
    expect(res.status).to.equal(401);
  });

  it('shows a reading the billing system rejected, with its reason, and lets the person send it again', async () => {
    const s = await scene();
    const meterId = s.meters[0]!.id;
    const sent = await submit(s, [{ meterId, value: '12400' }]);
    const id = sent.body.readings[0].id;
    const res = await api(`/api/v1/t/${s.tenant.slug}/integration/readings/status`, {
      body: { items: [{ id, status: 'rejected', reason: 'Не совпадает с показаниями контролёра' }] },
      headers: key(s.tenant),
    });
    expect(res.body).to.deep.equal({ updated: 1, skipped: [] });
    const reading = (await history(s)).body.meters[0].readings[0];
    expect(reading).to.include({ status: 'rejected', rejectionReason: 'Не совпадает с показаниями контролёра' });
    expect((await submit(s, [{ meterId, value: '12400' }])).status).to.equal(201);
  });

  it('announces new readings to the tenant’s webhook through the outbox, signed', async () => {
    const endpoint = await startEndpoint();
    const { hits } = endpoint;
    try {
      const s = await scene({
        webhookUrl: endpoint.url,
        webhookSecret: 'whsec-test-readings',
      });
      await submit(s, [{ meterId: s.meters[0]!.id, value: '12400' }]);
      await waitFor(() => hits.length > 0, 5000, 25);
      expect(hits).to.have.length(1);
      const [, timestamp, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hits[0]!.headers['x-gaskit-signature'])) ?? [];
      expect(mac).to.equal(createHmac('sha256', 'whsec-test-readings').update(`${timestamp}.${hits[0]!.body}`).digest('hex'));
      expect(hits[0]!.headers['x-gaskit-event']).to.equal('readings.submitted');
      const body = JSON.parse(hits[0]!.body);
      expect(body.event).to.equal('readings.submitted');
      expect(body.data).to.include({ accountId: s.accountId, accountNumber: s.accountNumber });
      expect(body.data.readings[0]).to.include({ value: '12400', status: 'accepted' });
    } finally {
      await endpoint.close();
    }
  });
});

describe('readings: reminders', () => {
  let mail: MailCatcher;
  let previous: NotifyOptions = {};
  before(async () => {
    previous = testApp().notify.settings();
    mail = await startMailCatcher();
    testApp().notify.configure({ smtp: mail.smtp });
  });
  after(async () => {
    testApp().notify.configure(previous);
    await mail.stop();
  });

  it('emails once per period the subscribers without a reading when the window is about to close', async () => {
    const s = await scene({ windowStartDay: 1, windowEndDay: 25, reminderDaysBeforeEnd: 3 });
    const done = await scene({ windowStartDay: 1, windowEndDay: 25, reminderDaysBeforeEnd: 3 });
    // 23 March in Moscow: the window closes in two days.
    const now = new Date('2030-03-23T09:00:00Z');
    expect(await remindTenant(s.tenant, new Date('2030-03-10T09:00:00Z'))).to.equal(0);
    expect(await remindTenant(s.tenant, now)).to.equal(1);
    expect(await remindTenant(s.tenant, now)).to.equal(0);
    const message = await mail.waitFor((m) => m.subject.includes('25 марта 2030'));
    expect(message.text).to.contain(s.accountNumber);
    expect(message.text).to.contain('март 2030');

    await submitReadings(
      ctxFor(done),
      { accountId: done.accountId, readings: [{ meterId: done.meters[0]!.id, value: '12400' }] },
      { now },
    );
    expect(await remindTenant(done.tenant, now)).to.equal(0);
  });
  it('reminds the cabinets linked before the supplier’s stream of cabinets, then reads only by key', async () => {
    const s = await scene({ windowStartDay: 1, windowEndDay: 25, reminderDaysBeforeEnd: 3 });
    // A cabinet linked by the earlier version: its link list alone, in no supplier stream.
    const earlier = await signedInSubscriber(s.tenant.slug);
    const link = { realm: s.tenant.realm, tenantId: s.tenant._id, accountId: s.accountId, accountNumber: s.accountNumber };
    await AccountLinkList.create({
      _id: String(earlier.subscriber._id),
      subscriberId: earlier.subscriber._id,
      links: [{ ...link, mode: 'basic', linkedAt: new Date() }],
      rev: 1,
    });
    const now = new Date('2030-03-23T09:00:00Z');
    expect(await remindTenant(s.tenant, now)).to.equal(2);

    // Enrolled once: the next run finds both cabinets by `_id` alone.
    const filters: Record<string, unknown>[] = [];
    const stopWatching = watchOperations((_collection: string, method: string, filter: Record<string, unknown>) => {
      if (['find', 'findOne', 'countDocuments', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany'].includes(method)) {
        filters.push(filter);
      }
    });
    try {
      expect(await remindTenant(s.tenant, new Date('2030-04-23T09:00:00Z'))).to.equal(2);
    } finally {
      stopWatching();
    }
    expect(filters).to.not.deep.equal([]);
    const byKey = (f: Record<string, unknown>) =>
      Object.keys(f).join() === '_id' && (typeof f._id === 'string' || f._id instanceof mongoose.Types.ObjectId);
    expect(filters.filter((f) => !byKey(f))).to.deep.equal([]);
  });
  it('reminds a subscriber while any meter of an account has no counting reading for the period', async () => {
    const rules = { windowStartDay: 1, windowEndDay: 25, reminderDaysBeforeEnd: 3 };
    const meters: MeterSpec[] = [
      { digits: 5, decimals: 0, last: 12_345_000 },
      { digits: 5, decimals: 0, last: 12_345_000 },
    ];
    const half = await scene(rules, meters);
    const rejected = await scene(rules);
    const now = new Date('2030-04-23T09:00:00Z');
    const on = { now: new Date('2030-04-20T09:00:00Z') };
    await submitReadings(
      ctxFor(half),
      { accountId: half.accountId, readings: [{ meterId: half.meters[0]!.id, value: '12400' }] },
      on,
    );
    const sent = await submitReadings(
      ctxFor(rejected),
      { accountId: rejected.accountId, readings: [{ meterId: rejected.meters[0]!.id, value: '12400' }] },
      on,
    );
    await setReadingStatuses(rejected.tenant, [{ id: sent.readings[0]!.id, status: 'rejected', reason: 'Ошибка' }]);
    expect(await remindTenant(half.tenant, now)).to.equal(1);
    expect(await remindTenant(rejected.tenant, now)).to.equal(1);
  });
});

import {
  formatReading,
  meterCapacity,
  MILLI_PER_UNIT,
  parseReading,
  type ReadingConfirmation,
  type ReadingInput,
  type ReadingWarning,
} from '../../sdk/readings.ts';
import mongoose from 'mongoose';
import { auth } from '../auth/policy.ts';
import type { Ctx } from '../http/context.ts';
import { DomainError, NotFoundError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { enqueue } from '../notify/service.ts';
import { defineTemplate } from '../notify/templates.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { registerWorker } from '../workers.ts';
import {
  accountMeters,
  accountTariff,
  linkedAccount,
  remindableSubscribers,
  subscriberContact,
  tenantsWithReminders,
  type MeterFacts,
} from './collaborators.ts';
import { Reading, ReadingReminder, type ReadingDoc, type ReadingSource, type ReadingStatus } from './model.ts';
import { daysBetween, formatLocalDate, windowAt, zonedMidnight, type WindowRules, type WindowState } from './window.ts';

/** Options every rule-checking call takes; `now` lets tests stand on any day of the month. */
export interface Clock {
  now?: Date;
}

/** A reading checked against the meter's notation, in thousandths, with the person's confirmations. */
export interface NormalizedReading {
  meterId: string;
  valueMilli: number;
  confirmRollover: boolean;
  confirmImplausible: boolean;
}

/**
 * What `validateSubmission` hands back and `acceptSubmission` stores: plain JSON, so the payment
 * module can keep it with a payment and store the readings once the payment succeeds.
 */
export interface NormalizedSubmission {
  tenantId: string;
  accountId: string;
  accountNumber: string;
  subscriberId: string | null;
  readings: NormalizedReading[];
}

/** How a reading compares with the one before it. */
interface Evaluation {
  meter: MeterFacts;
  reading: NormalizedReading;
  previous: { milli: number; date: Date } | null;
  consumptionMilli: number | null;
  rollover: boolean;
  implausible: boolean;
  confirmationsNeeded: ReadingConfirmation[];
  warnings: ReadingWarning[];
}

const COUNTING: ReadingStatus[] = ['accepted', 'queued'];
const DAYS_PER_MONTH = 30.44;

/** The tenant's readings rules, with defaults for tenants stored before a setting existed. */
function readingRules(tenant: TenantDoc) {
  const r = tenant.readings;
  return {
    windowStartDay: r.windowStartDay,
    windowEndDay: r.windowEndDay,
    outsideWindow: r.outsideWindow,
    timeZone: r.timeZone || 'Europe/Moscow',
    plausibilityFactor: r.plausibilityFactor || 3,
    reminderDaysBeforeEnd: r.reminderDaysBeforeEnd ?? 0,
    reminderUrl: r.reminderUrl ?? '',
    webhookUrl: r.webhookUrl ?? '',
    webhookSecret: r.webhookSecret ?? '',
  };
}

function windowRules(tenant: TenantDoc): WindowRules {
  const { windowStartDay, windowEndDay, outsideWindow, timeZone } = readingRules(tenant);
  return { windowStartDay, windowEndDay, outsideWindow, timeZone };
}

/** The window as the widgets show it: whether readings are taken, for which period, and whether they wait. */
function publicWindow(tenant: TenantDoc, state: WindowState) {
  const rules = readingRules(tenant);
  const refused = !state.open && rules.outsideWindow === 'reject';
  return {
    startDay: rules.windowStartDay,
    endDay: rules.windowEndDay,
    outsideWindow: rules.outsideWindow,
    open: state.open,
    period: refused ? null : state.period,
    queued: !state.open && !refused,
    opensOn: state.opensOn,
    closesOn: state.closesOn,
  };
}

function assertWindowOpen(tenant: TenantDoc, state: WindowState): void {
  const rules = readingRules(tenant);
  if (!state.open && rules.outsideWindow === 'reject') {
    throw new RuleViolation('readings_window_closed', { start: rules.windowStartDay, end: rules.windowEndDay });
  }
}

/**
 * The reading a new one for `period` is compared with: the newest reading that counts from an
 * earlier period, or the billing system's last reading when that is newer.
 */
async function baseline(
  tenantId: TenantDoc['_id'],
  meter: MeterFacts,
  period: string,
): Promise<{ milli: number; date: Date } | null> {
  const own = await Reading.findOne(
    { tenantId, meterId: meter.id, status: mongoose.trusted({ $in: COUNTING }), period: mongoose.trusted({ $lt: period }) },
    { valueMilli: 1, submittedAt: 1 },
  )
    .sort({ period: -1, seq: -1 })
    .lean();
  const mine = own ? { milli: own.valueMilli, date: own.submittedAt } : null;
  if (meter.last && (!mine || meter.last.date > mine.date)) return meter.last;
  return mine;
}

/** Average monthly consumption (thousandths) over the meter's counting readings of the last year, if there are two. */
async function usualMonthlyMilli(tenantId: TenantDoc['_id'], meterId: string, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - 366 * 86_400_000);
  const rows = await Reading.find(
    { tenantId, meterId, status: mongoose.trusted({ $in: COUNTING }), submittedAt: mongoose.trusted({ $gte: since }) },
    { consumptionMilli: 1, submittedAt: 1 },
  )
    .sort({ submittedAt: 1 })
    .lean();
  const measured = rows.filter((r) => r.consumptionMilli !== null);
  if (measured.length < 2) return null;
  const total = measured.slice(1).reduce((sum, r) => sum + (r.consumptionMilli ?? 0), 0);
  const months =
    (measured[measured.length - 1]!.submittedAt.getTime() - measured[0]!.submittedAt.getTime()) / (DAYS_PER_MONTH * 86_400_000);
  return months >= 1 ? total / months : null;
}

/**
 * Compares a reading with the one before it: the consumption, a rollover when the value is below
 * the last one but the meter can have gone past its capacity (less than half a dial since), an
 * implausible consumption (above the usual × months since × the tenant's factor), and the
 * confirmations still missing. A value below the last one that cannot be a rollover is refused.
 */
async function evaluate(
  ctx: Ctx,
  meter: MeterFacts,
  reading: NormalizedReading,
  state: WindowState,
  now: Date,
): Promise<Evaluation | { refusal: { code: string; params: Record<string, unknown> } }> {
  const tenantId = ctx.tenant._id;
  const previous = await baseline(tenantId, meter, state.period);
  let consumptionMilli: number | null = null;
  let rollover = false;
  if (previous && reading.valueMilli >= previous.milli) consumptionMilli = reading.valueMilli - previous.milli;
  else if (previous) {
    const capacity = meterCapacity(meter.digits);
    consumptionMilli = capacity - previous.milli + reading.valueMilli;
    if (consumptionMilli > capacity / 2) {
      return { refusal: { code: 'reading_below_last', params: { last: formatReading(previous.milli, meter.decimals) } } };
    }
    rollover = true;
  }
  let implausible = false;
  if (previous && consumptionMilli) {
    const usual = meter.usualMonthlyMilli ?? (await usualMonthlyMilli(tenantId, meter.id, now));
    if (usual) {
      const months = Math.max(1, (now.getTime() - previous.date.getTime()) / (DAYS_PER_MONTH * 86_400_000));
      implausible = consumptionMilli > usual * months * readingRules(ctx.tenant).plausibilityFactor;
    }
  }
  const confirmationsNeeded: ReadingConfirmation[] = [];
  if (rollover && !reading.confirmRollover) confirmationsNeeded.push('rollover');
  if (implausible && !reading.confirmImplausible) confirmationsNeeded.push('implausible');
  const warnings: ReadingWarning[] = [];
  if (meter.verificationDue && meter.verificationDue < formatLocalDate(state.today)) warnings.push('verification_overdue');
  return { meter, reading, previous, consumptionMilli, rollover, implausible, confirmationsNeeded, warnings };
}

/** Refuses a value already counted for the meter in this period. */
async function assertNotDuplicate(ctx: Ctx, evaluations: Evaluation[], period: string): Promise<void> {
  const fields: FieldErrors = {};
  for (const [i, e] of evaluations.entries()) {
    const exists = await Reading.exists({
      tenantId: ctx.tenant._id,
      meterId: e.meter.id,
      countsKey: `${period}:${e.reading.valueMilli}`,
    });
    if (exists) fields[`readings.${i}.value`] = { code: 'reading_duplicate' };
  }
  if (Object.keys(fields).length) throw new DomainError('conflict', 'reading_duplicate', {}, fields);
}

/** Evaluates every reading; refusals by field (`readings.<i>.value`), the first one's code as the answer's. */
async function evaluateAll(ctx: Ctx, meters: MeterFacts[], readings: NormalizedReading[], state: WindowState, now: Date) {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const fields: FieldErrors = {};
  const evaluations: Evaluation[] = [];
  let first: { code: string; params: Record<string, unknown> } | undefined;
  for (const [i, reading] of readings.entries()) {
    const result = await evaluate(ctx, byId.get(reading.meterId)!, reading, state, now);
    if ('refusal' in result) {
      first ??= result.refusal;
      fields[`readings.${i}.value`] = result.refusal;
    } else evaluations.push(result);
  }
  if (first) throw new RuleViolation(first.code, first.params, fields);
  return evaluations;
}

/** The confirmations still missing, as the endpoint's answer. */
function assertConfirmed(evaluations: Evaluation[]): void {
  const fields: FieldErrors = {};
  for (const [i, e] of evaluations.entries()) {
    if (e.confirmationsNeeded.includes('rollover')) {
      fields[`readings.${i}.value`] = {
        code: 'rollover_confirmation_required',
        params: { last: formatReading(e.previous!.milli, e.meter.decimals) },
      };
    } else if (e.confirmationsNeeded.includes('implausible')) {
      fields[`readings.${i}.value`] = {
        code: 'implausible_confirmation_required',
        params: { consumption: formatReading(e.consumptionMilli ?? 0, e.meter.decimals) },
      };
    }
  }
  if (Object.keys(fields).length) throw new RuleViolation('readings_confirmation_required', {}, fields);
}

/** Parses the values against each meter of the account; refuses unknown or repeated meters and malformed values. */
function normalize(meters: MeterFacts[], readings: ReadingInput[]): NormalizedReading[] {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const fields: FieldErrors = {};
  const seen = new Set<string>();
  const normalized: NormalizedReading[] = [];
  for (const [i, r] of readings.entries()) {
    const meter = byId.get(r.meterId);
    if (!meter) {
      fields[`readings.${i}.meterId`] = { code: 'meter_not_found' };
      continue;
    }
    if (seen.has(meter.id)) {
      fields[`readings.${i}.meterId`] = { code: 'meter_repeated' };
      continue;
    }
    seen.add(meter.id);
    const parsed = parseReading(r.value, meter);
    if (!parsed.ok) {
      fields[`readings.${i}.value`] = { code: parsed.code, params: parsed.params };
      continue;
    }
    normalized.push({
      meterId: meter.id,
      valueMilli: parsed.milli,
      confirmRollover: r.confirmRollover === true,
      confirmImplausible: r.confirmImplausible === true,
    });
  }
  if (readings.length === 0) fields.readings = { code: 'readings_empty' };
  if (Object.keys(fields).length) throw new ValidationError(fields);
  return normalized;
}

/**
 * The rules that hold for every way in: the window (closed and refusing: an error), each reading
 * against the one before it, and no value counted twice in a period.
 */
async function check(ctx: Ctx, meters: MeterFacts[], readings: NormalizedReading[], now: Date) {
  const state = windowAt(windowRules(ctx.tenant), now);
  assertWindowOpen(ctx.tenant, state);
  const evaluations = await evaluateAll(ctx, meters, readings, state, now);
  await assertNotDuplicate(ctx, evaluations, state.period);
  return { state, evaluations };
}

type SubmissionInput = { accountId: string; readings: ReadingInput[] };

/**
 * Checks a submission for a linked account without storing it: the values against the meters,
 * the window, the last readings, duplicates and the confirmations. Throws the endpoint's errors
 * (including `readings_confirmation_required`); returns what `acceptSubmission` stores.
 */
export async function validateSubmission(
  ctx: Ctx,
  input: SubmissionInput,
  { now = new Date() }: Clock = {},
): Promise<NormalizedSubmission> {
  const account = await linkedAccount(ctx, input.accountId);
  const meters = await accountMeters(ctx.tenant._id, input.accountId);
  const readings = normalize(meters, input.readings);
  const { evaluations } = await check(ctx, meters, readings, now);
  assertConfirmed(evaluations);
  return {
    tenantId: String(ctx.tenant._id),
    accountId: input.accountId,
    accountNumber: account.number,
    subscriberId: ctx.subscriberId ?? null,
    readings,
  };
}

/** `POST readings/preview`: consumption, cost at the tariff, period, confirmations and warnings, nothing stored. */
export async function previewSubmission(ctx: Ctx, input: SubmissionInput, { now = new Date() }: Clock = {}) {
  await linkedAccount(ctx, input.accountId);
  const meters = await accountMeters(ctx.tenant._id, input.accountId);
  const { state, evaluations } = await check(ctx, meters, normalize(meters, input.readings), now);
  const tariff = await accountTariff(ctx.tenant._id, input.accountId);
  const items = evaluations.map((e) => {
    const cost = tariff && e.consumptionMilli !== null ? Math.round((e.consumptionMilli * tariff.price) / MILLI_PER_UNIT) : null;
    return {
      meterId: e.meter.id,
      value: formatReading(e.reading.valueMilli, e.meter.decimals),
      previous: e.previous
        ? { value: formatReading(e.previous.milli, e.meter.decimals), date: e.previous.date.toISOString() }
        : null,
      consumption: e.consumptionMilli === null ? null : formatReading(e.consumptionMilli, e.meter.decimals),
      cost,
      tariff,
      rollover: e.rollover,
      implausible: e.implausible,
      confirmationsNeeded: e.confirmationsNeeded,
      warnings: e.warnings,
    };
  });
  return {
    accountId: input.accountId,
    window: publicWindow(ctx.tenant, state),
    readings: items,
    totalCost: items.reduce((sum, i) => sum + (i.cost ?? 0), 0),
  };
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

/**
 * Inserts a reading at the end of the tenant's export stream. The position is the last one + 1,
 * made unique by an index: a concurrent insert that took it first makes this one try the next,
 * so positions have no gaps and become visible in order, which is what lets the export cursor
 * never skip a reading.
 */
async function insertReading(doc: Omit<ReadingDoc, '_id' | 'seq' | 'updatedAt'>): Promise<ReadingDoc> {
  for (;;) {
    const last = await Reading.findOne({ tenantId: doc.tenantId }, { seq: 1 }).sort({ seq: -1 }).lean();
    try {
      const created = await Reading.create({ ...doc, seq: (last?.seq ?? 0) + 1 });
      return created.toObject();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const counted = await Reading.exists({ tenantId: doc.tenantId, meterId: doc.meterId, countsKey: doc.countsKey });
      if (counted) throw new DomainError('conflict', 'reading_duplicate');
    }
  }
}

/** Older readings of the same meter and period stop counting once a newer one is stored (a correction). */
async function supersedeOlder(reading: ReadingDoc): Promise<void> {
  const older = await Reading.find(
    {
      tenantId: reading.tenantId,
      meterId: reading.meterId,
      period: reading.period,
      status: mongoose.trusted({ $in: COUNTING }),
      seq: mongoose.trusted({ $lt: reading.seq }),
    },
    { _id: 1 },
  ).lean();
  for (const o of older) {
    await Reading.updateOne(
      { _id: o._id },
      { $set: { status: 'superseded', countsKey: `void:${o._id}` }, $unset: { acceptAt: 1 } },
    );
  }
}

/** A reading as the API shows it, in its meter's notation. */
function toPublicReading(r: ReadingDoc) {
  const { decimals } = r;
  return {
    id: String(r._id),
    accountId: String(r.accountId),
    meterId: String(r.meterId),
    value: formatReading(r.valueMilli, decimals),
    period: r.period,
    status: r.status,
    source: r.source,
    rejectionReason: r.rejectionReason ?? null,
    consumption: r.consumptionMilli === null ? null : formatReading(r.consumptionMilli, decimals),
    rollover: r.rollover,
    paymentId: r.paymentId ?? null,
    submittedAt: r.submittedAt.toISOString(),
  };
}

async function announce(
  tenant: TenantDoc,
  submission: NormalizedSubmission,
  period: string,
  stored: ReturnType<typeof toPublicReading>[],
) {
  const { webhookUrl, webhookSecret } = readingRules(tenant);
  if (!webhookUrl) return;
  await enqueue(
    { tenant },
    {
      kind: 'webhook',
      url: webhookUrl,
      event: 'readings.submitted',
      secret: webhookSecret,
      data: { accountId: submission.accountId, accountNumber: submission.accountNumber, period, readings: stored },
    },
  );
}

/**
 * Stores a submission that `validateSubmission` passed, checking the rules again as they stand
 * now (time has passed for a payment). Readings outside the window wait for the next one
 * (`queued`); a newer reading of a meter in the same period replaces the older one.
 */
export async function acceptSubmission(
  ctx: Ctx,
  submission: NormalizedSubmission,
  origin: { source: ReadingSource; paymentId?: string },
  { now = new Date() }: Clock = {},
) {
  if (submission.tenantId !== String(ctx.tenant._id)) throw new NotFoundError('account_not_found');
  const meters = await accountMeters(ctx.tenant._id, submission.accountId);
  const known = new Set(meters.map((m) => m.id));
  if (submission.readings.some((r) => !known.has(r.meterId))) throw new NotFoundError('meter_not_found');
  const { state, evaluations } = await check(ctx, meters, submission.readings, now);
  assertConfirmed(evaluations);

  const queued = !state.open;
  const acceptAt = queued ? zonedMidnight(state.opensOn, windowRules(ctx.tenant).timeZone) : undefined;
  const stored: ReturnType<typeof toPublicReading>[] = [];
  for (const e of evaluations) {
    const doc = await insertReading({
      tenantId: ctx.tenant._id,
      accountId: new mongoose.Types.ObjectId(submission.accountId),
      accountNumber: submission.accountNumber,
      meterId: new mongoose.Types.ObjectId(e.meter.id),
      meterSerialNumber: e.meter.serialNumber,
      ...(submission.subscriberId ? { subscriberId: new mongoose.Types.ObjectId(submission.subscriberId) } : {}),
      source: origin.source,
      ...(origin.paymentId ? { paymentId: origin.paymentId } : {}),
      period: state.period,
      valueMilli: e.reading.valueMilli,
      decimals: e.meter.decimals,
      previousMilli: e.previous?.milli ?? null,
      consumptionMilli: e.consumptionMilli,
      rollover: e.rollover,
      status: queued ? 'queued' : 'accepted',
      ...(acceptAt ? { acceptAt } : {}),
      countsKey: `${state.period}:${e.reading.valueMilli}`,
      submittedAt: now,
    });
    await supersedeOlder(doc);
    stored.push(toPublicReading(doc));
  }
  await announce(ctx.tenant, submission, state.period, stored);
  return {
    accountId: submission.accountId,
    period: state.period,
    queued,
    readings: stored,
    warnings: evaluations.flatMap((e) => e.warnings.map((warning) => ({ meterId: e.meter.id, warning }))),
  };
}

/** `POST readings`: validate and store in one go, from the cabinet. */
export async function submitReadings(ctx: Ctx, input: SubmissionInput, clock: Clock = {}) {
  const submission = await validateSubmission(ctx, input, clock);
  return acceptSubmission(ctx, submission, { source: 'portal' }, clock);
}

/**
 * `GET accounts/:id/readings`: the window and, per meter, its last reading and history (newest first).
 * Serial numbers are extended-mode data, as in the account summary.
 */
export async function readingHistory(ctx: Ctx, accountId: string, { now = new Date() }: Clock = {}) {
  const account = await linkedAccount(ctx, accountId);
  const meters = await accountMeters(ctx.tenant._id, accountId);
  const state = windowAt(windowRules(ctx.tenant), now);
  const today = formatLocalDate(state.today);
  const rows = await Reading.find({ tenantId: ctx.tenant._id, accountId })
    .sort({ submittedAt: -1, seq: -1 })
    .limit(1000)
    .lean<ReadingDoc[]>();
  return {
    accountId,
    window: publicWindow(ctx.tenant, state),
    meters: await Promise.all(
      meters.map(async (m) => {
        const last = await baseline(ctx.tenant._id, m, '9999-12');
        const previous = await baseline(ctx.tenant._id, m, state.period);
        return {
          meter: {
            id: m.id,
            serialNumber: account.extended ? m.serialNumber : '',
            name: m.name,
            digits: m.digits,
            decimals: m.decimals,
            verificationDue: m.verificationDue,
            verificationOverdue: m.verificationDue !== null && m.verificationDue < today,
          },
          last: last ? { value: formatReading(last.milli, m.decimals), date: last.date.toISOString() } : null,
          previous: previous ? { value: formatReading(previous.milli, m.decimals), date: previous.date.toISOString() } : null,
          readings: rows.filter((r) => String(r.meterId) === m.id).map(toPublicReading),
        };
      }),
    ),
  };
}

/** A reading as the billing system gets it from the export. */
function toExported(r: ReadingDoc) {
  return {
    ...toPublicReading(r),
    seq: r.seq,
    accountNumber: r.accountNumber,
    meterSerialNumber: r.meterSerialNumber,
    previous: r.previousMilli === null ? null : formatReading(r.previousMilli, r.decimals),
  };
}

/**
 * `GET integration/export/readings?cursor=`: the tenant's readings stored after the cursor, in
 * the order they were stored, and the cursor to continue from. The cursor is a position in the
 * tenant's gap-free stream, so polling with the last cursor never skips or repeats a reading.
 */
export async function exportReadings(tenant: TenantDoc, { cursor, limit = 500 }: { cursor?: string; limit?: number }) {
  const after = cursor ? Number(cursor) : 0;
  const rows = await Reading.find({ tenantId: tenant._id, seq: mongoose.trusted({ $gt: after }) })
    .sort({ seq: 1 })
    .limit(limit + 1)
    .lean<ReadingDoc[]>();
  const items = rows.slice(0, limit).map(toExported);
  return { items, cursor: String(items.at(-1)?.seq ?? after), hasMore: rows.length > limit };
}

/**
 * `POST integration/readings/status`: the billing system's verdict on readings it received. A
 * rejected reading (with the reason the subscriber will see) stops counting, so the same value
 * may be sent again. Readings unknown to the tenant, or no longer counting (rejected, replaced),
 * are left alone and listed as skipped.
 */
export async function setReadingStatuses(
  tenant: TenantDoc,
  items: { id: string; status: 'accepted' | 'rejected'; reason?: string }[],
): Promise<{ updated: number; skipped: string[] }> {
  let updated = 0;
  const skipped: string[] = [];
  for (const item of items) {
    const change =
      item.status === 'rejected'
        ? {
            $set: { status: 'rejected', rejectionReason: item.reason ?? '', countsKey: `void:${item.id}` },
            $unset: { acceptAt: 1 },
          }
        : { $set: { status: 'accepted' }, $unset: { acceptAt: 1 } };
    const res = await Reading.updateOne(
      { tenantId: tenant._id, _id: item.id, status: mongoose.trusted({ $in: COUNTING }) },
      change,
    );
    if (res.matchedCount) updated += 1;
    else skipped.push(item.id);
  }
  return { updated, skipped };
}

/** Readings that waited for their window count from its first day. */
export async function acceptQueued(now = new Date()): Promise<number> {
  const res = await Reading.updateMany(
    { status: 'queued', acceptAt: mongoose.trusted({ $lte: now }) },
    { $set: { status: 'accepted' }, $unset: { acceptAt: 1 } },
  );
  return res.modifiedCount;
}

defineTemplate('readings.reminder', (t, data) => ({
  subject: t('readings:reminder.subject', data),
  blocks: [
    { text: t('readings:reminder.greeting') },
    { text: t('readings:reminder.body', data) },
    ...(data.url ? [{ button: t('readings:reminder.action'), url: String(data.url) }] : []),
  ],
}));

/** A period and a day as the recipient reads them: "март 2026 г.", "25 марта 2026 г.". */
function humanDates(lng: string, period: string, day: string): { period: string; date: string } {
  const utc = { timeZone: 'UTC' } as const;
  return {
    period: new Intl.DateTimeFormat(lng, { ...utc, month: 'long', year: 'numeric' }).format(new Date(`${period}-01T00:00:00Z`)),
    date: new Intl.DateTimeFormat(lng, { ...utc, dateStyle: 'long' }).format(new Date(`${day}T00:00:00Z`)),
  };
}

/**
 * Reminds, by email, the subscribers of one tenant who have a meter without a reading for the
 * current period, when the window closes within the tenant's `reminderDaysBeforeEnd` days. One
 * reminder per subscriber and period: inserting its record claims it, so concurrent workers and
 * repeated runs send it once. The link is the tenant's readings page, else its hosted portal.
 */
export async function remindTenant(tenant: TenantDoc, now = new Date()): Promise<number> {
  const rules = readingRules(tenant);
  if (rules.reminderDaysBeforeEnd <= 0) return 0;
  const state = windowAt(windowRules(tenant), now);
  if (!state.open || daysBetween(formatLocalDate(state.today), state.closesOn) > rules.reminderDaysBeforeEnd) return 0;
  const url = rules.reminderUrl || (auth.publicUrl ? `${auth.publicUrl}/t/${tenant.slug}` : '');
  let sent = 0;
  for (const candidate of await remindableSubscribers(tenant._id)) {
    const missing: string[] = [];
    for (const account of candidate.accounts) {
      const meters = await accountMeters(tenant._id, account.id);
      const read = new Set(
        (
          await Reading.distinct('meterId', {
            tenantId: tenant._id,
            accountId: account.id,
            period: state.period,
            status: mongoose.trusted({ $in: COUNTING }),
          })
        ).map(String),
      );
      if (meters.some((m) => !read.has(m.id))) missing.push(account.number);
    }
    if (missing.length === 0) continue;
    const contact = await subscriberContact(tenant.realm, candidate.subscriberId);
    if (!contact) continue;
    try {
      await ReadingReminder.create({
        tenantId: tenant._id,
        subscriberId: candidate.subscriberId,
        period: state.period,
        sentAt: now,
      });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    const lng = tenant.locales.includes(contact.locale) ? contact.locale : tenant.defaultLocale;
    await enqueue(
      { tenant, lng },
      {
        kind: 'email',
        to: contact.email,
        template: 'readings.reminder',
        lng,
        data: { ...humanDates(lng, state.period, state.closesOn), accounts: missing.join(', '), url },
      },
    );
    sent += 1;
  }
  return sent;
}

export const REMINDER_WORKER = 'readings.reminders';
export const ACCEPT_QUEUED_WORKER = 'readings.accept-queued';

registerWorker({
  name: REMINDER_WORKER,
  intervalMs: 3_600_000,
  async run(logger) {
    for (const tenant of await tenantsWithReminders()) {
      const sent = await remindTenant(tenant);
      if (sent) logger.info({ tenant: tenant.slug, sent }, 'readings reminders enqueued');
    }
  },
});
registerWorker({
  name: ACCEPT_QUEUED_WORKER,
  intervalMs: 600_000,
  async run(logger) {
    const accepted = await acceptQueued();
    if (accepted) logger.info({ accepted }, 'queued readings accepted');
  },
});

import type { ReadingConfirmation, ReadingInput, ReadingWarning } from '../../contracts/readings.ts';
import { formatReading, meterCapacity, MILLI_PER_UNIT, parseReading } from '../../contracts/rules/readings.ts';
import mongoose from 'mongoose';
import { dueAt, queue, sweepDue, type Due } from '../db/kernel/expiry.ts';
import { isDuplicateKey, key } from '../db/kernel/keys.ts';
import { claim, releaseLease, type Lease } from '../db/kernel/leases.ts';
import { append, lastSeq, readAfter, readBefore, streamId } from '../db/kernel/streams.ts';
import type { Ctx } from '../http/context.ts';
import { DomainError, NotFoundError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { portalUrl } from '../http/public-url.ts';
import { enqueue } from '../notify/service.ts';
import { defineTemplate } from '../notify/templates.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { registerWorker } from '../workers.ts';
import {
  accountMeters,
  linkedAccount,
  remindableSubscribers,
  subscriberContact,
  tenantsWithReminders,
  type MeterFacts,
  type RemindableSubscriber,
} from './collaborators.ts';
import {
  ExportEntry,
  LegacyReadingId,
  PeriodEntry,
  Reading,
  ReadingReminder,
  type LegacyReadingIdDoc,
  type ReadingDoc,
  type ReadingRefDoc,
  type ReadingSource,
} from './model.ts';
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
  /** Sent through a basic-mode link (no PIN): it may not replace another cabinet's readings. */
  basic?: boolean;
  readings: NormalizedReading[];
}

/** Who submits: the cabinet, and whether its link is in basic mode. */
interface Submitter {
  subscriberId: string | null;
  basic: boolean;
}

/** How a reading compares with the one before it. */
interface Evaluation {
  meter: MeterFacts;
  reading: NormalizedReading;
  previous: { milli: number; date: Date } | null;
  consumptionMilli: number | null;
  rollover: boolean;
  implausible: boolean;
  /** The same value already counts for the meter in this period. */
  duplicate: boolean;
  confirmationsNeeded: ReadingConfirmation[];
  warnings: ReadingWarning[];
}

const DAYS_PER_MONTH = 30.44;
/** Readings a check reads of a meter's stream at a time: the last period's reading is nearly always among the newest two. */
const CHECK_PAGE = 2;
/** Readings of each meter the history shows, newest first: three years of monthly readings. */
const HISTORY_PAGE = 36;
/** Readings of a meter one request reads at most, looking for the reading before (past this, billing's last reading stands). */
const WALK_LIMIT = 120;
/** A period after every real one: the newest counting reading of any period is the one before it. */
const LATEST_PERIOD = '9999-12';
/** How long a submission may take between claiming its values and storing its readings. */
const CLAIM_MS = 60_000;
/** How long a counting reading holds its value: past the last day its period can take readings. */
const HOLD_MS = 120 * 86_400_000;

const counts = (r: Pick<ReadingDoc, 'status'>) => r.status === 'accepted' || r.status === 'queued';

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
 * A meter's readings newest first, read from its stream by `_id` a page at a time as far as a
 * request walks (at most WALK_LIMIT), each page once per request; each page after the first is
 * twice as long as the one before, up to HISTORY_PAGE.
 */
class MeterLog {
  private readonly seen: ReadingDoc[] = [];
  private next: number | null | undefined;

  constructor(
    readonly meterId: string,
    private pageSize: number,
  ) {}

  async *newestFirst(): AsyncGenerator<ReadingDoc> {
    for (let i = 0; ; i += 1) {
      if (i >= this.seen.length && !(await this.more())) return;
      yield this.seen[i]!;
    }
  }

  async newest(n: number): Promise<ReadingDoc[]> {
    while (this.seen.length < n) if (!(await this.more())) break;
    return this.seen.slice(0, n);
  }

  private async more(): Promise<boolean> {
    if (this.next === null || this.seen.length >= WALK_LIMIT) return false;
    const page = await readBefore<ReadingDoc>(Reading, this.meterId, this.pageSize, this.next);
    this.pageSize = Math.min(2 * this.pageSize, HISTORY_PAGE);
    this.seen.push(...page.rows);
    this.next = page.rows.length ? page.next : null;
    return page.rows.length > 0;
  }
}

/** Whether a reading was sent by this cabinet (readings of the billing system and of payments without one are not). */
function sentBy(r: Pick<ReadingDoc, 'subscriberId'>, subscriberId: string | null): boolean {
  return subscriberId !== null && r.subscriberId !== undefined && String(r.subscriberId) === subscriberId;
}

/**
 * From the meter's own readings: the newest counting reading of a period before `period`, the
 * values that count in `period`, and the readings that count in it. A reading's period
 * is the window's when it was stored, so periods only grow along a meter's stream and the walk
 * ends at the first counting reading of an earlier one.
 */
async function priorReadings(
  log: MeterLog,
  period: string,
): Promise<{ last: ReadingDoc | null; counted: Set<number>; countingNow: ReadingDoc[] }> {
  const counted = new Set<number>();
  const countingNow: ReadingDoc[] = [];
  for await (const r of log.newestFirst()) {
    if (!counts(r)) continue;
    if (r.period === period) {
      counted.add(r.valueMilli);
      countingNow.push(r);
    } else if (r.period < period) return { last: r, counted, countingNow };
  }
  return { last: null, counted, countingNow };
}

/** The reading a new one is compared with: the meter's own, or the billing system's last reading when that is newer. */
function baseline(meter: MeterFacts, own: ReadingDoc | null): { milli: number; date: Date } | null {
  const mine = own ? { milli: own.valueMilli, date: own.submittedAt } : null;
  if (meter.last && (!mine || meter.last.date > mine.date)) return meter.last;
  return mine;
}

/** Average monthly consumption (thousandths) over the meter's counting readings of the last year, if there are two. */
async function usualMonthlyMilli(log: MeterLog, now: Date): Promise<number | null> {
  const since = now.getTime() - 366 * 86_400_000;
  const measured: ReadingDoc[] = [];
  for await (const r of log.newestFirst()) {
    if (r.submittedAt.getTime() < since) break;
    if (counts(r) && r.consumptionMilli !== null) measured.push(r);
  }
  if (measured.length < 2) return null;
  measured.sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
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
  submitter: Submitter,
  meter: MeterFacts,
  reading: NormalizedReading,
  state: WindowState,
  now: Date,
): Promise<Evaluation | { refusal: { code: string; params: Record<string, unknown> } }> {
  const log = new MeterLog(meter.id, CHECK_PAGE);
  const { last, counted, countingNow } = await priorReadings(log, state.period);
  // Without the PIN anyone who knows the number can link the account: such a link never replaces what another cabinet sent.
  if (submitter.basic && countingNow.some((r) => !sentBy(r, submitter.subscriberId))) {
    return { refusal: { code: 'reading_by_other_cabinet', params: {} } };
  }
  const previous = baseline(meter, last);
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
    const usual = meter.usualMonthlyMilli ?? (await usualMonthlyMilli(log, now));
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
  const duplicate = counted.has(reading.valueMilli);
  return { meter, reading, previous, consumptionMilli, rollover, implausible, duplicate, confirmationsNeeded, warnings };
}

/** Refuses a value already counted for the meter in this period. */
function assertNotDuplicate(evaluations: Evaluation[]): void {
  const fields: FieldErrors = {};
  for (const [i, e] of evaluations.entries()) if (e.duplicate) fields[`readings.${i}.value`] = { code: 'reading_duplicate' };
  if (Object.keys(fields).length) throw new DomainError('conflict', 'reading_duplicate', {}, fields);
}

/** Evaluates every reading; refusals by field (`readings.<i>.value`), the first one's code as the answer's. */
async function evaluateAll(
  ctx: Ctx,
  submitter: Submitter,
  meters: MeterFacts[],
  readings: NormalizedReading[],
  state: WindowState,
  now: Date,
) {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const results = await Promise.all(readings.map((r) => evaluate(ctx, submitter, byId.get(r.meterId)!, r, state, now)));
  const fields: FieldErrors = {};
  const evaluations: Evaluation[] = [];
  let first: { code: string; params: Record<string, unknown> } | undefined;
  for (const [i, result] of results.entries()) {
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
async function check(ctx: Ctx, submitter: Submitter, meters: MeterFacts[], readings: NormalizedReading[], now: Date) {
  const state = windowAt(windowRules(ctx.tenant), now);
  assertWindowOpen(ctx.tenant, state);
  const evaluations = await evaluateAll(ctx, submitter, meters, readings, state, now);
  assertNotDuplicate(evaluations);
  return { state, evaluations };
}

type SubmissionInput = { accountId: string; readings: ReadingInput[] };

/** A submission for a linked account, checked: the values against the meters and every rule but the confirmations. */
async function checkSubmission(ctx: Ctx, input: SubmissionInput, now: Date) {
  const account = await linkedAccount(ctx, input.accountId);
  const { meters } = account;
  const readings = normalize(meters, input.readings);
  const submitter: Submitter = { subscriberId: ctx.subscriberId ?? null, basic: !account.extended };
  const checked = await check(ctx, submitter, meters, readings, now);
  const submission: NormalizedSubmission = {
    tenantId: String(ctx.tenant._id),
    accountId: input.accountId,
    accountNumber: account.number,
    ...submitter,
    readings,
  };
  return { submission, tariff: account.tariff, ...checked };
}

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
  const { submission, evaluations } = await checkSubmission(ctx, input, now);
  assertConfirmed(evaluations);
  return submission;
}

/** `POST readings/preview`: consumption, cost at the tariff, period, confirmations and warnings, nothing stored. */
export async function previewSubmission(ctx: Ctx, input: SubmissionInput, { now = new Date() }: Clock = {}) {
  const { state, evaluations, tariff } = await checkSubmission(ctx, input, now);
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

/** The lease a counting reading holds on its value in its period. */
function valueWork(meterId: string, period: string, valueMilli: number): string {
  return key('reading', meterId, period, valueMilli);
}

/**
 * Claims each reading's value for the period (leases.ts): of concurrent submissions of one value
 * exactly one gets it, and none while a reading with it counts. If any is taken, gives back the
 * others and refuses the submission, before anything is stored.
 */
async function claimValues(evaluations: Evaluation[], period: string): Promise<Lease[]> {
  const leases = await Promise.all(evaluations.map((e) => claim(valueWork(e.meter.id, period, e.reading.valueMilli), CLAIM_MS)));
  const fields: FieldErrors = {};
  for (const [i, lease] of leases.entries()) if (!lease) fields[`readings.${i}.value`] = { code: 'reading_duplicate' };
  if (Object.keys(fields).length === 0) return leases as Lease[];
  await Promise.all(leases.map((lease) => lease?.release()));
  throw new DomainError('conflict', 'reading_duplicate', {}, fields);
}

/** Holds the value of a counting reading stored before readings were keyed (the migration); the lease's generation, or null when held already. */
export async function holdValue(meterId: string, period: string, valueMilli: number): Promise<number | null> {
  return (await claim(valueWork(meterId, period, valueMilli), HOLD_MS))?.generation ?? null;
}

/** Gives back the value of a reading that stopped counting, so the same value may be sent again. */
async function releaseValue(r: ReadingDoc): Promise<void> {
  if (r.claim !== null) await releaseLease(valueWork(r.meterId, r.period, r.valueMilli), r.claim);
}

/** Stops a reading counting: rejected by billing, or superseded by a newer one of its period. */
async function stopCounting(r: ReadingDoc, change: { status: 'rejected'; rejectionReason: string } | { status: 'superseded' }) {
  await Reading.updateOne({ _id: r._id }, { $set: change, $unset: { acceptAt: 1 } });
  await releaseValue(r);
}

/**
 * Makes a stored reading the newest of its meter's period, and stops the ones before it counting:
 * back from its place while they still count (one, or more when a writer died before its turn).
 * `onlyOwn` (a basic-mode link) leaves another cabinet's readings counting, should one have been
 * stored since the submission was checked.
 */
async function supersedeEarlier(reading: ReadingDoc, onlyOwn: boolean): Promise<void> {
  const stream = key(reading.meterId, reading.period);
  const place = await append(PeriodEntry, stream, { reading: reading._id });
  for (let n = place - 1; n >= 1; n -= 1) {
    const entry = await PeriodEntry.findById(streamId(stream, n)).lean<ReadingRefDoc>();
    const earlier = entry?.reading ? await Reading.findById(entry.reading).lean<ReadingDoc>() : null;
    if (!earlier || !counts(earlier)) return;
    if (onlyOwn && !sentBy(earlier, reading.subscriberId ? String(reading.subscriberId) : null)) continue;
    await stopCounting(earlier, { status: 'superseded' });
  }
}

type NewReading = Omit<ReadingDoc, '_id' | 'stream' | 'seq' | 'claim' | 'updatedAt'>;

/**
 * Stores a reading whose value `lease` holds: at the end of its meter's stream, then (holding the
 * value for as long as the reading may count) in the supplier's export, the queue when it waits,
 * and its meter's period, superseding the earlier ones. Each stream is gap-free, so the export
 * cursor never skips a reading; an entry is appended only once its reading exists.
 */
async function storeReading(doc: NewReading, lease: Lease, onlyOwn: boolean): Promise<ReadingDoc> {
  const fields = { ...doc, claim: lease.generation };
  const seq = await append(Reading, doc.meterId, fields);
  const reading: ReadingDoc = {
    ...fields,
    _id: streamId(doc.meterId, seq),
    stream: doc.meterId,
    seq,
    updatedAt: doc.submittedAt,
  };
  await lease.renew(HOLD_MS);
  await Promise.all([
    append(ExportEntry, String(doc.tenantId), { reading: reading._id }),
    doc.acceptAt ? dueAt(READINGS_QUEUE, Reading, reading._id, doc.acceptAt) : null,
  ]);
  await supersedeEarlier(reading, onlyOwn);
  return reading;
}

/** A reading as the API shows it, in its meter's notation. */
function toPublicReading(r: ReadingDoc) {
  const { decimals } = r;
  return {
    id: r._id,
    accountId: r.accountId,
    meterId: r.meterId,
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
 * Stores checked and confirmed readings. Readings outside the window wait for the next one
 * (`queued`); a newer reading of a meter in the same period replaces the older one.
 */
async function store(
  ctx: Ctx,
  submission: NormalizedSubmission,
  { state, evaluations }: { state: WindowState; evaluations: Evaluation[] },
  origin: { source: ReadingSource; paymentId?: string },
  now: Date,
) {
  assertConfirmed(evaluations);
  const queued = !state.open;
  const acceptAt = queued ? zonedMidnight(state.opensOn, windowRules(ctx.tenant).timeZone) : undefined;
  const leases = await claimValues(evaluations, state.period);
  const stored: ReturnType<typeof toPublicReading>[] = [];
  for (const [i, e] of evaluations.entries()) {
    const doc = await storeReading(
      {
        tenantId: ctx.tenant._id,
        accountId: submission.accountId,
        accountNumber: submission.accountNumber,
        meterId: e.meter.id,
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
        submittedAt: now,
      },
      leases[i]!,
      submission.basic === true,
    );
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

/**
 * Stores a submission that `validateSubmission` passed, checking the rules again as they stand
 * now (time has passed for a payment).
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
  const submitter: Submitter = { subscriberId: submission.subscriberId, basic: submission.basic === true };
  return store(ctx, submission, await check(ctx, submitter, meters, submission.readings, now), origin, now);
}

/** `POST readings`: check and store in one go, from the cabinet. */
export async function submitReadings(ctx: Ctx, input: SubmissionInput, { now = new Date() }: Clock = {}) {
  const { submission, ...checked } = await checkSubmission(ctx, input, now);
  return store(ctx, submission, checked, { source: 'portal' }, now);
}

/**
 * One meter's history: its newest readings (newest first), its newest counting reading, which the
 * history shows as the last one unless the billing system's is newer, and the counting reading
 * before `period` that a reading of that period is checked against. `onlyBy` keeps a cabinet's own
 * readings alone (a basic-mode link sees no one else's).
 */
export async function meterReadings(meterId: string, period = LATEST_PERIOD, onlyBy?: string) {
  const log = new MeterLog(meterId, HISTORY_PAGE);
  const newest = await log.newest(HISTORY_PAGE);
  if (onlyBy !== undefined) {
    const own = newest.filter((r) => sentBy(r, onlyBy));
    const previous = own.find((r) => counts(r) && r.period < period) ?? null;
    return { readings: own.map(toPublicReading), last: own.find(counts) ?? null, previous };
  }
  const { last } = await priorReadings(log, LATEST_PERIOD);
  const { last: previous } = period === LATEST_PERIOD ? { last } : await priorReadings(log, period);
  return { readings: newest.map(toPublicReading), last, previous };
}

/**
 * `GET accounts/:id/readings`: the window and, per meter, its last reading and history (newest first).
 * Serial numbers are extended-mode data, as in the account summary; a basic-mode link sees only
 * the readings its own cabinet sent (and the billing system's last one).
 */
export async function readingHistory(ctx: Ctx, accountId: string, { now = new Date() }: Clock = {}) {
  const account = await linkedAccount(ctx, accountId);
  const { meters } = account;
  const state = windowAt(windowRules(ctx.tenant), now);
  const today = formatLocalDate(state.today);
  return {
    accountId,
    window: publicWindow(ctx.tenant, state),
    meters: await Promise.all(
      meters.map(async (m) => {
        const onlyBy = account.extended ? undefined : (ctx.subscriberId ?? '');
        const { readings, last: own, previous: ownPrevious } = await meterReadings(m.id, state.period, onlyBy);
        const last = baseline(m, own);
        const previous = baseline(m, ownPrevious);
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
          readings,
        };
      }),
    ),
  };
}

/** A reading as the billing system gets it from the export, at its place in the supplier's stream. */
function toExported(r: ReadingDoc, seq: number) {
  return {
    ...toPublicReading(r),
    seq,
    accountNumber: r.accountNumber,
    meterSerialNumber: r.meterSerialNumber,
    previous: r.previousMilli === null ? null : formatReading(r.previousMilli, r.decimals),
  };
}

/**
 * `GET integration/export/readings?cursor=`: the tenant's readings stored after the cursor, in
 * the order they were stored, and the cursor to continue from. The cursor is a position in the
 * tenant's gap-free stream, so polling with the last cursor never skips or repeats a reading.
 * Empty entries (numbers a migrated stream did not have) are passed over without taking a place
 * in the page. Cost: the stream's end, then two `_id` lookups per reading (its entry, the reading).
 */
export async function exportReadings(tenant: TenantDoc, { cursor, limit = 500 }: { cursor?: string; limit?: number }) {
  const stream = String(tenant._id);
  let after = cursor ? Number(cursor) : 0;
  const items: ReturnType<typeof toExported>[] = [];
  for (;;) {
    const room = limit - items.length;
    const entries = await readAfter<ReadingRefDoc>(ExportEntry, stream, after, room + 1);
    const page = entries.slice(0, room);
    const readings = await Promise.all(page.map((e) => (e.reading ? Reading.findById(e.reading).lean<ReadingDoc>() : null)));
    for (const [i, e] of page.entries()) if (readings[i]) items.push(toExported(readings[i], e.seq));
    after = page.at(-1)?.seq ?? after;
    const hasMore = entries.length > room;
    if (!hasMore || items.length === limit) return { items, cursor: String(after), hasMore };
  }
}

const LEGACY_ID = /^[0-9a-f]{24}$/i;

/** A reading of the tenant by its id, or by the id it had before the upgrade to keyed readings. */
async function readingOf(tenant: TenantDoc, id: string): Promise<ReadingDoc | null> {
  let reading = await Reading.findById(id).lean<ReadingDoc>();
  if (!reading && LEGACY_ID.test(id)) {
    const alias = await LegacyReadingId.findById(id.toLowerCase()).lean<LegacyReadingIdDoc>();
    reading = alias ? await Reading.findById(alias.reading).lean<ReadingDoc>() : null;
  }
  return reading && reading.tenantId.equals(tenant._id) ? reading : null;
}

/** Statuses applied at once (each a few `_id` lookups and writes). */
const STATUS_PARALLEL = 50;

/**
 * `POST integration/readings/status`: the billing system's verdict on readings it received. A
 * rejected reading (with the reason the subscriber will see) stops counting, so the same value
 * may be sent again. Readings unknown to the tenant, or no longer counting (rejected, replaced),
 * are left alone and listed as skipped. Items of one reading apply in their order.
 */
export async function setReadingStatuses(
  tenant: TenantDoc,
  items: { id: string; status: 'accepted' | 'rejected'; reason?: string }[],
): Promise<{ updated: number; skipped: string[] }> {
  const applied = new Array<boolean>(items.length);
  const byReading = new Map<string, number[]>();
  for (const [i, item] of items.entries()) byReading.set(item.id, [...(byReading.get(item.id) ?? []), i]);
  const groups = [...byReading.values()];
  for (let g = 0; g < groups.length; g += STATUS_PARALLEL) {
    await Promise.all(
      groups.slice(g, g + STATUS_PARALLEL).map(async (indexes) => {
        for (const i of indexes) {
          const item = items[i]!;
          const reading = await readingOf(tenant, item.id);
          applied[i] = reading !== null && counts(reading);
          if (!applied[i]) continue;
          if (item.status === 'rejected')
            await stopCounting(reading!, { status: 'rejected', rejectionReason: item.reason ?? '' });
          else await Reading.updateOne({ _id: reading!._id }, { $set: { status: 'accepted' }, $unset: { acceptAt: 1 } });
        }
      }),
    );
  }
  return { updated: applied.filter(Boolean).length, skipped: items.filter((_, i) => !applied[i]).map((item) => item.id) };
}

/** Where queued readings waited before they were due records: `{ _id: reading, acceptAt }`. */
export const EARLIER_QUEUE = 'readings_queue';

/**
 * Queued readings, due when their window opens (server/db/kernel/expiry.ts): in buckets of an
 * hour, read by the worker every ten minutes. The earlier version's queue is enrolled once, then dropped.
 */
export const READINGS_QUEUE = queue('readings', 3600_000, [Reading], async (register) => {
  const db = mongoose.connection.db!;
  if (!(await db.listCollections({ name: EARLIER_QUEUE }, { nameOnly: true }).hasNext())) return;
  for await (const entry of db.collection<{ _id: string; acceptAt: Date }>(EARLIER_QUEUE).find({})) {
    await register(Reading, entry._id, entry.acceptAt);
  }
  await db.dropCollection(EARLIER_QUEUE);
});

/** Queued readings accepted at a time. */
const QUEUE_PARALLEL = 50;
/** Most due records one run of the worker takes. */
const QUEUE_BATCH = 10_000;

/** Accepts the queued readings that are due, each found by `_id`; returns how many it accepted. */
async function acceptDue(due: Due[], now: Date): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < due.length; i += QUEUE_PARALLEL) {
    const done = await Promise.all(
      due.slice(i, i + QUEUE_PARALLEL).map(async ({ id }) => {
        const reading = await Reading.findById(id).lean<ReadingDoc>();
        if (reading?.status !== 'queued' || (reading.acceptAt && reading.acceptAt > now)) return false;
        await Reading.updateOne({ _id: id }, { $set: { status: 'accepted' }, $unset: { acceptAt: 1 } });
        return true;
      }),
    );
    accepted += done.filter(Boolean).length;
  }
  return accepted;
}

/** Readings that waited for their window count from its first day (a background job, by the queue's records). */
export async function acceptQueued(now = new Date(), limit = QUEUE_BATCH): Promise<number> {
  return sweepDue(READINGS_QUEUE, now, limit, acceptDue);
}

/**
 * Whether a meter has a reading that counts for the period: the newest of its period's readings
 * (the only one that may count), found by key.
 */
async function hasCountingReading(meterId: string, period: string): Promise<boolean> {
  const stream = key(meterId, period);
  const newest = await lastSeq(PeriodEntry, stream);
  if (newest === 0) return false;
  const entry = await PeriodEntry.findById(streamId(stream, newest)).lean<ReadingRefDoc>();
  const reading = entry?.reading ? await Reading.findById(entry.reading).lean<ReadingDoc>() : null;
  return reading !== null && counts(reading);
}

/** The numbers of those accounts that have a meter without a counting reading for the period. */
async function accountsMissingReadings(tenant: TenantDoc, accounts: { id: string; number: string }[], period: string) {
  const missing = await Promise.all(
    accounts.map(async (account) => {
      const meters = await accountMeters(tenant._id, account.id);
      const read = await Promise.all(meters.map((m) => hasCountingReading(m.id, period)));
      return read.includes(false) ? account.number : null;
    }),
  );
  return missing.filter((n): n is string => n !== null);
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

/** Subscribers the reminder job checks at once. */
const REMIND_PARALLEL = 25;

/**
 * Reminds, by email, the subscribers of one tenant who have a meter without a reading for the
 * current period, when the window closes within the tenant's `reminderDaysBeforeEnd` days. One
 * reminder per subscriber and period, `<tenantId>:<period>:<subscriberId>`: inserting it claims
 * the sending, so concurrent workers and repeated runs send it once, and a subscriber reminded
 * already costs one lookup. The link is the tenant's readings page, else its hosted portal.
 */
export async function remindTenant(tenant: TenantDoc, now = new Date()): Promise<number> {
  const rules = readingRules(tenant);
  if (rules.reminderDaysBeforeEnd <= 0) return 0;
  const state = windowAt(windowRules(tenant), now);
  if (!state.open || daysBetween(formatLocalDate(state.today), state.closesOn) > rules.reminderDaysBeforeEnd) return 0;
  const url = rules.reminderUrl || portalUrl(tenant);
  const remind = async (candidate: RemindableSubscriber): Promise<boolean> => {
    const reminderId = key(tenant._id, state.period, candidate.subscriberId);
    if (await ReadingReminder.exists({ _id: reminderId })) return false;
    const missing = await accountsMissingReadings(tenant, candidate.accounts, state.period);
    if (missing.length === 0) return false;
    const contact = await subscriberContact(tenant.realm, candidate.subscriberId);
    if (!contact) return false;
    try {
      await ReadingReminder.create({
        _id: reminderId,
        tenantId: tenant._id,
        subscriberId: candidate.subscriberId,
        period: state.period,
        sentAt: now,
      });
    } catch (err) {
      if (isDuplicateKey(err)) return false;
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
    return true;
  };
  let sent = 0;
  for await (const batch of remindableSubscribers(tenant._id)) {
    for (let i = 0; i < batch.length; i += REMIND_PARALLEL) {
      sent += (await Promise.all(batch.slice(i, i + REMIND_PARALLEL).map(remind))).filter(Boolean).length;
    }
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

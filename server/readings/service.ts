import type { ReadingConfirmation, ReadingInput, ReadingWarning } from '../../contracts/readings.ts';
import { formatReading, meterCapacity, MILLI_PER_UNIT, parseReading } from '../../contracts/rules/readings.ts';
import mongoose from 'mongoose';
import { dueAt, queue, sweepDue, type Due, type Register } from '../db/kernel/expiry.ts';
import { findByKey, isDuplicateKey, key, type KeyedModel } from '../db/kernel/keys.ts';
import { claim, releaseLease, type Lease } from '../db/kernel/leases.ts';
import { revise } from '../db/kernel/revisions.ts';
import { append, readAfter, streamId } from '../db/kernel/streams.ts';
import type { Ctx, SubscriberCtx } from '../http/context.ts';
import { DomainError, NotFoundError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { portalUrl } from '../http/public-url.ts';
import { enqueue } from '../notify/service.ts';
import type { Template } from '../notify/templates.ts';
import type { TenantDoc } from '../tenants/model.ts';
import type { Worker } from '../workers.ts';
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
  MeterReadings,
  READINGS_PER_PAGE,
  ReadingPage,
  ReadingReminder,
  type ExportEntryDoc,
  type LegacyReadingIdDoc,
  type MeterReadingsDoc,
  type ReadingDoc,
  type ReadingOwner,
  type ReadingPageDoc,
  type ReadingSource,
  type StoredReading,
} from './model.ts';
import { daysBetween, formatLocalDate, windowAt, zonedMidnight, type WindowRules, type WindowState } from './window.ts';
import { dateTimeFormat } from '../i18n/formats.ts';

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
  /** The meter's document as the check read it (null: none yet), which storing builds on. */
  stream: MeterReadingsDoc | null;
  confirmationsNeeded: ReadingConfirmation[];
  warnings: ReadingWarning[];
}

const DAYS_PER_MONTH = 30.44;
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

/** A reading's id, `<meterId>:<seq>`. */
function readingId(meterId: string, seq: number): string {
  return streamId(meterId, seq);
}

/** The meter and number a reading id names, or null for an id of another shape. */
function placeOf(id: string): { meterId: string; seq: number } | null {
  const at = id.lastIndexOf(':');
  const seq = Number(id.slice(at + 1));
  return at > 0 && Number.isSafeInteger(seq) && seq >= 1 ? { meterId: id.slice(0, at), seq } : null;
}

/** The page document of the meter's `page`-th full page. */
function pageId(meterId: string, page: number): string {
  return key(meterId, page);
}

/** The page a reading is kept in once its meter's page is full. */
function pageOf(seq: number): number {
  return Math.ceil(seq / READINGS_PER_PAGE);
}

/** A stored reading with its meter's facts, as the rules and the API see it. */
function withOwner(owner: ReadingOwner, r: StoredReading): ReadingDoc {
  return {
    ...r,
    _id: readingId(owner.meterId, r.seq),
    tenantId: owner.tenantId,
    accountId: owner.accountId,
    accountNumber: owner.accountNumber,
    meterId: owner.meterId,
  };
}

/**
 * A meter's readings newest first, as far as a request walks (at most WALK_LIMIT): its document
 * (the newest page), then the full pages before it, each read by `_id` once per request.
 */
class MeterLog {
  private readonly seen: ReadingDoc[] = [];
  private head: MeterReadingsDoc | null | undefined;
  /** The page to read next (0: none left). */
  private page = 0;

  constructor(readonly meterId: string) {}

  /** The meter's document, read first by any walk (undefined before, null when there is none). */
  get document(): MeterReadingsDoc | null | undefined {
    return this.head;
  }

  async *newestFirst(): AsyncGenerator<ReadingDoc> {
    for (let i = 0; ; i += 1) {
      if (i >= this.seen.length && !(await this.more(1))) return;
      yield this.seen[i]!;
    }
  }

  /** The newest `n` readings: the meter's document, then the pages they need, read together. */
  async newest(n: number): Promise<ReadingDoc[]> {
    while (this.seen.length < n) if (!(await this.more(Math.ceil((n - this.seen.length) / READINGS_PER_PAGE)))) break;
    return this.seen.slice(0, n);
  }

  /** Reads the meter's document, or else up to `pages` pages before what was read; false when there is nothing more. */
  private async more(pages: number): Promise<boolean> {
    if (this.head === undefined) {
      this.head = await findByKey<MeterReadingsDoc>(MeterReadings, this.meterId);
      if (!this.head) return false;
      this.seen.push(...this.head.readings.map((r) => withOwner(this.head!, r)).reverse());
      this.page = this.head.pages;
      return true;
    }
    if (this.page < 1 || this.seen.length >= WALK_LIMIT) return false;
    const numbers = Array.from({ length: Math.min(pages, this.page) }, (_, i) => this.page - i);
    this.page -= numbers.length;
    const docs = await Promise.all(numbers.map((p) => findByKey<ReadingPageDoc>(ReadingPage, pageId(this.meterId, p))));
    for (const doc of docs) if (doc) this.seen.push(...doc.readings.map((r) => withOwner(doc, r)).reverse());
    return true;
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
  const log = new MeterLog(meter.id);
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
  const stream = log.document ?? null;
  return { meter, reading, previous, consumptionMilli, rollover, implausible, duplicate, stream, confirmationsNeeded, warnings };
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
async function checkSubmission(ctx: SubscriberCtx, input: SubmissionInput, now: Date) {
  const account = await linkedAccount(ctx, input.accountId);
  const { meters } = account;
  const readings = normalize(meters, input.readings);
  const submitter: Submitter = { subscriberId: ctx.subscriberId, basic: !account.extended };
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
  ctx: SubscriberCtx,
  input: SubmissionInput,
  { now = new Date() }: Clock = {},
): Promise<NormalizedSubmission> {
  const { submission, evaluations } = await checkSubmission(ctx, input, now);
  assertConfirmed(evaluations);
  return submission;
}

/** `POST readings/preview`: consumption, cost at the tariff, period, confirmations and warnings, nothing stored. */
export async function previewSubmission(ctx: SubscriberCtx, input: SubmissionInput, { now = new Date() }: Clock = {}) {
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
  const leases = await Promise.all(
    evaluations.map((e) => claim(valueWork(e.meter.id, period, e.reading.valueMilli), CLAIM_MS, { holdUpTo: HOLD_MS })),
  );
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

/** Gives back the value of a reading of the meter that stopped counting, so the same value may be sent again. */
async function releaseValue(meterId: string, r: StoredReading): Promise<void> {
  if (r.claim !== null) await releaseLease(valueWork(meterId, r.period, r.valueMilli), r.claim);
}

/** A reading's new status: accepted by billing, rejected by billing (with the reason the subscriber sees), superseded by a newer one of its period. */
type StatusChange = { status: 'accepted' } | { status: 'rejected'; rejectionReason: string } | { status: 'superseded' };

/** The reading with its new status: no longer waiting for its window, whatever the status. */
function withStatus(r: StoredReading, change: StatusChange): StoredReading {
  const next: StoredReading = { ...r, ...change, updatedAt: new Date() };
  delete next.acceptAt;
  return next;
}

/**
 * Supersedes the readings of `reading`'s period that come before it in `readings` (oldest first,
 * replaced in place): back from the end while they still count (one, or more when a change was
 * interrupted before). `onlyOwn` (a basic-mode link) leaves another cabinet's readings counting,
 * should one have been stored since the submission was checked. Returns the readings that
 * stopped counting, and whether the walk went past the first of `readings` (the period may go on
 * in the page before).
 */
function supersedeIn(readings: StoredReading[], reading: StoredReading, onlyOwn: boolean) {
  const stopped: StoredReading[] = [];
  const own = reading.subscriberId ? String(reading.subscriberId) : null;
  for (let i = readings.length - 1; i >= 0; i -= 1) {
    const earlier = readings[i]!;
    if (earlier.period !== reading.period || !counts(earlier)) return { stopped, pastFirst: false };
    if (onlyOwn && !sentBy(earlier, own)) continue;
    readings[i] = withStatus(earlier, { status: 'superseded' });
    stopped.push(earlier);
  }
  return { stopped, pastFirst: true };
}

/** Supersedes, as `supersedeIn` does, the readings of `reading`'s period at the end of the meter's `page`-th page. */
async function supersedeInPage(meterId: string, page: number, reading: StoredReading, onlyOwn: boolean) {
  return revise<ReadingPageDoc, StoredReading[]>(ReadingPage, pageId(meterId, page), (doc) => {
    if (!doc) return { result: [] };
    const readings = [...doc.readings];
    const { stopped } = supersedeIn(readings, reading, onlyOwn);
    return stopped.length ? { set: { readings }, result: stopped } : { result: [] };
  });
}

type NewReading = Omit<StoredReading, 'seq' | 'claim' | 'updatedAt'>;

/**
 * Stores a reading whose value `lease` holds as its meter's next one, in one revision of the
 * meter's document: registered in the queue first when it waits, and written together with the
 * earlier readings of its period that it supersedes (the full page goes to its page document
 * first when the meter's page is full). Then it holds the value for as long as the reading may
 * count, supersedes the readings of its period at the end of the page before when the period goes
 * on there, and is appended to the supplier's export: the export is gap-free, so its cursor
 * never skips a reading, and an entry is appended only once its reading exists. `seen` is the
 * meter's document as the submission's check read it. Cost: a revision of the meter's document
 * built on `seen` (a page insert once a page fills up), the lease's renewal (registered with the
 * claim), an append.
 */
async function storeReading(
  owner: ReadingOwner,
  doc: NewReading,
  lease: Lease,
  onlyOwn: boolean,
  seen: MeterReadingsDoc | null,
): Promise<ReadingDoc> {
  const { meterId } = owner;
  const { reading, stopped, pageBefore } = await revise<
    MeterReadingsDoc,
    { reading: StoredReading; stopped: StoredReading[]; pageBefore: number }
  >(
    MeterReadings,
    meterId,
    async (head) => {
      const seq = (head?.seq ?? 0) + 1;
      const entry: StoredReading = { ...doc, seq, claim: lease.generation, updatedAt: doc.submittedAt };
      if (entry.acceptAt) await dueAt(READINGS_QUEUE, MeterReadings, readingId(meterId, seq), entry.acceptAt);
      const readings = [...(head?.readings ?? [])];
      const walk = supersedeIn(readings, entry, onlyOwn);
      let pages = head?.pages ?? 0;
      const pageBefore = walk.pastFirst ? pages : 0;
      if (readings.length >= READINGS_PER_PAGE) {
        pages += 1;
        await ReadingPage.replaceOne({ _id: pageId(meterId, pages) }, { ...owner, page: pages, readings }, { upsert: true });
        readings.length = 0;
      }
      return {
        set: { ...owner, seq, pages, readings: [...readings, entry] },
        result: { reading: entry, stopped: walk.stopped, pageBefore },
      };
    },
    { seen, stored: true },
  );
  const stored = withOwner(owner, reading);
  // Once the reading is stored, the rest is independent of each other: made together.
  await Promise.all([
    lease.renew(HOLD_MS),
    (async () => {
      const earlier = pageBefore > 0 ? await supersedeInPage(meterId, pageBefore, reading, onlyOwn) : [];
      await Promise.all([...stopped, ...earlier].map((r) => releaseValue(meterId, r)));
    })(),
    append(ExportEntry, String(owner.tenantId), { reading: stored._id }),
  ]);
  return stored;
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
      },
      {
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
      e.stream,
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

/** A cabinet's submission as `checkReadings` found it, for `storeReadings`. */
export type CheckedReadings = Awaited<ReturnType<typeof checkSubmission>> & { now: Date };

/** `POST readings`, its reading part: the submission checked against every rule, nothing written. */
export async function checkReadings(
  ctx: SubscriberCtx,
  input: SubmissionInput,
  { now = new Date() }: Clock = {},
): Promise<CheckedReadings> {
  return { ...(await checkSubmission(ctx, input, now)), now };
}

/** `POST readings`, its writing part: stores what `checkReadings` passed. */
export async function storeReadings(ctx: SubscriberCtx, { submission, now, ...checked }: CheckedReadings) {
  return store(ctx, submission, checked, { source: 'portal' }, now);
}

/** `POST readings`: check and store in one go, from the cabinet. */
export async function submitReadings(ctx: SubscriberCtx, input: SubmissionInput, clock: Clock = {}) {
  return storeReadings(ctx, await checkReadings(ctx, input, clock));
}

/**
 * One meter's history: its newest readings (newest first), its newest counting reading, which the
 * history shows as the last one unless the billing system's is newer, and the counting reading
 * before `period` that a reading of that period is checked against. `onlyBy` keeps a cabinet's own
 * readings alone (a basic-mode link sees no one else's).
 */
export async function meterReadings(meterId: string, period = LATEST_PERIOD, onlyBy?: string) {
  const log = new MeterLog(meterId);
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
export async function readingHistory(ctx: SubscriberCtx, accountId: string, { now = new Date() }: Clock = {}) {
  const account = await linkedAccount(ctx, accountId);
  const { meters } = account;
  const state = windowAt(windowRules(ctx.tenant), now);
  const today = formatLocalDate(state.today);
  return {
    accountId,
    window: publicWindow(ctx.tenant, state),
    meters: await Promise.all(
      meters.map(async (m) => {
        const onlyBy = account.extended ? undefined : ctx.subscriberId;
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
 * Readings by id, each where it is kept: one `_id` lookup per meter (its document), then one per
 * page of older readings, each made once and together.
 */
async function readingsByIds(ids: string[]): Promise<Map<string, ReadingDoc>> {
  const places = ids.flatMap((id) => {
    const place = placeOf(id);
    return place ? [{ id, ...place }] : [];
  });
  const meters = [...new Set(places.map((p) => p.meterId))];
  const heads = new Map(
    (await Promise.all(meters.map((m) => findByKey<MeterReadingsDoc>(MeterReadings, m)))).flatMap((h) =>
      h ? [[h._id, h] as const] : [],
    ),
  );
  const paged = (p: { meterId: string; seq: number }) => {
    const head = heads.get(p.meterId);
    return head !== undefined && p.seq <= head.pages * READINGS_PER_PAGE;
  };
  const pageIds = [...new Set(places.filter(paged).map((p) => pageId(p.meterId, pageOf(p.seq))))];
  const pages = new Map(
    (await Promise.all(pageIds.map((id) => findByKey<ReadingPageDoc>(ReadingPage, id)))).flatMap((d) =>
      d ? [[d._id, d] as const] : [],
    ),
  );
  const found = new Map<string, ReadingDoc>();
  for (const p of places) {
    const doc = paged(p) ? pages.get(pageId(p.meterId, pageOf(p.seq))) : heads.get(p.meterId);
    const reading = doc?.readings.find((r) => r.seq === p.seq);
    if (doc && reading) found.set(p.id, withOwner(doc, reading));
  }
  return found;
}

/**
 * `GET integration/export/readings?cursor=`: the tenant's readings stored after the cursor, in
 * the order they were stored, and the cursor to continue from. The cursor is a position in the
 * tenant's gap-free stream, so polling with the last cursor never skips or repeats a reading.
 * Empty entries (numbers a migrated stream did not have) are passed over without taking a place
 * in the page. Cost: the stream's end, one `_id` lookup per entry, then one per meter and one per
 * page of older readings (`readingsByIds`).
 */
export async function exportReadings(tenant: TenantDoc, { cursor, limit = 500 }: { cursor?: string; limit?: number }) {
  const stream = String(tenant._id);
  let after = cursor ? Number(cursor) : 0;
  const items: ReturnType<typeof toExported>[] = [];
  for (;;) {
    const room = limit - items.length;
    const entries = await readAfter<ExportEntryDoc>(ExportEntry, stream, after, room + 1);
    const page = entries.slice(0, room);
    const readings = await readingsByIds(page.flatMap((e) => (e.reading ? [e.reading] : [])));
    for (const e of page) {
      const reading = e.reading ? readings.get(e.reading) : undefined;
      if (reading) items.push(toExported(reading, e.seq));
    }
    after = page.at(-1)?.seq ?? after;
    const hasMore = entries.length > room;
    if (!hasMore || items.length === limit) return { items, cursor: String(after), hasMore };
  }
}

/**
 * Changes the status of one stored reading where it is kept (its meter's document, or its page
 * once full) as a revision of that document: `decide` gets the reading as it is and returns the
 * change, or null to leave it. Returns the reading as it was and whether it changed; null when
 * there is no such reading. A reading moved to its page meanwhile is changed there.
 */
async function changeStatus(
  id: string,
  decide: (r: ReadingDoc) => StatusChange | null,
): Promise<{ reading: ReadingDoc; changed: boolean } | null> {
  const place = placeOf(id);
  if (!place) return null;
  for (;;) {
    const head = await findByKey<MeterReadingsDoc>(MeterReadings, place.meterId);
    if (!head || place.seq > head.seq) return null;
    const inHead = place.seq > head.pages * READINGS_PER_PAGE;
    const model = inHead ? MeterReadings : ReadingPage;
    const docId = inHead ? place.meterId : pageId(place.meterId, pageOf(place.seq));
    const outcome = await revise<MeterReadingsDoc | ReadingPageDoc, { reading: ReadingDoc; changed: boolean } | 'moved'>(
      model,
      docId,
      (doc) => {
        const at = doc ? doc.readings.findIndex((r) => r.seq === place.seq) : -1;
        if (!doc || at < 0) return { result: 'moved' };
        const reading = withOwner(doc, doc.readings[at]!);
        const change = decide(reading);
        if (!change) return { result: { reading, changed: false } };
        const readings = [...doc.readings];
        readings[at] = withStatus(doc.readings[at]!, change);
        return { set: { readings }, result: { reading, changed: true } };
      },
    );
    if (outcome !== 'moved') return outcome;
    if (!inHead) return null;
  }
}

/**
 * Applies `apply` to the items, those of one meter one after another in their order (each is a
 * revision of the meter's document), `parallel` meters at a time.
 */
async function byMeter<T>(items: { id: string; item: T }[], parallel: number, apply: (item: T) => Promise<void>): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const { id, item } of items) {
    const meter = placeOf(id)?.meterId ?? id;
    groups.set(meter, [...(groups.get(meter) ?? []), item]);
  }
  const all = [...groups.values()];
  for (let g = 0; g < all.length; g += parallel) {
    await Promise.all(
      all.slice(g, g + parallel).map(async (group) => {
        for (const item of group) await apply(item);
      }),
    );
  }
}

const LEGACY_ID = /^[0-9a-f]{24}$/i;

/** The id of a reading, given as it is or as the id it had before the upgrade to keyed readings. */
async function currentId(id: string): Promise<string> {
  if (!LEGACY_ID.test(id)) return id;
  const alias = await findByKey<LegacyReadingIdDoc>(LegacyReadingId, id.toLowerCase());
  return alias?.reading ?? id;
}

/** Statuses applied at once (each a few `_id` lookups and writes). */
const STATUS_PARALLEL = 50;

/**
 * `POST integration/readings/status`: the billing system's verdict on readings it received. A
 * rejected reading (with the reason the subscriber will see) stops counting, so the same value
 * may be sent again. Readings unknown to the tenant, or no longer counting (rejected, replaced),
 * are left alone and listed as skipped. Items of one meter apply in their order.
 */
export async function setReadingStatuses(
  tenant: TenantDoc,
  items: { id: string; status: 'accepted' | 'rejected'; reason?: string }[],
): Promise<{ updated: number; skipped: string[] }> {
  const applied = new Array<boolean>(items.length).fill(false);
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += STATUS_PARALLEL) {
    ids.push(...(await Promise.all(items.slice(i, i + STATUS_PARALLEL).map((item) => currentId(item.id)))));
  }
  await byMeter(
    items.map((item, i) => ({ id: ids[i]!, item: i })),
    STATUS_PARALLEL,
    async (i) => {
      const item = items[i]!;
      const outcome = await changeStatus(ids[i]!, (r) => {
        if (!r.tenantId.equals(tenant._id) || !counts(r)) return null;
        return item.status === 'rejected' ? { status: 'rejected', rejectionReason: item.reason ?? '' } : { status: 'accepted' };
      });
      applied[i] = outcome?.changed === true;
      if (outcome?.changed && item.status === 'rejected') await releaseValue(outcome.reading.meterId, outcome.reading);
    },
  );
  return { updated: applied.filter(Boolean).length, skipped: items.filter((_, i) => !applied[i]).map((item) => item.id) };
}

/** Queued readings of a collection of meter documents or pages: what the queue enrols once. */
async function enrolQueued(model: KeyedModel, register: Register): Promise<void> {
  const docs = model.find({}, { meterId: 1, readings: 1 }).lean<Pick<MeterReadingsDoc, 'meterId' | 'readings'>>().cursor();
  for await (const doc of docs) {
    for (const r of doc.readings) {
      if (r.status === 'queued' && r.acceptAt) await register(MeterReadings, readingId(doc.meterId, r.seq), r.acceptAt);
    }
  }
}

/**
 * Queued readings, due when their window opens (server/db/kernel/expiry.ts): in buckets of an
 * hour, read by the worker every ten minutes. A record names a reading by its id; the queue's
 * first sweep enrols the queued readings stored without records (moved by `gaskit migrate`).
 */
export const READINGS_QUEUE = queue('queued-readings', 3600_000, [MeterReadings], async (register) => {
  await enrolQueued(MeterReadings, register);
  await enrolQueued(ReadingPage, register);
});

/** Meters whose queued readings are accepted at a time. */
const QUEUE_PARALLEL = 50;
/** Most due records one run of the worker takes. */
const QUEUE_BATCH = 10_000;

/** Accepts the queued readings that are due, each found by `_id`; returns how many it accepted. */
async function acceptDue(due: Due[], now: Date): Promise<number> {
  let accepted = 0;
  await byMeter(
    due.map(({ id }) => ({ id, item: id })),
    QUEUE_PARALLEL,
    async (id) => {
      const outcome = await changeStatus(id, (r) =>
        r.status === 'queued' && !(r.acceptAt && r.acceptAt > now) ? { status: 'accepted' } : null,
      );
      if (outcome?.changed) accepted += 1;
    },
  );
  return accepted;
}

/** Readings that waited for their window count from its first day (a background job, by the queue's records). */
export async function acceptQueued(now = new Date(), limit = QUEUE_BATCH): Promise<number> {
  return sweepDue(READINGS_QUEUE, now, limit, acceptDue);
}

/**
 * Whether a meter has a reading that counts for the period: its newest readings, back to the
 * first of an earlier period (its document, and a page before it only when the period goes on there).
 */
async function hasCountingReading(meterId: string, period: string): Promise<boolean> {
  for await (const r of new MeterLog(meterId).newestFirst()) {
    if (r.period < period) return false;
    if (r.period === period && counts(r)) return true;
  }
  return false;
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

export const readingsTemplates: Record<string, Template> = {
  'readings.reminder': (t, data) => ({
    subject: t('readings:reminder.subject', data),
    blocks: [
      { text: t('readings:reminder.greeting') },
      { text: t('readings:reminder.body', data) },
      ...(data.url ? [{ button: t('readings:reminder.action'), url: String(data.url) }] : []),
    ],
  }),
};

/** A period and a day as the recipient reads them: "март 2026 г.", "25 марта 2026 г.". */
function humanDates(lng: string, period: string, day: string): { period: string; date: string } {
  const utc = { timeZone: 'UTC' } as const;
  return {
    period: dateTimeFormat(lng, { ...utc, month: 'long', year: 'numeric' }).format(new Date(`${period}-01T00:00:00Z`)),
    date: dateTimeFormat(lng, { ...utc, dateStyle: 'long' }).format(new Date(`${day}T00:00:00Z`)),
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

/** Reading reminders, and queued readings accepted once their period opens. */
export const readingsWorkers: Worker[] = [
  {
    name: REMINDER_WORKER,
    intervalMs: 3_600_000,
    async run(logger) {
      for (const tenant of await tenantsWithReminders()) {
        const sent = await remindTenant(tenant);
        if (sent) logger.info({ tenant: tenant.slug, sent }, 'readings reminders enqueued');
      }
    },
  },
  {
    name: ACCEPT_QUEUED_WORKER,
    intervalMs: 600_000,
    async run(logger) {
      const accepted = await acceptQueued();
      if (accepted) logger.info({ accepted }, 'queued readings accepted');
    },
  },
];

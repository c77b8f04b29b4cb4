import { randomInt } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import pino, { type Logger } from 'pino';
import client from 'prom-client';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Config } from '../config.ts';
import { appContext } from '../app-context.ts';
import { isDbReady } from '../db/connection.ts';
import { dueAt, expiry, queue, sweepDue, sweepExpired, type Due } from '../db/kernel/expiry.ts';
import { findByKey, key } from '../db/kernel/keys.ts';
import { claim, forget } from '../db/kernel/leases.ts';
import { append, readAfter, streamId } from '../db/kernel/streams.ts';
import { registry } from '../http/metrics.ts';
import type { Translate } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { tenantTranslator } from '../tenants/service.ts';
import type { Worker } from '../workers.ts';
import { startDevMailbox } from './devmailbox.ts';
import {
  OutboxJob,
  OutboxLog,
  OutboxStats,
  type AttachmentRef,
  type EmailPayload,
  type OutboxJobDoc,
  type OutboxLogDoc,
  type OutboxStatsDoc,
  type SmsPayload,
  type WebhookPayload,
} from './model.ts';
import { getTemplate, renderEmail, type TemplateData } from './templates.ts';
import {
  HttpSmsGateway,
  postWebhook,
  smtpSender,
  type MailAttachment,
  type MailSender,
  type SmsProvider,
  type SmtpPool,
} from './transports.ts';

export interface RetryPolicy {
  /** Attempts before a job is given up as `failed`. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed job is held before another worker may take it over. */
  leaseMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 3_600_000, leaseMs: 120_000 };
const KEEP_FINISHED_MS = 30 * 24 * 3600 * 1000;

export interface NotifyOptions {
  /** SMTP URL or nodemailer options; `null` leaves email without a transport (jobs wait and retry). */
  smtp?: string | SMTPTransport.Options | null;
  smtpPool?: SmtpPool;
  sms?: SmsProvider | null;
  mailFrom?: string;
  devMailbox?: boolean;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

/** The delivery side of one app (`AppContext.notify`): its transports, retry policy and delivery slots. */
export class NotifyRuntime {
  mail?: MailSender;
  /** The mail transport's pool; its `maxConnections` is also how many deliveries this instance makes at a time. */
  pool: SmtpPool = { maxConnections: 5, maxMessages: 100 };
  sms?: SmsProvider;
  mailFrom = 'no-reply@gaskit.localhost';
  devMailbox = false;
  retry: RetryPolicy = DEFAULT_RETRY;
  logger: Logger = pino({ level: 'silent' });
  /** The SMTP setting the mail transport was made from, so a test can put it back. */
  smtp?: NotifyOptions['smtp'];
  /** Deliveries waiting for a slot (see `withSlot`), and the slots taken. */
  readonly waiting: (() => void)[] = [];
  busy = 0;
  private stopMailbox?: () => Promise<void>;

  /** Sets the delivery transports (start-up, or a test pointing mail at its own SMTP server). */
  configure(options: NotifyOptions): void {
    if (options.smtpPool) this.pool = { ...options.smtpPool };
    if (options.smtp !== undefined || options.smtpPool) {
      const smtp = options.smtp === undefined ? (this.smtp ?? null) : options.smtp;
      this.mail?.close();
      this.mail = smtp === null ? undefined : smtpSender(smtp, this.pool);
      this.smtp = smtp;
    }
    if (options.sms !== undefined) this.sms = options.sms ?? undefined;
    if (options.mailFrom !== undefined) this.mailFrom = options.mailFrom;
    if (options.devMailbox !== undefined) this.devMailbox = options.devMailbox;
    if (options.retry) this.retry = { ...this.retry, ...options.retry };
    if (options.logger) this.logger = options.logger;
  }

  /** The transports and retry policy in use, to put back later with `configure` (tests that swap them). */
  settings(): NotifyOptions {
    return { smtp: this.smtp ?? null, smtpPool: { ...this.pool }, sms: this.sms ?? null, retry: { ...this.retry } };
  }

  /**
   * Start-up: SMTP from SMTP_URL and SMS from SMS_GATEWAY_URL; in demo mode whatever of them is
   * missing goes to the dev mailbox (an embedded SMTP catcher).
   */
  async start(config: Config, logger: Logger): Promise<void> {
    this.configure({
      mailFrom: config.mailFrom,
      logger,
      devMailbox: config.demo,
      smtpPool: config.smtpPool,
      retry: { leaseMs: config.leaseMs },
    });
    const mailbox = config.demo && (!config.smtpUrl || !config.smsGateway) ? await startDevMailbox(logger) : undefined;
    this.configure({
      smtp: config.smtpUrl ?? (mailbox ? { host: '127.0.0.1', port: mailbox.port, secure: false, ignoreTLS: true } : null),
      sms: config.smsGateway ? new HttpSmsGateway(config.smsGateway.url, config.smsGateway.token) : (mailbox?.sms ?? null),
    });
    this.stopMailbox = mailbox?.stop;
    if (mailbox) logger.info({ port: mailbox.port }, 'dev mailbox started: /dev/mailbox');
    else if (!config.smtpUrl) logger.warn('SMTP_URL is not set: email stays in the outbox until it is');
  }

  /** Closes the mail transport and the dev mailbox. */
  async stop(): Promise<void> {
    this.mail?.close();
    await this.stopMailbox?.();
  }
}

/** The running app's delivery side. */
const runtime = (): NotifyRuntime => appContext().notify;

export function devMailboxEnabled(): boolean {
  return runtime().devMailbox;
}

/** What `enqueue` needs from the caller: a service's `ctx` fits. */
export interface NotifyContext {
  tenant: TenantDoc;
  /** The recipient's language when the message is not given its own. */
  lng?: string;
}

export type Message =
  /** `replyTo`: where answers to the email go (e.g. a support request's reply address). */
  | {
      kind: 'email';
      to: string;
      template: string;
      data?: TemplateData;
      lng?: string;
      replyTo?: string;
      attachments?: AttachmentRef[];
    }
  | { kind: 'sms'; to: string; template: string; data?: TemplateData; lng?: string }
  | { kind: 'webhook'; url: string; event: string; data: unknown; secret: string };

/** Reads a file an email attaches (`{ source, id }` in `Message.attachments`); null when it is gone. */
export type AttachmentLoader = (id: string) => Promise<MailAttachment | null>;

async function loadAttachments(refs: AttachmentRef[]): Promise<MailAttachment[]> {
  const files: MailAttachment[] = [];
  for (const ref of refs) {
    const load = appContext().attachmentSources.get(ref.source);
    if (!load) throw new Error(`no attachment source ${ref.source}`);
    const file = await load(ref.id);
    if (file) files.push(file);
  }
  return files;
}

function translatorFor(tenant: TenantDoc, lng: string | undefined): { t: Translate; lng: string } {
  const chosen = lng && tenant.locales.includes(lng) ? lng : tenant.defaultLocale;
  return { t: tenantTranslator(tenant, chosen), lng: chosen };
}

function mailFrom(tenant: TenantDoc): string {
  return `"${tenant.name.replace(/["\\\r\n]/g, '')}" <${runtime().mailFrom}>`;
}

/**
 * The outbox's queue: a job is due at its `nextAttemptAt` (server/db/kernel/expiry.ts), in
 * buckets of five seconds that the delivery worker reads every five seconds. Every write of a
 * `nextAttemptAt` registers it first; the jobs of the earlier version are enrolled once.
 */
export const OUTBOX_QUEUE = queue('outbox', 5_000, [OutboxJob], async (register) => {
  const pending = OutboxJob.find({ nextAttemptAt: mongoose.trusted({ $exists: true }) }, { nextAttemptAt: 1 });
  for await (const job of pending.lean<Pick<OutboxJobDoc, '_id' | 'nextAttemptAt'>>().cursor()) {
    await register(OutboxJob, String(job._id), job.nextAttemptAt!);
  }
});

/** Finished jobs are kept a month, then removed by the hourly sweep; the earlier version's get their date once. */
export const OUTBOX_FINISHED = expiry('outbox-finished', 3600_000, [OutboxJob], async (register) => {
  const finished = OutboxJob.find(
    { status: mongoose.trusted({ $in: ['sent', 'failed'] }), expiresAt: mongoose.trusted({ $exists: false }) },
    { updatedAt: 1 },
  );
  for await (const job of finished.lean<Pick<OutboxJobDoc, '_id' | 'updatedAt'>>().cursor()) {
    const expiresAt = new Date(job.updatedAt.getTime() + KEEP_FINISHED_MS);
    await register(OutboxJob, String(job._id), expiresAt);
    await OutboxJob.updateOne({ _id: job._id }, { $set: { expiresAt } });
  }
});

/** Log streams per hour that enqueuers spread over. */
const LOG_SHARDS = 8;
const HOUR_MS = 3600_000;
const logStream = (hour: number, shard: number) => key(hour, shard);

/** Names the job in the hour's log, for the stats job (see `countOutbox`). */
async function logEnqueued(job: Types.ObjectId, at: Date): Promise<void> {
  await append(OutboxLog, logStream(Math.floor(at.getTime() / HOUR_MS), randomInt(LOG_SHARDS)), { job });
}

/**
 * Puts a message in the outbox: rendered now in the recipient's language with the tenant's
 * branding, delivered by the outbox worker with retries. Returns the job id.
 */
export async function enqueue(ctx: NotifyContext, message: Message): Promise<{ id: string }> {
  let doc: Pick<OutboxJobDoc, 'kind' | 'to' | 'template' | 'subject' | 'payload'>;
  if (message.kind === 'webhook') {
    const body = JSON.stringify({ event: message.event, createdAt: new Date().toISOString(), data: message.data });
    const payload: WebhookPayload = { event: message.event, body, secret: message.secret };
    doc = { kind: 'webhook', to: message.url, template: `webhook:${message.event}`, subject: message.event, payload };
  } else {
    const { t, lng } = translatorFor(ctx.tenant, message.lng ?? ctx.lng);
    const content = getTemplate(message.template)(t, message.data ?? {});
    if (message.kind === 'email') {
      const rendered = renderEmail(ctx.tenant, lng, t, content);
      const payload: EmailPayload = {
        from: mailFrom(ctx.tenant),
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        ...(message.attachments?.length ? { attachments: message.attachments } : {}),
        ...rendered,
      };
      doc = { kind: 'email', to: message.to, template: message.template, subject: rendered.subject, payload };
    } else {
      if (!content.sms) throw new Error(`notify template ${message.template} has no SMS text`);
      // An SMS names its sender: a phone shows only the gateway's number, and a code alone says nothing of whose it is.
      const payload: SmsPayload = { text: `${ctx.tenant.name}: ${content.sms}` };
      doc = { kind: 'sms', to: message.to, template: message.template, subject: '', payload };
    }
  }
  const _id = new Types.ObjectId();
  const now = new Date();
  await Promise.all([dueAt(OUTBOX_QUEUE, OutboxJob, String(_id), now), logEnqueued(_id, now)]);
  const job = await OutboxJob.create({
    ...doc,
    _id,
    tenantId: ctx.tenant._id,
    status: 'queued',
    attempts: 0,
    nextAttemptAt: now,
  });
  setImmediate(() => {
    attempt(job).catch((err: unknown) => runtime().logger.error({ err, jobId: String(job._id) }, 'outbox delivery failed'));
  });
  return { id: String(job._id) };
}

/**
 * The lease of one delivery attempt of a job (leases.ts): of concurrent workers exactly one holds
 * it; if its holder dies, the next worker takes the attempt over once `leaseMs` has run out.
 */
export function attemptWork(jobId: Types.ObjectId | string, attempt: number): string {
  return key('outbox', String(jobId), attempt);
}

/**
 * The Message-ID of an email: its outbox id at the sender's domain. Every attempt of a job sends
 * the same one, so a copy resent after a crash between sending and recording it (delivery is at
 * least once) is recognisable, to the recipient's mail system and to a person, as the same message.
 */
export function messageIdOf(jobId: Types.ObjectId | string): string {
  return `<outbox.${String(jobId)}@${runtime().mailFrom.split('@').pop()}>`;
}

async function send(job: OutboxJobDoc): Promise<void> {
  if (!job.payload) throw new Error('the job has no payload');
  if (job.kind === 'email') {
    const { mail } = runtime();
    if (!mail) throw new Error('no mail transport configured (SMTP_URL)');
    const p = job.payload as EmailPayload;
    const attachments = await loadAttachments(p.attachments ?? []);
    await mail.send({
      messageId: messageIdOf(job._id),
      from: p.from,
      replyTo: p.replyTo,
      to: job.to,
      subject: p.subject,
      text: p.text,
      html: p.html,
      ...(attachments.length ? { attachments } : {}),
    });
  } else if (job.kind === 'sms') {
    const { sms } = runtime();
    if (!sms) throw new Error('no SMS provider configured (SMS_GATEWAY_URL)');
    await sms.send(job.to, (job.payload as SmsPayload).text);
  } else {
    const p = job.payload as WebhookPayload;
    await postWebhook({ url: job.to, id: String(job._id), event: p.event, body: p.body, secret: p.secret });
  }
}

export function backoffMs(attemptsMade: number, policy: RetryPolicy = runtime().retry): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp * (0.8 + randomInt(0, 401) / 1000));
}

const attemptFailures = new client.Counter({
  name: 'gaskit_outbox_attempt_failures_total',
  help: 'Outbox delivery attempts that failed on this instance, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});
const givenUp = new client.Counter({
  name: 'gaskit_outbox_failed_total',
  help: 'Outbox jobs this instance gave up after their last attempt (status failed), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/**
 * Runs one delivery when one of this instance's `pool.maxConnections` slots is free. A delivery
 * takes its slot before it claims the job, so a job never holds its lease while it waits here.
 */
async function withSlot<T>(run: () => Promise<T>): Promise<T> {
  const slots = runtime();
  if (slots.busy >= slots.pool.maxConnections) await new Promise<void>((resolve) => slots.waiting.push(resolve));
  else slots.busy += 1;
  try {
    return await run();
  } finally {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.busy -= 1;
  }
}

/** One delivery attempt of one due job, if this worker wins its lease, in a slot of this instance. */
function attempt(seen: Pick<OutboxJobDoc, '_id' | 'attempts'>): Promise<Outcome> {
  return withSlot(() => attemptNow(seen));
}

/**
 * What came of one delivery attempt: `held` when another worker holds the attempt, `stale` when
 * it is no longer due (finished, or due later).
 */
type Outcome = 'sent' | 'failed' | 'held' | 'stale';

/** Finishes the job for good: it is kept a month for the record, without its body. */
async function finish(job: OutboxJobDoc, set: Partial<OutboxJobDoc>, unset: string[]): Promise<void> {
  const expiresAt = new Date(Date.now() + KEEP_FINISHED_MS);
  await dueAt(OUTBOX_FINISHED, OutboxJob, String(job._id), expiresAt);
  await OutboxJob.updateOne(
    { _id: job._id },
    { $set: { ...set, expiresAt }, $unset: Object.fromEntries(['payload', 'nextAttemptAt', ...unset].map((f) => [f, 1])) },
  );
}

async function attemptNow(seen: Pick<OutboxJobDoc, '_id' | 'attempts'>): Promise<Outcome> {
  const work = attemptWork(seen._id, seen.attempts);
  const lease = await claim(work, runtime().retry.leaseMs);
  if (!lease) return 'held';
  // What we saw may be stale: another worker may have finished this attempt in the meantime.
  const now = new Date();
  const job = await findByKey<OutboxJobDoc>(OutboxJob, seen._id);
  if (!job || job.attempts !== seen.attempts) {
    // The attempt is over for good (its holder counted it before sending): nothing may claim it again.
    await forget(work);
    return 'stale';
  }
  if (!job.nextAttemptAt || job.nextAttemptAt > now) {
    await lease.release();
    return 'stale';
  }
  const attempts = job.attempts + 1;
  // Due again when the lease runs out, should this worker stop while sending.
  const leaseEnd = new Date(now.getTime() + runtime().retry.leaseMs);
  await dueAt(OUTBOX_QUEUE, OutboxJob, String(job._id), leaseEnd);
  await OutboxJob.updateOne({ _id: job._id }, { $set: { status: 'sending', attempts, nextAttemptAt: leaseEnd } });
  try {
    await send(job);
  } catch (err) {
    const lastError = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const giveUp = attempts >= runtime().retry.maxAttempts;
    attemptFailures.inc({ kind: job.kind });
    if (giveUp) {
      givenUp.inc({ kind: job.kind });
      await finish(job, { status: 'failed', lastError }, []);
    } else {
      const nextAttemptAt = new Date(Date.now() + backoffMs(attempts));
      await dueAt(OUTBOX_QUEUE, OutboxJob, String(job._id), nextAttemptAt);
      await OutboxJob.updateOne({ _id: job._id }, { $set: { status: 'queued', lastError, nextAttemptAt } });
    }
    await forget(work);
    runtime().logger.warn(
      { jobId: String(job._id), kind: job.kind, attempts, giveUp, err: lastError },
      'outbox delivery attempt failed',
    );
    return 'failed';
  }
  await finish(job, { status: 'sent', sentAt: new Date() }, ['lastError']);
  await forget(work);
  return 'sent';
}

/** Most due records one run of the delivery worker takes on. */
const DUE_BATCH = 1000;
/** Most expiry records one run of the sweep reads. */
const SWEEP_BATCH = 10_000;

/**
 * Takes a due record of the queue: attempts the job if it is still unfinished and due no later
 * than the record says (a later `nextAttemptAt` has a record of its own). When another worker
 * holds the attempt, the job is looked at again once that worker's lease has run out, in case it
 * stopped before the job's next due time was written.
 */
async function deliverRecord(record: Due): Promise<boolean> {
  const job = await findByKey<OutboxJobDoc>(OutboxJob, record.id, { attempts: 1, nextAttemptAt: 1 });
  if (!job?.nextAttemptAt || job.nextAttemptAt > record.at) return false;
  const outcome = await attempt(job);
  if (outcome === 'held') {
    await dueAt(OUTBOX_QUEUE, OutboxJob, record.id, new Date(Date.now() + runtime().retry.leaseMs));
  }
  return outcome === 'sent';
}

/**
 * Delivers the jobs that are due (queued ones whose time came, and sending ones whose lease ran
 * out): the queue's records due by `now`, at most `limit` a run (server/db/kernel/expiry.ts), each
 * job read and claimed by `_id`. Returns how many were sent.
 */
export async function deliverDue(limit = DUE_BATCH, now = new Date()): Promise<number> {
  return sweepDue(OUTBOX_QUEUE, now, limit, async (due) => (await Promise.all(due.map(deliverRecord))).filter(Boolean).length);
}

/** Removes jobs finished more than a month ago, by their expiry records (`limit` a run); returns how many went. */
export async function sweepOutbox(now = new Date(), limit = SWEEP_BATCH): Promise<number> {
  return sweepExpired(OUTBOX_FINISHED, now, limit);
}

/** Most unfinished jobs one run of the stats job counts. */
const STATS_BATCH = 10_000;
const STATS_ID = 'outbox';

type Pending = Pick<OutboxJobDoc, '_id' | 'createdAt' | 'nextAttemptAt'>;

/** The jobs among `ids` that are not finished (queued or sending: those with a `nextAttemptAt`), each by `_id`. */
async function unfinished(ids: Types.ObjectId[]): Promise<Pending[]> {
  const jobs = await Promise.all(ids.map((id) => findByKey<Pending>(OutboxJob, id, { createdAt: 1, nextAttemptAt: 1 })));
  return jobs.filter((j): j is Pending => j?.nextAttemptAt !== undefined && j.nextAttemptAt !== null);
}

/**
 * Counts the unfinished jobs and finds the oldest, and records the result for /metrics: the jobs
 * found unfinished last time are looked at again, then what the log says was enqueued since, each
 * by `_id` (the work of a run follows the backlog and the traffic, not the outbox's size); an
 * hour's log is removed once read and over. At most `limit` jobs are counted: beyond, the depth
 * says `limit`. The first count of this version takes the unfinished jobs from one scan.
 */
export async function countOutbox(limit = STATS_BATCH): Promise<OutboxStatsDoc> {
  const previous = await findByKey<OutboxStatsDoc>(OutboxStats, STATS_ID);
  const now = Date.now();
  const hour = Math.floor(now / HOUR_MS);
  let open: Pending[];
  const read: Record<string, number> = { ...previous?.read };
  if (previous?.read) {
    open = await unfinished(previous.open ?? []);
  } else {
    const scan = OutboxJob.find({ nextAttemptAt: mongoose.trusted({ $exists: true }) }, { createdAt: 1, nextAttemptAt: 1 });
    open = await scan.limit(limit).lean<Pending[]>();
  }
  const seen = new Set(open.map((j) => String(j._id)));
  const hourOf = (stream: string) => Number(stream.split(':')[0]);
  // From the oldest hour not yet removed, or the last count's (an hour it did not see): the first count starts now.
  const lastCount = previous?.read ? previous.countedAt.getTime() : now;
  const since = Math.min(hour, ...Object.keys(read).map(hourOf), Math.floor(lastCount / HOUR_MS));
  for (let h = since; h <= hour; h += 1) {
    let complete = true;
    for (let shard = 0; shard < LOG_SHARDS; shard += 1) {
      const stream = logStream(h, shard);
      for (;;) {
        const room = limit - open.length;
        const after = read[stream] ?? 0;
        if (room <= 0) {
          complete = false;
          break;
        }
        const rows = await readAfter<OutboxLogDoc>(OutboxLog, stream, after, Math.min(500, room));
        if (rows.length === 0) break;
        const fresh = await unfinished(rows.map((r) => r.job).filter((id) => !seen.has(String(id))));
        for (const j of fresh) seen.add(String(j._id));
        open.push(...fresh);
        read[stream] = after + rows.length;
      }
    }
    // An hour over for another hour gets no more entries: once read to its end, they go.
    if (complete && h < hour - 1) {
      for (let shard = 0; shard < LOG_SHARDS; shard += 1) {
        const stream = logStream(h, shard);
        const ids = Array.from({ length: read[stream] ?? 0 }, (_, n) => streamId(stream, n + 1));
        // At most 50 statements a command (FerretDB v1 holds a connection per statement: see billing/writer.ts).
        for (let i = 0; i < ids.length; i += 50) {
          await OutboxLog.bulkWrite(
            ids.slice(i, i + 50).map((_id) => ({ deleteOne: { filter: { _id } } })),
            { ordered: false },
          );
        }
        delete read[stream];
      }
    }
  }
  const oldest = open.reduce<Date | undefined>((min, j) => (!min || j.createdAt < min ? j.createdAt : min), undefined);
  const stats: OutboxStatsDoc = {
    _id: STATS_ID,
    depth: open.length,
    ...(oldest ? { oldestAt: oldest } : {}),
    countedAt: new Date(now),
    read,
    open: open.map((j) => j._id),
  };
  // One job at a time writes it (runExclusive), so a plain replacement is safe.
  await OutboxStats.replaceOne({ _id: STATS_ID }, stats, { upsert: true });
  return stats;
}

/**
 * The last count, one `_id` lookup per scrape: what every instance's /metrics reports. While the
 * database is away the gauges keep their last values instead of making the scrape wait.
 */
async function lastCount(): Promise<Pick<OutboxStatsDoc, 'depth' | 'oldestAt'> | undefined> {
  if (!isDbReady()) return undefined;
  return (await findByKey<OutboxStatsDoc>(OutboxStats, STATS_ID)) ?? { depth: 0 };
}

new client.Gauge({
  name: 'gaskit_outbox_depth',
  help: 'Outbox jobs queued or sending, as last counted by the notify.stats job',
  registers: [registry],
  async collect() {
    const count = await lastCount();
    if (count) this.set(count.depth);
  },
});
new client.Gauge({
  name: 'gaskit_outbox_oldest_job_age_seconds',
  help: 'Age of the oldest outbox job not yet finished (0 when none), as of the last count',
  registers: [registry],
  async collect() {
    const count = await lastCount();
    if (count) this.set(count.oldestAt ? (Date.now() - count.oldestAt.getTime()) / 1000 : 0);
  },
});

/** The delivery state of one job (status, attempts, last error), for the modules that enqueued it. */
export async function jobStatus(id: string | Types.ObjectId) {
  const job = await findByKey<OutboxJobDoc>(OutboxJob, id);
  if (!job) return null;
  return {
    status: job.status,
    attempts: job.attempts,
    lastError: job.lastError,
    sentAt: job.sentAt,
    nextAttemptAt: job.nextAttemptAt,
  };
}

export const OUTBOX_WORKER = 'notify.outbox';
export const OUTBOX_SWEEP = 'notify.sweep';
export const OUTBOX_STATS = 'notify.stats';

/** The outbox's jobs: delivery of what is due, removal of old finished jobs, the counts for /metrics. */
export const notifyWorkers: Worker[] = [
  {
    name: OUTBOX_WORKER,
    intervalMs: 5_000,
    async run(logger) {
      const sent = await deliverDue();
      if (sent) logger.debug({ sent }, 'outbox delivered');
    },
  },
  {
    name: OUTBOX_SWEEP,
    intervalMs: 3_600_000,
    async run(logger) {
      const removed = await sweepOutbox();
      if (removed) logger.info({ removed }, 'old outbox jobs removed');
    },
  },
  {
    name: OUTBOX_STATS,
    intervalMs: 15_000,
    async run() {
      await countOutbox();
    },
  },
];

import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

export type OutboxKind = 'email' | 'sms' | 'webhook';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

/** A file to attach, named by the module that keeps it (a module lists its sources in its manifest, `attachmentSources`). */
export interface AttachmentRef {
  source: string;
  id: string;
}

export interface EmailPayload {
  from: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  /** Read from their source when the email is sent, so the outbox never copies the bytes. */
  attachments?: AttachmentRef[];
}
export interface SmsPayload {
  text: string;
}
export interface WebhookPayload {
  event: string;
  body: string;
  secret: string;
}

/**
 * One message to deliver. The body is rendered when the message is enqueued (so a change of
 * template or tenant later does not alter it) and removed once the job is finished: codes and
 * links must not outlive their delivery in the database.
 */
export interface OutboxJobDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  kind: OutboxKind;
  /** Email address, E.164 phone number or webhook URL. */
  to: string;
  template: string;
  /** Kept after delivery for the record; the body is not. */
  subject: string;
  payload?: EmailPayload | SmsPayload | WebhookPayload;
  status: OutboxStatus;
  /** Claims made so far; each claim is one delivery attempt. */
  attempts: number;
  /** When the job is next due: the retry time while queued, the lease end while sending; unset once finished. */
  nextAttemptAt?: Date;
  lastError?: string;
  sentAt?: Date;
  /** Set once the job is finished: the outbox's sweep removes it then (server/db/kernel/expiry.ts). */
  expiresAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const outboxSchema = new Schema<OutboxJobDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['email', 'sms', 'webhook'], required: true },
    to: { type: String, required: true },
    template: { type: String, required: true },
    subject: { type: String, default: '' },
    payload: { type: Schema.Types.Mixed, private: true },
    status: { type: String, enum: ['queued', 'sending', 'sent', 'failed'], default: 'queued' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date },
    lastError: { type: String },
    sentAt: { type: Date },
    expiresAt: { type: Date },
  },
  { timestamps: true, collection: 'outbox' },
);
outboxSchema.index({ tenantId: 1, createdAt: -1 });
outboxSchema.plugin(toJSON);

export const OutboxJob = mongoose.model<OutboxJobDoc>('OutboxJob', outboxSchema);

/**
 * The log of enqueued jobs: `<hour>:<shard>:<n>`, a gap-free stream per hour and shard
 * (server/db/kernel/streams.ts) naming each job once, so that the stats job reads by key what
 * was enqueued since it last counted. An hour's entries go once it has been read and is over.
 */
export interface OutboxLogDoc {
  _id: string;
  stream: string;
  seq: number;
  job: Types.ObjectId;
}

const outboxLogSchema = new Schema<OutboxLogDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    job: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: 'outbox_log' },
);

export const OutboxLog = mongoose.model<OutboxLogDoc>('OutboxLog', outboxLogSchema);

/**
 * The outbox's backlog as the stats job last counted it (`_id: 'outbox'`), so that every
 * instance's /metrics reads one document by `_id` instead of scanning the outbox; and where the
 * count goes on: how far each stream of the log was read, and the jobs read that were unfinished.
 */
export interface OutboxStatsDoc {
  _id: string;
  /** Jobs queued or sending, up to the count's batch. */
  depth: number;
  /** When the oldest of those jobs was enqueued; unset when there are none. */
  oldestAt?: Date;
  countedAt: Date;
  /** Entries read per log stream (`<hour>:<shard>`); missing before the first count of this version. */
  read?: Record<string, number>;
  /** The jobs found unfinished, looked at again by the next count. */
  open?: Types.ObjectId[];
}

const outboxStatsSchema = new Schema<OutboxStatsDoc>(
  {
    _id: { type: String, required: true },
    depth: { type: Number, required: true },
    oldestAt: { type: Date },
    countedAt: { type: Date, required: true },
    read: { type: Schema.Types.Mixed },
    open: { type: [Schema.Types.ObjectId], default: undefined },
  },
  { versionKey: false, collection: 'outbox_stats' },
);

export const OutboxStats = mongoose.model<OutboxStatsDoc>('OutboxStats', outboxStatsSchema);

/** What the dev mailbox received (demo mode only); in the database so every instance sees all of it. */
export interface DevMailDoc {
  _id: Types.ObjectId;
  kind: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; type: string; size: number }[];
  sentAt: Date;
}

const devMailSchema = new Schema<DevMailDoc>(
  {
    kind: { type: String, enum: ['email', 'sms'], required: true },
    to: { type: String, required: true },
    subject: { type: String, default: '' },
    text: { type: String, default: '' },
    html: { type: String, default: '' },
    attachments: { type: [{ _id: false, filename: String, type: { type: String }, size: Number }], default: [] },
    sentAt: { type: Date, default: () => new Date() },
  },
  { collection: 'devmail' },
);
devMailSchema.index({ sentAt: -1 });
devMailSchema.index({ to: 1, sentAt: -1 });

export const DevMail = mongoose.model<DevMailDoc>('DevMail', devMailSchema);

import mongoose, { Schema } from 'mongoose';

/**
 * The kernel's own collections. Every document is found by its `_id` alone (see keys.ts); the
 * `expiresAt` fields are checked by the sweeps, which find the documents through their expiry
 * records (expiry.ts), not through an index.
 */

/** One number of a counter: `<counter>:<n>` (a gap-free stream with nothing else in it). */
export interface NumberDoc {
  _id: string;
  stream: string;
  seq: number;
}
const numberSchema = new Schema<NumberDoc>(
  { _id: { type: String, required: true }, stream: { type: String, required: true }, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'kernel_numbers' },
);
export const NumberEntry = mongoose.model<NumberDoc>('KernelNumber', numberSchema);

/** A claim ticket: `<work>:<generation>`; the holder of the newest live ticket holds the work. */
export interface TicketDoc {
  _id: string;
  work: string;
  generation: number;
  holder: string;
  leaseUntil: Date;
  /** When the ticket may be swept: long after any holder could still be working. */
  expiresAt: Date;
}
const ticketSchema = new Schema<TicketDoc>(
  {
    _id: { type: String, required: true },
    work: { type: String, required: true },
    generation: { type: Number, required: true },
    holder: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'kernel_tickets' },
);
export const Ticket = mongoose.model<TicketDoc>('KernelTicket', ticketSchema);

/** One hit of a rate-limit window: `<key>:<epoch>:<window>:<n>` (a gap-free stream per window). */
export interface HitDoc {
  _id: string;
  stream: string;
  seq: number;
  at: Date;
  expiresAt: Date;
}
const hitSchema = new Schema<HitDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'kernel_hits' },
);
export const Hit = mongoose.model<HitDoc>('KernelHit', hitSchema);

/** The current epoch of a rate-limit key: clearing a key starts a new epoch, leaving old hits to the sweep. */
export interface EpochDoc {
  _id: string;
  epoch: string;
  expiresAt: Date;
}
const epochSchema = new Schema<EpochDoc>(
  { _id: { type: String, required: true }, epoch: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { versionKey: false, collection: 'kernel_epochs' },
);
export const Epoch = mongoose.model<EpochDoc>('KernelEpoch', epochSchema);

/** An idempotency record: `<tenant>:<subscriber>:<scope>:<Idempotency-Key>`. */
export interface IdempotencyDoc {
  _id: string;
  /** sha256 of the request, so a key reused for another request is noticed. */
  fingerprint: string;
  state: 'pending' | 'done';
  /** The stored result as JSON, once done. */
  response?: string;
  /** Who runs it now; a run that outlives this is taken over (its server died). */
  lockedUntil: Date;
  expiresAt: Date;
  /** Changes made by takeovers (revisions.ts). */
  rev?: number;
}
const idempotencySchema = new Schema<IdempotencyDoc>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, enum: ['pending', 'done'], required: true },
    response: { type: String },
    lockedUntil: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    rev: { type: Number },
  },
  { versionKey: false, collection: 'kernel_idempotency' },
);
export const IdempotencyRecord = mongoose.model<IdempotencyDoc>('KernelIdempotency', idempotencySchema);

/**
 * Where the entry appended once for an identity is, or is reserved (streams.ts `appendOnce`):
 * `<collection>:<stream>:<identity>`.
 */
export interface StreamMarkDoc {
  _id: string;
  seq: number;
}
const streamMarkSchema = new Schema<StreamMarkDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'kernel_stream_marks' },
);
export const StreamMark = mongoose.model<StreamMarkDoc>('KernelStreamMark', streamMarkSchema);

/**
 * One due record (expiry.ts): `<schedule>:<bucket>:<shard>:<n>`, a gap-free stream per time
 * bucket and shard. It names a document (`target` in collection `coll`) that is due at `at` (to
 * remove once its `expiresAt` has passed, or to hand to a queue's job), or with `whole` a stream
 * of that collection to remove entirely.
 */
export interface ExpiryEntryDoc {
  _id: string;
  stream: string;
  seq: number;
  coll: string;
  target: string;
  at: Date;
  whole?: boolean;
}
const expiryEntrySchema = new Schema<ExpiryEntryDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    coll: { type: String, required: true },
    target: { type: String, required: true },
    at: { type: Date, required: true },
    whole: { type: Boolean },
  },
  { versionKey: false, collection: 'kernel_expiries' },
);
export const ExpiryEntry = mongoose.model<ExpiryEntryDoc>('KernelExpiry', expiryEntrySchema);

/**
 * Where a schedule's sweep goes on (`expiry:<schedule>`): the next record is `seq + 1` of the
 * bucket's shard; `ahead` says how many records of an open bucket's shard (`<bucket>_<shard>`)
 * were handed over already, and `past` which records after those were too (due ones behind one
 * that is not yet due). `enrolled` once the documents written before the schedule existed have
 * records.
 */
export interface ExpiryCursorDoc {
  _id: string;
  bucket: number;
  shard: number;
  seq: number;
  ahead?: Record<string, number>;
  past?: Record<string, number[]>;
  enrolled?: boolean;
  /** Until when a run that is enrolling is left to it (see expiry.ts `enrol`). */
  enrolling?: Date;
}
const expiryCursorSchema = new Schema<ExpiryCursorDoc>(
  {
    _id: { type: String, required: true },
    bucket: { type: Number, required: true },
    shard: { type: Number, required: true },
    seq: { type: Number, required: true },
    ahead: { type: Schema.Types.Mixed },
    past: { type: Schema.Types.Mixed },
    enrolled: { type: Boolean },
    enrolling: { type: Date },
  },
  { versionKey: false, collection: 'kernel_expiry_cursors' },
);
export const ExpiryCursor = mongoose.model<ExpiryCursorDoc>('KernelExpiryCursor', expiryCursorSchema);

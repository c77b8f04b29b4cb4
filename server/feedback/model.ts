import mongoose, { Schema, type Types } from 'mongoose';
import { ATTACHMENT_TYPES, FEEDBACK_STATUSES, type AttachmentType, type FeedbackStatus } from '../../contracts/rules/feedback.ts';
import { key } from '../db/kernel/keys.ts';
import { toJSON } from '../db/plugins.ts';

/**
 * The feedback module's documents, each found by its `_id` alone: a request by its id (the reply
 * address and the integration API name it), a file by its id, a supplier's questions and answers
 * in one language by `<tenantId>:<lng>`. A cabinet's requests and a supplier's changes are
 * gap-free streams (server/db/kernel/streams.ts) that point at the requests.
 */

export type AnswerSource = 'integration' | 'email';

/** The counter of a supplier's request numbers (server/db/kernel/counters.ts). */
export const numberCounter = (tenantId: Types.ObjectId) => key('feedback', tenantId);
/** The stream of a cabinet's requests at one supplier (`OwnRequest`), oldest first. */
export const ownStream = (tenantId: Types.ObjectId, subscriberId: Types.ObjectId) => key('feedback-own', tenantId, subscriberId);
/** The stream of changes of a supplier's requests (`FeedbackChange`); the integration API's cursor is its seq. */
export const changeStream = (tenantId: Types.ObjectId) => key('feedback-changes', tenantId);

export interface FeedbackRequestDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** The tenant's slug, so that a reply by email (which carries only the request id) finds its tenant. */
  tenantSlug: string;
  /** Sequential per tenant, for people (the kernel counter `feedback:<tenantId>`). */
  number: number;
  /** The author when signed in; anonymous requests have none. */
  subscriberId?: Types.ObjectId;
  topic: string;
  /** The department the topic was routed to when the request came in, and its address then. */
  department: { id: string; email: string };
  message: string;
  contact: { name: string; email: string; phone: string };
  accountNumber: string;
  /** Language of the author, for the answer email. */
  locale: string;
  attachments: { fileId: Types.ObjectId; name: string; type: AttachmentType; size: number }[];
  status: FeedbackStatus;
  answers: { text: string; source: AnswerSource; from: string; messageId: string; at: Date }[];
  history: { status: FeedbackStatus; source: 'subscriber' | AnswerSource; at: Date }[];
  /** Changes made by the department (server/db/kernel/revisions.ts). */
  rev?: number;
  /** The entry of the supplier's change stream that announced the latest change. */
  changeSeq?: number;
  createdAt: Date;
  updatedAt: Date;
}

const feedbackRequestSchema = new Schema<FeedbackRequestDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    tenantSlug: { type: String, required: true },
    number: { type: Number, required: true },
    subscriberId: { type: Schema.Types.ObjectId },
    topic: { type: String, required: true },
    department: { id: { type: String, required: true }, email: { type: String, required: true } },
    message: { type: String, required: true },
    contact: { name: { type: String, default: '' }, email: { type: String, default: '' }, phone: { type: String, default: '' } },
    accountNumber: { type: String, default: '' },
    locale: { type: String, required: true },
    attachments: [
      {
        _id: false,
        fileId: { type: Schema.Types.ObjectId, required: true },
        name: { type: String, required: true },
        type: { type: String, enum: ATTACHMENT_TYPES, required: true },
        size: { type: Number, required: true },
      },
    ],
    status: { type: String, enum: FEEDBACK_STATUSES, default: 'new' },
    answers: [
      {
        _id: false,
        text: { type: String, required: true },
        source: { type: String, enum: ['integration', 'email'], required: true },
        from: { type: String, default: '' },
        messageId: { type: String, default: '' },
        at: { type: Date, required: true },
      },
    ],
    history: [
      {
        _id: false,
        status: { type: String, enum: FEEDBACK_STATUSES, required: true },
        source: { type: String, enum: ['subscriber', 'integration', 'email'], required: true },
        at: { type: Date, required: true },
      },
    ],
    rev: { type: Number },
    changeSeq: { type: Number },
    // Set by the service, so that what a change returns is what is stored.
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'feedback_requests' },
);
feedbackRequestSchema.plugin(toJSON);

export const FeedbackRequest = mongoose.model<FeedbackRequestDoc>('FeedbackRequest', feedbackRequestSchema);

/** An entry of a cabinet's requests at one supplier: `<tenantId>:<subscriberId>:<n>`, oldest first. */
export interface OwnRequestDoc {
  _id: string;
  stream: string;
  seq: number;
  requestId: Types.ObjectId;
}
const ownRequestSchema = new Schema<OwnRequestDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    requestId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: 'feedback_own' },
);
export const OwnRequest = mongoose.model<OwnRequestDoc>('FeedbackOwnRequest', ownRequestSchema);

/**
 * A change of one of a supplier's requests (created, moved on, answered): `<tenantId>:<n>`, in the
 * order they were made. The integration API follows this stream; `n` is its cursor.
 */
export interface FeedbackChangeDoc {
  _id: string;
  stream: string;
  seq: number;
  requestId: Types.ObjectId;
  /** The request's status after the change. */
  status: FeedbackStatus;
  /** The request's `updatedAt` after the change. */
  at: Date;
}
const feedbackChangeSchema = new Schema<FeedbackChangeDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    requestId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: FEEDBACK_STATUSES, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'feedback_changes' },
);
export const FeedbackChange = mongoose.model<FeedbackChangeDoc>('FeedbackChange', feedbackChangeSchema);

/** An attachment's bytes, kept apart from the request (small files; FerretDB v1 has no GridFS). */
export interface FeedbackFileDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  requestId: Types.ObjectId;
  name: string;
  type: AttachmentType;
  size: number;
  data: Buffer;
  /** Stored before its request; cleared once the request is stored (the sweep removes files left pending). */
  pending?: boolean;
  createdAt: Date;
}

const feedbackFileSchema = new Schema<FeedbackFileDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    requestId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    type: { type: String, enum: ATTACHMENT_TYPES, required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    pending: { type: Boolean, default: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'feedbackfiles' },
);

export const FeedbackFile = mongoose.model<FeedbackFileDoc>('FeedbackFile', feedbackFileSchema);

export interface FaqEntryDoc {
  /** The supplier's own id of the entry (upserts and deletes address it). */
  key: string;
  question: string;
  answer: string;
  /** Topic the entry belongs to ('' for any). */
  topic: string;
  order: number;
  /** Normalised words of question and answer, for the search (FerretDB v1 has no text indexes). */
  keywords: string[];
}

/**
 * A supplier's questions and answers in one language: `<tenantId>:<lng>`, its entries a bounded
 * list in the supplier's order, searched in code.
 */
export interface FaqListDoc {
  _id: string;
  tenantId: Types.ObjectId;
  lng: string;
  entries: FaqEntryDoc[];
  rev?: number;
}

const faqListSchema = new Schema<FaqListDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    lng: { type: String, required: true },
    entries: [
      {
        _id: false,
        key: { type: String, required: true },
        question: { type: String, required: true },
        answer: { type: String, required: true },
        topic: { type: String, default: '' },
        order: { type: Number, default: 0 },
        keywords: { type: [String], default: [] },
      },
    ],
    rev: { type: Number },
  },
  { versionKey: false, collection: 'feedback_faq' },
);

export const FaqList = mongoose.model<FaqListDoc>('FaqList', faqListSchema);

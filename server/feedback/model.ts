import mongoose, { Schema, type Types } from 'mongoose';
import { ATTACHMENT_TYPES, FEEDBACK_STATUSES, type AttachmentType, type FeedbackStatus } from '../../sdk/feedback.ts';
import { toJSON } from '../db/plugins.ts';

export type AnswerSource = 'integration' | 'email';

export interface FeedbackRequestDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** The tenant's slug, so that a reply by email (which carries only the request id) finds its tenant. */
  tenantSlug: string;
  /** Sequential per tenant, for people. */
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
  },
  { timestamps: true, collection: 'feedbackrequests' },
);
feedbackRequestSchema.index({ tenantId: 1, number: 1 }, { unique: true });
feedbackRequestSchema.index({ tenantId: 1, subscriberId: 1, createdAt: -1 });
feedbackRequestSchema.index({ tenantId: 1, updatedAt: 1, _id: 1 });
feedbackRequestSchema.plugin(toJSON);

export const FeedbackRequest = mongoose.model<FeedbackRequestDoc>('FeedbackRequest', feedbackRequestSchema);

/** An attachment's bytes, kept apart from the request (small files; FerretDB v1 has no GridFS). */
export interface FeedbackFileDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  requestId: Types.ObjectId;
  name: string;
  type: AttachmentType;
  size: number;
  data: Buffer;
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
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'feedbackfiles' },
);
feedbackFileSchema.index({ tenantId: 1, requestId: 1 });
feedbackFileSchema.index({ createdAt: 1 });

export const FeedbackFile = mongoose.model<FeedbackFileDoc>('FeedbackFile', feedbackFileSchema);

/** The per-tenant sequence behind request numbers. */
const feedbackCounterSchema = new Schema<{ tenantId: Types.ObjectId; seq: number }>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, unique: true },
    seq: { type: Number, default: 0 },
  },
  { collection: 'feedbackcounters' },
);

export const FeedbackCounter = mongoose.model('FeedbackCounter', feedbackCounterSchema);

export interface FaqEntryDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** The supplier's own id of the entry (upserts and deletes address it). */
  key: string;
  lng: string;
  question: string;
  answer: string;
  /** Topic the entry belongs to ('' for any). */
  topic: string;
  order: number;
  /** Normalised words of question and answer, for prefix search (FerretDB v1 has no text indexes). */
  keywords: string[];
  createdAt: Date;
  updatedAt: Date;
}

const faqEntrySchema = new Schema<FaqEntryDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    lng: { type: String, required: true },
    question: { type: String, required: true },
    answer: { type: String, required: true },
    topic: { type: String, default: '' },
    order: { type: Number, default: 0 },
    keywords: { type: [String], default: [], private: true },
  },
  { timestamps: true, collection: 'faqentries' },
);
faqEntrySchema.index({ tenantId: 1, key: 1, lng: 1 }, { unique: true });
faqEntrySchema.index({ tenantId: 1, lng: 1, order: 1 });
faqEntrySchema.index({ tenantId: 1, lng: 1, keywords: 1 });
faqEntrySchema.plugin(toJSON);

export const FaqEntry = mongoose.model<FaqEntryDoc>('FaqEntry', faqEntrySchema);

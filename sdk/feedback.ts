/**
 * Feedback, questions and answers: the SDK group (`client.feedback`), the
 * wire types, and the rules the widget and the server share (limits,
 * attachment types sniffed from content, message and contact validators).
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';
import type { AttachmentType, FeedbackStatus } from '../contracts/rules/feedback.ts';

export {
  ATTACHMENT_TYPES,
  attachmentsError,
  contactEmailRules,
  contactNameRules,
  contactPhoneRules,
  FEEDBACK_LIMITS,
  FEEDBACK_STATUSES,
  messageRules,
  sniffAttachmentType,
  SNIFF_BYTES,
  type AttachmentType,
  type FeedbackStatus,
} from '../contracts/rules/feedback.ts';

export interface FeedbackContact {
  name: string;
  email: string;
  phone: string;
}

export interface FeedbackAttachment {
  id: string;
  name: string;
  type: AttachmentType;
  /** Bytes. */
  size: number;
}

export interface FeedbackAnswer {
  text: string;
  /** ISO date-time. */
  at: string;
}

/** A support request as its author sees it. */
export interface FeedbackRequest {
  id: string;
  /** Sequential per supplier, shown to people ("request No. 42"). */
  number: number;
  topic: string;
  status: FeedbackStatus;
  message: string;
  contact: FeedbackContact;
  accountNumber: string;
  attachments: FeedbackAttachment[];
  answers: FeedbackAnswer[];
  createdAt: string;
  updatedAt: string;
}

export interface FeedbackInput {
  /** A topic id from `config.support.topics`. */
  topic: string;
  message: string;
  name?: string;
  email?: string;
  phone?: string;
  /** A linked account (signed in) or any account number of the supplier (anonymous). */
  accountNumber?: string;
  /** The solved captcha payload; required when nobody is signed in. */
  captcha?: string;
  /** Images or PDF, sent as multipart/form-data. */
  files?: readonly Blob[];
}

export interface FaqEntry {
  key: string;
  question: string;
  answer: string;
  topic: string;
}

export interface FaqQuery {
  /** Words to look for; empty lists every entry. */
  q?: string;
  limit?: number;
  signal?: AbortSignal;
}

function formData(input: FeedbackInput): FormData {
  const form = new FormData();
  const { files = [], ...fields } = input;
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
  for (const file of files) form.append('files', file, file instanceof File ? file.name : 'attachment');
  return form;
}

/** `client.feedback`: support requests and questions-and-answers. */
export class FeedbackApi {
  constructor(private readonly core: ClientCore) {}

  /**
   * `POST feedback`: sends a request to the department of its topic. Signed in, it is the
   * subscriber's; otherwise `captcha` is required. Files go as multipart/form-data.
   */
  send(input: FeedbackInput, options: { signal?: AbortSignal } = {}): Promise<FeedbackRequest> {
    const body = input.files?.length ? formData(input) : { ...input, files: undefined };
    return this.core.request<FeedbackRequest>('feedback', { method: 'POST', body, signal: options.signal });
  }

  /** `GET feedback`: the signed-in subscriber's requests, newest first, with statuses and answers. */
  list(options: { signal?: AbortSignal } = {}): Promise<{ items: FeedbackRequest[] }> {
    return this.core.request<{ items: FeedbackRequest[] }>('feedback', options);
  }

  /** `GET feedback/contact`: the signed-in subscriber's contact details from the cabinet, to prefill the form. */
  contact(options: { signal?: AbortSignal } = {}): Promise<FeedbackContact> {
    return this.core.request<FeedbackContact>('feedback/contact', options);
  }

  /** `GET feedback/:id`: one of the signed-in subscriber's requests. */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<FeedbackRequest> {
    return this.core.request<FeedbackRequest>(path`feedback/${id}`, options);
  }

  /** `GET faq`: the supplier's questions and answers, best matches first when `q` is given. */
  faq({ q, limit, signal }: FaqQuery = {}): Promise<{ items: FaqEntry[] }> {
    return this.core.request<{ items: FaqEntry[] }>('faq', { query: { q: q || undefined, limit }, signal });
  }
}

/** The feedback group of a client (see `groupAccessor`). */
export const feedbackOf = /* @__PURE__ */ groupAccessor((core) => new FeedbackApi(core));

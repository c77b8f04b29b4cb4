/**
 * Feedback, questions and answers: the SDK group (`client.feedback`), the
 * wire types, and the rules the widget and the server share (limits,
 * attachment types sniffed from content, message and contact validators).
 */
import type { z } from 'zod';
import type * as c from '../contracts/feedback.ts';
import { groupAccessor, type ClientCore } from './core.ts';

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

export type FeedbackContact = z.output<typeof c.FeedbackContact>;

export type FeedbackAttachment = z.output<typeof c.FeedbackAttachment>;

export type FeedbackAnswer = z.output<typeof c.FeedbackAnswer>;

/** A support request as its author sees it. */
export type FeedbackRequest = z.output<typeof c.FeedbackRequest>;

/** A request to send: the contract's fields, and images or PDF in `files` (then sent as multipart/form-data). */
export type FeedbackInput = z.input<typeof c.FeedbackInput> & { files?: readonly Blob[] };

export type FaqEntry = z.output<typeof c.FaqEntry>;

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
    const { files, ...body } = input;
    if (files?.length)
      return this.core.request<FeedbackRequest>('feedback', { method: 'POST', body: formData(input), ...options });
    return this.core.call<typeof c.feedback.send>('POST', '/feedback', { body, ...options });
  }

  /** `GET feedback`: the signed-in subscriber's requests, newest first, with statuses and answers. */
  list(options: { signal?: AbortSignal } = {}): Promise<{ items: FeedbackRequest[] }> {
    return this.core.call<typeof c.feedback.list>('GET', '/feedback', options);
  }

  /** `GET feedback/contact`: the signed-in subscriber's contact details from the cabinet, to prefill the form. */
  contact(options: { signal?: AbortSignal } = {}): Promise<FeedbackContact> {
    return this.core.call<typeof c.feedback.contact>('GET', '/feedback/contact', options);
  }

  /** `GET feedback/:id`: one of the signed-in subscriber's requests. */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<FeedbackRequest> {
    return this.core.call<typeof c.feedback.get>('GET', '/feedback/:id', { params: { id }, ...options });
  }

  /** `GET faq`: the supplier's questions and answers, best matches first when `q` is given. */
  faq({ q, limit, signal }: FaqQuery = {}): Promise<{ items: FaqEntry[] }> {
    return this.core.call<typeof c.feedback.faq>('GET', '/faq', { query: { q: q || undefined, limit }, signal });
  }
}

/** The feedback group of a client (see `groupAccessor`). */
export const feedbackOf = /* @__PURE__ */ groupAccessor((core) => new FeedbackApi(core));

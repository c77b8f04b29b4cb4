/**
 * Feedback, questions and answers: the SDK group (`client.feedback`), the
 * wire types, and the rules the widget and the server share (limits,
 * attachment types sniffed from content, message and contact validators).
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';
import { email, maxLength, phone, required, rule, type Rule } from './validators.ts';

/** Limits of one request; the server enforces the same numbers. */
export const FEEDBACK_LIMITS = {
  /** Characters (code points) of the message. */
  messageMaxLength: 5000,
  nameMaxLength: 200,
  /** Attachments per request. */
  files: 5,
  /** Bytes per attachment. */
  fileBytes: 5 * 1024 * 1024,
  /** Characters of an attachment's file name (longer names are shortened). */
  fileNameMaxLength: 200,
  /** Characters of a questions-and-answers search. */
  queryMaxLength: 200,
} as const;

export const FEEDBACK_STATUSES = ['new', 'in_progress', 'answered', 'closed'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** Attachment types accepted: images and PDF. The type is read from the content, never from the name. */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Bytes `sniffAttachmentType` needs from the start of a file. */
export const SNIFF_BYTES = 16;

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/**
 * The attachment type of a file from its first bytes (magic numbers), or
 * `null` when it is none of the accepted types, whatever its name says.
 */
export function sniffAttachmentType(head: Uint8Array): AttachmentType | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

/** Rules of the message field. */
export const messageRules: readonly Rule[] = [rule(required), rule(maxLength, { max: FEEDBACK_LIMITS.messageMaxLength })];

/** Rules of the contact email: required when nobody is signed in (the answer goes there). */
export function contactEmailRules(signedIn: boolean): readonly Rule[] {
  return signedIn ? [rule(email)] : [rule(required), rule(email)];
}

export const contactPhoneRules: readonly Rule[] = [rule(phone)];
export const contactNameRules: readonly Rule[] = [rule(maxLength, { max: FEEDBACK_LIMITS.nameMaxLength })];

/** Checks a set of files against the count, size and type rules; returns an error code or `null`. */
export function attachmentsError(files: readonly { size: number; type: AttachmentType | null }[]): string | null {
  if (files.length > FEEDBACK_LIMITS.files) return 'attachments_too_many';
  if (files.some((f) => f.size > FEEDBACK_LIMITS.fileBytes)) return 'attachment_too_large';
  if (files.some((f) => f.size === 0)) return 'attachment_empty';
  if (files.some((f) => f.type === null)) return 'attachment_type_not_allowed';
  return null;
}

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

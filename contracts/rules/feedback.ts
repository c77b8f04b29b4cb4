/** Feedback limits, attachment types sniffed from content, message and contact rules, shared by the widget (through the SDK) and the server. */
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

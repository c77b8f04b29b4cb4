import path from 'node:path';
import {
  attachmentsError,
  FEEDBACK_LIMITS,
  SNIFF_BYTES,
  sniffAttachmentType,
  type AttachmentType,
} from '../../contracts/rules/feedback.ts';
import { ValidationError } from '../http/errors.ts';

export interface IncomingFile {
  name: string;
  data: Buffer;
}

export interface CheckedFile {
  name: string;
  type: AttachmentType;
  size: number;
  data: Buffer;
}

const EXTENSIONS: Record<AttachmentType, string[]> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/webp': ['.webp'],
  'image/gif': ['.gif'],
  'application/pdf': ['.pdf'],
};

/**
 * A file name safe to store and send, from one without directories (`checkAttachments` refuses
 * those): no control characters, bounded, and ending in an extension of its real type (a PNG
 * named `scan.exe` is kept as `scan.exe.png`).
 */
export function safeFileName(original: string, type: AttachmentType): string {
  const clean = original.replace(/[\p{Cc}\p{Cf}"<>|:*?]/gu, '').trim() || 'attachment';
  const allowed = EXTENSIONS[type];
  const ext = path.extname(clean).toLowerCase();
  const withExt = allowed.includes(ext) ? clean : `${clean}${allowed[0]}`;
  if (withExt.length <= FEEDBACK_LIMITS.fileNameMaxLength) return withExt;
  const finalExt = path.extname(withExt);
  return `${withExt.slice(0, FEEDBACK_LIMITS.fileNameMaxLength - finalExt.length)}${finalExt}`;
}

/** A name that points elsewhere than at a file of its own: empty, `.`, `..`, or with a directory in it. */
const UNSAFE_NAME = /[/\\]|^\.{1,2}$|^$/;

/**
 * Checks name, count, size and type (from the content) of every file before anything is stored;
 * the first problem rejects the whole request (a name like `..` or `a/..` too, never dropped).
 */
export function checkAttachments(files: readonly IncomingFile[]): CheckedFile[] {
  const unsafe = files.find((f) => UNSAFE_NAME.test(f.name.trim()));
  if (unsafe) throw new ValidationError({ files: { code: 'attachment_name_invalid', params: { name: unsafe.name } } });
  const checked = files.map((f) => ({ ...f, size: f.data.length, type: sniffAttachmentType(f.data.subarray(0, SNIFF_BYTES)) }));
  const code = attachmentsError(checked);
  if (code)
    throw new ValidationError({
      files: { code, params: { max: FEEDBACK_LIMITS.files, mb: FEEDBACK_LIMITS.fileBytes / 1024 / 1024 } },
    });
  return checked.map((f) => ({
    name: safeFileName(f.name, f.type as AttachmentType),
    type: f.type as AttachmentType,
    size: f.size,
    data: f.data,
  }));
}

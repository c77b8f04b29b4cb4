import express, { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { feedback } from '../../contracts/feedback.ts';
import { FEEDBACK_LIMITS } from '../../contracts/rules/feedback.ts';
import { inThisApp, keepAppContext } from '../app-context.ts';
import { checkCaptcha } from '../auth/captcha.ts';
import { senderCtxOf, signedIn } from '../http/context.ts';
import { AuthError, DomainError, ForbiddenError, ValidationError } from '../http/errors.ts';
import { attemptWithin, ensureRoom, type LimitRule } from '../http/limits.ts';
import type { Mount } from '../http/mount.ts';
import { fileLinkValid, freshSignature, inboundSignatureValid } from './addresses.ts';
import { searchFaq } from './faq.ts';
import {
  checkSendingRoom,
  defaultContact,
  getAttachment,
  getOwnRequest,
  listOwnRequests,
  recordEmailReply,
  submitFeedback,
} from './service.ts';

/** How far the timestamp of a signed inbound post may be from now. */
const INBOUND_TOLERANCE_SECONDS = 300;
/** Largest raw message the inbound endpoint reads (a reply quoting a request with its attachments). */
const INBOUND_MAX_BYTES = '40mb';
/** Posts whose signature failed, per client address, after which its posts are refused unread. */
const INBOUND_FAILURES: LimitRule = { points: 10, windowMs: 10 * 60_000 };
const inboundFailuresKey = (req: Request) => `inbound:ip:${req.ip}`;

/**
 * What is checked of an inbound post before its body (up to 40 MB) is read: a signature header
 * that is well formed and fresh, and a client address without a run of failed signatures.
 */
const inboundBeforeBody: RequestHandler = async (req, _res, next) => {
  if (!freshSignature(req.get('x-gaskit-signature') ?? '', INBOUND_TOLERANCE_SECONDS)) {
    throw new AuthError('inbound_signature_invalid');
  }
  await ensureRoom(inboundFailuresKey(req), INBOUND_FAILURES);
  next();
};

const MULTER_CODES: Record<string, string> = {
  LIMIT_FILE_COUNT: 'attachments_too_many',
  LIMIT_FILE_SIZE: 'attachment_too_large',
  LIMIT_UNEXPECTED_FILE: 'unknown_field',
  LIMIT_FIELD_VALUE: 'too_long',
};

const LIMITS = {
  files: FEEDBACK_LIMITS.files,
  fileSize: FEEDBACK_LIMITS.fileBytes,
  fields: 12,
  fieldSize: 64 * 1024,
  parts: 12 + FEEDBACK_LIMITS.files,
};
/** The most a form within the limits can take, with room for its part headers and boundaries. */
const MAX_FORM_BYTES = LIMITS.files * LIMITS.fileSize + LIMITS.fields * LIMITS.fieldSize + 64 * 1024;

/**
 * The cheap checks, before any body is read: a sender already at the sending limit is refused
 * (429) before an upload is read or an anonymous sender's captcha is used up, and so is a body
 * that declares more bytes than a form within the limits can have (413). A signed-in sender's
 * JSON body is small and spends nothing: its limit is checked once, where the request is counted.
 */
const beforeBody: RequestHandler = async (req, _res, next) => {
  if (Number(req.get('content-length')) > MAX_FORM_BYTES) throw new DomainError('too_large', 'payload_too_large');
  const ctx = senderCtxOf(req);
  if (!signedIn(ctx) || req.is('multipart/form-data')) await checkSendingRoom(ctx, req.ip ?? '');
  next();
};

function multerError(err: unknown): ValidationError {
  if (!(err instanceof multer.MulterError)) return new ValidationError({ _: { code: 'invalid_multipart' } });
  const field = err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_FILE_SIZE' ? 'files' : (err.field ?? '_');
  return new ValidationError({
    [field]: {
      code: MULTER_CODES[err.code] ?? 'invalid_multipart',
      params: { max: FEEDBACK_LIMITS.files, mb: FEEDBACK_LIMITS.fileBytes / 1024 / 1024 },
    },
  });
}

/**
 * Reads a multipart/form-data body (fields into `req.body`, files into memory) within the
 * attachment limits; a body over a limit is refused as a field error before anything is stored.
 * An anonymous sender's files are kept only after the captcha sent before them (the SDK sends
 * fields first) passes the check: otherwise the request is answered at once with the captcha's
 * error, and the rest of the body is read past without being kept.
 */
const multipart: RequestHandler = (req, res, next) => {
  let answered = false;
  const answer = (err?: unknown) => {
    if (answered) return;
    answered = true;
    next(err);
  };
  const ctx = senderCtxOf(req);
  multer({
    storage: multer.memoryStorage(),
    // Browsers send file names as raw UTF-8.
    defParamCharset: 'utf8',
    // Names as sent, so that `..` or `a/b` is refused (checkAttachments) instead of dropped as nameless.
    preservePath: true,
    limits: LIMITS,
    fileFilter: inThisApp((_req: Request, _file: Express.Multer.File, keep: multer.FileFilterCallback) => {
      if (signedIn(ctx)) return keep(null, true);
      checkCaptcha(ctx.tenant.slug, (req.body as { captcha?: unknown }).captcha as string | undefined).then(
        () => keep(null, true),
        (err: unknown) => {
          keep(null, false);
          answer(err);
        },
      );
    }),
  }).array('files')(
    req,
    res,
    inThisApp((err: unknown) => answer(err ? multerError(err) : undefined)),
  );
};

/** The person's side: sending requests with attachments, following them, the signed attachment links, the FAQ. */
export function feedbackRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(
    router,
    feedback.send,
    async ({ ctx, body, req }) => {
      const uploaded = (req.files ?? []) as Express.Multer.File[];
      const files = uploaded.map((f) => ({ name: f.originalname, data: f.buffer }));
      return submitFeedback(ctx, { ...body, files, ip: req.ip ?? '' });
    },
    { before: [beforeBody, multipart] },
  );
  mount(router, feedback.list, ({ ctx, res }) => {
    res.set('Cache-Control', 'private, no-store');
    return listOwnRequests(ctx);
  });
  mount(router, feedback.contact, ({ ctx, res }) => {
    res.set('Cache-Control', 'private, no-store');
    return defaultContact(ctx);
  });
  mount(router, feedback.get, ({ ctx, params, res }) => {
    res.set('Cache-Control', 'private, no-store');
    return getOwnRequest(ctx, params.id);
  });
  mount(router, feedback.file, async ({ ctx, params: { id, fileId }, query: { exp, sig }, res }) => {
    if (!fileLinkValid(ctx.tenant.slug, id, fileId, exp, sig)) throw new ForbiddenError('link_invalid');
    const file = await getAttachment(ctx, id, fileId);
    res.attachment(file.name);
    res.set('Cache-Control', 'private, no-store');
    res.type(file.type);
    return file.data;
  });
  mount(router, feedback.faq, ({ ctx, query, res }) => {
    res.set('Cache-Control', 'public, max-age=60');
    return searchFaq(ctx, query);
  });
  return router;
}

/** Replies of departments, posted by the mail service as raw messages and signed with the inbound secret. */
export function inboundRoutes(mount: Mount): Router {
  const router = Router();
  mount(
    router,
    feedback.inbound,
    async ({ req }) => {
      if (!Buffer.isBuffer(req.body)) throw new ValidationError({ _: { code: 'inbound_format' } });
      if (!inboundSignatureValid(req.get('x-gaskit-signature') ?? '', req.body, INBOUND_TOLERANCE_SECONDS)) {
        await attemptWithin(inboundFailuresKey(req), INBOUND_FAILURES.points, INBOUND_FAILURES.windowMs);
        throw new AuthError('inbound_signature_invalid');
      }
      return recordEmailReply(req.body);
    },
    {
      before: [inboundBeforeBody, keepAppContext(express.raw({ type: feedback.inbound.rawBody, limit: INBOUND_MAX_BYTES }))],
    },
  );
  return router;
}

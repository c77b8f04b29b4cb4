import express, { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { FEEDBACK_LIMITS } from '../../sdk/feedback.ts';
import { requireSubscriber } from '../auth/sessions.ts';
import { ctxOf } from '../http/context.ts';
import { AuthError, ForbiddenError, ValidationError, type FieldErrors } from '../http/errors.ts';
import { validate } from '../http/validate.ts';
import { fileLinkValid, inboundSignatureValid } from './addresses.ts';
import { searchFaq } from './faq.ts';
import { FaqQuery, FeedbackBody, FeedbackFileParams, FeedbackIdParams, SignedLinkQuery } from './schemas.ts';
import { defaultContact, getAttachment, getOwnRequest, listOwnRequests, recordEmailReply, submitFeedback } from './service.ts';

/** How far the timestamp of a signed inbound post may be from now. */
const INBOUND_TOLERANCE_SECONDS = 300;
/** Largest raw message the inbound endpoint reads (a reply quoting a request with its attachments). */
const INBOUND_MAX_BYTES = '40mb';

/** A bearer session when one is sent (it must then be valid); anonymous otherwise. */
const optionalSubscriber: RequestHandler = (req, res, next) =>
  req.get('authorization') ? requireSubscriber(req, res, next) : next();

const MULTER_CODES: Record<string, string> = {
  LIMIT_FILE_COUNT: 'attachments_too_many',
  LIMIT_FILE_SIZE: 'attachment_too_large',
  LIMIT_UNEXPECTED_FILE: 'unknown_field',
  LIMIT_FIELD_VALUE: 'too_long',
};

const parseMultipart = multer({
  storage: multer.memoryStorage(),
  // Browsers send file names as raw UTF-8.
  defParamCharset: 'utf8',
  // Names as sent, so that `..` or `a/b` is refused (checkAttachments) instead of dropped as nameless.
  preservePath: true,
  limits: {
    files: FEEDBACK_LIMITS.files,
    fileSize: FEEDBACK_LIMITS.fileBytes,
    fields: 12,
    fieldSize: 64 * 1024,
    parts: 12 + FEEDBACK_LIMITS.files,
  },
}).array('files');

/**
 * Reads a multipart/form-data body (fields into `req.body`, files into memory) within the
 * attachment limits; a body over a limit is refused as a field error before anything is stored.
 */
const multipart: RequestHandler = (req, res, next) => {
  parseMultipart(req, res, (err: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError) {
      const field = err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_FILE_SIZE' ? 'files' : (err.field ?? '_');
      const fields: FieldErrors = {
        [field]: {
          code: MULTER_CODES[err.code] ?? 'invalid_multipart',
          params: { max: FEEDBACK_LIMITS.files, mb: FEEDBACK_LIMITS.fileBytes / 1024 / 1024 },
        },
      };
      return next(new ValidationError(fields));
    }
    next(new ValidationError({ _: { code: 'invalid_multipart' } }));
  });
};

export const feedbackRoutes = Router({ mergeParams: true });

feedbackRoutes.post('/feedback', optionalSubscriber, multipart, validate('body', FeedbackBody), async (req, res) => {
  const uploaded = (req.files ?? []) as Express.Multer.File[];
  const files = uploaded.map((f) => ({ name: f.originalname, data: f.buffer }));
  res.status(201).json(await submitFeedback(ctxOf(req), { ...(req.body as FeedbackBody), files, ip: req.ip ?? '' }));
});

feedbackRoutes.get('/feedback', requireSubscriber, async (req, res) => {
  res.set('Cache-Control', 'private, no-store');
  res.json(await listOwnRequests(ctxOf(req)));
});

feedbackRoutes.get('/feedback/contact', requireSubscriber, async (req, res) => {
  res.set('Cache-Control', 'private, no-store');
  res.json(await defaultContact(ctxOf(req)));
});

feedbackRoutes.get('/feedback/:id', requireSubscriber, validate('params', FeedbackIdParams), async (req, res) => {
  res.set('Cache-Control', 'private, no-store');
  res.json(await getOwnRequest(ctxOf(req), String(req.params.id)));
});

/** An attachment through the signed link in the department's email. */
feedbackRoutes.get(
  '/feedback/:id/files/:fileId',
  validate('params', FeedbackFileParams),
  validate('query', SignedLinkQuery),
  async (req, res) => {
    const ctx = ctxOf(req);
    const { id, fileId } = req.params as { id: string; fileId: string };
    const { exp, sig } = req.query as unknown as { exp: number; sig: string };
    if (!fileLinkValid(ctx.tenant.slug, id, fileId, exp, sig)) throw new ForbiddenError('link_invalid');
    const file = await getAttachment(ctx, id, fileId);
    res.attachment(file.name);
    res.set('Cache-Control', 'private, no-store');
    res.type(file.type).send(file.data);
  },
);

feedbackRoutes.get('/faq', validate('query', FaqQuery), async (req, res) => {
  res.set('Cache-Control', 'public, max-age=60');
  res.json(await searchFaq(ctxOf(req), req.query as unknown as FaqQuery));
});

/** Replies of departments, posted by the mail service as raw messages and signed with the inbound secret. */
export const inboundRoutes = Router();

inboundRoutes.post(
  '/api/v1/inbound/email',
  express.raw({ type: 'message/rfc822', limit: INBOUND_MAX_BYTES }),
  async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw new ValidationError({ _: { code: 'inbound_format' } });
    if (!inboundSignatureValid(req.get('x-gaskit-signature') ?? '', req.body, INBOUND_TOLERANCE_SECONDS)) {
      throw new AuthError('inbound_signature_invalid');
    }
    res.json(await recordEmailReply(req.body));
  },
);

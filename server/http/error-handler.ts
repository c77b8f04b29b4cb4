import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SUPPORTED_LOCALES, translator, type Translate } from '../i18n/index.ts';
import { isDbUnavailableError } from '../db/connection.ts';
import { RevisionBusyError } from '../db/kernel/revisions.ts';
import { DB_RETRY_AFTER_SECONDS } from './health.ts';
import { DomainError, NotFoundError, RateLimitError, STATUS_BY_KIND, UnavailableError } from './errors.ts';
import { routePattern } from './logger.ts';

function translateFor(req: Request): Translate {
  if (req.ctx) return req.ctx.t;
  return translator(req.acceptsLanguages(...SUPPORTED_LOCALES) || 'ru');
}

export const notFoundHandler: RequestHandler = () => {
  throw new NotFoundError('route_not_found');
};

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/** Codes of the 4xx errors the body parsers raise, by their `type` (http-errors via body-parser/raw-body). */
const BODY_ERROR_CODES: Record<string, string> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'content_encoding_unsupported',
  'charset.unsupported': 'charset_unsupported',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'request_size_invalid',
};

/** The 4xx status an error of a library carries (the router's bad %-encoding, a body parser's refusal), if any. */
function clientStatus(err: HttpishError): number | undefined {
  const status = err.status ?? err.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The code for a library's 4xx error: by its type, a path that is not valid %-encoding, or a plain bad request. */
function clientErrorCode(err: HttpishError): string {
  if (err.type && BODY_ERROR_CODES[err.type]) return BODY_ERROR_CODES[err.type]!;
  if (err instanceof URIError) return 'path_encoding_invalid';
  return 'bad_request';
}

/** The values a message interpolates, sent along so that a widget renders its own text with them. */
function withParams(params: Record<string, unknown> | undefined): { params?: Record<string, unknown> } {
  return params && Object.keys(params).length > 0 ? { params } : {};
}

/** The one place that turns errors into `{ error: { code, message, params, fields } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown, req, res, _next) => {
    const t = translateFor(req);
    let status: number;
    let code: string;
    let params: Record<string, unknown> = {};
    let fields: Record<string, { code: string; message: string; params?: Record<string, unknown> }> | undefined;

    // A database that went away while the request ran: the same answer as for one that was away before.
    // A record another writer held through every try (one that died holding it holds it until its
    // lease ends): retryable too, after the moment it is sure to be free.
    let err = thrown;
    if (isDbUnavailableError(thrown)) {
      err = new UnavailableError(DB_RETRY_AFTER_SECONDS, 'database_unavailable');
      logger.warn({ err: thrown, requestId: req.requestId, route: routePattern(req) }, 'database unavailable');
    } else if (thrown instanceof RevisionBusyError) {
      err = new UnavailableError(thrown.retryAfterSeconds, 'record_busy');
      logger.warn({ err: thrown, requestId: req.requestId, route: routePattern(req) }, 'record busy');
    }

    if (err instanceof DomainError) {
      status = STATUS_BY_KIND[err.kind];
      code = err.code;
      params = err.params;
      if (err.fields) {
        fields = Object.fromEntries(
          Object.entries(err.fields).map(([name, f]) => [
            name,
            { code: f.code, message: t(`errors:${f.code}`, f.params ?? {}), ...withParams(f.params) },
          ]),
        );
      }
      if (err instanceof RateLimitError) res.set('Retry-After', String(err.retryAfterSeconds));
      if (err instanceof UnavailableError) res.set('Retry-After', String(err.retryAfterSeconds));
    } else if (clientStatus(err as HttpishError)) {
      status = clientStatus(err as HttpishError)!;
      code = clientErrorCode(err as HttpishError);
    } else {
      status = 500;
      code = 'internal_error';
      logger.error({ err, requestId: req.requestId, route: routePattern(req) }, 'unhandled error');
    }

    res
      .status(status)
      .json({ error: { code, message: t(`errors:${code}`, params), ...withParams(params), ...(fields ? { fields } : {}) } });
  };
}

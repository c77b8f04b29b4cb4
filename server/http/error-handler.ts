import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SUPPORTED_LOCALES, translator, type Translate } from '../i18n/index.ts';
import { DomainError, NotFoundError, RateLimitError, STATUS_BY_KIND } from './errors.ts';

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

/** The values a message interpolates, sent along so that a widget renders its own text with them. */
function withParams(params: Record<string, unknown> | undefined): { params?: Record<string, unknown> } {
  return params && Object.keys(params).length > 0 ? { params } : {};
}

/** The one place that turns errors into `{ error: { code, message, params, fields } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const t = translateFor(req);
    let status: number;
    let code: string;
    let params: Record<string, unknown> = {};
    let fields: Record<string, { code: string; message: string; params?: Record<string, unknown> }> | undefined;

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
    } else if ((err as HttpishError).type === 'entity.parse.failed') {
      status = 400;
      code = 'invalid_json';
    } else if ((err as HttpishError).type === 'entity.too.large') {
      status = 413;
      code = 'payload_too_large';
    } else {
      status = 500;
      code = 'internal_error';
      logger.error({ err, requestId: req.requestId, url: req.originalUrl }, 'unhandled error');
    }

    res
      .status(status)
      .json({ error: { code, message: t(`errors:${code}`, params), ...withParams(params), ...(fields ? { fields } : {}) } });
  };
}

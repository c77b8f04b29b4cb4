import express, { type RequestHandler } from 'express';
import { keepAppContext } from '../app-context.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** The unparsed JSON body, for signature checks (Stripe webhooks). */
    rawBody?: Buffer;
  }
}

/** The integration API's paths (routing is case-insensitive, so is this). */
const INTEGRATION_PATH = /^\/api\/v1\/t\/[^/]+\/integration(?:\/|$)/i;

const parseJson = keepAppContext<express.Request, express.Response>(
  express.json({
    limit: '1mb',
    verify: (req, _res, buf) => {
      (req as express.Request).rawBody = buf;
    },
  }),
);

/** Whether a request announces a body, as the body parsers decide it (type-is `hasBody`). */
function hasBody(req: express.Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

/**
 * JSON bodies up to 1 MB, kept raw too (`req.rawBody`). The integration API's bodies are left
 * unread here: `integrationJson` reads them once the API key is checked. A request without a body
 * (most GETs) goes on at once: the parser would find nothing to read, after binding the request's
 * app context to its callback.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req) || INTEGRATION_PATH.test(req.path)) return next();
  parseJson(req, res, next);
};

/**
 * JSON bodies of the integration API: batches of up to MAX_BATCH items, so up to 8 MB. Mounted
 * after the key check (`requireApiKey`), so no unauthenticated caller makes the server read and
 * parse megabytes.
 */
export const integrationJson: RequestHandler = keepAppContext(express.json({ limit: '8mb' }));

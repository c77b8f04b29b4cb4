import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { pingDb } from '../db/connection.ts';
import { modules } from '../modules.ts';
import { ROOT } from '../root.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { requestLogger } from './logger.ts';
import { metricsAuth, metricsHandler, metricsMiddleware } from './metrics.ts';
import { openapiDocument } from './openapi.ts';
import { tenantScope } from './tenant-scope.ts';
import { widgetFiles } from './widget-files.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** The unparsed JSON body, for signature checks (Stripe webhooks). */
    rawBody?: Buffer;
  }
}

export interface AppDeps {
  config: Config;
  logger: Logger;
}

/** Builds the Express app without listening (see main.ts). */
export function createApp({ config, logger }: AppDeps): Express {
  const app = express();
  app.locals.config = config;
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    req.requestId = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', req.requestId);
    next();
  });
  app.use(requestLogger(logger));
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  app.use(metricsMiddleware);
  // Integration batches (up to MAX_BATCH items) get a larger body limit than subscriber requests.
  app.use('/api/v1/t/:tenant/integration', express.json({ limit: '8mb' }));
  app.use(
    express.json({
      limit: '1mb',
      verify: (req, _res, buf) => {
        (req as express.Request).rawBody = buf;
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const db = await pingDb();
    res.status(db ? 200 : 503).json({ ready: db, checks: { database: db } });
  });
  app.get('/metrics', metricsAuth(config), metricsHandler);
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });

  const scoped = tenantScope();
  for (const m of modules) {
    if (m.tenant) scoped.use(m.tenant);
    if (m.root) app.use(m.root);
  }
  app.use('/api/v1/t/:tenant', scoped);

  app.use('/dist', widgetFiles(path.join(ROOT, 'dist')));
  if (config.demo) app.use('/examples', express.static(path.join(ROOT, 'examples')));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

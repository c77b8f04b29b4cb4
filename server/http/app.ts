import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { modules } from '../modules.ts';
import { ROOT } from '../root.ts';
import { jsonBody } from './body.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { healthz, readyz, requireDatabase } from './health.ts';
import { requestLogger } from './logger.ts';
import { metricsAuth, metricsHandler, metricsMiddleware } from './metrics.ts';
import { openapiDocument } from './openapi.ts';
import { tenantScope } from './tenant-scope.ts';
import { WIDGET_PATHS, widgetFiles } from './widget-files.ts';

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
  app.use(jsonBody);

  app.get('/healthz', healthz);
  app.get('/readyz', readyz);
  app.get('/metrics', metricsAuth(config), metricsHandler);
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });
  app.use('/api', requireDatabase);

  const scoped = tenantScope();
  for (const m of modules) {
    if (m.tenant) scoped.use(m.tenant);
    if (m.root) app.use(m.root);
  }
  app.use('/api/v1/t/:tenant', scoped);

  app.use(WIDGET_PATHS, widgetFiles(path.join(ROOT, 'dist')));
  if (config.demo) app.use('/examples', express.static(path.join(ROOT, 'examples')));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

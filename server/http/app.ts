import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { runInApp, type AppContext } from '../app-context.ts';
import type { ModuleManifest } from '../manifest.ts';
import { ROOT } from '../root.ts';
import { jsonBody } from './body.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { healthz, readyz, requireDatabase } from './health.ts';
import { requestLogger } from './logger.ts';
import { metricsAuth, metricsHandler, metricsMiddleware } from './metrics.ts';
import { openapiDocument } from './openapi.ts';
import { tenantScope } from './tenant-scope.ts';
import { WIDGET_PATHS, widgetFiles } from './widget-files.ts';

/**
 * Builds the Express app of `context` without listening (see server/bootstrap.ts): every request
 * runs in the app's context, and the modules' routers are mounted in the order of `modules`.
 */
export function createApp(context: AppContext, modules: readonly ModuleManifest[]): Express {
  const { config, logger } = context;
  const app = express();
  app.use((_req, _res, next) => runInApp(context, next));
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
    for (const router of m.routes ?? []) scoped.use(router);
    for (const router of m.rootRoutes ?? []) app.use(router);
  }
  app.use('/api/v1/t/:tenant', scoped);

  app.use(WIDGET_PATHS, widgetFiles(path.join(ROOT, 'dist')));
  if (config.demo) app.use('/examples', express.static(path.join(ROOT, 'examples')));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

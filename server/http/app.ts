import { randomUUID } from 'node:crypto';
import path from 'node:path';
import compression from 'compression';
import express, { type Express, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import { runInApp, type AppContext } from '../app-context.ts';
import type { ModuleManifest, ModuleRoutes } from '../manifest.ts';
import { ROOT } from '../root.ts';
import { jsonBody } from './body.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { healthz, readyz, requireDatabase } from './health.ts';
import { requestLogger } from './logger.ts';
import { metricsAuth, metricsHandler, metricsMiddleware } from './metrics.ts';
import { mounter, type Guards } from './mount.ts';
import { routeIndex } from './route-index.ts';
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
  app.use(securityHeaders(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } })));
  app.use(metricsMiddleware);
  app.use(jsonBody);

  app.get('/healthz', healthz);
  app.get('/readyz', readyz);
  app.get('/metrics', metricsAuth(config), metricsHandler);
  const routes = moduleRoutes(modules);
  const placed = (place: keyof ModuleRoutes) => routes.filter((r) => r.place === place).map((r) => r.router);
  for (const router of placed('beforeDatabase')) app.use(router);
  // The API's answers compressed (brotli or gzip as the client accepts, from 1 KB); the widget
  // files are served precompressed by widgetFiles.
  app.use('/api', compression());
  app.use('/api', requireDatabase);

  app.use(routeIndex(placed('root')));
  const scoped = tenantScope();
  scoped.use(routeIndex(placed('tenant')));
  app.use('/api/v1/t/:tenant', scoped);

  app.use(WIDGET_PATHS, widgetFiles(path.join(ROOT, 'dist')));
  if (config.demo) app.use('/examples', express.static(path.join(ROOT, 'examples')));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/**
 * The headers `helmet` sets, worked out once and set in one step on every response: its options
 * here give every response the same headers (no directive computed per request; one that were
 * would not answer at once, refused at start-up). The X-Powered-By it removes is never set.
 */
function securityHeaders(helmetMiddleware: RequestHandler): RequestHandler {
  const headers = new Map<string, string>();
  let done = false;
  const probe = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: () => undefined,
  };
  helmetMiddleware({} as Request, probe as unknown as Response, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers at once');
  return (_req, res, next) => {
    res.setHeaders(headers);
    next();
  };
}

/** The guards the modules contribute; a kind of auth guarded by two modules is a wiring mistake, refused at start-up. */
function guardsOf(modules: readonly ModuleManifest[]): Partial<Guards> {
  const guards: Partial<Guards> = {};
  for (const m of modules) {
    for (const [kind, guard] of Object.entries(m.guards ?? {}) as [keyof Guards, Guards[keyof Guards]][]) {
      if (guards[kind]) throw new Error(`guard ${kind} is contributed twice (module ${m.name})`);
      Object.assign(guards, { [kind]: guard });
    }
  }
  return guards;
}

/**
 * Every module's routers for one app, in the modules' order, with where each is mounted; their
 * endpoints are mounted with the guards the modules contribute.
 */
export function moduleRoutes(
  modules: readonly ModuleManifest[],
): { module: string; place: keyof ModuleRoutes; router: Router }[] {
  const mount = mounter(guardsOf(modules));
  return modules.flatMap((m) =>
    Object.entries(m.routes?.(mount) ?? {}).flatMap(([place, routers]: [string, Router[]]) =>
      routers.map((router) => ({ module: m.name, place: place as keyof ModuleRoutes, router })),
    ),
  );
}

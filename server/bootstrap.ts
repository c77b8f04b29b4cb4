import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { PendingPaid } from './accounts/amount-due.ts';
import { runInApp, type AppContext } from './app-context.ts';
import { CaptchaSettings } from './auth/captcha.ts';
import { AuthSettings } from './auth/policy.ts';
import type { Config } from './config.ts';
import { seedDemo } from './demo.ts';
import { feedbackSettings } from './feedback/config.ts';
import { createApp } from './http/app.ts';
import { createLogger } from './http/logger.ts';
import { PublicUrl } from './http/public-url.ts';
import type { ModuleManifest } from './manifest.ts';
import { migrateDatabase } from './migrations.ts';
import { MODULES } from './modules.ts';
import { NotifyRuntime } from './notify/service.ts';
import type { Template } from './notify/templates.ts';
import { runWorker, startWorkers, type Worker } from './workers.ts';

export interface BootstrapOptions {
  /** The server's logger; by default one at the config's LOG_LEVEL. */
  logger?: Logger;
  /** Moves a database of an earlier version to the current model first (default: yes). */
  migrate?: boolean;
  /** Fills an empty database with the demo suppliers (default: in demo mode). */
  seedDemo?: boolean;
  /** The modules the app is built from (default: all of server/modules.ts). */
  modules?: readonly ModuleManifest[];
}

/** One app: its Express handler, its context, and how to start and stop what it runs. */
export interface Gaskit {
  context: AppContext;
  app: Express;
  /** Listens on `port` (0: a free one) and `host`; mailed links follow the port it got unless PUBLIC_URL is set. */
  listen(port: number, host: string): Promise<Server>;
  /** Starts the modules' periodic jobs. */
  startWorkers(): void;
  /** Runs one job now (tests). */
  runWorker(name: string): Promise<void>;
  /** Runs service code as this app's (tests and the CLI calling services directly). */
  run<T>(fn: () => T): T;
  /** Stops listening, the jobs (waiting for running ones) and the delivery transports. */
  stop(): Promise<void>;
}

/** One entry per name across the modules; a name given twice is a wiring mistake, refused at start-up. */
function collect<T>(kind: string, modules: readonly ModuleManifest[], of: (m: ModuleManifest) => [string, T][]): Map<string, T> {
  const all = new Map<string, T>();
  for (const m of modules) {
    for (const [name, value] of of(m)) {
      if (all.has(name)) throw new Error(`${kind} ${name} is contributed twice (module ${m.name})`);
      all.set(name, value);
    }
  }
  return all;
}

/** The one module's contribution of a kind, if any; two are a wiring mistake, refused at start-up. */
function one<T>(kind: string, modules: readonly ModuleManifest[], of: (m: ModuleManifest) => T | undefined): T | undefined {
  const given = modules.filter((m) => of(m) !== undefined);
  if (given.length > 1) throw new Error(`${kind} is contributed twice (modules ${given.map((m) => m.name).join(', ')})`);
  return given[0] && of(given[0]);
}

const noPendingPaid: PendingPaid = async () => 0;

/** The app's context: each module's settings from the config, and what the modules contribute. */
export function appContextOf(config: Config, logger: Logger, modules: readonly ModuleManifest[] = MODULES): AppContext {
  const hooks = collect('subscriber-deleted hook', modules, (m) => Object.entries(m.subscriberDeleted ?? {}));
  return {
    config,
    logger,
    publicUrl: new PublicUrl(config),
    alerts: { logger },
    auth: new AuthSettings(),
    captcha: new CaptchaSettings(config.captchaHmacKey),
    notify: new NotifyRuntime(),
    feedback: feedbackSettings(config),
    payments: { fulfilLeaseMs: config.leaseMs },
    accounts: { linkTries: 50 },
    workers: collect<Worker>('worker', modules, (m) => (m.workers ?? []).map((w) => [w.name, w])),
    templates: collect<Template>('template', modules, (m) => Object.entries(m.templates ?? {})),
    subscriberDeleted: [...hooks].map(([name, run]) => ({ name, run })),
    attachmentSources: collect('attachment source', modules, (m) => Object.entries(m.attachmentSources ?? {})),
    pendingPaid: one('pendingPaid', modules, (m) => m.pendingPaid) ?? noPendingPaid,
  };
}

/**
 * Builds the server from the module manifests on a connected database (server/db/connection.ts):
 * migrations, the app's context, the delivery transports (the dev mailbox in demo mode), the demo
 * data in demo mode, and the Express app. Used by server/start.ts and the tests; nothing of it is
 * kept in module globals, so two apps in one process keep their own settings.
 */
export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<Gaskit> {
  const logger = options.logger ?? createLogger(config.logLevel, config.env === 'development' && process.stdout.isTTY);
  if (options.migrate ?? true) await migrateDatabase((m) => logger.info(`migrate: ${m}`));
  const modules = options.modules ?? MODULES;
  const context = appContextOf(config, logger, modules);
  await context.notify.start(config, logger);
  if (options.seedDemo ?? config.demo) await runInApp(context, () => seedDemo(logger, config));
  const app = createApp(context, modules);

  let server: Server | undefined;
  let stopWorkers: (() => Promise<void>) | undefined;
  return {
    context,
    app,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const s = app.listen(port, host, (err?: Error) => {
          if (err) return reject(err);
          const addr = s.address();
          context.publicUrl.listeningOn(host, typeof addr === 'object' && addr ? addr.port : port);
          resolve(s);
        });
        server = s;
      }),
    startWorkers: () => {
      stopWorkers ??= startWorkers(context, logger);
    },
    runWorker: (name) => runWorker(context, name, logger),
    run: (fn) => runInApp(context, fn),
    stop: async () => {
      if (server?.listening) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await stopWorkers?.();
      await context.notify.stop();
    },
  };
}

import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { connectDb, disconnectDb, setDbRestarting } from './db/connection.ts';
import { startEmbeddedDb, type EmbeddedDb } from './db/embedded.ts';
import { createApp } from './http/app.ts';
import { configureAuth } from './auth/policy.ts';
import { configureFeedback } from './feedback/config.ts';
import { configureAlerts } from './http/alerts.ts';
import { createLogger } from './http/logger.ts';
import { configurePublicUrl, publicUrlListening } from './http/public-url.ts';
import { seedDemo } from './demo.ts';
import { startNotify } from './notify/service.ts';
import { configurePayments } from './payments/service.ts';
import { migrateDatabase } from './migrations.ts';
import { startWorkers } from './workers.ts';

/**
 * Starts the server on a checked configuration: the database (MONGODB_URI, or the embedded one),
 * migrations, demo data in demo mode, workers and HTTP; SIGINT/SIGTERM stop it in order.
 */
export async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, config.env === 'development' && process.stdout.isTTY);
  const running: { http?: Server; db?: EmbeddedDb; stopWorkers?: () => Promise<void> } = {};
  let stopping = false;

  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await new Promise<void>((resolve) => (running.http ? running.http.close(() => resolve()) : resolve()));
    await running.stopWorkers?.();
    await disconnectDb().catch(() => undefined);
    await running.db?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let uri = config.mongodbUri;
  if (!uri) {
    const embedded = await startEmbeddedDb({
      dataDir: config.dataDir,
      cacheDir: config.cacheDir,
      log: (m) => logger.info(m),
      restart: {
        died: ({ pid }) => {
          setDbRestarting(true);
          logger.error({ pid }, 'embedded database FerretDB died; restarting it');
        },
        restarted: ({ pid }) => {
          setDbRestarting(false);
          logger.warn({ pid }, 'embedded database FerretDB restarted');
        },
        failed: (err) => logger.error({ err }, 'embedded database FerretDB did not restart'),
        gaveUp: (err) => {
          logger.fatal({ err }, 'embedded database FerretDB cannot be kept running; stopping');
          void shutdown('database-lost', 1);
        },
      },
    });
    running.db = embedded;
    uri = embedded.uri;
    logger.info({ dataDir: config.dataDir, port: embedded.port, pid: embedded.pid }, 'embedded database FerretDB started');
  }
  await connectDb(uri);
  await migrateDatabase((m) => logger.info(`migrate: ${m}`));
  configurePublicUrl(config);
  configureAlerts(logger);
  configureAuth(config);
  configureFeedback(config);
  configurePayments(config);
  await startNotify(config, logger);
  if (config.demo) await seedDemo(logger, config);

  running.stopWorkers = startWorkers(logger, config.leaseMs);
  const app = createApp({ config, logger });
  const server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    publicUrlListening(config.host, port);
    logger.info({ host: config.host, port, demo: config.demo }, `Gaskit listening on http://${config.host}:${port}`);
  });
  running.http = server;
  server.on('error', (err) => {
    logger.fatal({ err }, 'cannot listen');
    void shutdown('listen-error', 1);
  });
}

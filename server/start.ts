import type { Server } from 'node:http';
import { bootstrap, type Gaskit } from './bootstrap.ts';
import type { Config } from './config.ts';
import { setDbRestarting } from './db/connection.ts';
import { openDatabase, type OpenDatabase } from './db/open.ts';
import { createLogger } from './http/logger.ts';

/**
 * Starts the server on a checked configuration: the database (MONGODB_URI, or the embedded one),
 * then the app `bootstrap` builds (migrations, demo data in demo mode), its workers and HTTP;
 * SIGINT/SIGTERM stop it in order.
 */
export async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, config.env === 'development' && process.stdout.isTTY);
  const running: { gaskit?: Gaskit; db?: OpenDatabase } = {};
  let stopping = false;

  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await running.gaskit?.stop();
    await running.db?.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  running.db = await openDatabase(config, {
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
  const { embedded } = running.db;
  if (embedded) {
    logger.info({ dataDir: config.dataDir, port: embedded.port, pid: embedded.pid }, 'embedded database FerretDB started');
  }

  const gaskit = await bootstrap(config, { logger });
  running.gaskit = gaskit;
  gaskit.startWorkers();
  let server: Server;
  try {
    server = await gaskit.listen(config.port, config.host);
  } catch (err) {
    logger.fatal({ err }, 'cannot listen');
    return shutdown('listen-error', 1);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  logger.info({ host: config.host, port, demo: config.demo }, `Gaskit listening on http://${config.host}:${port}`);
}

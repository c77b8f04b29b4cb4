import type { Config } from '../config.ts';
import { connectDb, disconnectDb } from './connection.ts';
import { startEmbeddedDb, type EmbeddedDb, type RestartEvents } from './embedded.ts';

export interface OpenDatabase {
  /** The embedded database started for this process, if MONGODB_URI is unset. */
  embedded: EmbeddedDb | undefined;
  /** Disconnects and stops the embedded database. */
  close(): Promise<void>;
}

/**
 * Connects to the server's database: MONGODB_URI, or the embedded one under GASKIT_DATA_DIR,
 * started here (kept running through `restart` where the server gives it). The server (start.ts)
 * and the CLI open it the same way.
 */
export async function openDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir' | 'cacheDir' | 'dbSync'>,
  opts: { log: (message: string) => void; restart?: RestartEvents },
): Promise<OpenDatabase> {
  let embedded: EmbeddedDb | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedDb({
      dataDir: config.dataDir,
      cacheDir: config.cacheDir,
      sync: config.dbSync,
      log: opts.log,
      restart: opts.restart,
    });
    uri = embedded.uri;
  }
  try {
    await connectDb(uri);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    embedded,
    close: async () => {
      await disconnectDb().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

import mongoose from 'mongoose';

mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');
mongoose.set('strict', 'throw');

/**
 * Connects mongoose to `uri` and builds the indexes. `monitorCommands` makes the driver report
 * every command it sends (`commandStarted` on the client): the tests watch what reaches the
 * database with it; the server leaves it off, since it costs every command an event.
 */
export async function connectDb(uri: string, dbName?: string, { monitorCommands = false } = {}): Promise<typeof mongoose> {
  await mongoose.connect(uri, {
    ...(dbName ? { dbName } : {}),
    monitorCommands,
    serverSelectionTimeoutMS: 5000,
    // How soon a lost database (an embedded one restarted, a failed-over MongoDB) is found again.
    heartbeatFrequencyMS: 2000,
    // While the database is away, an operation fails at once instead of waiting in mongoose's
    // buffer: requests are then answered 503 (see `dbState`, `isDbUnavailableError`).
    bufferCommands: false,
    autoIndex: true,
  });
  await syncIndexes();
  return mongoose;
}

/** Builds every registered model's indexes (unique ones carry invariants, so they must exist before use). */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.connection.models)) await model.createIndexes();
}

export function isDbReady(): boolean {
  return mongoose.connection.readyState === 1 && !restarting;
}

/** Set by main.ts while the embedded database is being restarted after it died. */
let restarting = false;

export function setDbRestarting(value: boolean): void {
  restarting = value;
}

/**
 * The database as requests find it: `connected`; `restarting` (the embedded database died and
 * is being started again); `disconnected` (the driver lost it and keeps trying to reconnect).
 */
export type DbState = 'connected' | 'restarting' | 'disconnected';

export function dbState(): DbState {
  if (restarting) return 'restarting';
  return mongoose.connection.readyState === 1 ? 'connected' : 'disconnected';
}

const UNAVAILABLE_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** Whether an error says the database could not be reached (rather than that an operation was wrong). */
export function isDbUnavailableError(err: unknown): boolean {
  return err instanceof Error && UNAVAILABLE_ERRORS.has(err.name);
}

export async function pingDb(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  try {
    await Promise.race([
      db.command({ ping: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export async function disconnectDb(): Promise<void> {
  await mongoose.disconnect();
}

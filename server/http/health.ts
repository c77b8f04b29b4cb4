import type { RequestHandler } from 'express';
import { dbState, isDbReady, pingDb } from '../db/connection.ts';
import { UnavailableError } from './errors.ts';

/** What a client is told to wait (Retry-After) while the database is away: about one restart of the embedded one. */
export const DB_RETRY_AFTER_SECONDS = 5;

/**
 * Liveness: 200 as long as the process serves, with the database's state (`connected`,
 * `restarting`, `disconnected`). A process that cannot get its database back exits by itself
 * (see main.ts), so a supervisor restarts it; a database that is merely away is `/readyz`'s concern.
 */
export const healthz: RequestHandler = (_req, res) => {
  const database = dbState();
  res.json({ status: database === 'connected' ? 'ok' : 'degraded', database });
};

/** Readiness: 200 when the database answers a ping, 503 otherwise (take the instance out of the balancer). */
export const readyz: RequestHandler = async (_req, res) => {
  const db = await pingDb();
  res.status(db ? 200 : 503).json({ ready: db, checks: { database: db } });
};

/** Answers API calls 503 `database_unavailable` with Retry-After at once while the database is away. */
export const requireDatabase: RequestHandler = (_req, _res, next) => {
  if (!isDbReady()) throw new UnavailableError(DB_RETRY_AFTER_SECONDS, 'database_unavailable');
  next();
};

import mongoose from 'mongoose';
import { migration as accounts } from './accounts/migrate.ts';
import { migration as auth } from './auth/migrate.ts';
import { migration as billing } from './billing/migrate.ts';
import { claim } from './db/kernel/leases.ts';
import { runMigrations, type Migration } from './db/migrate.ts';
import { migration as feedback } from './feedback/migrate.ts';
import { migration as idempotency } from './http/migrate.ts';
import { migration as integration } from './integration/migrate.ts';
import { migration as notify } from './notify/migrate.ts';
import { migration as payments } from './payments/migrate.ts';
import { migration as readings } from './readings/migrate.ts';
import { migration as subscribers } from './subscribers/migrate.ts';
import { migration as tenants } from './tenants/migrate.ts';

/**
 * Every step from the earlier model (ObjectId documents queried by field) to the keyed one, in
 * order: tenants' slug keys first, then billing (later steps map earlier account and meter ids
 * through its earlier collections, which are dropped only when every step succeeded), then the
 * modules that refer to accounts and cabinets.
 */
export const MIGRATIONS: Migration[] = [
  tenants,
  billing,
  accounts,
  subscribers,
  auth,
  idempotency,
  readings,
  payments,
  feedback,
  notify,
  integration,
];

/** The earlier collections that are still there: a database written by the earlier version has some. */
export async function legacyCollections(db: mongoose.mongo.Db): Promise<string[]> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  return [...new Set(MIGRATIONS.flatMap((m) => m.legacyCollections))].filter((name) => existing.has(name));
}

/**
 * Moves a database of the earlier version to the current model, once, whichever process gets
 * there first (the CLI or any server instance at start-up, under a lease); the others wait for
 * it. Returns null when there was nothing to move.
 */
export async function migrateDatabase(log: (message: string) => void): Promise<Record<string, number> | null> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('migrateDatabase: not connected');
  for (;;) {
    if ((await legacyCollections(db)).length === 0) return null;
    const lease = await claim('migrate', 30 * 60_000);
    if (lease) {
      try {
        if ((await legacyCollections(db)).length === 0) return null;
        return await runMigrations(db, MIGRATIONS, log);
      } finally {
        await lease.release();
      }
    }
    log('another process is migrating the database; waiting');
    await new Promise((r) => setTimeout(r, 5_000));
  }
}

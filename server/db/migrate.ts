import mongoose from 'mongoose';
import { key } from './kernel/keys.ts';

/**
 * Moving a database written by an earlier version to the current model (`gaskit migrate`). Each
 * module that changed its documents' shape exports one `Migration` from its `migrate.ts`: it reads
 * the earlier collections raw (their names differ from the current models' where the shape
 * changed), writes the current documents by key, and is safe to run again (a document already
 * moved is written equal). The earlier collections are dropped only after every step succeeded.
 */

export interface MigrationCtx {
  db: mongoose.mongo.Db;
  log(message: string): void;
  /** The current key (`<tenantId>:<number>`) of an account known by its earlier ObjectId, or null. */
  accountKey(legacyId: unknown): Promise<string | null>;
}

export interface Migration {
  name: string;
  /** Earlier collections this step reads; dropped when every step has run. */
  legacyCollections: string[];
  run(ctx: MigrationCtx): Promise<{ moved: number }>;
}

/** Accounts were `accounts` documents with an ObjectId `_id`, `tenantId` and `number`. */
export const LEGACY_ACCOUNTS = 'accounts';

export function migrationCtx(db: mongoose.mongo.Db, log: (message: string) => void): MigrationCtx {
  const cache = new Map<string, string | null>();
  return {
    db,
    log,
    async accountKey(legacyId) {
      const id = String(legacyId);
      if (cache.has(id)) return cache.get(id)!;
      const doc = mongoose.isValidObjectId(id)
        ? await db
            .collection(LEGACY_ACCOUNTS)
            .findOne({ _id: new mongoose.Types.ObjectId(id) }, { projection: { tenantId: 1, number: 1 } })
        : null;
      const found = doc ? key(String(doc.tenantId), String(doc.number)) : null;
      cache.set(id, found);
      return found;
    },
  };
}

/** Runs the steps in order, then drops the earlier collections they read. */
export async function runMigrations(
  db: mongoose.mongo.Db,
  steps: Migration[],
  log: (message: string) => void,
): Promise<Record<string, number>> {
  const ctx = migrationCtx(db, log);
  const moved: Record<string, number> = {};
  for (const step of steps) {
    log(`${step.name}…`);
    moved[step.name] = (await step.run(ctx)).moved;
    log(`${step.name}: ${moved[step.name]} moved`);
  }
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of new Set(steps.flatMap((s) => s.legacyCollections))) {
    if (existing.has(name)) await db.dropCollection(name);
  }
  return moved;
}

import mongoose from 'mongoose';
import { enrolAgain } from './kernel/expiry.ts';
import { duplicateIndexes, key } from './kernel/keys.ts';

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
  /** The current id (`<tenantId>:<number>:<meterId>`) of a meter known by its earlier ObjectId, or null. */
  meterKey(legacyId: unknown): Promise<string | null>;
}

export interface Migration {
  name: string;
  /** Earlier collections this step reads; dropped when every step has run. */
  legacyCollections: string[];
  run(ctx: MigrationCtx): Promise<{ moved: number }>;
}

/**
 * Inserts the documents (each with its key as `_id`) that are not there yet; returns how many
 * were new. A document already moved by an earlier run is left as it is.
 */
export async function insertMissing<D extends { _id: unknown }>(
  collection: mongoose.mongo.Collection<D>,
  docs: mongoose.mongo.OptionalUnlessRequiredId<D>[],
): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await collection.insertMany(docs, { ordered: false })).insertedCount;
  } catch (err) {
    return docs.length - duplicateIndexes(err).length;
  }
}

/** Accounts were `accounts` documents with an ObjectId `_id`, `tenantId` and `number`. */
export const LEGACY_ACCOUNTS = 'accounts';
/** Meters were `meters` documents with an ObjectId `_id`, `accountId` and the billing system's `meterId`. */
export const LEGACY_METERS = 'meters';

function legacyLookup(
  db: mongoose.mongo.Db,
  collection: string,
  toKey: (doc: mongoose.mongo.Document) => Promise<string | null>,
) {
  const cache = new Map<string, string | null>();
  return async (legacyId: unknown): Promise<string | null> => {
    const id = String(legacyId);
    if (cache.has(id)) return cache.get(id)!;
    const doc = mongoose.isValidObjectId(id)
      ? await db.collection(collection).findOne({ _id: new mongoose.Types.ObjectId(id) })
      : null;
    const found = doc ? await toKey(doc) : null;
    cache.set(id, found);
    return found;
  };
}

export function migrationCtx(db: mongoose.mongo.Db, log: (message: string) => void): MigrationCtx {
  const accountKey = legacyLookup(db, LEGACY_ACCOUNTS, async (doc) => key(String(doc.tenantId), String(doc.number)));
  const meterKey = legacyLookup(db, LEGACY_METERS, async (doc) => {
    const account = await accountKey(doc.accountId);
    return account ? key(account, String(doc.meterId)) : null;
  });
  return { db, log, accountKey, meterKey };
}

/**
 * Runs the steps in order, then drops the earlier collections they read. The steps write
 * documents with an expiry (sessions, tokens, idempotency records) without registering it, so
 * the expiry sweeps enrol their collections again (server/db/kernel/expiry.ts).
 */
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
  await enrolAgain();
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of new Set(steps.flatMap((s) => s.legacyCollections))) {
    if (existing.has(name)) await db.dropCollection(name);
  }
  return moved;
}

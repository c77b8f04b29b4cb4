import type { Types } from 'mongoose';
import type { Migration } from '../db/migrate.ts';
import { ApiKey } from './model.ts';

/** Integration keys were `apikeys` documents with an ObjectId `_id` and the key's sha256 in `keyHash`. */
export const LEGACY_API_KEYS = 'apikeys';

interface LegacyApiKey {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: string[];
  createdAt?: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

/**
 * Every key moves to `integration_keys` under its hash, keeping its id (as `keyId`), so the keys
 * suppliers hold keep working and `gaskit keys revoke <id>` still names them. Running it again
 * writes the same documents.
 */
export const migration: Migration = {
  name: 'integration keys',
  legacyCollections: [LEGACY_API_KEYS],
  async run(ctx) {
    let moved = 0;
    for await (const old of ctx.db.collection<LegacyApiKey>(LEGACY_API_KEYS).find({})) {
      const doc = {
        keyId: String(old._id),
        tenantId: old.tenantId,
        name: old.name,
        prefix: old.prefix,
        scopes: old.scopes,
        createdAt: old.createdAt ?? old._id.getTimestamp(),
        ...(old.lastUsedAt ? { lastUsedAt: old.lastUsedAt } : {}),
        ...(old.revokedAt ? { revokedAt: old.revokedAt } : {}),
      };
      await ApiKey.replaceOne({ _id: old.keyHash }, doc, { upsert: true });
      moved += 1;
    }
    return { moved };
  },
};

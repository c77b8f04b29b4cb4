import type { Types } from 'mongoose';
import { key } from '../db/kernel/keys.ts';
import { IdempotencyRecord, type IdempotencyDoc } from '../db/kernel/models.ts';
import { insertMissing, type Migration } from '../db/migrate.ts';

/** Idempotency keys were documents with an ObjectId `_id` and (tenantId, subscriberId, scope, key). */
const LEGACY_IDEMPOTENCY = 'idempotencykeys';
const BATCH = 500;

/**
 * Stored results of requests made with an `Idempotency-Key` and not yet expired, as the kernel's
 * records under `<tenant>:<subscriber>:<scope>:<key>`: a retry after the upgrade still gets the
 * result instead of running again. Requests that were still running are not moved (a retry runs).
 */
export const migration: Migration = {
  name: 'idempotency',
  legacyCollections: [LEGACY_IDEMPOTENCY],
  async run(ctx) {
    const records = ctx.db.collection<IdempotencyDoc>(IdempotencyRecord.collection.collectionName);
    const done = ctx.db.collection(LEGACY_IDEMPOTENCY).find({ state: 'done', expiresAt: { $gt: new Date() } });
    let moved = 0;
    let batch: IdempotencyDoc[] = [];
    const write = async () => {
      moved += await insertMissing(records, batch);
      batch = [];
    };
    for await (const r of done) {
      batch.push({
        _id: key(r.tenantId as Types.ObjectId, String(r.subscriberId), String(r.scope), String(r.key)),
        fingerprint: String(r.fingerprint),
        state: 'done',
        response: String(r.response ?? 'null'),
        lockedUntil: r.lockedUntil as Date,
        expiresAt: r.expiresAt as Date,
      });
      if (batch.length === BATCH) await write();
    }
    await write();
    ctx.log(`idempotency records: ${moved}`);
    return { moved };
  },
};

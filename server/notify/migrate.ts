import { enrol } from '../db/kernel/expiry.ts';
import type { Migration } from '../db/migrate.ts';
import { OUTBOX_QUEUE } from './service.ts';

/** Claim tickets of delivery attempts were `outbox_claims` documents `<jobId>:<attempt>:<generation>`. */
export const LEGACY_OUTBOX_CLAIMS = 'outbox_claims';

/**
 * The outbox keeps its jobs as they were (found by `_id`); the unfinished ones are registered in
 * the delivery queue by their `nextAttemptAt` (server/db/kernel/expiry.ts), so queued jobs, and
 * sending ones whose worker stopped, are delivered after the move as before. The claim tickets
 * changed: attempts are leases of the kernel now, and the earlier tickets (of attempts that ended
 * with the earlier server) are dropped.
 */
export const migration: Migration = {
  name: 'notify',
  legacyCollections: [LEGACY_OUTBOX_CLAIMS],
  async run() {
    return { moved: await enrol(OUTBOX_QUEUE) };
  },
};

import type { Migration } from '../db/migrate.ts';

/** Claim tickets of delivery attempts were `outbox_claims` documents `<jobId>:<attempt>:<generation>`. */
export const LEGACY_OUTBOX_CLAIMS = 'outbox_claims';

/**
 * The outbox keeps its jobs as they were (found by `_id`; due ones by `nextAttemptAt` in the
 * delivery worker), so queued jobs, and sending ones whose worker stopped, are delivered after the
 * move as before. Only the claim tickets changed: attempts are leases of the kernel now, and the
 * earlier tickets (of attempts that ended with the earlier server) are dropped.
 */
export const migration: Migration = {
  name: 'notify',
  legacyCollections: [LEGACY_OUTBOX_CLAIMS],
  async run() {
    return { moved: 0 };
  },
};

import type mongoose from 'mongoose';
import { isDuplicateKey, key } from '../db/kernel/keys.ts';
import { slotId, takeSlot } from '../db/kernel/slots.ts';
import type { Migration, MigrationCtx } from '../db/migrate.ts';
import { AccountLink, LinkKey, MOST_SLOTS, type AccountLinkDoc, type LinkKeyDoc } from './model.ts';

/**
 * Links written by the earlier version: `accountlinks` (ObjectId `_id`, unique by subscriber and
 * account, with the cabinet's `slot` and an ObjectId `accountId`) and `linkslots` (the taken
 * slots, one per link, so nothing to read there). Each link goes to its cabinet's slot
 * `<subscriberId>:<slot>` with the account's key, and gets its key document; a link already moved
 * (its key document is there) is left as it is, so the step may run again. A link whose account is
 * gone is not moved.
 */

const LEGACY_LINKS = 'accountlinks';
const LEGACY_SLOTS = 'linkslots';
/** Links moved at once: different cabinets mostly, each a few lookups and inserts. */
const AT_ONCE = 32;

type Doc = mongoose.mongo.Document;

async function moveLink(ctx: MigrationCtx, old: Doc): Promise<boolean> {
  const accountId = await ctx.accountKey(old.accountId);
  if (!accountId) {
    ctx.log(`accounts: link ${String(old._id)} of missing account ${String(old.accountId)} not moved`);
    return false;
  }
  const subscriberId = old.subscriberId as mongoose.Types.ObjectId;
  const keyId = key(subscriberId, accountId);
  if (await LinkKey.exists({ _id: keyId })) return false;
  const owner = String(subscriberId);
  const data = {
    subscriberId,
    realm: String(old.realm),
    tenantId: old.tenantId,
    accountId,
    accountNumber: String(old.accountNumber),
    mode: old.mode === 'extended' ? 'extended' : 'basic',
    linkedAt: old.createdAt ?? old._id.getTimestamp(),
  } satisfies Omit<AccountLinkDoc, '_id' | 'owner' | 'slot'>;
  let slot: number | null = typeof old.slot === 'number' ? old.slot : null;
  if (slot !== null) {
    try {
      await AccountLink.create({ _id: slotId(owner, slot), owner, slot, ...data });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Moved by a run that stopped before the key document, or the slot holds another link.
      const there = await AccountLink.findById(slotId(owner, slot)).lean<AccountLinkDoc>();
      if (there?.accountId !== accountId) slot = null;
    }
  }
  // The earlier slot is held by another link (or there was none): the lowest free one.
  slot ??= await takeSlot(AccountLink, owner, MOST_SLOTS, data);
  if (slot === null) {
    ctx.log(`accounts: cabinet ${owner} has no free slot for link ${String(old._id)}`);
    return false;
  }
  await LinkKey.create({ _id: keyId, subscriberId, slot } satisfies LinkKeyDoc);
  return true;
}

export const migration: Migration = {
  name: 'accounts',
  legacyCollections: [LEGACY_LINKS, LEGACY_SLOTS],
  async run(ctx) {
    let moved = 0;
    let batch: Doc[] = [];
    const flush = async () => {
      moved += (await Promise.all(batch.map((l) => moveLink(ctx, l)))).filter(Boolean).length;
      batch = [];
    };
    for await (const link of ctx.db.collection(LEGACY_LINKS).find({})) {
      batch.push(link);
      if (batch.length === AT_ONCE) await flush();
    }
    await flush();
    return { moved };
  },
};

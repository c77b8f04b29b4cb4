import type mongoose from 'mongoose';
import { revise } from '../db/kernel/revisions.ts';
import type { Migration, MigrationCtx } from '../db/migrate.ts';
import { AccountLinkList, type AccountLinkDoc, type AccountLinkListDoc } from './model.ts';

/**
 * Links written by earlier versions go to their cabinet's link list (`account_link_lists`,
 * `_id` = the subscriber's id), oldest link first, with their modes:
 *
 * - `accountlinks` (ObjectId `_id`, an ObjectId `accountId`; `linkslots` held their slots, nothing
 *   to read there): the account's key comes from billing's earlier collections; a link whose
 *   account is gone is not moved.
 * - `account_links` (one document per slot, `_id` = `<subscriberId>:<slot>`, with the account's
 *   key; `account_link_keys` pointed at the slots, nothing to read there).
 *
 * A link already in its cabinet's list is left as it is, so the step may run again; the lists are
 * changed as revisions, so a cabinet linking meanwhile loses nothing.
 */

const LEGACY_LINKS = 'accountlinks';
const LEGACY_SLOTS = 'linkslots';
const SLOT_LINKS = 'account_links';
const SLOT_KEYS = 'account_link_keys';
/** Earlier links read at once; each cabinet among them is one revision of its list. */
const AT_ONCE = 200;

type Doc = mongoose.mongo.Document;
type Moved = { subscriberId: mongoose.Types.ObjectId; link: AccountLinkDoc };

const byLinkedAt = (a: AccountLinkDoc, b: AccountLinkDoc) => a.linkedAt.getTime() - b.linkedAt.getTime();

/** Adds the links a cabinet's list lacks; returns how many were added. */
async function mergeLinks(subscriberId: mongoose.Types.ObjectId, links: AccountLinkDoc[]): Promise<number> {
  return revise<AccountLinkListDoc, number>(AccountLinkList, String(subscriberId), (current) => {
    const have = current?.links ?? [];
    const added: AccountLinkDoc[] = [];
    for (const l of links) if (![...have, ...added].some((h) => h.accountId === l.accountId)) added.push(l);
    if (added.length === 0) return { result: 0 };
    return { set: { subscriberId, links: [...have, ...added].sort(byLinkedAt) }, result: added.length };
  });
}

/** Moves the earlier links of one batch: the links of each cabinet in it together. */
async function moveBatch(batch: Moved[]): Promise<number> {
  const byCabinet = new Map<string, Moved[]>();
  for (const m of batch) byCabinet.set(String(m.subscriberId), [...(byCabinet.get(String(m.subscriberId)) ?? []), m]);
  const added = await Promise.all(
    [...byCabinet.values()].map((moved) =>
      mergeLinks(
        moved[0]!.subscriberId,
        moved.map((m) => m.link),
      ),
    ),
  );
  return added.reduce((a, b) => a + b, 0);
}

async function fromLegacy(ctx: MigrationCtx, old: Doc): Promise<Moved | null> {
  const accountId = await ctx.accountKey(old.accountId);
  if (!accountId) {
    ctx.log(`accounts: link ${String(old._id)} of missing account ${String(old.accountId)} not moved`);
    return null;
  }
  return {
    subscriberId: old.subscriberId,
    link: {
      realm: String(old.realm),
      tenantId: old.tenantId,
      accountId,
      accountNumber: String(old.accountNumber),
      mode: old.mode === 'extended' ? 'extended' : 'basic',
      linkedAt: old.createdAt ?? old._id.getTimestamp(),
    },
  };
}

function fromSlot(old: Doc): Moved {
  return {
    subscriberId: old.subscriberId,
    link: {
      realm: String(old.realm),
      tenantId: old.tenantId,
      accountId: String(old.accountId),
      accountNumber: String(old.accountNumber),
      mode: old.mode === 'extended' ? 'extended' : 'basic',
      linkedAt: old.linkedAt,
    },
  };
}

export const migration: Migration = {
  name: 'accounts',
  legacyCollections: [LEGACY_LINKS, LEGACY_SLOTS, SLOT_LINKS, SLOT_KEYS],
  async run(ctx) {
    let moved = 0;
    let batch: Moved[] = [];
    const flush = async () => {
      moved += await moveBatch(batch);
      batch = [];
    };
    for await (const link of ctx.db.collection(LEGACY_LINKS).find({})) {
      const m = await fromLegacy(ctx, link);
      if (m) batch.push(m);
      if (batch.length === AT_ONCE) await flush();
    }
    for await (const link of ctx.db.collection(SLOT_LINKS).find({})) {
      batch.push(fromSlot(link));
      if (batch.length === AT_ONCE) await flush();
    }
    await flush();
    return { moved };
  },
};

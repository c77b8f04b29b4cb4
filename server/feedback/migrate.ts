import type { Types } from 'mongoose';
import { duplicateIndexes, key, type KeyedModel } from '../db/kernel/keys.ts';
import { NumberEntry } from '../db/kernel/models.ts';
import type { Migration } from '../db/migrate.ts';
import {
  changeStream,
  FaqList,
  FeedbackChange,
  FeedbackRequest,
  numberCounter,
  OwnRequest,
  ownStream,
  type FaqEntryDoc,
  type FeedbackRequestDoc,
} from './model.ts';
import { keywordsOf } from './search.ts';

/** Requests were `feedbackrequests` documents of today's shape, without `changeSeq`, numbered by `feedbackcounters`. */
export const LEGACY_REQUESTS = 'feedbackrequests';
export const LEGACY_COUNTERS = 'feedbackcounters';
/** Questions and answers were one `faqentries` document per entry and language. */
export const LEGACY_FAQ = 'faqentries';

const BATCH = 500;

/** Inserts documents whose `_id` decides their content; those already there (an earlier run) are left. */
async function insertKeyed(model: KeyedModel, docs: object[]): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    await model.insertMany(docs.slice(i, i + BATCH), { ordered: false, lean: true }).catch(duplicateIndexes);
  }
}

interface RequestHead {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  subscriberId?: Types.ObjectId;
  number: number;
  status: FeedbackRequestDoc['status'];
  createdAt: Date;
  updatedAt: Date;
}

const byTime = (field: 'createdAt' | 'updatedAt') => (a: RequestHead, b: RequestHead) =>
  a[field].getTime() - b[field].getTime() || (String(a._id) < String(b._id) ? -1 : 1);

function group<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/**
 * Feedback moves to keyed documents, before the server serves:
 * - every request to `feedback_requests` under its own id (so reply addresses, links and the
 *   integration API's ids stay valid), with its supplier's change stream written in the order of
 *   the earlier cursor (`updatedAt`, id), so earlier integration cursors still find their place;
 * - each cabinet's requests at each supplier as its stream, oldest first;
 * - each supplier's request numbers into its kernel counter, up to the highest handed out, so the
 *   next request gets the next number;
 * - each supplier's questions and answers in one language into one list.
 * Attachments keep their collection (`feedbackfiles`, found by `_id`). Every document written is
 * determined by the earlier data, so running it again writes the same.
 */
export const migration: Migration = {
  name: 'feedback',
  legacyCollections: [LEGACY_REQUESTS, LEGACY_COUNTERS, LEGACY_FAQ],
  async run(ctx) {
    const requests = ctx.db.collection<FeedbackRequestDoc>(LEGACY_REQUESTS);
    const heads = (await requests
      .find({}, { projection: { tenantId: 1, subscriberId: 1, number: 1, status: 1, createdAt: 1, updatedAt: 1 } })
      .toArray()) as RequestHead[];

    const changeSeq = new Map<string, number>();
    for (const [, own] of group(heads, (h) => String(h.tenantId))) {
      const tenantId = own[0]!.tenantId;
      const stream = changeStream(tenantId);
      const entries = own.sort(byTime('updatedAt')).map((h, i) => {
        changeSeq.set(String(h._id), i + 1);
        return { _id: key(stream, i + 1), stream, seq: i + 1, requestId: h._id, status: h.status, at: h.updatedAt };
      });
      await insertKeyed(FeedbackChange, entries);
    }

    const authored = heads.filter((h) => h.subscriberId);
    for (const [, mine] of group(authored, (h) => key(h.tenantId, h.subscriberId!))) {
      const stream = ownStream(mine[0]!.tenantId, mine[0]!.subscriberId!);
      const entries = mine
        .sort(byTime('createdAt'))
        .map((h, i) => ({ _id: key(stream, i + 1), stream, seq: i + 1, requestId: h._id }));
      await insertKeyed(OwnRequest, entries);
    }

    const counters = await ctx.db.collection<{ tenantId: Types.ObjectId; seq: number }>(LEGACY_COUNTERS).find({}).toArray();
    const highest = new Map<string, { tenantId: Types.ObjectId; top: number }>();
    for (const c of [
      ...counters.map((c) => ({ tenantId: c.tenantId, top: c.seq })),
      ...heads.map((h) => ({ tenantId: h.tenantId, top: h.number })),
    ]) {
      const seen = highest.get(String(c.tenantId));
      if (!seen || c.top > seen.top) highest.set(String(c.tenantId), c);
    }
    for (const { tenantId, top } of highest.values()) {
      const stream = numberCounter(tenantId);
      await insertKeyed(
        NumberEntry,
        Array.from({ length: top }, (_, i) => ({ _id: key(stream, i + 1), stream, seq: i + 1 })),
      );
    }

    let moved = 0;
    let batch: object[] = [];
    for await (const { __v, ...old } of requests.find<FeedbackRequestDoc & { __v?: number }>({})) {
      batch.push({ ...old, changeSeq: changeSeq.get(String(old._id)) });
      moved += 1;
      if (batch.length === BATCH) {
        await insertKeyed(FeedbackRequest, batch);
        batch = [];
      }
    }
    await insertKeyed(FeedbackRequest, batch);

    const faq = await ctx.db.collection<FaqEntryDoc & { tenantId: Types.ObjectId; lng: string }>(LEGACY_FAQ).find({}).toArray();
    for (const [, entries] of group(faq, (e) => key(e.tenantId, e.lng))) {
      const { tenantId, lng } = entries[0]!;
      const list = entries
        .map((e) => ({
          key: e.key,
          question: e.question,
          answer: e.answer,
          topic: e.topic ?? '',
          order: e.order ?? 0,
          keywords: keywordsOf(e.question, e.answer),
        }))
        .sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      await FaqList.replaceOne({ _id: key(tenantId, lng) }, { tenantId, lng, entries: list }, { upsert: true });
      moved += entries.length;
    }
    return { moved };
  },
};

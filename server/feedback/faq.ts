import type { Types } from 'mongoose';
import type { FaqEntry as FaqEntryView } from '../../sdk/feedback.ts';
import type { Ctx } from '../http/context.ts';
import { NotFoundError, ValidationError } from '../http/errors.ts';
import { FaqEntry, type FaqEntryDoc } from './model.ts';
import type { FaqUpsertBody } from './schemas.ts';
import { keywordsOf, queryStems, score, stemPatterns } from './search.ts';

/** Most entries a search ranks; a supplier's list is far smaller, this only bounds a query. */
const MAX_CANDIDATES = 500;

function view(e: Pick<FaqEntryDoc, 'key' | 'question' | 'answer' | 'topic'>): FaqEntryView {
  return { key: e.key, question: e.question, answer: e.answer, topic: e.topic };
}

/** Entries in the request's language, or in the tenant's default language when it has none. */
async function languageWithEntries(ctx: Ctx): Promise<string> {
  if (ctx.lng === ctx.tenant.defaultLocale) return ctx.lng;
  const any = await FaqEntry.exists({ tenantId: ctx.tenant._id, lng: ctx.lng });
  return any ? ctx.lng : ctx.tenant.defaultLocale;
}

/**
 * The questions and answers of the tenant. With a query, entries sharing at least one word stem
 * with it, the most shared first; without one, all entries in the supplier's order.
 */
export async function searchFaq(ctx: Ctx, input: { q?: string; limit: number }): Promise<{ items: FaqEntryView[] }> {
  const lng = await languageWithEntries(ctx);
  const scope = { tenantId: ctx.tenant._id, lng };
  const stems = queryStems(input.q ?? '');
  if (!stems.length) {
    if (input.q?.trim()) return { items: [] };
    const rows = await FaqEntry.find(scope).sort({ order: 1, key: 1 }).limit(input.limit).lean();
    return { items: rows.map(view) };
  }
  const rows = await FaqEntry.find({ ...scope, $or: stemPatterns(stems).map((re) => ({ keywords: re })) })
    .sort({ order: 1, key: 1 })
    .limit(MAX_CANDIDATES)
    .lean();
  const ranked = rows
    .map((row, index) => ({ row, index, score: score(row.keywords, stems) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index);
  return { items: ranked.slice(0, input.limit).map((r) => view(r.row)) };
}

/**
 * Creates or replaces entries by key (and language); returns how many were created and updated.
 * Entries in a language the supplier does not offer are refused: nobody would ever see them.
 */
export async function upsertFaq(ctx: Pick<Ctx, 'tenant'>, input: FaqUpsertBody): Promise<{ created: number; updated: number }> {
  const foreign = input.entries.flatMap((e, i) =>
    e.lng && !ctx.tenant.locales.includes(e.lng) ? [[`entries.${i}.lng`, { code: 'unsupported_locale' }] as const] : [],
  );
  if (foreign.length) throw new ValidationError(Object.fromEntries(foreign));
  const ops = input.entries.map((e) => {
    const lng = e.lng ?? ctx.tenant.defaultLocale;
    return {
      updateOne: {
        filter: { tenantId: ctx.tenant._id, key: e.key, lng },
        update: {
          $set: {
            question: e.question,
            answer: e.answer,
            topic: e.topic,
            order: e.order,
            keywords: keywordsOf(e.question, e.answer),
          },
        },
        upsert: true,
      },
    };
  });
  const res = await FaqEntry.bulkWrite(ops, { ordered: true });
  return { created: res.upsertedCount, updated: res.matchedCount };
}

/** Removes an entry in one language, or in all of them when none is given. */
export async function deleteFaq(ctx: Pick<Ctx, 'tenant'>, key: string, lng?: string): Promise<{ deleted: number }> {
  const res = await FaqEntry.deleteMany({ tenantId: ctx.tenant._id, key, ...(lng ? { lng } : {}) });
  if (!res.deletedCount) throw new NotFoundError('faq_entry_not_found', { key });
  return { deleted: res.deletedCount };
}

/** Entries for the demo suppliers, if they have none yet. */
export async function seedFaq(
  tenantId: Types.ObjectId,
  lng: string,
  entries: { key: string; question: string; answer: string; topic: string }[],
): Promise<number> {
  if (await FaqEntry.exists({ tenantId, lng })) return 0;
  await FaqEntry.insertMany(
    entries.map((e, order) => ({ ...e, tenantId, lng, order, keywords: keywordsOf(e.question, e.answer) })),
  );
  return entries.length;
}

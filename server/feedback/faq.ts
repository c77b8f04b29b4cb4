import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { FaqEntry, FaqUpsert } from '../../contracts/feedback.ts';
import { findByKey, key } from '../db/kernel/keys.ts';
import { revise, RevisionBusyError } from '../db/kernel/revisions.ts';
import type { Ctx } from '../http/context.ts';
import { ConflictError, NotFoundError, RuleViolation, ValidationError } from '../http/errors.ts';
import { SUPPORTED_LOCALES } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { FaqList, type FaqEntryDoc, type FaqListDoc } from './model.ts';
import { keywordsOf, queryStems, score } from './search.ts';

type FaqEntryView = z.output<typeof FaqEntry>;

/** Most entries of a supplier in one language: the list is one document, read whole by a search. */
export const FAQ_MAX_ENTRIES = 500;
/** Most characters of the entries of one language together (a document stays far below 16 MB). */
const FAQ_MAX_CHARS = 4_000_000;

function view(e: Pick<FaqEntryDoc, 'key' | 'question' | 'answer' | 'topic'>): FaqEntryView {
  return { key: e.key, question: e.question, answer: e.answer, topic: e.topic };
}

const listId = (tenantId: Types.ObjectId, lng: string) => key(tenantId, lng);

/** The supplier's order: by `order`, then by key. */
function inOrder(entries: FaqEntryDoc[]): FaqEntryDoc[] {
  return [...entries].sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Entries in the request's language, or in the tenant's default language when it has none: one
 * `_id` lookup, two for a language without entries.
 */
async function entriesFor(ctx: Ctx): Promise<FaqEntryDoc[]> {
  const own = await findByKey<FaqListDoc>(FaqList, listId(ctx.tenant._id, ctx.lng));
  if (own?.entries.length || ctx.lng === ctx.tenant.defaultLocale) return own?.entries ?? [];
  const fallback = await findByKey<FaqListDoc>(FaqList, listId(ctx.tenant._id, ctx.tenant.defaultLocale));
  return fallback?.entries ?? [];
}

/**
 * The questions and answers of the tenant. With a query, entries sharing at least one word stem
 * with it, the most shared first; without one, all entries in the supplier's order.
 */
export async function searchFaq(ctx: Ctx, input: { q?: string; limit: number }): Promise<{ items: FaqEntryView[] }> {
  const entries = inOrder(await entriesFor(ctx));
  const stems = queryStems(input.q ?? '');
  if (!stems.length) {
    if (input.q?.trim()) return { items: [] };
    return { items: entries.slice(0, input.limit).map(view) };
  }
  const ranked = entries
    .map((entry, index) => ({ entry, index, score: score(entry.keywords, stems) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index);
  return { items: ranked.slice(0, input.limit).map((r) => view(r.entry)) };
}

/** Changes one language's list; concurrent changes of it apply one after another. */
async function changeList<R>(
  tenantId: Types.ObjectId,
  lng: string,
  change: (entries: FaqEntryDoc[]) => { entries?: FaqEntryDoc[]; result: R },
): Promise<R> {
  try {
    return await revise<FaqListDoc, R>(FaqList, listId(tenantId, lng), (list) => {
      const { entries, result } = change(list?.entries ?? []);
      if (!entries) return { result };
      const chars = entries.reduce((n, e) => n + e.question.length + e.answer.length, 0);
      if (entries.length > FAQ_MAX_ENTRIES || chars > FAQ_MAX_CHARS) {
        throw new RuleViolation('faq_too_large', { max: FAQ_MAX_ENTRIES, language: lng });
      }
      return { set: { tenantId, lng, entries: inOrder(entries) }, result };
    });
  } catch (err) {
    if (err instanceof RevisionBusyError) throw new ConflictError('faq_busy');
    throw err;
  }
}

/**
 * Creates or replaces entries by key (and language); returns how many were created and updated.
 * Entries in a language the supplier does not offer are refused: nobody would ever see them.
 */
export async function upsertFaq(tenant: TenantDoc, input: FaqUpsert): Promise<{ created: number; updated: number }> {
  const foreign = input.entries.flatMap((e, i) =>
    e.lng && !tenant.locales.includes(e.lng) ? [[`entries.${i}.lng`, { code: 'unsupported_locale' }] as const] : [],
  );
  if (foreign.length) throw new ValidationError(Object.fromEntries(foreign));
  const byLng = new Map<string, FaqUpsert['entries']>();
  for (const e of input.entries) {
    const lng = e.lng ?? tenant.defaultLocale;
    byLng.set(lng, [...(byLng.get(lng) ?? []), e]);
  }
  const counts = { created: 0, updated: 0 };
  for (const [lng, given] of [...byLng].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { created, updated } = await changeList(tenant._id, lng, (current) => {
      const entries = [...current];
      let [made, replaced] = [0, 0];
      for (const e of given) {
        const entry: FaqEntryDoc = {
          key: e.key,
          question: e.question,
          answer: e.answer,
          topic: e.topic,
          order: e.order,
          keywords: keywordsOf(e.question, e.answer),
        };
        const at = entries.findIndex((x) => x.key === e.key);
        if (at >= 0) {
          entries[at] = entry;
          replaced += 1;
        } else {
          entries.push(entry);
          made += 1;
        }
      }
      return { entries, result: { created: made, updated: replaced } };
    });
    counts.created += created;
    counts.updated += updated;
  }
  return counts;
}

/** Removes an entry in one language, or in all of them when none is given. */
export async function deleteFaq(tenant: TenantDoc, entryKey: string, lng?: string): Promise<{ deleted: number }> {
  const languages = lng ? [lng] : [...new Set([...tenant.locales, ...SUPPORTED_LOCALES])].sort();
  const lists = await Promise.all(languages.map((l) => findByKey<FaqListDoc>(FaqList, listId(tenant._id, l))));
  let deleted = 0;
  for (const [i, list] of lists.entries()) {
    if (!list?.entries.some((e) => e.key === entryKey)) continue;
    deleted += await changeList(tenant._id, languages[i]!, (entries) => {
      const kept = entries.filter((e) => e.key !== entryKey);
      return kept.length === entries.length ? { result: 0 } : { entries: kept, result: 1 };
    });
  }
  if (!deleted) throw new NotFoundError('faq_entry_not_found', { key: entryKey });
  return { deleted };
}

/** Entries for the demo suppliers, if they have none yet in that language. */
export async function seedFaq(
  tenantId: Types.ObjectId,
  lng: string,
  entries: { key: string; question: string; answer: string; topic: string }[],
): Promise<number> {
  const existing = await findByKey<FaqListDoc>(FaqList, listId(tenantId, lng));
  if (existing?.entries.length) return 0;
  return changeList(tenantId, lng, (current) =>
    current.length
      ? { result: 0 }
      : {
          entries: entries.map((e, order) => ({ ...e, order, keywords: keywordsOf(e.question, e.answer) })),
          result: entries.length,
        },
  );
}

import mongoose, { type Types } from 'mongoose';
import client from 'prom-client';
import { appContext } from '../app-context.ts';
import type { AccountDoc } from '../billing/model.ts';
import { checkPin, chargesOf, findAccount, findAccountByNumber, getDebt, metersOf, summaryOf } from '../billing/service.ts';
import { accountNumberRule } from '../billing/writer.ts';
import { findByKey, isDuplicateKey, key } from '../db/kernel/keys.ts';
import { clear, hit, type WindowRule } from '../db/kernel/limits.ts';
import { revise, RevisionBusyError } from '../db/kernel/revisions.ts';
import { append, readAfter } from '../db/kernel/streams.ts';
import { alert } from '../http/alerts.ts';
import type { Ctx, SubscriberCtx } from '../http/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitError, RuleViolation, ValidationError } from '../http/errors.ts';
import { registry } from '../http/metrics.ts';
import { amountDue } from './amount-due.ts';
import type { SubscriberDeletedHook } from '../subscribers/hooks.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantById, getTenantBySlug } from '../tenants/service.ts';
import {
  AccountLinkList,
  SupplierCabinet,
  SupplierCabinetMark,
  type AccountLinkDoc,
  type AccountLinkListDoc,
  type SupplierCabinetDoc,
} from './model.ts';

/**
 * PIN guesses: five per cabinet and account an hour, and ten per account an hour whatever the
 * cabinet (a PIN has four digits, so the limits are its strength). Both are keyed by the account,
 * not by the link, so unlinking and linking again gives no new attempts. Counted before checking,
 * so parallel guesses cannot slip through; a right PIN clears both. A wrong guess that uses up
 * either limit is reported to the supplier (`reportLockout`).
 */
export const PIN_ATTEMPTS: WindowRule = { points: 5, windowMs: 3600_000 };
export const PIN_ATTEMPTS_PER_ACCOUNT: WindowRule = { points: 10, windowMs: 3600_000 };

function subscriberOid(ctx: SubscriberCtx): Types.ObjectId {
  return new mongoose.Types.ObjectId(ctx.subscriberId);
}

/** The cabinet's links, oldest first: one lookup by `_id` (none: no list yet). */
async function linksOf(subscriberId: Types.ObjectId): Promise<AccountLinkDoc[]> {
  return (await findByKey<AccountLinkListDoc>(AccountLinkList, String(subscriberId)))?.links ?? [];
}

/**
 * Changes the cabinet's link list as a revision (kernel revisions.ts): `change` gets the links as
 * they are and returns them as they should be, or throws to refuse; concurrent changes are applied
 * one after another, so the limit and the one link per account hold and none is lost. A list that
 * stays busy through every try is refused with 409 `links_busy`, changing nothing (the client may
 * try again).
 */
async function reviseLinks(subscriberId: Types.ObjectId, change: (links: AccountLinkDoc[]) => AccountLinkDoc[]): Promise<void> {
  try {
    await revise<AccountLinkListDoc, void>(
      AccountLinkList,
      String(subscriberId),
      (current) => ({ set: { subscriberId, links: change(current?.links ?? []) }, result: undefined }),
      { tries: appContext().accounts.linkTries },
    );
  } catch (err) {
    if (err instanceof RevisionBusyError) throw new ConflictError('links_busy');
    throw err;
  }
}

/** "Иванов Иван Иванович" → "Иванов И. И.": enough to recognise one's own contract, little to leak. */
export function maskHolder(holder: string): string {
  const [surname, ...rest] = holder.trim().split(/\s+/);
  if (!surname) return '';
  return [surname, ...rest.map((p) => `${p[0]}.`)].join(' ');
}

/** The flat (room, office) at the end of an address: "…, д. 7, кв. 12" → "…, д. 7". */
const FLAT = /,?\s*(?:кв|квартира|комн|комната|ком|пом|помещение|офис|оф|apt|flat)\.?\s*[\p{L}\d/-]+\s*$/iu;

/** An address without the flat: the street and house identify one's own contract, not the household. */
export function maskAddress(address: string): string {
  return address.replace(FLAT, '').trim();
}

/**
 * Looking up accounts by number before the PIN (check and link) is limited per cabinet, and
 * check per client IP too, so numbers cannot be walked through to collect names and addresses.
 */
export const LOOKUP_LIMITS: { cabinet: WindowRule; ip: WindowRule } = {
  cabinet: { points: 20, windowMs: 3600_000 },
  ip: { points: 100, windowMs: 3600_000 },
};

/** A supplier of the subscriber's realm, by slug; any other is unknown. */
async function supplierOf(ctx: Ctx, slug: string): Promise<TenantDoc> {
  const supplier = await getTenantBySlug(slug).catch(() => null);
  if (!supplier || supplier.realm !== ctx.tenant.realm) {
    throw new ValidationError({ supplier: { code: 'supplier_not_found' } }, 'supplier_not_found');
  }
  return supplier;
}

/**
 * The account a subscriber names by supplier and number, and whether the cabinet has it linked:
 * the account and the cabinet's link list, two lookups by key, made together.
 */
async function findByRef(ctx: SubscriberCtx, ref: { supplier: string; number: string }) {
  await countHit(key('lookup', subscriberOid(ctx)), LOOKUP_LIMITS.cabinet, 'account_lookups_limited');
  const supplier = await supplierOf(ctx, ref.supplier);
  if (!accountNumberRule(supplier).test(ref.number)) {
    throw new ValidationError({ number: { code: 'account_number_format' } });
  }
  const accountId = key(supplier._id, ref.number);
  const [account, links] = await Promise.all([findAccountByNumber(supplier._id, ref.number), linksOf(subscriberOid(ctx))]);
  if (!account) throw new NotFoundError('account_not_found');
  return { supplier, account, linked: links.some((l) => l.accountId === accountId) };
}

/** "Check": the masked contract details of an account before linking it (street and house, surname and initials). */
export async function checkAccount(ctx: SubscriberCtx, ref: { supplier: string; number: string }, client: { ip: string }) {
  await countHit(key('lookup', 'ip', client.ip), LOOKUP_LIMITS.ip, 'account_lookups_limited');
  const { supplier, account, linked } = await findByRef(ctx, ref);
  return {
    supplier: { slug: supplier.slug, name: supplier.name },
    number: account.number,
    address: maskAddress(account.address),
    holder: maskHolder(account.holder),
    alreadyLinked: linked,
  };
}

/** A link as the cabinet shows it: the account (read unless given) and its debt, one lookup each. */
async function view(link: AccountLinkDoc, account?: AccountDoc) {
  return (await viewWithAccount(link, account)).view;
}

/** `view`, and the account document it was made from. */
async function viewWithAccount(link: AccountLinkDoc, account?: AccountDoc) {
  const [supplier, found, debt] = await Promise.all([
    getTenantById(link.tenantId),
    account ?? findAccount(link.tenantId, link.accountId),
    getDebt(link.tenantId, link.accountId),
  ]);
  if (!found) throw new NotFoundError('account_not_found');
  const shown = {
    id: link.accountId,
    number: link.accountNumber,
    address: link.mode === 'extended' ? found.address : maskAddress(found.address),
    holder: link.mode === 'extended' ? found.holder : maskHolder(found.holder),
    mode: link.mode,
    supplier: { slug: supplier.slug, name: supplier.name },
    debt: debt.debt,
    penalties: debt.penalties,
    period: debt.period,
    ...(await owedNow(link.tenantId, String(link.accountId), debt)),
  };
  return { view: shown, account: found };
}

/** Paid through the cabinet and not yet booked by billing (the app's payments module tells), and what is due now. */
async function owedNow(tenantId: Types.ObjectId, accountId: string, debt: { debt: number; penalties: number }) {
  const pendingPaid = await appContext().pendingPaid(tenantId, accountId);
  return { pendingPaid, due: amountDue(debt, pendingPaid) };
}

/**
 * Links an account in basic mode. The cabinet's limit holds under concurrent requests: the link is
 * added to the cabinet's list as a revision, which refuses it when the list is full or already
 * holds the account.
 */
export async function linkAccount(ctx: SubscriberCtx, ref: { supplier: string; number: string }) {
  const { supplier, account, linked } = await findByRef(ctx, ref);
  if (linked) throw new ConflictError('account_already_linked');
  const max = ctx.tenant.accounts.maxAccounts;
  const link: AccountLinkDoc = {
    realm: ctx.tenant.realm,
    tenantId: supplier._id,
    accountId: account._id,
    accountNumber: account.number,
    mode: 'basic',
    linkedAt: new Date(),
  };
  await listCabinet(supplier._id, subscriberOid(ctx));
  await reviseLinks(subscriberOid(ctx), (links) => {
    if (links.some((l) => l.accountId === link.accountId)) throw new ConflictError('account_already_linked');
    if (links.length >= max) throw new RuleViolation('account_limit_reached', { max });
    return [...links, link];
  });
  return view(link, account);
}

/** The cabinet's link of an account of this realm: one lookup (its list). */
async function ownLink(ctx: SubscriberCtx, accountId: string): Promise<AccountLinkDoc> {
  const link = (await linksOf(subscriberOid(ctx))).find((l) => l.accountId === accountId);
  if (!link || link.realm !== ctx.tenant.realm) throw new NotFoundError('account_not_linked');
  return link;
}

/** Whether the signed-in cabinet has this account linked (its key `<tenantId>:<number>`): one lookup. */
export async function isLinked(ctx: SubscriberCtx, accountId: string): Promise<boolean> {
  return (await linksOf(subscriberOid(ctx))).some((l) => l.accountId === accountId && l.realm === ctx.tenant.realm);
}

/** The cabinet's links of this realm, oldest first: one lookup (its list). */
async function ownLinks(ctx: SubscriberCtx): Promise<AccountLinkDoc[]> {
  const own = await linksOf(subscriberOid(ctx));
  return own.filter((l) => l.realm === ctx.tenant.realm).sort((a, b) => a.linkedAt.getTime() - b.linkedAt.getTime());
}

/** The cabinet's accounts: its link list, oldest link first, each with its account and debt. */
export async function listLinkedAccounts(ctx: SubscriberCtx) {
  return Promise.all((await ownLinks(ctx)).map((l) => view(l)));
}

/**
 * The cabinet's accounts of this realm as `listLinkedAccounts` names them, without what is owed on
 * them: its link list, then each account, one lookup each.
 */
export async function listLinkedAccountRefs(ctx: SubscriberCtx) {
  return Promise.all(
    (await ownLinks(ctx)).map(async (l) => {
      const [supplier, account] = await Promise.all([getTenantById(l.tenantId), findAccount(l.tenantId, l.accountId)]);
      if (!account) throw new NotFoundError('account_not_found');
      return {
        id: l.accountId,
        number: l.accountNumber,
        address: account.address,
        supplier: { slug: supplier.slug, name: supplier.name },
      };
    }),
  );
}

/**
 * `listLinkedAccounts` with each account's number of meters (payments offers readings with a
 * payment where there are meters), from the same lookups.
 */
export async function listLinkedAccountsWithMeters(ctx: SubscriberCtx) {
  return Promise.all(
    (await ownLinks(ctx)).map(async (l) => {
      const { view: shown, account } = await viewWithAccount(l);
      return { ...shown, meterCount: account.meters.length };
    }),
  );
}

/** Unlinks an account; the last one stays, so a cabinet always has an account (checked within the revision). */
export async function unlinkAccount(ctx: SubscriberCtx, accountId: string): Promise<void> {
  await reviseLinks(subscriberOid(ctx), (links) => {
    const others = links.filter((l) => l.accountId !== accountId);
    if (!links.some((l) => l.accountId === accountId && l.realm === ctx.tenant.realm))
      throw new NotFoundError('account_not_linked');
    if (others.length === 0) throw new RuleViolation('last_account');
    return others;
  });
}

/** Counts a request under a limit and returns the count in the window; refused with `code` when the limit is reached. */
async function countHit(name: string, rule: WindowRule, code: string): Promise<number> {
  const { allowed, state } = await hit(name, rule);
  if (!allowed) throw new RateLimitError(Math.max(1, Math.ceil(state.retryInMs / 1000)), code);
  return state.count;
}

const pinLockouts = new client.Counter({
  name: 'gaskit_pin_lockouts_total',
  help: 'Wrong PIN guesses that used up the last attempt of a limit (scope: per cabinet and account, or per account)',
  labelNames: ['tenant', 'scope'] as const,
  registers: [registry],
});

/**
 * Tells the supplier that an account's PIN entry is now locked: a metric and a warn line with the
 * tenant, the account and the cabinet (never the PIN guessed). Once per limit reached, so a
 * continued attack shows up as one line per window and cabinet, not one per guess.
 */
async function reportLockout(ctx: SubscriberCtx, link: AccountLinkDoc, scope: 'cabinet' | 'account'): Promise<void> {
  const supplier = await getTenantById(link.tenantId);
  pinLockouts.inc({ tenant: supplier.slug, scope });
  alert(
    'pin_locked',
    { tenant: supplier.slug, account: link.accountNumber, subscriberId: ctx.subscriberId, scope, requestId: ctx.requestId },
    'PIN attempts for an account used up: its PIN may be under attack',
  );
}

/** "I have a PIN": the PIN printed on the bill switches the link to extended mode. */
export async function enterPin(ctx: SubscriberCtx, accountId: string, pin: string) {
  const link = await ownLink(ctx, accountId);
  const perCabinet = key('pin', subscriberOid(ctx), accountId);
  const perAccount = key('pin', accountId);
  const byCabinet = await countHit(perCabinet, PIN_ATTEMPTS, 'pin_locked');
  const byAccount = await countHit(perAccount, PIN_ATTEMPTS_PER_ACCOUNT, 'pin_locked');
  const account = await findAccount(link.tenantId, link.accountId);
  if (!account) throw new NotFoundError('account_not_found');
  if (!checkPin(account, pin)) {
    if (byCabinet >= PIN_ATTEMPTS.points) await reportLockout(ctx, link, 'cabinet');
    if (byAccount >= PIN_ATTEMPTS_PER_ACCOUNT.points) await reportLockout(ctx, link, 'account');
    throw new ValidationError({ pin: { code: 'pin_wrong' } }, 'pin_wrong');
  }
  await Promise.all([
    clear(perCabinet, PIN_ATTEMPTS.windowMs),
    clear(perAccount, PIN_ATTEMPTS_PER_ACCOUNT.windowMs),
    reviseLinks(subscriberOid(ctx), (links) => links.map((l) => (l.accountId === accountId ? { ...l, mode: 'extended' } : l))),
  ]);
  return view({ ...link, mode: 'extended' }, account);
}

/**
 * The cabinet's link of an account of the request's tenant (account-scoped widgets talk to the
 * account's own supplier), and the account: three lookups, the account's made with the link's.
 */
async function linkedAccount(ctx: SubscriberCtx, accountId: string): Promise<{ link: AccountLinkDoc; account: AccountDoc }> {
  if (!accountId.startsWith(`${String(ctx.tenant._id)}:`)) throw new NotFoundError('account_not_linked');
  const [link, account] = await Promise.all([ownLink(ctx, accountId), findAccount(ctx.tenant._id, accountId)]);
  if (!account) throw new NotFoundError('account_not_found');
  return { link, account };
}

/**
 * The account, if the signed-in subscriber has it linked and it belongs to the tenant of the request,
 * with its meters as billing lists them (from the same lookup). Readings and payments start here.
 */
export async function assertLinked(ctx: SubscriberCtx, accountId: string) {
  const { link, account } = await linkedAccount(ctx, accountId);
  return {
    id: account._id,
    number: account.number,
    address: account.address,
    holder: account.holder,
    mode: link.mode,
    meters: metersOf(account),
  };
}

export async function accountSummaryFor(ctx: SubscriberCtx, accountId: string, period?: string) {
  const { link, account } = await linkedAccount(ctx, accountId);
  const extended = link.mode === 'extended';
  const summary = await summaryOf(account, period);
  // What is owed now is the latest balance's: the summary's own when it shows the latest period.
  const latest = summary.period === summary.periods.last && summary.balance;
  const debt = latest ? { debt: latest.closing, penalties: latest.penalties } : await getDebt(ctx.tenant._id, account._id);
  const owed = await owedNow(ctx.tenant._id, account._id, debt);
  return {
    account: {
      id: account._id,
      number: account.number,
      address: extended ? account.address : maskAddress(account.address),
      holder: extended ? account.holder : maskHolder(account.holder),
      mode: link.mode,
    },
    ...summary,
    charges: extended
      ? summary.charges
      : summary.charges && {
          period: summary.charges.period,
          total: summary.charges.total,
          penalties: summary.charges.penalties,
          lines: [],
        },
    meters: summary.meters.map((m) => (extended ? m : { ...m, serialNumber: '' })),
    ...owed,
  };
}

/** Full charges are extended-mode data (seed 001: basic mode shows debt, payment and readings only). */
export async function chargesFor(ctx: SubscriberCtx, accountId: string, range: { from?: string; to?: string }) {
  const { link, account } = await linkedAccount(ctx, accountId);
  if (link.mode !== 'extended') throw new ForbiddenError('pin_required');
  return chargesOf(account, range);
}

export async function metersFor(ctx: SubscriberCtx, accountId: string) {
  const { account } = await linkedAccount(ctx, accountId);
  return metersOf(account);
}

/** A link to one of the tenant's accounts, as the readings reminders see it. */
export interface TenantLink {
  subscriberId: Types.ObjectId;
  accountId: string;
  accountNumber: string;
}

const cabinetsStream = (tenantId: Types.ObjectId) => key('cabinets', tenantId);

/** Inserts a mark; one already there is the same mark. */
async function putMark(id: string): Promise<void> {
  try {
    await SupplierCabinetMark.create({ _id: id });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/**
 * Puts the cabinet in the supplier's stream of cabinets, once: its mark's lookup, and the first
 * time an append and the mark (written after the entry, so a crash between leaves an entry and
 * no cabinet missing; two racing links of one cabinet may both append, which readers tolerate).
 */
async function listCabinet(tenantId: Types.ObjectId, subscriberId: Types.ObjectId): Promise<void> {
  const mark = key(tenantId, subscriberId);
  if (await findByKey(SupplierCabinetMark, mark)) return;
  await append(SupplierCabinet, cabinetsStream(tenantId), { subscriberId });
  await putMark(mark);
}

/**
 * Puts the cabinets that linked the supplier's accounts before the streams existed (an upgraded
 * or migrated database) in its stream: a one-time scan of the link lists, by the first reader.
 */
async function enrolCabinets(tenantId: Types.ObjectId): Promise<void> {
  const enrolled = key(tenantId, 'enrolled');
  if (await findByKey(SupplierCabinetMark, enrolled)) return;
  const lists = AccountLinkList.find({ 'links.tenantId': tenantId }, { subscriberId: 1 }).lean<AccountLinkListDoc[]>();
  for await (const list of lists.cursor()) await listCabinet(tenantId, list.subscriberId);
  await putMark(enrolled);
}

/**
 * Every link to an account of the tenant, a page at a time (a page never splits a cabinet), for
 * background jobs: the supplier's stream of cabinets, `pageSize` entries a page, each cabinet's
 * list by `_id`; so a run costs the supplier's cabinets, not every cabinet stored. A cabinet
 * listed twice (a race of its first links) comes once a page, and may come again in a later one:
 * callers act once per cabinet anyway (a reminder is claimed by its key).
 */
export async function* linksOfTenant(tenantId: Types.ObjectId, pageSize = 200): AsyncGenerator<TenantLink[]> {
  await enrolCabinets(tenantId);
  for (let after = 0; ;) {
    const rows = await readAfter<SupplierCabinetDoc>(SupplierCabinet, cabinetsStream(tenantId), after, pageSize);
    if (rows.length === 0) return;
    after += rows.length;
    const cabinets = [...new Set(rows.map((r) => String(r.subscriberId)))];
    const lists = await Promise.all(cabinets.map((id) => findByKey<AccountLinkListDoc>(AccountLinkList, id)));
    const page = lists.flatMap((list) =>
      (list?.links ?? [])
        .filter((l) => l.tenantId.equals(tenantId))
        .map((l) => ({ subscriberId: list!.subscriberId, accountId: l.accountId, accountNumber: l.accountNumber })),
    );
    if (page.length > 0) yield page;
  }
}

/** A deleted cabinet's account links go with it. */
export const dropLinksOfDeleted: SubscriberDeletedHook = async ({ subscriberId }) => {
  await AccountLinkList.deleteOne({ _id: String(subscriberId) });
};

import mongoose, { type Types } from 'mongoose';
import client from 'prom-client';
import type { AccountDoc } from '../billing/model.ts';
import { checkPin, chargesOf, findAccount, findAccountByNumber, getDebt, metersOf, summaryOf } from '../billing/service.ts';
import { accountNumberRule } from '../billing/writer.ts';
import { isDuplicateKey, key } from '../db/kernel/keys.ts';
import { clear, hit, type WindowRule } from '../db/kernel/limits.ts';
import { listSlots, releaseSlot, slotId, takeSlot } from '../db/kernel/slots.ts';
import { alert } from '../http/alerts.ts';
import type { Ctx } from '../http/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitError, RuleViolation, ValidationError } from '../http/errors.ts';
import { registry } from '../http/metrics.ts';
import { amountDue } from '../payments/amounts.ts';
import { onSubscriberDeleted } from '../subscribers/hooks.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantById, getTenantBySlug } from '../tenants/service.ts';
import { AccountLink, LinkKey, MOST_SLOTS, type AccountLinkDoc, type LinkKeyDoc } from './model.ts';

/**
 * PIN guesses: five per cabinet and account an hour, and ten per account an hour whatever the
 * cabinet (a PIN has four digits, so the limits are its strength). Both are keyed by the account,
 * not by the link, so unlinking and linking again gives no new attempts. Counted before checking,
 * so parallel guesses cannot slip through; a right PIN clears both. A wrong guess that uses up
 * either limit is reported to the supplier (`reportLockout`).
 */
export const PIN_ATTEMPTS: WindowRule = { points: 5, windowMs: 3600_000 };
export const PIN_ATTEMPTS_PER_ACCOUNT: WindowRule = { points: 10, windowMs: 3600_000 };

function subscriberOid(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new Error('accounts service called without a signed-in subscriber');
  return new mongoose.Types.ObjectId(ctx.subscriberId);
}

const linkKeyId = (subscriberId: Types.ObjectId, accountId: string) => key(subscriberId, accountId);

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
 * two lookups by key, made together.
 */
async function findByRef(ctx: Ctx, ref: { supplier: string; number: string }) {
  await countHit(key('lookup', subscriberOid(ctx)), LOOKUP_LIMITS.cabinet, 'account_lookups_limited');
  const supplier = await supplierOf(ctx, ref.supplier);
  if (!accountNumberRule(supplier).test(ref.number)) {
    throw new ValidationError({ number: { code: 'account_number_format' } });
  }
  const [account, linked] = await Promise.all([
    findAccountByNumber(supplier._id, ref.number),
    LinkKey.exists({ _id: linkKeyId(subscriberOid(ctx), key(supplier._id, ref.number)) }),
  ]);
  if (!account) throw new NotFoundError('account_not_found');
  return { supplier, account, linked: linked !== null };
}

/** "Check": the masked contract details of an account before linking it (street and house, surname and initials). */
export async function checkAccount(ctx: Ctx, ref: { supplier: string; number: string }, client: { ip: string }) {
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

/** Paid through the cabinet and not yet booked by billing, and what is due now (payments is imported on use: it imports this module). */
async function owedNow(tenantId: Types.ObjectId, accountId: string, debt: { debt: number; penalties: number }) {
  const pendingPaid = await (await import('../payments/service.ts')).pendingPaidAmount(tenantId, accountId);
  return { pendingPaid, due: amountDue(debt, pendingPaid) };
}

/**
 * Links an account in basic mode. The cabinet's limit holds under concurrent requests: the link
 * takes the lowest free slot (a unique insert, kernel slots.ts), then inserts its key (unique per
 * cabinet and account), so a second link of the same account is refused; a refused link gives its
 * slot back.
 */
export async function linkAccount(ctx: Ctx, ref: { supplier: string; number: string }) {
  const { supplier, account, linked } = await findByRef(ctx, ref);
  if (linked) throw new ConflictError('account_already_linked');
  const subscriberId = subscriberOid(ctx);
  const owner = String(subscriberId);
  const max = ctx.tenant.accounts.maxAccounts;
  const data = {
    subscriberId,
    realm: ctx.tenant.realm,
    tenantId: supplier._id,
    accountId: account._id,
    accountNumber: account.number,
    mode: 'basic' as const,
    linkedAt: new Date(),
  };
  const slot = await takeSlot(AccountLink, owner, max, data);
  if (slot === null) throw new RuleViolation('account_limit_reached', { max });
  try {
    await LinkKey.create({ _id: linkKeyId(subscriberId, account._id), subscriberId, slot });
  } catch (err) {
    await releaseSlot(AccountLink, owner, slot);
    if (isDuplicateKey(err)) throw new ConflictError('account_already_linked');
    throw err;
  }
  return view({ _id: slotId(owner, slot), owner, slot, ...data }, account);
}

/** The cabinet's link of an account: its key, then its slot (two lookups). */
async function ownLink(ctx: Ctx, accountId: string): Promise<AccountLinkDoc> {
  const subscriberId = subscriberOid(ctx);
  const ref = await LinkKey.findById(linkKeyId(subscriberId, accountId)).lean<LinkKeyDoc>();
  const link = ref ? await AccountLink.findById(slotId(String(subscriberId), ref.slot)).lean<AccountLinkDoc>() : null;
  if (!link || link.accountId !== accountId || link.realm !== ctx.tenant.realm) throw new NotFoundError('account_not_linked');
  return link;
}

/** The cabinet's links of this realm: its slots (`maxAccounts` lookups), oldest link first. */
async function ownLinks(ctx: Ctx): Promise<AccountLinkDoc[]> {
  const own = await listSlots<AccountLinkDoc>(AccountLink, String(subscriberOid(ctx)), ctx.tenant.accounts.maxAccounts);
  return own.filter((l) => l.realm === ctx.tenant.realm).sort((a, b) => a.linkedAt.getTime() - b.linkedAt.getTime());
}

/** The cabinet's accounts: its slots, oldest link first, each with its account and debt. */
export async function listLinkedAccounts(ctx: Ctx) {
  return Promise.all((await ownLinks(ctx)).map((l) => view(l)));
}

/**
 * The cabinet's accounts of this realm as `listLinkedAccounts` names them, without what is owed on
 * them: its slots, then each account, one lookup each.
 */
export async function listLinkedAccountRefs(ctx: Ctx) {
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
export async function listLinkedAccountsWithMeters(ctx: Ctx) {
  return Promise.all(
    (await ownLinks(ctx)).map(async (l) => {
      const { view: shown, account } = await viewWithAccount(l);
      return { ...shown, meterCount: account.meters.length };
    }),
  );
}

/**
 * Puts back a link its unlink removed when it found no other left. False when that is not needed
 * after all: a concurrent link took the slot, or linked the same account again.
 */
async function restore(link: AccountLinkDoc): Promise<boolean> {
  try {
    await AccountLink.create(link);
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  try {
    await LinkKey.create({ _id: linkKeyId(link.subscriberId, link.accountId), subscriberId: link.subscriberId, slot: link.slot });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await AccountLink.deleteOne({ _id: link._id });
    return false;
  }
  return true;
}

/**
 * Unlinks an account; the last one stays, so a cabinet always has an account. The link is removed
 * first (its key, then its slot), then the other links seen before are looked up again: when none
 * is left (a concurrent unlink removed it), this link is put back. Of two unlinks racing for the
 * last two links, at least one sees the other's link, or puts its own back.
 */
export async function unlinkAccount(ctx: Ctx, accountId: string): Promise<void> {
  const subscriberId = subscriberOid(ctx);
  const owner = String(subscriberId);
  const [link, slots] = await Promise.all([
    ownLink(ctx, accountId),
    listSlots<AccountLinkDoc>(AccountLink, owner, ctx.tenant.accounts.maxAccounts),
  ]);
  const others = slots.filter((s) => s._id !== link._id);
  if (others.length === 0) throw new RuleViolation('last_account');
  const { deletedCount } = await LinkKey.deleteOne({ _id: linkKeyId(subscriberId, accountId) });
  if (!deletedCount) throw new NotFoundError('account_not_linked');
  await releaseSlot(AccountLink, owner, link.slot);
  const left = await Promise.all(others.map((o) => AccountLink.exists({ _id: o._id })));
  if (left.some((l) => l !== null)) return;
  if (await restore(link)) throw new RuleViolation('last_account');
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
async function reportLockout(ctx: Ctx, link: AccountLinkDoc, scope: 'cabinet' | 'account'): Promise<void> {
  const supplier = await getTenantById(link.tenantId);
  pinLockouts.inc({ tenant: supplier.slug, scope });
  alert(
    'pin_locked',
    { tenant: supplier.slug, account: link.accountNumber, subscriberId: link.owner, scope, requestId: ctx.requestId },
    'PIN attempts for an account used up: its PIN may be under attack',
  );
}

/** "I have a PIN": the PIN printed on the bill switches the link to extended mode. */
export async function enterPin(ctx: Ctx, accountId: string, pin: string) {
  const link = await ownLink(ctx, accountId);
  const perCabinet = key('pin', link.owner, accountId);
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
    AccountLink.updateOne({ _id: link._id }, { $set: { mode: 'extended' } }),
  ]);
  return view({ ...link, mode: 'extended' }, account);
}

/**
 * The cabinet's link of an account of the request's tenant (account-scoped widgets talk to the
 * account's own supplier), and the account: three lookups, the account's made with the link's.
 */
async function linkedAccount(ctx: Ctx, accountId: string): Promise<{ link: AccountLinkDoc; account: AccountDoc }> {
  if (!accountId.startsWith(`${String(ctx.tenant._id)}:`)) throw new NotFoundError('account_not_linked');
  const [link, account] = await Promise.all([ownLink(ctx, accountId), findAccount(ctx.tenant._id, accountId)]);
  if (!account) throw new NotFoundError('account_not_found');
  return { link, account };
}

/**
 * The account, if the signed-in subscriber has it linked and it belongs to the tenant of the request.
 * Readings and payments start here.
 */
export async function assertLinked(ctx: Ctx, accountId: string) {
  const { link, account } = await linkedAccount(ctx, accountId);
  return { id: account._id, number: account.number, address: account.address, holder: account.holder, mode: link.mode };
}

export async function accountSummaryFor(ctx: Ctx, accountId: string, period?: string) {
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
export async function chargesFor(ctx: Ctx, accountId: string, range: { from?: string; to?: string }) {
  const { link, account } = await linkedAccount(ctx, accountId);
  if (link.mode !== 'extended') throw new ForbiddenError('pin_required');
  return chargesOf(account, range);
}

export async function metersFor(ctx: Ctx, accountId: string) {
  const { account } = await linkedAccount(ctx, accountId);
  return metersOf(account);
}

/** A link to one of the tenant's accounts, as the readings reminders see it. */
export interface TenantLink {
  subscriberId: Types.ObjectId;
  accountId: string;
  accountNumber: string;
}

/**
 * Links to the tenant's accounts, for the readings reminders (a background job): pages of at most
 * about `pageSize` links in `_id` order, so a cabinet's links (`<subscriberId>:<slot>`) are never
 * split between two pages. Each page is one query by `tenantId` (a scan on FerretDB v1), so
 * nothing holds every link of a supplier at once.
 */
export async function* linksOfTenant(tenantId: Types.ObjectId, pageSize = 1000): AsyncGenerator<TenantLink[]> {
  let after: string | null = null;
  let held: (TenantLink & { owner: string })[] = [];
  for (;;) {
    const filter = after === null ? { tenantId } : { tenantId, _id: mongoose.trusted({ $gt: after }) };
    const rows: AccountLinkDoc[] = await AccountLink.find(filter, { owner: 1, subscriberId: 1, accountId: 1, accountNumber: 1 })
      .sort({ _id: 1 })
      .limit(pageSize)
      .lean<AccountLinkDoc[]>();
    const page = [
      ...held,
      ...rows.map((l) => ({
        owner: l.owner,
        subscriberId: l.subscriberId,
        accountId: l.accountId,
        accountNumber: l.accountNumber,
      })),
    ];
    if (rows.length < pageSize) {
      if (page.length > 0) yield page.map(({ owner: _owner, ...l }) => l);
      return;
    }
    after = rows.at(-1)!._id;
    // The last cabinet of the page may have more links on the next one.
    const last = page.at(-1)!.owner;
    held = page.filter((l) => l.owner === last);
    const done = page.filter((l) => l.owner !== last);
    if (done.length > 0) yield done.map(({ owner: _owner, ...l }) => l);
  }
}

onSubscriberDeleted('accounts', async ({ subscriberId }) => {
  const owner = String(subscriberId);
  for (const link of await listSlots<AccountLinkDoc>(AccountLink, owner, MOST_SLOTS)) {
    await LinkKey.deleteOne({ _id: linkKeyId(subscriberId, link.accountId) });
    await releaseSlot(AccountLink, owner, link.slot);
  }
});

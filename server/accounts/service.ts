import mongoose, { type Types } from 'mongoose';
import { clearKey, consume, type LimitRule } from '../auth/limits.ts';
import {
  accountSummary,
  checkPin,
  findAccountByNumber,
  getAccount,
  getDebt,
  getMeters,
  listCharges,
} from '../billing/service.ts';
import { accountNumberRule } from '../billing/writer.ts';
import type { Ctx } from '../http/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolation, ValidationError } from '../http/errors.ts';
import { amountDue } from '../payments/amounts.ts';
import { onSubscriberDeleted } from '../subscribers/hooks.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantById, getTenantBySlug } from '../tenants/service.ts';
import { AccountLink, LinkSlot, type AccountLinkDoc } from './model.ts';

/** Five PIN attempts per link per hour; a right PIN clears the count. Counted before checking, so parallel guesses can't slip through. */
export const PIN_ATTEMPTS: LimitRule = { points: 5, windowMs: 3600_000 };

function subscriberOid(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new Error('accounts service called without a signed-in subscriber');
  return new mongoose.Types.ObjectId(ctx.subscriberId);
}

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 11000 || /duplicate key|UNIQUE constraint/i.test(e.message ?? '');
}

/** "Иванов Иван Иванович" → "Иванов И. И.": enough to recognise one's own contract, little to leak. */
export function maskHolder(holder: string): string {
  const [surname, ...rest] = holder.trim().split(/\s+/);
  if (!surname) return '';
  return [surname, ...rest.map((p) => `${p[0]}.`)].join(' ');
}

/** A supplier of the subscriber's realm, by slug; any other is unknown. */
async function supplierOf(ctx: Ctx, slug: string): Promise<TenantDoc> {
  const supplier = await getTenantBySlug(slug).catch(() => null);
  if (!supplier || supplier.realm !== ctx.tenant.realm) {
    throw new ValidationError({ supplier: { code: 'supplier_not_found' } }, 'supplier_not_found');
  }
  return supplier;
}

async function findByRef(ctx: Ctx, ref: { supplier: string; number: string }) {
  const supplier = await supplierOf(ctx, ref.supplier);
  if (!accountNumberRule(supplier).test(ref.number)) {
    throw new ValidationError({ number: { code: 'account_number_format' } });
  }
  const account = await findAccountByNumber(supplier._id, ref.number);
  if (!account) throw new NotFoundError('account_not_found');
  return { supplier, account };
}

/** "Check": the masked contract details of an account before linking it. */
export async function checkAccount(ctx: Ctx, ref: { supplier: string; number: string }) {
  const { supplier, account } = await findByRef(ctx, ref);
  const linked = await AccountLink.exists({ subscriberId: subscriberOid(ctx), accountId: account._id });
  return {
    supplier: { slug: supplier.slug, name: supplier.name },
    number: account.number,
    address: account.address,
    holder: maskHolder(account.holder),
    alreadyLinked: Boolean(linked),
  };
}

async function view(link: AccountLinkDoc) {
  const supplier = await getTenantById(link.tenantId);
  const account = await getAccount(link.tenantId, link.accountId);
  const debt = await getDebt(link.tenantId, link.accountId);
  return {
    id: String(link.accountId),
    number: link.accountNumber,
    address: account.address,
    holder: link.mode === 'extended' ? account.holder : maskHolder(account.holder),
    mode: link.mode,
    supplier: { slug: supplier.slug, name: supplier.name },
    debt: debt.debt,
    penalties: debt.penalties,
    period: debt.period,
    ...(await owedNow(link.tenantId, String(link.accountId), debt)),
  };
}

/** Paid through the cabinet and not yet booked by billing, and what is due now (payments is imported on use: it imports this module). */
async function owedNow(tenantId: Types.ObjectId, accountId: string, debt: { debt: number; penalties: number }) {
  const pendingPaid = await (await import('../payments/service.ts')).pendingPaidAmount(tenantId, accountId);
  return { pendingPaid, due: amountDue(debt, pendingPaid) };
}

/**
 * Links an account in basic mode. The cabinet's limit holds under concurrent requests: a link first
 * takes a free slot (a unique insert), then inserts the link (unique per subscriber and account);
 * a failed link gives its slot back.
 */
export async function linkAccount(ctx: Ctx, ref: { supplier: string; number: string }) {
  const { supplier, account } = await findByRef(ctx, ref);
  const subscriberId = subscriberOid(ctx);
  if (await AccountLink.exists({ subscriberId, accountId: account._id })) throw new ConflictError('account_already_linked');

  const max = ctx.tenant.accounts.maxAccounts;
  const taken = new Set((await LinkSlot.find({ subscriberId }, { slot: 1 }).lean()).map((s) => s.slot));
  let slot = -1;
  for (let n = 0; n < max && slot < 0; n += 1) {
    if (taken.has(n)) continue;
    try {
      await LinkSlot.create({ subscriberId, slot: n });
      slot = n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  if (slot < 0) throw new RuleViolation('account_limit_reached', { max });

  try {
    const link = await AccountLink.create({
      tenantId: supplier._id,
      realm: ctx.tenant.realm,
      subscriberId,
      accountId: account._id,
      accountNumber: account.number,
      mode: 'basic',
      slot,
    });
    return view(link.toObject());
  } catch (err) {
    await LinkSlot.deleteOne({ subscriberId, slot });
    if (isDuplicateKey(err)) throw new ConflictError('account_already_linked');
    throw err;
  }
}

async function ownLink(ctx: Ctx, accountId: string): Promise<AccountLinkDoc> {
  const id = mongoose.isValidObjectId(accountId) ? new mongoose.Types.ObjectId(accountId) : null;
  const link = id ? await AccountLink.findOne({ subscriberId: subscriberOid(ctx), accountId: id }).lean<AccountLinkDoc>() : null;
  if (!link) throw new NotFoundError('account_not_linked');
  return link;
}

/** The cabinet's linked accounts, oldest link first, with what is owed on each. */
export async function listLinkedAccounts(ctx: Ctx) {
  const links = await AccountLink.find({ subscriberId: subscriberOid(ctx), realm: ctx.tenant.realm })
    .sort({ createdAt: 1 })
    .lean<AccountLinkDoc[]>();
  return Promise.all(links.map(view));
}

/**
 * Unlinks an account; the last one stays, so a cabinet always has an account. The link is removed
 * first and put back if none is left, so two concurrent unlinks cannot both pass a count.
 */
export async function unlinkAccount(ctx: Ctx, accountId: string): Promise<void> {
  const link = await ownLink(ctx, accountId);
  if ((await AccountLink.countDocuments({ subscriberId: link.subscriberId })) <= 1) throw new RuleViolation('last_account');
  const { deletedCount } = await AccountLink.deleteOne({ _id: link._id });
  if (!deletedCount) throw new NotFoundError('account_not_linked');
  if ((await AccountLink.countDocuments({ subscriberId: link.subscriberId })) === 0) {
    await AccountLink.create(link);
    throw new RuleViolation('last_account');
  }
  await LinkSlot.deleteOne({ subscriberId: link.subscriberId, slot: link.slot });
}

/** "I have a PIN": the PIN printed on the bill switches the link to extended mode. Attempts are limited per link. */
export async function enterPin(ctx: Ctx, accountId: string, pin: string) {
  const link = await ownLink(ctx, accountId);
  const key = `pin:${String(link._id)}`;
  await consume(key, PIN_ATTEMPTS, 'pin_locked');
  const account = await getAccount(link.tenantId, link.accountId);
  if (!checkPin(account, pin)) throw new ValidationError({ pin: { code: 'pin_wrong' } }, 'pin_wrong');
  await clearKey(key);
  await AccountLink.updateOne({ _id: link._id }, { $set: { mode: 'extended' } });
  return view({ ...link, mode: 'extended' });
}

/**
 * The account, if the signed-in subscriber has it linked and it belongs to the tenant of the request
 * (account-scoped widgets talk to the account's own supplier). Readings and payments start here.
 */
export async function assertLinked(ctx: Ctx, accountId: string) {
  const link = await ownLink(ctx, accountId);
  if (!link.tenantId.equals(ctx.tenant._id)) throw new NotFoundError('account_not_linked');
  const account = await getAccount(link.tenantId, link.accountId);
  return { id: String(account._id), number: account.number, address: account.address, holder: account.holder, mode: link.mode };
}

export async function accountSummaryFor(ctx: Ctx, accountId: string, period?: string) {
  const linked = await assertLinked(ctx, accountId);
  const summary = await accountSummary(ctx.tenant._id, accountId, period);
  return {
    account: {
      id: linked.id,
      number: linked.number,
      address: linked.address,
      holder: linked.mode === 'extended' ? linked.holder : maskHolder(linked.holder),
      mode: linked.mode,
    },
    ...summary,
    charges:
      linked.mode === 'extended'
        ? summary.charges
        : summary.charges && {
            period: summary.charges.period,
            total: summary.charges.total,
            penalties: summary.charges.penalties,
            lines: [],
          },
    meters: summary.meters.map((m) => (linked.mode === 'extended' ? m : { ...m, serialNumber: '' })),
    ...(await owedNow(ctx.tenant._id, linked.id, await getDebt(ctx.tenant._id, linked.id))),
  };
}

/** Full charges are extended-mode data (seed 001: basic mode shows debt, payment and readings only). */
export async function chargesFor(ctx: Ctx, accountId: string, range: { from?: string; to?: string }) {
  const linked = await assertLinked(ctx, accountId);
  if (linked.mode !== 'extended') throw new ForbiddenError('pin_required');
  return listCharges(ctx.tenant._id, accountId, range);
}

export async function metersFor(ctx: Ctx, accountId: string) {
  await assertLinked(ctx, accountId);
  return getMeters(ctx.tenant._id, accountId);
}

/** Links to the tenant's accounts, for the readings reminders. */
export async function linksOfTenant(tenantId: Types.ObjectId) {
  const links = await AccountLink.find({ tenantId }, { subscriberId: 1, accountId: 1, accountNumber: 1 }).lean<
    AccountLinkDoc[]
  >();
  return links.map((l) => ({ subscriberId: l.subscriberId, accountId: l.accountId, accountNumber: l.accountNumber }));
}

onSubscriberDeleted('accounts', async ({ subscriberId }) => {
  await AccountLink.deleteMany({ subscriberId });
  await LinkSlot.deleteMany({ subscriberId });
});

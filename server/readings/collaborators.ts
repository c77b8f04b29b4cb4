/**
 * What readings needs from other modules, through their services: the account link (accounts),
 * meters, tariffs and usual consumption (billing), subscribers to remind (accounts) and their
 * email (subscribers), and the tenants that send reminders (tenants). Each function maps their
 * answers to the plain shapes the readings rules work with.
 */
import type { Types } from 'mongoose';
import { assertLinked, linksOfTenant } from '../accounts/service.ts';
import type { metersOf } from '../billing/service.ts';
import { getMeters, tariffOf } from '../billing/service.ts';
import type { SubscriberCtx } from '../http/context.ts';
import { findById } from '../subscribers/service.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { listActiveTenants } from '../tenants/service.ts';

/** A meter as the readings rules see it; readings in thousandths of a unit. */
export interface MeterFacts {
  id: string;
  serialNumber: string;
  name: string;
  digits: number;
  decimals: number;
  /** `YYYY-MM-DD`, or null when unknown. */
  verificationDue: string | null;
  /** The billing system's last reading of the meter. */
  last: { milli: number; date: Date } | null;
  /** The billing system's usual monthly consumption, when it keeps one. */
  usualMonthlyMilli: number | null;
}

/**
 * The account if the signed-in subscriber has it linked with this tenant (basic links see no
 * meter serial numbers), with its meters and the price of a unit at its tariff, from the lookups
 * of the link and the account.
 */
export async function linkedAccount(
  ctx: SubscriberCtx,
  accountId: string,
): Promise<{
  id: string;
  number: string;
  extended: boolean;
  meters: MeterFacts[];
  tariff: { price: number; unit: string } | null;
}> {
  const account = await assertLinked(ctx, accountId);
  return {
    id: account.id,
    number: account.number,
    extended: account.mode === 'extended',
    meters: meterFacts(account.meters),
    tariff: tariffOf(account.meters),
  };
}

/** The meters of the tenant's account as the readings rules see them: one lookup. */
export async function accountMeters(tenantId: Types.ObjectId, accountId: string): Promise<MeterFacts[]> {
  return meterFacts(await getMeters(tenantId, accountId));
}

function meterFacts(meters: ReturnType<typeof metersOf>): MeterFacts[] {
  return meters.map((m) => ({
    id: m.id,
    serialNumber: m.serialNumber,
    name: m.name,
    digits: m.digits,
    decimals: m.decimals,
    verificationDue: m.verificationDue ? m.verificationDue.toISOString().slice(0, 10) : null,
    last: m.lastReading ? { milli: m.lastReading.valueMilli, date: m.lastReading.date } : null,
    usualMonthlyMilli: m.usualMonthlyMilli,
  }));
}

export interface RemindableSubscriber {
  subscriberId: Types.ObjectId;
  accounts: { id: string; number: string }[];
}

/** How many subscribers the reminder job handles at a time. */
const REMINDER_BATCH = 200;

/**
 * Subscribers with accounts of this tenant linked, with those accounts, a batch at a time: the
 * links come a page at a time (a page never splits a cabinet), so nothing holds all of them.
 */
export async function* remindableSubscribers(tenantId: Types.ObjectId): AsyncGenerator<RemindableSubscriber[]> {
  for await (const page of linksOfTenant(tenantId)) {
    const bySubscriber = new Map<string, RemindableSubscriber>();
    for (const link of page) {
      const key = String(link.subscriberId);
      const entry = bySubscriber.get(key) ?? { subscriberId: link.subscriberId, accounts: [] };
      entry.accounts.push({ id: String(link.accountId), number: link.accountNumber });
      bySubscriber.set(key, entry);
    }
    const all = [...bySubscriber.values()];
    for (let i = 0; i < all.length; i += REMINDER_BATCH) yield all.slice(i, i + REMINDER_BATCH);
  }
}

export async function subscriberContact(
  realm: string,
  subscriberId: Types.ObjectId,
): Promise<{ email: string; locale: string } | null> {
  const s = await findById(realm, subscriberId);
  return s?.email ? { email: s.email, locale: s.locale } : null;
}

/** Active tenants that send readings reminders. */
export async function tenantsWithReminders(): Promise<TenantDoc[]> {
  return (await listActiveTenants()).filter((t) => t.readings.reminderDaysBeforeEnd > 0);
}

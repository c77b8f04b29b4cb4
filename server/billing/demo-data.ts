import type { Types } from 'mongoose';
import { key } from '../db/kernel/keys.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { Account, BillingCurrent, BillingPast, monthDocs, type MonthBalance, type MonthCharge } from './model.ts';
import { shiftPeriod } from './service.ts';
import { pinHash } from './writer.ts';

/**
 * Deterministic demo billing data: the same tenant slug always gives the same accounts, PINs,
 * meters and 24 months of charges and payments, so the printable sample bills can show the PINs
 * (which the database keeps only hashed) without storing them anywhere.
 */

export const DEMO_ACCOUNTS = 1000;
const MONTHS = 24;

/** mulberry32: a small seeded PRNG, enough for believable demo data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.codePointAt(0)!, 16777619);
  return h >>> 0;
}

const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
];
const NAMES = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Иван', 'Михаил', 'Николай', 'Владимир', 'Павел'];
const PATRONYMICS = ['Александрович', 'Сергеевич', 'Дмитриевич', 'Андреевич', 'Иванович', 'Петрович', 'Николаевич', 'Викторович'];
const STREETS = [
  'ул. Ленина',
  'ул. Гагарина',
  'ул. Садовая',
  'ул. Лесная',
  'ул. Школьная',
  'пр. Мира',
  'ул. Набережная',
  'ул. Газовиков',
];
const CITIES: Record<string, string> = { 'sever-gaz': 'г. Северск', 'yug-gaz': 'г. Южноморск', 'vostok-gaz': 'г. Восточный' };
const TARIFFS: Record<string, number> = { 'sever-gaz': 812, 'yug-gaz': 905, 'vostok-gaz': 768 };
const PREFIXES: Record<string, number> = { 'sever-gaz': 1_100_000, 'yug-gaz': 2_200_000, 'vostok-gaz': 3_300_000 };

export interface DemoAccount {
  number: string;
  pin: string;
  holder: string;
  address: string;
  meters: { meterId: string; serialNumber: string; name: string; decimals: number; verificationDue: Date }[];
  /** Monthly consumption in thousandths of m³ for each of the 24 months, oldest first. */
  volumes: number[];
  /** Share of each month's bill paid the next month (0 = not paid). */
  paidShare: number[];
}

/** The demo accounts of a tenant, always the same. */
export function demoAccounts(slug: string, count = DEMO_ACCOUNTS): DemoAccount[] {
  const rnd = prng(seedOf(slug));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const prefix = PREFIXES[slug] ?? 9_000_000;
  const today = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const female = rnd() < 0.5;
    const surname = pick(SURNAMES) + (female ? 'а' : '');
    const patronymic = female ? pick(PATRONYMICS).replace(/ич$/, 'на') : pick(PATRONYMICS);
    const name = female ? pick(['Анна', 'Елена', 'Ольга', 'Мария', 'Татьяна', 'Наталья']) : pick(NAMES);
    const meterCount = rnd() < 0.15 ? 2 : 1;
    const usual = 20_000 + Math.floor(rnd() * 60_000);
    const payer = rnd();
    return {
      number: String(prefix + i + 1),
      pin: String(1000 + Math.floor(rnd() * 9000)),
      holder: `${surname} ${name} ${patronymic}`,
      address: `${CITIES[slug] ?? 'г. Демо'}, ${pick(STREETS)}, д. ${1 + Math.floor(rnd() * 120)}, кв. ${1 + Math.floor(rnd() * 200)}`,
      meters: Array.from({ length: meterCount }, (_, m) => ({
        meterId: `${slug}-${prefix + i + 1}-${m + 1}`,
        serialNumber: `G${Math.floor(10_000_000 + rnd() * 89_999_999)}`,
        name: meterCount === 1 ? 'Газовый счётчик' : m === 0 ? 'Счётчик (кухня)' : 'Счётчик (котёл)',
        decimals: rnd() < 0.3 ? 3 : 0,
        verificationDue: new Date(today + Math.floor((rnd() * 6 - 0.3) * 365) * 86_400_000),
      })),
      volumes: Array.from({ length: MONTHS }, (_, k) => {
        const month = k % 12;
        const winter = [0, 1, 2, 10, 11].includes(month) ? 1.8 : [3, 9].includes(month) ? 1.2 : 0.6;
        return Math.round(usual * winter * (0.85 + rnd() * 0.3));
      }),
      paidShare: Array.from({ length: MONTHS }, () =>
        payer < 0.7 ? 1 : payer < 0.9 ? (rnd() < 0.7 ? 1 : 0) : rnd() < 0.5 ? 0.5 : 0,
      ),
    };
  });
}

/** The 24 periods of demo history, ending with the month before `now`. */
export function demoPeriods(now = new Date()): string[] {
  const last = shiftPeriod(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`, -1);
  return Array.from({ length: MONTHS }, (_, k) => shiftPeriod(last, k - (MONTHS - 1)));
}

function history(
  a: DemoAccount,
  tariff: number,
  periods: string[],
): Record<string, { charge: MonthCharge; balance: MonthBalance }> {
  const months: Record<string, { charge: MonthCharge; balance: MonthBalance }> = {};
  let opening = 0;
  let prevTotal = 0;
  periods.forEach((period, k) => {
    const volumeMilli = a.volumes[k]!;
    const amount = Math.round((volumeMilli * tariff) / 1000);
    const penalties = opening > 0 ? Math.round(opening * 0.01) : 0;
    const total = amount + penalties;
    const paid = k === 0 ? 0 : Math.round(prevTotal * a.paidShare[k]!);
    const closing = opening + total - paid;
    months[period] = {
      charge: { lines: [{ service: 'Газоснабжение', volumeMilli, unit: 'm3', tariff, amount }], penalties, total },
      balance: { opening, charged: total, paid, closing, penalties: closing > 0 ? Math.min(penalties, closing) : 0 },
    };
    opening = closing;
    prevTotal = total;
  });
  return months;
}

/** Accounts seeded per insertMany: mongoose builds a document per item, so a batch is held in memory at once. */
const SEED_BATCH = 100;

/**
 * Inserts the demo billing data of a tenant that has none yet (its first demo account is looked up
 * by key): accounts with their meters, then their current and past months, an insertMany per batch of
 * `SEED_BATCH` (FerretDB v1 is fast on inserts and slow on many small updates; a batch at a time
 * keeps the server's memory at start-up low). Returns the number of accounts created.
 */
export async function seedDemoBilling(tenant: TenantDoc, { now = new Date(), count = DEMO_ACCOUNTS } = {}): Promise<number> {
  const tariff = TARIFFS[tenant.slug] ?? 850;
  const periods = demoPeriods(now);
  const accounts = demoAccounts(tenant.slug, count);
  const tenantId: Types.ObjectId = tenant._id;
  const ids = accounts.map((a) => key(tenantId, a.number));
  if (ids.length === 0 || (await Account.exists({ _id: ids[0] }))) return 0;
  const updatedAt = new Date();
  const lastReadingDate = new Date(`${periods.at(-1)}-20T00:00:00Z`);
  for (let from = 0; from < accounts.length; from += SEED_BATCH) {
    const batch = accounts.slice(from, from + SEED_BATCH);
    await Account.insertMany(
      batch.map((a, k) => ({
        _id: ids[from + k],
        tenantId,
        number: a.number,
        holder: a.holder,
        address: a.address,
        pinHash: pinHash(tenantId, a.pin),
        services: ['gas'],
        meters: a.meters.map((m, n) => {
          const milli = 1_000_000 * (n + 1) + Math.round(a.volumes.reduce((s, v) => s + v, 0) / a.meters.length);
          return {
            meterId: m.meterId,
            serialNumber: m.serialNumber,
            name: m.name,
            service: 'gas',
            digits: 5,
            decimals: m.decimals,
            lastReadingMilli: m.decimals ? milli : Math.round(milli / 1000) * 1000,
            lastReadingDate,
            verificationDue: m.verificationDue,
            tariff,
            usualMonthlyMilli: Math.round(a.volumes.slice(-12).reduce((s, v) => s + v, 0) / 12 / a.meters.length),
            updatedAt,
          };
        }),
        updatedAt,
      })),
      { ordered: false },
    );
    const months = batch.map((a, k) => monthDocs(ids[from + k]!, tenantId, history(a, tariff, periods), updatedAt));
    await BillingCurrent.insertMany(
      months.flatMap((m) => (m.current ? [m.current] : [])),
      { ordered: false },
    );
    await BillingPast.insertMany(
      months.flatMap((m) => (m.past ? [m.past] : [])),
      { ordered: false },
    );
  }
  return accounts.length;
}

import { randomInt } from 'node:crypto';
import { api } from './server.ts';

/** Sends one batch through the integration API with the tenant's demo key (the test server runs in demo mode). */
export async function integrationUpsert(slug: string, kind: 'accounts' | 'meters' | 'charges' | 'balances', items: unknown[]) {
  const res = await api(`/api/v1/t/${slug}/integration/${kind}`, {
    body: { items },
    headers: { Authorization: `Bearer demo-${slug}` },
  });
  if (res.status !== 200) throw new Error(`upsert ${kind} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { upserted: number; modified: number; matched: number };
}

/** A fresh, unique account number within the default rule (1–10 digits). */
export function freshNumber(): string {
  return String(randomInt(1_000_000_000, 9_999_999_999));
}

/**
 * An account with one meter, two months of charges and balances, imported through the integration API.
 * Numbers chosen so the summary can be checked against them.
 */
export async function seedAccount(slug: string, overrides: { number?: string; pin?: string; holder?: string } = {}) {
  const number = overrides.number ?? freshNumber();
  const pin = overrides.pin ?? '4321';
  await integrationUpsert(slug, 'accounts', [
    { number, holder: overrides.holder ?? 'Петров Пётр Петрович', address: 'г. Демо, ул. Газовая, д. 7, кв. 12', pin },
  ]);
  await integrationUpsert(slug, 'meters', [
    {
      meterId: `m-${number}`,
      accountNumber: number,
      serialNumber: `SN${number}`,
      name: 'Газовый счётчик',
      digits: 5,
      decimals: 3,
      lastReading: '1234.500',
      lastReadingDate: '2026-10-20',
      verificationDue: '2027-01-15',
      tariff: 850,
      usualMonthly: 40,
    },
  ]);
  await integrationUpsert(slug, 'charges', [
    {
      accountNumber: number,
      period: '2026-09',
      lines: [{ service: 'Газоснабжение', volume: 38.5, tariff: 850, amount: 32725 }],
      penalties: 0,
    },
    {
      accountNumber: number,
      period: '2026-10',
      lines: [{ service: 'Газоснабжение', volume: '41,2', tariff: 850, amount: 35020 }],
      penalties: 1250,
    },
  ]);
  await integrationUpsert(slug, 'balances', [
    { accountNumber: number, period: '2026-09', opening: 0, charged: 32725, paid: 32725, closing: 0, penalties: 0 },
    { accountNumber: number, period: '2026-10', opening: 0, charged: 36270, paid: 0, closing: 36270, penalties: 1250 },
  ]);
  return { number, pin };
}

/**
 * Answers of the accounts API as the server gives them (server/accounts/service.ts,
 * server/billing/service.ts), for the link-account, account and charges widget tests.
 */
import type {
  AccountCheck,
  AccountMeter,
  AccountSummary,
  LinkedAccount,
  MonthlyCharges,
  SupplierRef,
  TenantConfig,
} from '../../sdk/index.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';

/** The real texts of the namespaces these widgets use, in both languages. */
export async function loadAccountTexts(): Promise<void> {
  for (const lng of ['ru', 'en']) {
    for (const ns of ['accounts', 'linking', 'billing', 'chart', 'pin', 'errors', 'common']) {
      translations[lng]![ns] = (await (await fetch(`/locales/${lng}/${ns}.json`)).json()) as Record<string, unknown>;
    }
  }
}

export const realm: SupplierRef[] = [
  { slug: 'sever-gaz', name: 'Северогаз (демо)' },
  { slug: 'yug-gaz', name: 'Южгаз (демо)' },
];

/** A fake API whose config lists the realm's suppliers and the server's default account rule. */
export function accountsApi(options: FakeApiOptions & { suppliers?: SupplierRef[]; maxAccounts?: number } = {}) {
  const { suppliers = realm, maxAccounts = 10, ...rest } = options;
  const api = fakeApi(rest);
  const base = api.client.getConfig.bind(api.client);
  api.client.getConfig = async (): Promise<TenantConfig> => {
    const config = await base();
    return { ...config, suppliers, accounts: { numberPattern: '^\\d{1,10}$', maxAccounts } };
  };
  return api;
}

/** The server's error body: `{ error: { code, message, fields: { name: { code, message } } } }`. */
export function errorReply(status: number, code: string, fields: Record<string, string> = {}) {
  const entries = Object.entries(fields).map(([name, fieldCode]) => [
    name,
    { code: fieldCode, message: `server text ${fieldCode}` },
  ]);
  const body = {
    error: { code, message: `server text ${code}`, ...(entries.length ? { fields: Object.fromEntries(entries) } : {}) },
  };
  return { status, body };
}

export function linkedAccount(number: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    id: `a${number.padStart(23, '0')}`,
    number,
    address: 'г. Демо, ул. Газовая, д. 7, кв. 12',
    holder: 'Петров П. П.',
    mode: 'basic',
    supplier: realm[0]!,
    debt: 36270,
    penalties: 1250,
    period: '2026-10',
    pendingPaid: 0,
    due: { balance: 36270, total: 36270, amount: 35020, penalties: 1250 },
    ...overrides,
  };
}

export function checkResult(number: string, overrides: Partial<AccountCheck> = {}): AccountCheck {
  return {
    supplier: realm[0]!,
    number,
    address: 'г. Демо, ул. Газовая, д. 7, кв. 12',
    holder: 'Сидорова А. В.',
    alreadyLinked: false,
    ...overrides,
  };
}

export function monthCharges(period: string, volume: number, amount: number, penalties = 0): MonthlyCharges {
  return {
    period,
    lines: [{ service: 'Газоснабжение', volume, unit: 'm3', tariff: 850, amount }],
    penalties,
    total: amount + penalties,
  };
}

export function meter(overrides: Partial<AccountMeter> = {}): AccountMeter {
  return {
    id: 'm1',
    meterId: 'm-1000001',
    serialNumber: 'SN1000001',
    name: 'Газовый счётчик',
    service: 'gas',
    digits: 5,
    decimals: 3,
    verificationDue: '2031-01-15T00:00:00.000Z',
    lastReading: { valueMilli: 1234500, date: '2026-10-20T00:00:00.000Z' },
    usualMonthlyMilli: 40000,
    tariff: 850,
    ...overrides,
  };
}

/** A summary in extended mode at 2026-10, with September and October on record. */
export function summary(overrides: Partial<AccountSummary> = {}): AccountSummary {
  return {
    account: {
      id: 'a1',
      number: '1000001',
      address: 'г. Демо, ул. Газовая, д. 7, кв. 12',
      holder: 'Петров Пётр Петрович',
      mode: 'extended',
    },
    period: '2026-10',
    periods: { first: '2026-09', last: '2026-10' },
    balance: { opening: 0, charged: 36270, paid: 0, closing: 36270, penalties: 1250 },
    charges: monthCharges('2026-10', 41.2, 35020, 1250),
    meters: [meter()],
    history: [
      { period: '2026-09', volume: 38.5, amount: 32725 },
      { period: '2026-10', volume: 41.2, amount: 36270 },
    ],
    dataAsOf: '2026-10-25T09:30:00.000Z',
    pendingPaid: 0,
    due: { balance: 36270, total: 36270, amount: 35020, penalties: 1250 },
    ...overrides,
  };
}

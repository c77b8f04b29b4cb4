/**
 * Personal accounts ("лицевые счета"): the shared number and PIN rules (used by the widgets and
 * the server alike), the API types and the `client.accounts` group. Money is in kopecks, periods
 * are `YYYY-MM`, meter readings are integer thousandths of a unit.
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';
import type { AmountDue } from './payments.ts';
import type { SupplierRef } from './types.ts';
import { normalizeAccountNumber } from '../contracts/rules/accounts.ts';

export { accountNumber, accountPin, normalizeAccountNumber } from '../contracts/rules/accounts.ts';

/** Basic: debt, payment and readings. Extended (after the PIN from the bill): charges, holder, meter details. */
export type AccountMode = 'basic' | 'extended';

/** An account as the person names it: the supplier (a tenant of the realm) and the number on the bill. */
export interface AccountRef {
  /** Supplier's slug. */
  supplier: string;
  number: string;
}

/** `POST accounts/check`: the masked contract details shown before linking. */
export interface AccountCheck {
  supplier: SupplierRef;
  number: string;
  /** Street and house, without the flat. */
  address: string;
  /** Surname and initials, e.g. "Иванов И. И.". */
  holder: string;
  /** This cabinet has the account linked already. */
  alreadyLinked: boolean;
}

/** An account linked to the cabinet, with what is owed on it. */
export interface LinkedAccount {
  id: string;
  number: string;
  address: string;
  /** Full name in extended mode, surname and initials in basic mode. */
  holder: string;
  mode: AccountMode;
  supplier: SupplierRef;
  /** At the latest period billing sent, kopecks; negative is an overpayment. */
  debt: number;
  penalties: number;
  /** That period (`YYYY-MM`), or null before billing sent any balance. */
  period: string | null;
  /** Paid through the cabinet, not yet booked by billing, kopecks. */
  pendingPaid: number;
  /** What is owed now: the debt less `pendingPaid`. */
  due: AmountDue;
}

export interface ChargeLine {
  service: string;
  /** In `unit`, e.g. 41.2 m³. */
  volume: number;
  /** `m3` for gas. */
  unit: string;
  /** Price of one unit, kopecks. */
  tariff: number;
  amount: number;
}

/** One month's charges: the lines (empty in basic mode), penalties and the total, kopecks. */
export interface MonthlyCharges {
  period: string;
  lines: ChargeLine[];
  penalties: number;
  total: number;
}

/** A period's balance, kopecks: opening + charged − paid = closing (negative = overpayment). */
export interface AccountBalance {
  opening: number;
  charged: number;
  paid: number;
  closing: number;
  penalties: number;
}

export interface AccountMeter {
  id: string;
  meterId: string;
  /** Empty in basic mode. */
  serialNumber: string;
  name: string;
  service: string;
  digits: number;
  decimals: number;
  /** ISO timestamp of the next verification date (a calendar date at midnight UTC), or null. */
  verificationDue: string | null;
  /** The last reading billing knows, in thousandths, with its date (ISO timestamp). */
  lastReading: { valueMilli: number; date: string } | null;
  usualMonthlyMilli: number | null;
  /** Price of one unit, kopecks. */
  tariff: number;
}

/** One month of the consumption and amounts chart. */
export interface MonthlyUsage {
  period: string;
  volume: number;
  /** Kopecks. */
  amount: number;
}

/** `GET accounts/:id/summary`. */
export interface AccountSummary {
  account: Pick<LinkedAccount, 'id' | 'number' | 'address' | 'holder' | 'mode'>;
  /** The period shown, or null when billing sent nothing yet. */
  period: string | null;
  /** The first and last periods with a balance, for month navigation. */
  periods: { first: string | null; last: string | null };
  balance: AccountBalance | null;
  charges: MonthlyCharges | null;
  meters: AccountMeter[];
  /** Up to 12 months ending at `period`, oldest first. */
  history: MonthlyUsage[];
  /** When billing last sent data for the account (ISO timestamp). */
  dataAsOf: string;
  /** Paid through the cabinet, not yet booked by billing, kopecks. */
  pendingPaid: number;
  /** What is owed now (at the latest period, whichever `period` is shown): the debt less `pendingPaid`. */
  due: AmountDue;
}

/** First and last month (`YYYY-MM`) of a charges listing; both optional. */
export interface ChargesRange {
  from?: string;
  to?: string;
}

interface Options {
  signal?: AbortSignal;
}

/** Days before the due date from which a meter's verification is "soon". */
export const VERIFICATION_SOON_DAYS = 60;

export type VerificationState = 'unknown' | 'ok' | 'soon' | 'overdue';

/** The calendar date (`YYYY-MM-DD`) of a moment in the local time zone. */
function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * Where a meter stands with its verification: overdue once the due date has passed (as the
 * readings rules count it), soon within `VERIFICATION_SOON_DAYS` of it.
 */
export function verificationState(due: string | null, now: Date = new Date()): VerificationState {
  if (!due) return 'unknown';
  const date = due.slice(0, 10);
  const today = localDate(now);
  if (date < today) return 'overdue';
  const soon = new Date(now.getFullYear(), now.getMonth(), now.getDate() + VERIFICATION_SOON_DAYS);
  return date <= localDate(soon) ? 'soon' : 'ok';
}

/** `client.accounts`: link accounts to the cabinet and read their balances, charges and meters. */
export class AccountsApi {
  constructor(private readonly core: ClientCore) {}

  /** `POST accounts/check`: the masked contract details of an account, before linking it. */
  check(ref: AccountRef, options: Options = {}): Promise<AccountCheck> {
    const body = { supplier: ref.supplier, number: normalizeAccountNumber(ref.number) };
    return this.core.request<AccountCheck>('accounts/check', { method: 'POST', body, ...options });
  }

  /** `GET accounts`: the cabinet's linked accounts, oldest link first. */
  async list(options: Options = {}): Promise<LinkedAccount[]> {
    return (await this.core.request<{ items: LinkedAccount[] }>('accounts', options)).items;
  }

  /**
   * `POST accounts`: links an account in basic mode. Pass the same `idempotencyKey` when retrying
   * one link: the retry returns the first result.
   */
  link(ref: AccountRef, idempotencyKey?: string, options: Options = {}): Promise<LinkedAccount> {
    const body = { supplier: ref.supplier, number: normalizeAccountNumber(ref.number) };
    return this.core.request<LinkedAccount>('accounts', { method: 'POST', body, idempotencyKey, ...options });
  }

  /** `DELETE accounts/:id`; the cabinet's last account cannot be unlinked (`last_account`). */
  async unlink(id: string, options: Options = {}): Promise<void> {
    await this.core.request<void>(path`accounts/${id}`, { method: 'DELETE', ...options });
  }

  /** `POST accounts/:id/pin`: the PIN from the bill switches the link to extended mode. */
  enterPin(id: string, pin: string, options: Options = {}): Promise<LinkedAccount> {
    return this.core.request<LinkedAccount>(path`accounts/${id}/pin`, { method: 'POST', body: { pin: pin.trim() }, ...options });
  }

  /** `GET accounts/:id/summary`: at `period` (`YYYY-MM`), by default the latest with data. */
  summary(id: string, period?: string, options: Options = {}): Promise<AccountSummary> {
    return this.core.request<AccountSummary>(path`accounts/${id}/summary`, { query: { period }, ...options });
  }

  /** `GET accounts/:id/charges`: month by month, newest first (extended mode, else `pin_required`). */
  async charges(id: string, range: ChargesRange = {}, options: Options = {}): Promise<MonthlyCharges[]> {
    const query = { from: range.from, to: range.to };
    return (await this.core.request<{ items: MonthlyCharges[] }>(path`accounts/${id}/charges`, { query, ...options })).items;
  }

  /** `GET accounts/:id/meters`: meters with their last readings and verification dates. */
  async meters(id: string, options: Options = {}): Promise<AccountMeter[]> {
    return (await this.core.request<{ items: AccountMeter[] }>(path`accounts/${id}/meters`, options)).items;
  }
}

/** The accounts group of a client (see `groupAccessor`). */
export const accountsOf = /* @__PURE__ */ groupAccessor((core) => new AccountsApi(core));

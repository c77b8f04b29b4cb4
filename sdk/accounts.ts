/**
 * Personal accounts ("лицевые счета"): the shared number and PIN rules (used by the widgets and
 * the server alike), the API types and the `client.accounts` group. Money is in kopecks, periods
 * are `YYYY-MM`, meter readings are integer thousandths of a unit.
 */
import type { z } from 'zod';
import type * as c from '../contracts/accounts.ts';
import { groupAccessor, type ClientCore } from './core.ts';
import { normalizeAccountNumber } from '../contracts/rules/accounts.ts';

export { accountNumber, accountPin, normalizeAccountNumber } from '../contracts/rules/accounts.ts';

/** Basic: debt, payment and readings. Extended (after the PIN from the bill): charges, holder, meter details. */
export type AccountMode = z.output<typeof c.AccountMode>;

/** An account as the person names it: the supplier's slug and the number on the bill. */
export type AccountRef = z.input<typeof c.AccountRef>;

/** `POST accounts/check`: the masked contract details shown before linking. */
export type AccountCheck = z.output<typeof c.AccountCheck>;

/** An account linked to the cabinet, with what is owed on it. */
export type LinkedAccount = z.output<typeof c.LinkedAccount>;

export type ChargeLine = z.output<typeof c.ChargeLine>;

/** One month's charges: the lines (empty in basic mode), penalties and the total, kopecks. */
export type MonthlyCharges = z.output<typeof c.MonthlyCharges>;

/** A period's balance, kopecks: opening + charged − paid = closing (negative = overpayment). */
export type AccountBalance = z.output<typeof c.AccountBalance>;

export type AccountMeter = z.output<typeof c.AccountMeter>;

/** One month of the consumption and amounts chart. */
export type MonthlyUsage = z.output<typeof c.MonthlyUsage>;

/** `GET accounts/:id/summary`. */
export type AccountSummary = z.output<typeof c.AccountSummary>;

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
    return this.core.call<typeof c.accounts.check>('POST', '/accounts/check', { body, ...options });
  }

  /** `GET accounts`: the cabinet's linked accounts, oldest link first. */
  async list(options: Options = {}): Promise<LinkedAccount[]> {
    return (await this.core.call<typeof c.accounts.list>('GET', '/accounts', options)).items;
  }

  /**
   * `POST accounts`: links an account in basic mode. Pass the same `idempotencyKey` when retrying
   * one link: the retry returns the first result.
   */
  link(ref: AccountRef, idempotencyKey?: string, options: Options = {}): Promise<LinkedAccount> {
    const body = { supplier: ref.supplier, number: normalizeAccountNumber(ref.number) };
    return this.core.call<typeof c.accounts.link>('POST', '/accounts', { body, idempotencyKey, ...options });
  }

  /** `DELETE accounts/:id`; the cabinet's last account cannot be unlinked (`last_account`). */
  async unlink(id: string, options: Options = {}): Promise<void> {
    await this.core.call<typeof c.accounts.unlink>('DELETE', '/accounts/:id', { params: { id }, ...options });
  }

  /** `POST accounts/:id/pin`: the PIN from the bill switches the link to extended mode. */
  enterPin(id: string, pin: string, options: Options = {}): Promise<LinkedAccount> {
    return this.core.call<typeof c.accounts.enterPin>('POST', '/accounts/:id/pin', {
      params: { id },
      body: { pin: pin.trim() },
      ...options,
    });
  }

  /** `GET accounts/:id/summary`: at `period` (`YYYY-MM`), by default the latest with data. */
  summary(id: string, period?: string, options: Options = {}): Promise<AccountSummary> {
    return this.core.call<typeof c.accounts.summary>('GET', '/accounts/:id/summary', {
      params: { id },
      query: { period },
      ...options,
    });
  }

  /** `GET accounts/:id/charges`: month by month, newest first (extended mode, else `pin_required`). */
  async charges(id: string, range: ChargesRange = {}, options: Options = {}): Promise<MonthlyCharges[]> {
    const query = { from: range.from, to: range.to };
    return (
      await this.core.call<typeof c.accounts.charges>('GET', '/accounts/:id/charges', { params: { id }, query, ...options })
    ).items;
  }

  /** `GET accounts/:id/meters`: meters with their last readings and verification dates. */
  async meters(id: string, options: Options = {}): Promise<AccountMeter[]> {
    return (await this.core.call<typeof c.accounts.meters>('GET', '/accounts/:id/meters', { params: { id }, ...options })).items;
  }
}

/** The accounts group of a client (see `groupAccessor`). */
export const accountsOf = /* @__PURE__ */ groupAccessor((core) => new AccountsApi(core));

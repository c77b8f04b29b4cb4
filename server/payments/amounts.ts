import type { PaymentElsewhere } from '../../contracts/payments.ts';
/**
 * The payments made outside the cabinet, as plain arithmetic over kopecks: no database, no context.
 * (What is owed now, less the cabinet's payments billing has not booked, is accounts' `amountDue`.)
 */

/** A payment made in the cabinet, as the history merges it: its month, and per account what it paid. */
export interface CabinetPaymentPart {
  period: string;
  accountId: string;
  /** Kopecks paid on the account: amount and penalties. */
  paid: number;
  /** Billing has booked the payment. */
  confirmed: boolean;
}

/** An account with what billing booked as paid on it, month by month. */
export interface BookedAccount {
  accountId: string;
  accountNumber: string;
  address: string;
  months: { period: string; paid: number }[];
}

/**
 * The payments made outside the cabinet: what billing booked as paid in a month, less the cabinet's
 * own payments of that month that billing has booked (they are in its figure too). Newest month
 * first, then in the order of the accounts.
 */
export function paymentsElsewhere(accounts: BookedAccount[], cabinet: CabinetPaymentPart[]): PaymentElsewhere[] {
  const bookedInCabinet = new Map<string, number>();
  for (const part of cabinet) {
    if (!part.confirmed) continue;
    const key = `${part.period}:${part.accountId}`;
    bookedInCabinet.set(key, (bookedInCabinet.get(key) ?? 0) + part.paid);
  }
  const out: PaymentElsewhere[] = [];
  for (const account of accounts) {
    for (const { period, paid } of account.months) {
      const amount = paid - (bookedInCabinet.get(`${period}:${account.accountId}`) ?? 0);
      if (amount > 0) {
        out.push({
          period,
          accountId: account.accountId,
          accountNumber: account.accountNumber,
          address: account.address,
          amount,
        });
      }
    }
  }
  const order = new Map(accounts.map((a, i) => [a.accountId, i]));
  return out.sort((a, b) => b.period.localeCompare(a.period) || order.get(a.accountId)! - order.get(b.accountId)!);
}

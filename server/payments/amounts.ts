import type { PaymentElsewhere } from '../../contracts/payments.ts';
/**
 * What a subscriber owes and pays, as plain arithmetic over kopecks: no database, no context.
 *
 * Billing's debt (the latest closing balance) already includes the penalties ("пени"): on the
 * bill, "Сумма" is what is owed for the services and "Пени" the penalties, and together they are
 * the debt (seed 004). A payment made in the cabinet that billing has not booked yet is
 * subtracted from it, so nobody is asked to pay the same debt twice.
 */

/** What is owed on an account now, kopecks. */
export interface AmountDue {
  /** The debt less the payments not booked yet; negative is an overpayment. */
  balance: number;
  /** What to pay now: `amount + penalties`, never negative. */
  total: number;
  /** Toward the services: the pay form's "Сумма". */
  amount: number;
  /** Toward the penalties: the pay form's "Пени". */
  penalties: number;
}

/**
 * The amount due from billing's debt and penalties and what the cabinet took that billing has not
 * booked yet. A pending payment is counted against the services first, so penalties stay due until
 * the whole debt is covered.
 */
export function amountDue({ debt, penalties }: { debt: number; penalties: number }, pendingPaid: number): AmountDue {
  const balance = debt - Math.max(0, pendingPaid);
  const total = Math.max(0, balance);
  const due = Math.min(Math.max(0, penalties), total);
  return { balance, total, amount: total - due, penalties: due };
}

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

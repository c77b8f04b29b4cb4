import { periodOfDate } from '../../contracts/rules/payments.ts';
import type { SubscriberCtx } from '../http/context.ts';
import { paymentsElsewhere, type CabinetPaymentPart } from './amounts.ts';
import { bookedPayments } from './collaborators.ts';
import type { PublicPayment } from './view.ts';

const PAID = new Set(['succeeded', 'refunded']);

/** The parts of the cabinet's paid payments by month (as the history groups them) and account. */
export function cabinetParts(payments: PublicPayment[]): CabinetPaymentPart[] {
  return payments
    .filter((p) => PAID.has(p.status))
    .flatMap((p) =>
      p.items.map((i) => ({
        period: periodOfDate(new Date(p.succeededAt ?? p.createdAt)),
        accountId: i.accountId,
        paid: i.amount + i.penalties,
        confirmed: p.confirmed,
      })),
    );
}

/**
 * What the payment history adds to the cabinet's own payments of `range`: the payments billing
 * booked that were made elsewhere (billing's monthly "paid"), the range itself, and whether
 * billing booked payments in earlier months.
 */
export async function paidElsewhere(
  ctx: SubscriberCtx,
  range: { from: string; to: string },
  payments: PublicPayment[],
  accountId?: string,
) {
  const accounts = await bookedPayments(ctx, range, accountId);
  return {
    elsewhere: paymentsElsewhere(accounts, cabinetParts(payments)),
    range,
    hasEarlier: accounts.some((a) => a.first !== null && a.first < range.from),
  };
}

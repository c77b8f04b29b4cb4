/**
 * What is owed on an account now, as plain arithmetic over kopecks: no database, no context.
 *
 * Billing's debt (the latest closing balance) already includes the penalties ("пени"): on the
 * bill, "Сумма" is what is owed for the services and "Пени" the penalties, and together they are
 * the debt (seed 004). A payment made in the cabinet that billing has not booked yet is
 * subtracted from it, so nobody is asked to pay the same debt twice.
 */
import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { AmountDue } from '../../contracts/common.ts';

/**
 * What the cabinet took on an account that billing has not booked yet, kopecks. The payments module
 * knows it and gives it in its manifest (`pendingPaid`); accounts shows it without importing payments.
 */
export type PendingPaid = (tenantId: Types.ObjectId, accountId: string) => Promise<number>;

/**
 * The amount due from billing's debt and penalties and what the cabinet took that billing has not
 * booked yet. A pending payment is counted against the services first, so penalties stay due until
 * the whole debt is covered.
 */
export function amountDue(
  { debt, penalties }: { debt: number; penalties: number },
  pendingPaid: number,
): z.output<typeof AmountDue> {
  const balance = debt - Math.max(0, pendingPaid);
  const total = Math.max(0, balance);
  const due = Math.min(Math.max(0, penalties), total);
  return { balance, total, amount: total - due, penalties: due };
}

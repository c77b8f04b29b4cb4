import type { PaymentDoc } from './model.ts';

/**
 * What a subscriber is shown of a payment (money in kopecks, dates as ISO strings by JSON): the
 * answer of `GET payments/:id`, and each payment of the history, which keeps it in the payment's
 * history entry (model.ts `PaymentHistoryDoc.shown`) so that a page is read from the entries alone.
 */
export function publicPayment(p: PaymentDoc) {
  return {
    id: String(p._id),
    status: p.status,
    provider: p.provider,
    currency: p.currency,
    total: p.total,
    items: p.items.map((i) => ({
      accountId: String(i.accountId),
      accountNumber: i.accountNumber,
      address: i.address,
      amount: i.amount,
      penalties: i.penalties,
      hasReadings: i.readings !== undefined && i.readings !== null,
      readingsResult: i.readingsResult?.status ? { status: i.readingsResult.status, code: i.readingsResult.code } : null,
    })),
    nextAction: p.nextAction || null,
    failureCode: p.failureCode || null,
    refundedAmount: p.refundedAmount,
    confirmed: Boolean(p.confirmedAt),
    createdAt: p.createdAt,
    succeededAt: p.succeededAt ?? null,
    receipt: p.receipt
      ? {
          issuedAt: p.receipt.issuedAt,
          supplierName: p.receipt.supplierName,
          supplierLegalName: p.receipt.supplierLegalName,
          supplierTaxId: p.receipt.supplierTaxId,
          url: receiptUrl(p),
          sentTo: p.receipt.channel ? { channel: p.receipt.channel, to: p.receipt.sentTo } : null,
        }
      : null,
  };
}
export type PublicPayment = ReturnType<typeof publicPayment>;

export function receiptUrl(p: Pick<PaymentDoc, 'linkBase' | 'tenantSlug' | 'receiptToken'>): string {
  return `${p.linkBase}/api/v1/t/${p.tenantSlug}/receipts/${p.receiptToken}`;
}

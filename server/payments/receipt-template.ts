import type { Template } from '../notify/templates.ts';

/**
 * The receipt email: supplier and tax id, the amount per account, the date and the payment id, and
 * the printable link; by SMS (to a subscriber without an email; the outbox puts the supplier's name
 * first), the total and a short link.
 */
export const paymentsTemplates: Record<string, Template> = {
  'payments.receipt': (t, data) => ({
    subject: t('payments:receipt.emailSubject', { supplier: data.supplier, total: data.total }),
    blocks: [
      { text: t('payments:receipt.emailIntro', { supplier: data.supplier, taxId: data.taxId, date: data.date }) },
      { text: String(data.lines) },
      { text: t('payments:receipt.totalLine', { total: data.total }) },
      { note: t('payments:receipt.paymentId', { id: data.paymentId }) },
      { button: t('payments:receipt.open'), url: String(data.url) },
    ],
    sms: t('payments:receipt.sms', { total: data.total, url: data.shortUrl }),
  }),
};

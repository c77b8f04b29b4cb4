import type { Ctx } from '../http/context.ts';
import type { Translate } from '../i18n/index.ts';
import { escapeHtml } from '../portal/html.ts';
import type { PaymentDoc } from './model.ts';
import { dateTimeFormat, formatMoney } from '../i18n/formats.ts';

const LABELS = [
  'title',
  'supplier',
  'taxId',
  'date',
  'paymentIdLabel',
  'account',
  'amount',
  'penalties',
  'sum',
  'total',
] as const;

type Labels = Record<(typeof LABELS)[number], string>;

/** The page's fixed texts per translator (a tenant's texts as read, in one language), escaped once: a receipt is read often. */
const labelsOf = new WeakMap<Translate, Labels>();

function labels(t: Translate): Labels {
  let made = labelsOf.get(t);
  if (!made) {
    made = Object.fromEntries(LABELS.map((name) => [name, escapeHtml(t(`payments:receipt.${name}`))])) as Labels;
    labelsOf.set(t, made);
  }
  return made;
}

/** The printable receipt of a succeeded payment, in the reader's language. */
export function renderReceiptPage(ctx: Ctx, p: PaymentDoc): string {
  const { t, lng } = ctx;
  const l = labels(t);
  const receipt = p.receipt!;
  const amount = (kopecks: number) => formatMoney(kopecks, lng, p.currency);
  const money = (kopecks: number) => escapeHtml(amount(kopecks));
  const date = dateTimeFormat(lng, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: ctx.tenant.readings.timeZone,
  }).format(receipt.issuedAt);
  const rows = p.items
    .map(
      (i) =>
        `<tr><th scope="row">${escapeHtml(i.accountNumber)}<br><small>${escapeHtml(i.address)}</small></th>` +
        `<td>${money(i.amount)}</td><td>${money(i.penalties)}</td><td>${money(i.amount + i.penalties)}</td></tr>`,
    )
    .join('\n');
  const refunded = p.refundedAmount
    ? `<p class="refund">${escapeHtml(t('payments:receipt.refunded', { amount: amount(p.refundedAmount) }))}</p>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(lng)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${l.title} — ${escapeHtml(receipt.supplierName)}</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;color:#111827;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #9ca3af;padding:.4rem .6rem;text-align:end;vertical-align:top}
th[scope=row],thead th:first-child{text-align:start}
tfoot td,tfoot th{font-weight:bold}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:bold}
.refund{color:#b91c1c}
</style>
</head>
<body>
<h1>${l.title}</h1>
<dl>
<dt>${l.supplier}</dt><dd>${escapeHtml(receipt.supplierLegalName || receipt.supplierName)}</dd>
<dt>${l.taxId}</dt><dd>${escapeHtml(receipt.supplierTaxId)}</dd>
<dt>${l.date}</dt><dd>${escapeHtml(date)}</dd>
<dt>${l.paymentIdLabel}</dt><dd>${escapeHtml(String(p._id))}</dd>
</dl>
<table>
<thead><tr><th scope="col">${l.account}</th><th scope="col">${l.amount}</th><th scope="col">${l.penalties}</th><th scope="col">${l.sum}</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="3">${l.total}</th><td>${money(p.total)}</td></tr></tfoot>
</table>
${refunded}
</body>
</html>
`;
}

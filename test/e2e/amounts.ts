/**
 * Amounts as a person checks them against the supplier's sample bills: what the bill says is owed,
 * what the pay form pre-fills, what the receipt says and what the account shows afterwards.
 */
import { expect } from 'chai';
import type { Locator } from 'playwright-core';
import { formatRublesInput } from '../../sdk/payments.ts';
import type { Demo } from './journey-demo.ts';

export interface SampleBill {
  number: string;
  /** Kopecks owed ("К оплате"), penalties included. */
  debt: number;
  /** Kopecks of penalties ("в т. ч. пени"). */
  penalties: number;
}

const RUB = new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB' });

/** Spaces of any kind (formatted numbers use narrow no-break ones) as plain spaces. */
export const plain = (text: string): string => text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** Kopecks as a Russian currency amount: "1 956,85 ₽". */
export const rub = (kopecks: number): string => plain(RUB.format(kopecks / 100));

/** The supplier's printable sample bills. */
export async function sampleBills(d: Demo, slug: string): Promise<SampleBill[]> {
  const res = await fetch(`${d.server.baseUrl}/demo/bills/${slug}.json`);
  return ((await res.json()) as { bills: SampleBill[] }).bills;
}

/** Two bills that owe money, the first with penalties, as a person would pick them to try paying. */
export async function twoOwingBills(d: Demo, slug: string): Promise<[SampleBill, SampleBill]> {
  const owing = (await sampleBills(d, slug)).filter((b) => b.debt > 0);
  const withPenalties = owing.find((b) => b.penalties > 0);
  expect(withPenalties, `${slug}: a sample bill with penalties`).to.be.ok;
  const other = owing.find((b) => b !== withPenalties);
  expect(other, `${slug}: a second sample bill that owes`).to.be.ok;
  return [withPenalties!, other!];
}

/** The pay form pre-fills each bill's services as "Сумма" and its penalties as "Пени"; the total is what the bills owe. */
export async function expectPrefilled(pay: Locator, bills: SampleBill[]): Promise<void> {
  for (const [i, bill] of bills.entries()) {
    const value = (field: string) => pay.locator(`gaskit-text-field[name="items.${i}.${field}"] input`).inputValue();
    expect(await value('amount'), `${bill.number}: Сумма`).to.equal(formatRublesInput(bill.debt - bill.penalties, 'ru'));
    expect(await value('penalties'), `${bill.number}: Пени`).to.equal(formatRublesInput(bill.penalties, 'ru'));
  }
  const total = bills.reduce((sum, b) => sum + b.debt, 0);
  expect(plain((await pay.locator('[part="total"]').textContent()) ?? '')).to.equal(`Итого к оплате: ${rub(total)}`);
}

/** The rows of a printable receipt: account number, amount, penalties and the account's sum; and the total. */
export async function receiptLines(url: string): Promise<{ rows: string[][]; total: string }> {
  const html = await (await fetch(url)).text();
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  const rows = [...body.matchAll(/<tr><th scope="row">([^<]+)<br>.*?<\/th>((?:<td>[^<]*<\/td>)+)<\/tr>/g)].map((m) => [
    m[1]!,
    ...[...m[2]!.matchAll(/<td>([^<]*)<\/td>/g)].map((c) => plain(c[1]!)),
  ]);
  const total = plain(/<tfoot>.*?<td>([^<]*)<\/td>/s.exec(html)?.[1] ?? '');
  return { rows, total };
}

/** The receipt pays each bill in full: its services, its penalties and their sum, the debt. */
export async function expectReceiptOf(url: string, bills: SampleBill[]): Promise<void> {
  const { rows, total } = await receiptLines(url);
  expect(rows).to.deep.equal(bills.map((b) => [b.number, rub(b.debt - b.penalties), rub(b.penalties), rub(b.debt)]));
  expect(total).to.equal(rub(bills.reduce((sum, b) => sum + b.debt, 0)));
}

/** After paying a bill in full, the account owes nothing and shows the payment waiting for the supplier. */
export async function expectPaidUp(account: Locator, bill: SampleBill): Promise<void> {
  await account.locator('[part="pending"]').waitFor();
  expect(plain((await account.locator('[part="debt"]').textContent()) ?? '')).to.equal(
    'Сумма долга с учётом оплаты Задолженности нет',
  );
  expect(plain((await account.locator('[part="pending"]').textContent()) ?? '')).to.equal(
    `Оплачено в личном кабинете, ждёт подтверждения поставщиком ${rub(bill.debt)}`,
  );
}

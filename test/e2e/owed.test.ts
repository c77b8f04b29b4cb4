import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { formatRublesInput } from '../../sdk/payments.ts';
import { expectPrefilled, plain, rub } from './amounts.ts';
import { cabinetWithAccounts, sampleBills, signInContext, type SampleBill } from './cabinet-api.ts';
import { VIEWPORTS } from './helpers.ts';
import { checkpoint, demo, newContext, openSection, see, type Demo } from './journey-demo.ts';

const SUPPLIERS = ['sever-gaz', 'yug-gaz', 'vostok-gaz'] as const;

/**
 * A sample bill with penalties that the journeys leave alone: they pay the first bill with
 * penalties and the first two that owe, so this is the last one with penalties after those.
 */
async function untouchedBillWithPenalties(d: Demo, slug: string): Promise<SampleBill> {
  const owing = (await sampleBills(d, slug)).filter((b) => b.debt > 0);
  const withPenalties = owing.filter((b) => b.penalties > 0);
  const bill = withPenalties.at(-1);
  expect(bill, `${slug}: a sample bill with penalties`).to.be.ok;
  expect(owing.indexOf(bill!), `${slug}: a second sample bill with penalties, after the first two that owe`).to.be.above(
    Math.max(1, owing.indexOf(withPenalties[0]!)),
  );
  return bill!;
}

/** What is owed on a bill once `paid` kopecks are paid and not booked: the total, and the penalties in it (paid last). */
function owedAfter(bill: SampleBill, paid: number): { total: number; penalties: number } {
  const total = bill.debt - paid;
  return { total, penalties: Math.min(bill.penalties, total) };
}

/** Waits for a part's text (spaces as plain ones) to read `expected`, then checks it: the lists reload after a payment. */
async function textOf(part: Locator, expected: string, label: string): Promise<void> {
  const read = async () => plain((await part.textContent()) ?? '');
  const deadline = Date.now() + 10_000;
  while ((await read()) !== expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await read(), label).to.equal(expected);
}

/** The home, the account and the pay form all say the same: `owed`, with `paid` waiting beside it. */
async function expectOwedEverywhere(page: Page, bill: SampleBill, paid: number, label: string): Promise<void> {
  const portal = page.locator('gaskit-portal');
  const { total, penalties } = owedAfter(bill, paid);

  await openSection(page, 'Главная');
  const home = portal.locator('gaskit-overview');
  const card = home.locator('[part="account"]', { hasText: bill.number });
  await textOf(
    card.locator('[part="owed"]'),
    `К оплате сейчас: ${rub(total)} в том числе пени ${rub(penalties)}`,
    `${label}: home`,
  );
  expect(plain((await home.locator('[part="total"] p').textContent()) ?? '')).to.equal(`Всего к оплате: ${rub(total)}`);
  if (paid > 0) {
    expect(plain((await card.locator('[part="pending"]').textContent()) ?? '')).to.equal(
      `Оплачено ${rub(paid)} — ждёт зачисления у поставщика`,
    );
  } else expect(await card.locator('[part="pending"]').count()).to.equal(0);
  await checkpoint(page, `owed-${label}-home`);

  await openSection(page, 'Лицевой счёт');
  const account = portal.locator('gaskit-account');
  await account.locator('[part="debt"]').waitFor();
  expect(plain((await account.locator('[part="debt"]').textContent()) ?? ''), `${label}: account`).to.equal(
    `${paid > 0 ? 'Сумма долга с учётом оплаты' : 'Сумма долга за период'} ${rub(total)}`,
  );
  await see(account, 'В том числе пени');
  expect(plain((await account.locator('.row', { hasText: 'В том числе пени' }).textContent()) ?? '')).to.equal(
    `В том числе пени ${rub(penalties)}`,
  );

  await openSection(page, 'Оплата онлайн');
  const pay = portal.locator('gaskit-pay');
  await see(pay, `Лицевой счёт ${bill.number}`);
  expect(plain((await pay.locator('[part="due"]').textContent()) ?? ''), `${label}: pay`).to.equal(`Долг: ${rub(total)}`);
  await expectPrefilled(pay, [{ number: bill.number, debt: total, penalties }]);
}

describe('what is owed: the home, the account and the pay form agree with the sample bill, before and after a payment', function () {
  this.timeout(240_000);
  let d: Demo;

  before(async function () {
    this.timeout(300_000);
    d = await demo();
  });

  for (const slug of SUPPLIERS) {
    it(`${slug}: the bill's debt with its penalties, then the debt less a payment of the services and half the penalties`, async () => {
      const bill = await untouchedBillWithPenalties(d, slug);
      const cabinet = await cabinetWithAccounts(d, slug, [bill]);
      const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
      try {
        await signInContext(context, d, cabinet);
        await page.goto(`${d.server.baseUrl}/t/${slug}/`);
        await expectOwedEverywhere(page, bill, 0, `${slug}-before`);

        const pay = page.locator('gaskit-portal').locator('gaskit-pay');
        const services = bill.debt - bill.penalties;
        const someOfPenalties = Math.ceil(bill.penalties / 2);
        await pay.locator('gaskit-text-field[name="items.0.amount"] input').fill(formatRublesInput(services, 'ru'));
        await pay.locator('gaskit-text-field[name="items.0.penalties"] input').fill(formatRublesInput(someOfPenalties, 'ru'));
        await pay.getByRole('button', { name: 'Далее' }).click();
        await pay.getByLabel('Номер карты').fill('4242 4242 4242 4242');
        await pay.getByLabel('Срок действия (ММ/ГГ)').fill(`12/${(new Date().getFullYear() + 2) % 100}`);
        await pay.getByLabel('CVC').fill('123');
        await pay.getByRole('button', { name: /^Оплатить/ }).click();
        await see(pay, 'Оплата прошла');

        await expectOwedEverywhere(page, bill, services + someOfPenalties, `${slug}-after`);
      } finally {
        await context.close();
      }
    });
  }
});

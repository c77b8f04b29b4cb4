import { randomInt } from 'node:crypto';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { expect } from 'chai';
import { checkpoint, demo, linkIn, mailTo, newContext, see, unique, type Demo } from './journey-demo.ts';
import { expectPrefilled } from './amounts.ts';
import { VIEWPORTS } from './helpers.ts';

const SLUG = 'sever-gaz';
const PASSWORD = 'sever1';

interface Payer {
  email: string;
  token: string;
  accounts: { id: string; number: string }[];
}

async function call(d: Demo, path: string, init: { body?: unknown; auth?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${d.server.baseUrl}/api/v1/t/${SLUG}/${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.auth ? { Authorization: `Bearer ${init.auth}` } : {}),
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: await res.json() };
}

async function ok(d: Demo, path: string, init: { body?: unknown; auth?: string }, status = 200): Promise<any> {
  const res = await call(d, path, init);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(status);
  return res.body;
}

/**
 * A person with two linked accounts owing money, each with a gas meter: billing sends the data
 * through the integration API (the demo key), the person registers through the cabinet API
 * (captcha solved, the emailed link followed from the dev mailbox) and links both accounts.
 */
async function payerWithTwoAccounts(d: Demo): Promise<Payer> {
  const key = `demo-${SLUG}`;
  const numbers = [String(randomInt(1_000_000_000, 9_999_999_999)), String(randomInt(1_000_000_000, 9_999_999_999))];
  await ok(d, 'integration/accounts', {
    auth: key,
    body: { items: numbers.map((number, i) => ({ number, holder: 'Оплатин Олег Олегович', address: `ул. Северная, ${i + 1}` })) },
  });
  await ok(d, 'integration/meters', {
    auth: key,
    body: {
      items: numbers.map((number) => ({
        meterId: `pay-${number}`,
        accountNumber: number,
        serialNumber: `P${number}`,
        digits: 5,
        decimals: 0,
        lastReading: 1000,
        tariff: 850,
      })),
    },
  });
  await ok(d, 'integration/balances', {
    auth: key,
    body: {
      items: [
        {
          accountNumber: numbers[0],
          period: '2026-10',
          opening: 0,
          charged: 195_685,
          paid: 0,
          closing: 195_685,
          penalties: 1_250,
        },
        { accountNumber: numbers[1], period: '2026-10', opening: 0, charged: 48_000, paid: 0, closing: 48_000, penalties: 0 },
      ],
    },
  });

  const email = `pay-${unique()}@example.test`;
  const challenge = await ok(d, 'auth/captcha', {});
  const solution = await solveChallenge({ challenge, deriveKey });
  const captcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  await ok(
    d,
    'auth/register',
    { body: { login: email, password: PASSWORD, passwordRepeat: PASSWORD, consent: true, captcha } },
    202,
  );
  const mail = await mailTo(d.server, email, (m) => m.text.includes('gaskit-confirm='));
  const token = new URL(linkIn(mail.text, 'gaskit-confirm')).searchParams.get('gaskit-confirm');
  await ok(d, 'auth/confirm', { body: { token } });
  const session = await ok(d, 'auth/login', { body: { login: email, password: PASSWORD } });
  const accounts = [];
  for (const number of numbers) {
    const linked = await ok(d, 'accounts', { auth: session.token, body: { supplier: SLUG, number } }, 201);
    accounts.push({ id: linked.id as string, number });
  }
  return { email, token: session.token as string, accounts };
}

/** A page of the supplier's site with the payment history, as a supplier embeds it. */
const HISTORY_PAGE = `<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>История платежей — Северогаз</title>
<script type="module" src="/dist/widgets/payment-history.js"></script></head>
<body><main><h1>История платежей</h1><gaskit-payment-history tenant="${SLUG}"></gaskit-payment-history></main></body>
</html>`;

describe('e2e: paying two accounts with meter readings on the supplier’s pay page', function () {
  this.timeout(180_000);
  let d: Demo;
  let payer: Payer;

  before(async function () {
    this.timeout(300_000);
    d = await demo();
    payer = await payerWithTwoAccounts(d);
  });

  it('signs in, pays both accounts at once with readings, shows both in the history, emails the receipt and exports it to billing', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/examples/sever-gaz/pay.html`);
    const login = page.locator('gaskit-login');
    await login.getByLabel('E-mail (логин)').fill(payer.email);
    await login.getByLabel(/^Пароль/).fill(PASSWORD);
    await login.getByRole('button', { name: 'Войти' }).click();

    const pay = page.locator('gaskit-pay');
    for (const account of payer.accounts) await see(pay, `Лицевой счёт ${account.number}`);
    await expectPrefilled(pay, [
      { number: payer.accounts[0]!.number, debt: 195_685, penalties: 1_250 },
      { number: payer.accounts[1]!.number, debt: 48_000, penalties: 0 },
    ]);
    await checkpoint(page, 'pay-01-amounts');
    await pay.getByLabel('Передать показания счётчиков вместе с оплатой').check();
    await pay.getByRole('button', { name: 'Далее' }).click();

    for (const [i, account] of payer.accounts.entries()) {
      const readings = pay.locator(`gaskit-readings[account-id="${account.id}"]`);
      await readings.getByRole('textbox').first().fill('1010');
      await readings.getByRole('button', { name: 'Проверить показания' }).click();
      if (i === 0) await checkpoint(page, 'pay-02-readings');
      await readings.getByRole('button', { name: 'Подтвердить показания' }).click();
    }

    await pay.getByLabel('Номер карты').fill('4242 4242 4242 4242');
    await pay.getByLabel('Срок действия (ММ/ГГ)').fill(`12/${(new Date().getFullYear() + 2) % 100}`);
    await pay.getByLabel('CVC').fill('123');
    await checkpoint(page, 'pay-03-card');
    await pay.getByRole('button', { name: /^Оплатить/ }).click();
    await pay.getByRole('heading', { name: 'Оплата прошла' }).waitFor();
    await checkpoint(page, 'pay-04-succeeded');

    // Another page of the supplier's site in the same tab: the sign-in carries over.
    await page.route(`${d.server.baseUrl}/examples/sever-gaz/history.html`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: HISTORY_PAGE }),
    );
    await page.goto(`${d.server.baseUrl}/examples/sever-gaz/history.html`);
    const history = page.locator('gaskit-payment-history');
    for (const account of payer.accounts) {
      const toggle = history.getByRole('button', { name: new RegExp(`Лицевой счёт ${account.number}`) });
      await toggle.click();
      expect(await toggle.getAttribute('aria-expanded')).to.equal('true');
    }
    expect(await history.getByRole('link', { name: /Квитанция/ }).count()).to.equal(2);
    await checkpoint(page, 'pay-05-history');
    await context.close();

    const { payments } = await ok(d, 'payments', { auth: payer.token });
    expect(payments).to.have.length(1);
    const [payment] = payments;
    expect(payment.status).to.equal('succeeded');
    expect(payment.total).to.equal(195_685 + 48_000);
    expect(payment.items.map((i: { amount: number; penalties: number }) => [i.amount, i.penalties])).to.deep.equal([
      [194_435, 1_250],
      [48_000, 0],
    ]);
    expect(payment.items.map((i: { readingsResult: { status: string } | null }) => i.readingsResult?.status)).to.deep.equal([
      'accepted',
      'accepted',
    ]);
    await mailTo(d.server, payer.email, (m) => m.subject.startsWith('Квитанция об оплате'));

    // Billing polls the export, books the payment and confirms it: it no longer waits for confirmation.
    const key = `demo-${SLUG}`;
    let cursor = '0';
    const exported = [];
    for (let more = true; more;) {
      const batch = await ok(d, `integration/export/payments?cursor=${cursor}&limit=1000`, { auth: key });
      exported.push(...batch.items);
      ({ cursor, hasMore: more } = batch);
    }
    const entry = exported.find((e: { paymentId: string }) => e.paymentId === payment.id);
    expect(entry.items.map((i: { accountNumber: string }) => i.accountNumber)).to.deep.equal(payer.accounts.map((a) => a.number));
    const summary = await ok(d, `accounts/${payer.accounts[0]!.id}/summary`, { auth: payer.token });
    expect(summary.pendingPaid).to.equal(195_685);
    expect(summary.due).to.deep.equal({ balance: 0, total: 0, amount: 0, penalties: 0 });
    await ok(d, 'integration/payments/confirm', { auth: key, body: { ids: [payment.id] } });
    expect((await ok(d, `accounts/${payer.accounts[0]!.id}/summary`, { auth: payer.token })).pendingPaid).to.equal(0);
  });
});

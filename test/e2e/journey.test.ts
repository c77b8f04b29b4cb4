import { spawn } from 'node:child_process';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/process.ts';
import { expectPaidUp, expectPrefilled, expectReceiptOf, plain, rub, twoOwingBills } from './amounts.ts';
import { signInContext } from './cabinet-api.ts';
import { VIEWPORTS } from './helpers.ts';
import { checkpoint, codeIn, demo, linkIn, mailTo, newContext, openSection, see, unique, type Demo } from './journey-demo.ts';

/** "Подключение ЛС": the supplier, the number from the bill, "Проверить", then "Подключить". */
async function linkAccount(page: Page, number: string): Promise<void> {
  const linker = page.locator('gaskit-portal').locator('gaskit-link-account');
  await linker.getByLabel('Лицевой счёт').fill(number);
  await linker.getByRole('button', { name: 'Проверить' }).click();
  await see(linker, 'Проверьте данные договора');
  await linker.getByRole('button', { name: 'Подключить' }).click();
  await see(linker, `Лицевой счёт № ${number} подключён к личному кабинету.`);
}

/** After sign-in: link two accounts, read the summary, send readings, pay both, see the history and receipt, write to support. */
async function cabinetJourney(page: Page, d: Demo, { prefix, slug, email }: { prefix: string; slug: string; email: string }) {
  const portal = page.locator('gaskit-portal');
  // Two accounts that owe, as a person reads them off the supplier's sample bills, one with penalties.
  const bills = await twoOwingBills(d, slug);
  const [first, second] = bills.map((b) => b.number);

  await checkpoint(page, `${prefix}-04-link`);
  await linkAccount(page, first!);
  await linkAccount(page, second!);
  await checkpoint(page, `${prefix}-05-linked`);

  await openSection(page, 'Лицевой счёт');
  await see(portal.locator('gaskit-account'), first!);
  await checkpoint(page, `${prefix}-06-summary`);

  await openSection(page, 'Показания');
  const readings = portal.locator('gaskit-readings');
  const field = readings.locator('gaskit-text-field input').first();
  await field.waitFor();
  const previous =
    (await readings
      .getByText(/Предыдущие показания: /)
      .first()
      .textContent()) ?? '';
  const last = Number(/(\d+)/.exec(previous.replace(/\s/g, ''))?.[1] ?? '0');
  await field.fill(String(last + 12));
  await readings.getByRole('button', { name: 'Проверить показания' }).click();
  await see(readings, 'Проверьте показания');
  await checkpoint(page, `${prefix}-07-readings-review`);
  await readings.getByRole('button', { name: 'Передать показания' }).click();
  await see(readings, 'Показания приняты');
  await checkpoint(page, `${prefix}-08-readings-done`);

  await openSection(page, 'Оплата онлайн');
  const pay = portal.locator('gaskit-pay');
  await see(pay, `Лицевой счёт ${first!}`);
  await see(pay, `Лицевой счёт ${second!}`);
  await expectPrefilled(pay, bills);
  await checkpoint(page, `${prefix}-09-pay-amounts`);
  await pay.getByRole('button', { name: 'Далее' }).click();
  await pay.getByLabel('Номер карты').fill('4242 4242 4242 4242');
  await pay.getByLabel('Срок действия (ММ/ГГ)').fill(`12/${(new Date().getFullYear() + 2) % 100}`);
  await pay.getByLabel('CVC').fill('123');
  await checkpoint(page, `${prefix}-10-pay-card`);
  await pay.getByRole('button', { name: /^Оплатить/ }).click();
  await see(pay, 'Оплата прошла');
  await checkpoint(page, `${prefix}-11-paid`);
  const total = bills[0].debt + bills[1].debt;
  expect(plain((await pay.locator('[part="result"] p').first().textContent()) ?? '')).to.equal(`Оплачено ${rub(total)}.`);
  expect(plain((await pay.locator('[part="receipt-sent"]').textContent()) ?? '')).to.equal(
    `Квитанция отправлена на электронную почту ${email[0]}***@${email.split('@')[1]}.`,
  );
  await expectReceiptOf((await pay.locator('[part="receipt-link"]').getAttribute('href'))!, bills);

  // The account afterwards: nothing owed, the payment waiting for the supplier beside it.
  await openSection(page, 'Лицевой счёт');
  const account = portal.locator('gaskit-account');
  await see(account, first!);
  await expectPaidUp(account, bills[0]);
  await checkpoint(page, `${prefix}-11b-account-after`);

  await openSection(page, 'История платежей');
  const history = portal.locator('gaskit-payment-history');
  await see(history, 'История платежей');
  await history.locator('[part="account-toggle"]').first().click();
  await see(history, /Квитанция от/);
  // Billing's payments made at a bank or the post office are there too, and earlier months load on request.
  const months = history.locator('[part="month"]');
  expect(await months.count()).to.be.above(1);
  await months.nth(1).locator('[part="account-toggle"]').first().click();
  await see(months.nth(1), 'В банке, на почте или в кассе');
  const shown = await months.count();
  await history.getByRole('button', { name: 'Показать более ранние платежи' }).click();
  await months.nth(shown).waitFor();
  await checkpoint(page, `${prefix}-12-history`);
  const receipt = await mailTo(d.server, email, (m) => /[Кк]витанц/.test(m.subject));
  expect(receipt.text).to.include(first!);
  expect(receipt.text).to.include(second!);
  expect(plain(receipt.text)).to.include(`Итого: ${rub(total)}`);

  await openSection(page, 'Обратная связь');
  const feedback = portal.locator('gaskit-feedback');
  await feedback.getByLabel('Тема').selectOption({ index: 1 });
  await feedback.getByLabel('Сообщение').fill('Спасибо за личный кабинет! Подскажите, когда придёт квитанция за этот месяц?');
  await feedback.getByRole('button', { name: 'Отправить' }).click();
  await see(feedback, /Обращение № \d+ отправлено/);
  await checkpoint(page, `${prefix}-13-feedback`);
}

/**
 * «Забыли пароль?» in the change-password form of the settings (seed 003): the link mailed to the
 * login sets a new password, which then signs in.
 */
async function forgetsPasswordInSettings(d: Demo, email: string, password: string): Promise<void> {
  const call = async (path: string, init: { body?: unknown; token?: string } = {}) => {
    const res = await fetch(`${d.server.baseUrl}/api/v1/t/sever-gaz/${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const { token } = (await call('auth/login', { body: { login: email, password } })).body;
  const accounts = (await call('accounts', { token })).body.items as { id: string; number: string }[];
  const signedIn = await newContext(d.browser, VIEWPORTS.desktop);
  await signInContext(signedIn.context, d, { slug: 'sever-gaz', login: email, password, token, accounts });
  await signedIn.page.goto(`${d.server.baseUrl}/t/sever-gaz/settings`);
  const settings = signedIn.page.locator('gaskit-portal').locator('gaskit-settings');
  await settings.getByRole('button', { name: 'Забыли пароль?' }).click();
  await see(settings, `Ссылка для смены пароля будет отправлена на ${email}`);
  await checkpoint(signedIn.page, 'sever-17-settings-forgot');
  await settings.getByRole('button', { name: 'Восстановить пароль' }).click();
  await see(settings, `Ссылка для смены пароля отправлена на ${email}`);
  await signedIn.context.close();

  const mail = await mailTo(d.server, email, (m) => m.text.includes('gaskit-reset='));
  const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
  await page.goto(linkIn(mail.text, 'gaskit-reset'));
  const login = page.locator('gaskit-portal').locator('gaskit-login');
  await login.getByLabel('Новый пароль').fill('forgot7');
  await login.getByLabel('Повторите пароль').fill('forgot7');
  await login.getByRole('button', { name: 'Сохранить пароль' }).click();
  await see(login, 'Пароль изменён. Войдите с новым паролем.');
  await context.close();
  expect((await call('auth/login', { body: { login: email, password: 'forgot7' } })).status).to.equal(200);
}

describe('whole journeys on the demo suppliers’ sites', function () {
  this.timeout(240_000);
  let d: Demo;

  before(async function () {
    this.timeout(300_000);
    d = await demo();
  });

  it('Северогаз, desktop: registers with an emailed link, links two accounts, sends readings, pays both, sees the receipt, writes to support, resets a forgotten password from the settings', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    const email = `sever-${unique()}@example.test`;
    await page.goto(`${d.server.baseUrl}/examples/sever-gaz/index.html`);
    await page.getByRole('link', { name: 'Личный кабинет', exact: true }).first().click();
    const portal = page.locator('gaskit-portal');
    await see(portal, 'Вход в Личный кабинет');
    await checkpoint(page, 'sever-01-sign-in');

    await openSection(page, 'Регистрация');
    const register = portal.locator('gaskit-register');
    await register.getByLabel('E-mail (логин)').fill(email);
    await register.getByLabel('Укажите пароль').fill('sever1');
    await register.getByLabel('Повторите пароль').fill('sever1');
    await register.getByRole('checkbox', { name: /Я принимаю условия/ }).check();
    await register.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await see(register, 'Вы успешно зарегистрированы в Системе');
    await checkpoint(page, 'sever-02-registered');

    const mail = await mailTo(d.server, email, (m) => m.text.includes('gaskit-confirm='));
    await page.goto(linkIn(mail.text, 'gaskit-confirm'));
    await see(register, 'Регистрация подтверждена');
    expect(page.url()).to.match(/cabinet\.html#\/register$/);
    await register
      .getByRole('link', { name: /Войти в Личный кабинет|Вход в Личный кабинет/ })
      .first()
      .click();
    const login = portal.locator('gaskit-login');
    await login.getByLabel('E-mail (логин)').fill(email);
    await login.getByLabel(/^Пароль/).fill('sever1');
    await login.getByRole('button', { name: 'Войти' }).click();
    await portal.locator('gaskit-link-account').waitFor();
    await checkpoint(page, 'sever-03-signed-in');

    await cabinetJourney(page, d, { prefix: 'sever', slug: 'sever-gaz', email });

    // The supplier's single-widget pages share the sign-in of the cabinet page in this tab.
    const siteNav = page.getByRole('navigation', { name: 'Разделы сайта' });
    await siteNav.getByRole('link', { name: 'Показания' }).click();
    const choice = page.getByLabel('Лицевой счёт', { exact: true });
    await page
      .locator('gaskit-readings')
      .getByText(/Предыдущие показания/)
      .first()
      .waitFor();
    expect(await choice.locator('option').count()).to.equal(2);
    await checkpoint(page, 'sever-14-readings-page');
    await siteNav.getByRole('link', { name: 'Оплата' }).click();
    await see(page.locator('gaskit-pay'), 'Оплата онлайн');
    await checkpoint(page, 'sever-15-pay-page');

    const integrator = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'examples/integrator/node.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          GASKIT_URL: d.server.baseUrl,
          GASKIT_TENANT: 'sever-gaz',
          GASKIT_LOGIN: email,
          GASKIT_PASSWORD: 'sever1',
        },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code) => resolve({ code, output }));
    });
    expect(integrator.code, integrator.output).to.equal(0);
    expect(integrator.output).to.include(`Signed in as ${email}`);
    expect(integrator.output).to.include('Accounts: 2');
    // Readings as the meter shows them, without the zeros the API pads them with ("2612.400").
    expect(integrator.output, integrator.output).to.match(/Reading \d+(\.\d*[1-9])? for .+ of account \d+: accepted/);

    await page.goto(`${d.server.baseUrl}/examples/integrator/browser.html`);
    await page.getByLabel('Поставщик').selectOption('sever-gaz');
    await page.getByLabel('Логин (email или телефон)').fill(email);
    await page.getByLabel('Пароль').fill('sever1');
    await page.getByRole('button', { name: 'Войти' }).click();
    await see(page, `Вы вошли как ${email}`);
    const row = page.locator('#list tbody tr, #list table tr:not(:first-child)').first();
    const lastValue = Number((await row.locator('td').nth(1).textContent())!.replace(/\s/g, ''));
    await row.locator('input').fill(String(Math.floor(lastValue) + 5));
    await row.getByRole('button', { name: 'Передать' }).click();
    await see(page, /Показание \d+(\.\d*[1-9])? по счётчику .+ принято \(accepted\), период «[а-я]+ \d{4} г\.»/);
    await checkpoint(page, 'sever-16-integrator-browser');
    await context.close();

    await forgetsPasswordInSettings(d, email, 'sever1');
  });

  it('Южгаз, 360 px phone: registers a mobile phone with an SMS code and goes through the cabinet', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.phone);
    const phone = `+7999${String(parseInt(unique(), 16) % 10_000_000).padStart(7, '0')}`;
    await page.goto(`${d.server.baseUrl}/examples/yug-gaz/cabinet.html#/register`);
    const portal = page.locator('gaskit-portal');
    const register = portal.locator('gaskit-register');
    await register.getByLabel('E-mail или мобильный телефон (логин)').fill(phone);
    await register.getByLabel('Укажите пароль').fill('yug123');
    await register.getByLabel('Повторите пароль').fill('yug123');
    await register.getByRole('checkbox', { name: /Я принимаю условия/ }).check();
    await checkpoint(page, 'yug-01-register');
    await register.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await see(register, /отправлено SMS с кодом активации/);
    await checkpoint(page, 'yug-02-code');

    const sms = await mailTo(d.server, phone, (m) => m.kind === 'sms');
    await register.getByLabel('Код из сообщения').fill(codeIn(sms.text));
    await register.getByRole('button', { name: 'Подтвердить' }).click();
    await portal.locator('gaskit-link-account').waitFor();
    await checkpoint(page, 'yug-03-signed-in');

    // A phone login has no mailbox: receipts go to the email given in the settings.
    const email = `yug-${unique()}@example.test`;
    await openSection(page, 'Настройки');
    const settings = portal.locator('gaskit-settings');
    await settings.getByLabel('E-mail', { exact: true }).fill(email);
    await settings.getByRole('button', { name: 'Сохранить' }).first().click();
    const code = await mailTo(d.server, email, () => true);
    await settings.getByLabel('Код подтверждения').fill(codeIn(code.text));
    await settings.getByRole('button', { name: 'Подтвердить' }).click();
    await see(settings, 'Новый адрес подтверждён и сохранён.');
    await openSection(page, 'Подключение ЛС');

    await cabinetJourney(page, d, { prefix: 'yug', slug: 'yug-gaz', email });
    await context.close();
  });

  it('Востокгаз, desktop: registers with an emailed code and consent, changes the temporary password, goes through the cabinet', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    const email = `vostok-${unique()}@example.test`;
    await page.goto(`${d.server.baseUrl}/examples/vostok-gaz/cabinet.html`);
    const portal = page.locator('gaskit-portal');
    await openSection(page, 'Регистрация');
    const register = portal.locator('gaskit-register');
    await register.getByRole('radio', { name: 'Физическое лицо' }).check();
    await register.getByLabel('E-mail (логин)').fill(email);
    await register.getByRole('button', { name: 'Получить код' }).click();
    await see(register, /отправлен проверочный код/);
    await checkpoint(page, 'vostok-01-code');

    const codeMail = await mailTo(d.server, email, (m) => m.subject === 'Проверочный код для регистрации');
    await register.getByLabel('Код из сообщения').fill(codeIn(codeMail.text));
    await register.getByRole('checkbox', { name: /правилами предоставления доступа/ }).check();
    await register.getByRole('button', { name: 'Подтвердить' }).click();
    await see(register, 'Временный пароль отправлен');
    await checkpoint(page, 'vostok-02-temporary');

    const passwordMail = await mailTo(d.server, email, (m) => m.subject.startsWith('Временный пароль'));
    const temporary = /для первого входа:\s+(\S+)/.exec(passwordMail.text)![1]!;
    await openSection(page, 'Вход');
    const login = portal.locator('gaskit-login');
    await login.getByLabel('E-mail (логин)').fill(email);
    await login.getByLabel(/^Пароль/).fill(temporary);
    await login.getByRole('button', { name: 'Войти' }).click();
    await see(login, 'Смена временного пароля');
    await login.getByLabel('Новый пароль').fill('vostok2026');
    await login.getByLabel('Повторите пароль').fill('vostok2026');
    await login.getByRole('button', { name: 'Сменить пароль' }).click();
    await portal.locator('gaskit-link-account').waitFor();
    await checkpoint(page, 'vostok-03-signed-in');

    await cabinetJourney(page, d, { prefix: 'vostok', slug: 'vostok-gaz', email });
    await context.close();
  });
});

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, newPage, screenshot, startDemoServer, type DemoServer } from './helpers.ts';

interface DevMail {
  kind: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
}

/** Waits for a message in the demo server's dev mailbox. */
async function mailTo(server: DemoServer, to: string, match: (m: DevMail) => boolean, timeoutMs = 20_000): Promise<DevMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = (await (await fetch(`${server.baseUrl}/dev/mailbox.json?to=${encodeURIComponent(to)}`)).json()) as DevMail[];
    const found = list.find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no message to ${to}`);
}

function code(text: string): string {
  return /(?:^|\s)(\d{6})(?=$|[\s.,])/m.exec(text)![1]!;
}

async function seeText(scope: Locator, text: string | RegExp): Promise<void> {
  await scope.getByText(text).first().waitFor({ timeout: 20_000 });
}

const unique = () => randomBytes(4).toString('hex');

describe('e2e: the three registration flows on the demo server, through the dev mailbox', function () {
  this.timeout(120_000);
  let server: DemoServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    server = await startDemoServer({ LOG_LEVEL: 'info' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    ({ page } = await newPage(browser));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(page, `auth-${this.currentTest.title.replace(/\W+/g, '-')}`);
    await page.context().close();
  });

  it('password + email link: register, follow the mailed link, sign in, see the settings', async () => {
    const email = `sever-${unique()}@example.test`;
    await page.goto(`${server.baseUrl}/examples/e2e/auth.html?tenant=sever-gaz`);
    const register = page.locator('gaskit-register');
    await register.getByLabel('E-mail (логин)').fill(email);
    await register.getByLabel('Укажите пароль').fill('abc12');
    await register.getByLabel('Повторите пароль').fill('abc12');
    await register.getByRole('checkbox', { name: /Я принимаю условия/ }).check();
    await register.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await seeText(register, 'Вы успешно зарегистрированы в Системе');
    await seeText(register, /Ссылка действительна до/);

    const mail = await mailTo(server, email, (m) => m.text.includes('gaskit-confirm='));
    expect(mail.subject).to.equal('Подтвердите регистрацию в личном кабинете');
    const link = /https?:\/\/\S*gaskit-confirm=\S+/.exec(mail.text)![0];
    expect(new URL(link).searchParams.get('tenant')).to.equal('sever-gaz');
    await page.goto(link);
    await seeText(register, 'Регистрация подтверждена');
    expect(page.url()).not.to.include('gaskit-confirm');

    const login = page.locator('gaskit-login');
    await login.getByLabel('E-mail (логин)').fill(email);
    await login.getByLabel(/^Пароль/).fill('abc12');
    await login.getByRole('button', { name: 'Войти' }).click();
    await seeText(login, `Вы вошли как ${email}`);
    await seeText(page.locator('gaskit-settings'), `Логин: ${email}`);
  });

  it('password + activation code: register a mobile phone, enter the SMS code, get signed in', async () => {
    const phone = `+7999${String(parseInt(unique(), 16) % 10_000_000).padStart(7, '0')}`;
    await page.goto(`${server.baseUrl}/examples/e2e/auth.html?tenant=yug-gaz`);
    const register = page.locator('gaskit-register');
    await register.getByLabel('E-mail или мобильный телефон (логин)').fill(phone);
    await register.getByLabel('Укажите пароль').fill('yug12');
    await register.getByLabel('Повторите пароль').fill('yug12');
    await register.getByRole('checkbox', { name: /Я принимаю условия/ }).check();
    await register.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await seeText(register, /отправлено SMS с кодом активации/);

    const sms = await mailTo(server, phone, (m) => m.kind === 'sms');
    await register.getByLabel('Код из сообщения').fill(code(sms.text));
    await register.getByRole('button', { name: 'Подтвердить' }).click();
    await seeText(register, 'вошли в Личный кабинет');
    await seeText(page.locator('#events'), /gaskit-signed-in/);
    await seeText(page.locator('gaskit-settings'), `Логин: ${phone}`);
  });

  it('email code + consent → temporary password → forced change at the first sign-in', async () => {
    const email = `vostok-${unique()}@example.test`;
    await page.goto(`${server.baseUrl}/examples/e2e/auth.html?tenant=vostok-gaz`);
    const register = page.locator('gaskit-register');
    await register.getByRole('radio', { name: 'Юридическое лицо' }).check();
    await register.getByLabel('E-mail (логин)').fill(email);
    await register.getByRole('button', { name: 'Получить код' }).click();
    await seeText(register, /отправлен проверочный код/);

    const codeMail = await mailTo(server, email, (m) => m.subject === 'Проверочный код для регистрации');
    await register.getByLabel('Код из сообщения').fill(code(codeMail.text));
    await register.getByRole('checkbox', { name: /правилами предоставления доступа/ }).check();
    await register.getByRole('button', { name: 'Подтвердить' }).click();
    await seeText(register, 'Временный пароль отправлен');

    const passwordMail = await mailTo(server, email, (m) => m.subject.startsWith('Временный пароль'));
    const temporary = /для первого входа:\s+(\S+)/.exec(passwordMail.text)![1]!;
    const login = page.locator('gaskit-login');
    await login.getByLabel('E-mail (логин)').fill(email);
    await login.getByLabel(/^Пароль/).fill(temporary);
    await login.getByRole('button', { name: 'Войти' }).click();
    await seeText(login, 'Смена временного пароля');
    await login.getByLabel('Новый пароль').fill('MyOwn2026');
    await login.getByLabel('Повторите пароль').fill('MyOwn2026');
    await login.getByRole('button', { name: 'Сменить пароль' }).click();
    await seeText(login, `Вы вошли как ${email}`);
    await seeText(page.locator('gaskit-settings'), `Логин: ${email}`);
  });
});

import { expect } from 'chai';
import { cabinetWithAccounts, signInContext } from './cabinet-api.ts';
import { VIEWPORTS } from './helpers.ts';
import { checkpoint, demo, linkIn, mailTo, newContext, see, type Demo } from './journey-demo.ts';

const SUPPLIERS = ['sever-gaz', 'yug-gaz', 'vostok-gaz'];
const SITE_PAGES = ['index.html', 'cabinet.html', 'pay.html', 'readings.html', 'contacts.html'];

describe('small stumbles on the demo sites and the hosted portal', function () {
  this.timeout(180_000);
  let d: Demo;

  before(async function () {
    this.timeout(300_000);
    d = await demo();
  });

  it('offers one low-vision switch on every page of every demo site, the portal’s own on the cabinet page', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    const counts: string[] = [];
    for (const slug of SUPPLIERS) {
      for (const file of SITE_PAGES) {
        await page.goto(`${d.server.baseUrl}/examples/${slug}/${file}`);
        if (file === 'cabinet.html') await see(page.locator('gaskit-portal'), 'Вход в Личный кабинет');
        else await page.waitForLoadState('networkidle');
        const n = await page.getByRole('button', { name: /^(Версия для слабовидящих|Обычная версия)$/ }).count();
        if (n !== 1) counts.push(`${slug}/${file}: ${n}`);
      }
    }
    expect(counts, counts.join('; ')).to.deep.equal([]);
    await context.close();
  });

  it('fills the window with the hosted portal instead of ending on bare grey', async () => {
    const { context, page } = await newContext(d.browser, { width: 1280, height: 1200 });
    await page.goto(`${d.server.baseUrl}/t/vostok-gaz/login`);
    await see(page.locator('gaskit-portal'), 'Вход в Личный кабинет');
    const bottom = await page.locator('gaskit-portal').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(bottom).to.be.at.least(1200);
    await context.close();
  });

  it('offers «Забыли пароль?» in the change-password form of the settings: the link mailed there sets a new password (seed 003)', async () => {
    const cabinet = await cabinetWithAccounts(d, 'sever-gaz');
    const signedIn = await newContext(d.browser, VIEWPORTS.desktop);
    await signInContext(signedIn.context, d, cabinet);
    await signedIn.page.goto(`${d.server.baseUrl}/t/sever-gaz/settings`);
    const settings = signedIn.page.locator('gaskit-portal').locator('gaskit-settings');
    await settings.getByRole('button', { name: 'Забыли пароль?' }).click();
    await see(settings, `Ссылка для смены пароля будет отправлена на ${cabinet.login}`);
    await checkpoint(signedIn.page, 'settings-forgot');
    await settings.getByRole('button', { name: 'Восстановить пароль' }).click();
    await see(settings, `Ссылка для смены пароля отправлена на ${cabinet.login}`);
    await signedIn.context.close();

    const mail = await mailTo(d.server, cabinet.login, (m) => m.text.includes('gaskit-reset='));
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(linkIn(mail.text, 'gaskit-reset'));
    const login = page.locator('gaskit-portal').locator('gaskit-login');
    await login.getByLabel('Новый пароль').fill('forgot7');
    await login.getByLabel('Повторите пароль').fill('forgot7');
    await login.getByRole('button', { name: 'Сохранить пароль' }).click();
    await see(login, 'Пароль изменён. Войдите с новым паролем.');
    await context.close();
    const signIn = await fetch(`${d.server.baseUrl}/api/v1/t/sever-gaz/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: cabinet.login, password: 'forgot7' }),
    });
    expect(signIn.status).to.equal(200);
  });

  it('names the month of each sample bill in words', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/demo/bills/yug-gaz`);
    const titles = await page.locator('.bill h2').allTextContents();
    expect(titles).to.have.length(20);
    for (const title of titles) expect(title).to.match(/^Квитанция за [а-я]+ \d{4} г\.$/);
    await context.close();
  });
});

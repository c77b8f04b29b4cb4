import { expect } from 'chai';
import { VIEWPORTS } from './helpers.ts';
import { demo, newContext, see, type Demo } from './journey-demo.ts';

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

  it('names the month of each sample bill in words', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/demo/bills/yug-gaz`);
    const titles = await page.locator('.bill h2').allTextContents();
    expect(titles).to.have.length(20);
    for (const title of titles) expect(title).to.match(/^Квитанция за [а-я]+ \d{4} г\.$/);
    await context.close();
  });
});

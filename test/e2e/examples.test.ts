import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { components, GUIDES, renderGuide } from '../../docs/reference.ts';
import { ROOT } from '../helpers/process.ts';
import { VIEWPORTS } from './helpers.ts';
import { checkpoint, demo, newContext, see, type Demo } from './journey-demo.ts';

const SITES = [
  { slug: 'sever-gaz', name: 'Северогаз', primary: '#0b4f8a', font: 'PT Sans' },
  { slug: 'yug-gaz', name: 'Южгаз', primary: '#b4440e', font: 'Georgia' },
  { slug: 'vostok-gaz', name: 'Востокгаз', primary: '#11694a', font: 'Verdana' },
];

/** A token as the element's shadow root resolves it. */
function token(page: Page, selector: string, name: string): Promise<string> {
  return page.locator(selector).evaluate((el, n) => getComputedStyle(el).getPropertyValue(n).trim(), name);
}

describe('the demo suppliers’ sites, the hosted portal and the guides', function () {
  this.timeout(120_000);
  let d: Demo;

  before(async function () {
    this.timeout(300_000);
    d = await demo();
  });

  it('lists every demo supplier’s site, cabinet and hosted portal on the examples index, and every link there answers', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/examples/`);
    const hrefs = await page.locator('main a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const { slug } of SITES) {
      expect(hrefs).to.include(`${d.server.baseUrl}/examples/${slug}/index.html`);
      expect(hrefs).to.include(`${d.server.baseUrl}/examples/${slug}/cabinet.html`);
      expect(hrefs).to.include(`${d.server.baseUrl}/t/${slug}`);
    }
    for (const href of hrefs) expect((await fetch(href)).status, href).to.equal(200);
    await checkpoint(page, 'examples-index');
    await context.close();
  });

  for (const site of SITES) {
    it(`shows ${site.name}’s cabinet page with the portal in the supplier’s theme and logo, the site’s own styles kept outside`, async () => {
      const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
      await page.goto(`${d.server.baseUrl}/examples/${site.slug}/cabinet.html`);
      const portal = page.locator('gaskit-portal');
      await see(portal, 'Вход в Личный кабинет');
      expect(await token(page, 'gaskit-portal', '--gaskit-color-primary')).to.equal(site.primary);
      expect(await portal.evaluate((el) => getComputedStyle(el).fontFamily)).to.include(site.font);
      expect(await portal.locator('[part="logo"]').getAttribute('src')).to.equal(
        `${d.server.baseUrl}/examples/${site.slug}/logo.svg`,
      );
      await checkpoint(page, `examples-${site.slug}-cabinet`);
      const link = portal.locator('[part="nav-link"]:not([aria-current])').first();
      const themed = await link.evaluate((a) => getComputedStyle(a).color);
      await page.addStyleTag({
        content: 'a, h1, button { color: rgb(255, 0, 255) !important; font-family: Impact !important; }',
      });
      expect(await link.evaluate((a) => getComputedStyle(a).color)).to.equal(themed);
      expect(await portal.locator('[part="view-title"]').evaluate((h) => getComputedStyle(h).fontFamily)).to.include(site.font);
      await context.close();
    });
  }

  it('embeds a single widget on a supplier’s page through the loader: the feedback form works without signing in, and the captcha’s code loads once the person starts filling it', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.phone);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(`${d.server.baseUrl}/examples/vostok-gaz/contacts.html`);
    const feedback = page.locator('gaskit-feedback');
    await feedback.getByLabel('Сообщение').waitFor();
    expect(await token(page, 'gaskit-feedback', '--gaskit-color-primary')).to.equal('#11694a');
    await checkpoint(page, 'examples-vostok-gaz-contacts-phone');
    await page.waitForLoadState('networkidle');
    expect(scripts).to.include('/v1/gaskit.js');
    expect(scripts.filter((path) => /^\/(?:dist|v1)\/widgets\//.test(path))).to.deep.equal([]);
    expect(scripts.filter((path) => /\/captcha[.-](?:component|solver)-/.test(path))).to.deep.equal([]);
    const captcha = page.waitForRequest((request) => /\/captcha\.component-[\w-]{8}\.js$/.test(request.url()));
    await feedback.getByLabel('Сообщение').fill('Не пришла квитанция за ноябрь');
    await captcha;
    await feedback.getByRole('checkbox', { name: 'Я не робот' }).check();
    await feedback.getByText('Проверка пройдена').waitFor();
    await context.close();
  });

  it('asks to sign in on a single-widget page before showing the widget that needs a cabinet', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/examples/sever-gaz/pay.html`);
    await see(page.locator('gaskit-login'), 'Вход в Личный кабинет');
    await see(page, 'Войдите в личный кабинет, чтобы увидеть суммы к оплате.');
    expect(await page.locator('gaskit-pay').count()).to.equal(0);
    await checkpoint(page, 'examples-sever-gaz-pay-signed-out');
    await context.close();
  });

  it('switches the site and its widgets to the low-vision version together, from the site’s switch or the portal’s, and keeps it on the next page', async () => {
    const { context, page } = await newContext(d.browser, VIEWPORTS.desktop);
    await page.goto(`${d.server.baseUrl}/examples/yug-gaz/contacts.html`);
    const feedback = page.locator('gaskit-feedback');
    await feedback.getByLabel('Сообщение').waitFor();
    await page.getByRole('button', { name: 'Версия для слабовидящих' }).click();
    expect(await page.locator('html').getAttribute('class')).to.include('low-vision');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('gaskit-feedback')!).color === 'rgb(0, 0, 0)');
    expect(await feedback.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).to.be.at.least(22);
    await checkpoint(page, 'examples-yug-gaz-low-vision');

    await page.goto(`${d.server.baseUrl}/examples/yug-gaz/cabinet.html`);
    const portal = page.locator('gaskit-portal');
    await see(portal, 'Обычная версия');
    expect(await page.locator('html').getAttribute('class')).to.include('low-vision');
    await portal.locator('[part="vision-toggle"]').click();
    await see(portal, 'Версия для слабовидящих');
    expect(await page.locator('html').getAttribute('class')).not.to.include('low-vision');
    await context.close();
  });

  it('serves the hosted portal with path routing, the tenant’s theme, and framing allowed only to the tenant’s sites', async () => {
    const res = await fetch(`${d.server.baseUrl}/t/yug-gaz/feedback`);
    // The demo server here listens on a port of its own choosing (PORT=0), so its demo suppliers
    // allow no other site: only the portal's own origin may frame it (the exact list for a
    // configured port is test/server/portal.test.ts's).
    expect(res.headers.get('content-security-policy')).to.match(/frame-ancestors 'self'(?:;|$)/);
    const { context, page } = await newContext(d.browser, VIEWPORTS.phone);
    await page.goto(`${d.server.baseUrl}/t/yug-gaz/feedback`);
    const portal = page.locator('gaskit-portal');
    await portal.locator('gaskit-feedback').getByLabel('Сообщение').waitFor();
    expect(await token(page, 'gaskit-portal', '--gaskit-color-primary')).to.equal('#b4440e');
    await portal.locator('[part="menu-button"]').click();
    await portal.locator('[part="nav-link"]', { hasText: 'Регистрация' }).click();
    await portal.locator('gaskit-register').getByRole('button', { name: 'Зарегистрироваться' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/t/yug-gaz/register');
    await checkpoint(page, 'hosted-yug-gaz-register-phone');
    await page.goBack();
    await portal.locator('gaskit-feedback').waitFor();
    expect(new URL(page.url()).pathname).to.equal('/t/yug-gaz/feedback');
    await context.close();
  });

  it('keeps the reference sections of the theming, embedding and SDK guides in step with the code', async () => {
    for (const guide of GUIDES) {
      const current = readFileSync(guide.file, 'utf8');
      expect(
        await renderGuide(guide.file, guide.reference(), current),
        `${path.relative(ROOT, guide.file)}: run node --import tsx docs/reference.ts`,
      ).to.equal(current);
    }
  });

  it('documents every part each widget renders', () => {
    const documented = components();
    const folders = readdirSync(path.join(ROOT, 'widgets'), { withFileTypes: true }).filter(
      (e) => e.isDirectory() && e.name !== 'shared',
    );
    const undocumented: Record<string, string[]> = {};
    for (const folder of folders) {
      const dir = path.join(ROOT, 'widgets', folder.name);
      const rendered = new Set(
        readdirSync(dir)
          .filter((f) => f.endsWith('.ts'))
          .flatMap((f) =>
            [...readFileSync(path.join(dir, f), 'utf8').matchAll(/part="([^"$]+)"/g)].flatMap((m) => m[1]!.split(/\s+/)),
          ),
      );
      const names = new Set(
        documented.filter((c) => c.file.startsWith(`widgets/${folder.name}/`)).flatMap((c) => c.parts.map((p) => p.name)),
      );
      const missing = [...rendered].filter((part) => !names.has(part));
      if (missing.length) undocumented[`widgets/${folder.name}`] = missing;
    }
    expect(undocumented, 'parts rendered without an @csspart in the JSDoc').to.deep.equal({});
  });
});

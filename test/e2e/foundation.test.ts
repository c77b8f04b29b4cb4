import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage, screenshot, startDemoServer, type DemoServer } from './helpers.ts';

describe('foundation: a built widget on a page, served by the demo server', function () {
  this.timeout(180_000);
  let server: DemoServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await Promise.all([startDemoServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads a single-widget bundle that takes the tenant’s theme and texts from the server', async () => {
    const { context, page } = await newPage(browser);
    // A supplier's page on the server's origin that embeds one widget bundle.
    await page.route(`${server.baseUrl}/supplier-page`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="ru"><body>
          <p>Лицевой счёт <gaskit-hint tenant="yug-gaz" text="Номер напечатан в правом верхнем углу квитанции"></gaskit-hint></p>
          <script type="module" src="/dist/widgets/hint.js"></script></body></html>`,
      }),
    );
    await page.goto(`${server.baseUrl}/supplier-page`);
    const button = page.locator('gaskit-hint').locator('[part="button"]');
    await button.waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('gaskit-hint')?.shadowRoot?.querySelector('[part="button"]');
      return (
        el?.getAttribute('aria-label') && getComputedStyle(el).getPropertyValue('--gaskit-color-primary').trim() === '#b4440e'
      );
    });
    expect(await button.getAttribute('aria-label')).to.equal('Подсказка');

    await button.focus();
    const tooltip = page.locator('gaskit-hint').locator('[part="tooltip"]');
    await tooltip.waitFor({ state: 'visible' });
    expect(await tooltip.textContent()).to.include('правом верхнем углу');
    await screenshot(page, 'foundation-hint');
    await context.close();
  });
});

import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, startDemoServer, type DemoServer } from './helpers.ts';

/** Every Content-Security-Policy violation the page reports, as an event or on the console. */
async function recordViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction('gaskitViolation', (text: string) => seen.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { gaskitViolation(text: string): void }).gaskitViolation;
      report(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) seen.push(`console: ${message.text()}`);
  });
  return seen;
}

/** Scripts the page requests, with the script that asked for each (DevTools protocol initiator). */
async function recordScripts(page: Page): Promise<{ url: string; by: string | undefined }[]> {
  const scripts: { url: string; by: string | undefined }[] = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', ({ request, initiator, type }) => {
    if (type === 'Script')
      scripts.push({ url: new URL(request.url).pathname, by: initiator.url ?? initiator.stack?.callFrames[0]?.url });
  });
  return scripts;
}

describe('the loader (/v1/gaskit.js) on a supplier’s page', function () {
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

  /** A supplier's page on the server's origin with the loader and `body`. */
  async function open(
    body: string,
  ): Promise<{ page: Page; scripts: { url: string; by: string | undefined }[]; close(): Promise<void> }> {
    const { context, page } = await newPage(browser);
    const scripts = await recordScripts(page);
    await page.route(`${server.baseUrl}/supplier-page`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="ru"><head>
          <script type="module" src="/v1/gaskit.js" data-tenant="yug-gaz"></script></head>
          <body><main>${body}</main></body></html>`,
      }),
    );
    await page.goto(`${server.baseUrl}/supplier-page`);
    return { page, scripts, close: () => context.close() };
  }

  const defined = (page: Page, tag: string) => page.evaluate((name) => customElements.get(name) !== undefined, tag);

  it('defines only the elements on the page, gives them the script tag’s tenant, and loads no other widget’s chunk', async () => {
    const { page, scripts, close } = await open('<gaskit-hint text="Номер напечатан на квитанции"></gaskit-hint>');
    const button = page.locator('gaskit-hint').locator('[part="button"]');
    await button.waitFor();
    await page.waitForFunction(
      () =>
        getComputedStyle(document.querySelector('gaskit-hint')!.shadowRoot!.querySelector('[part="button"]')!)
          .getPropertyValue('--gaskit-color-primary')
          .trim() === '#b4440e',
    );
    expect(await page.locator('gaskit-hint').getAttribute('tenant')).to.equal('yug-gaz');
    // The label comes with the texts, which load after the configuration that brings the theme.
    await page.locator('gaskit-hint').locator('[part="button"][aria-label]').waitFor();
    expect(await button.getAttribute('aria-label')).to.equal('Подсказка');
    await page.waitForLoadState('networkidle');
    for (const tag of ['gaskit-feedback', 'gaskit-pay', 'gaskit-portal', 'gaskit-login']) {
      expect(await defined(page, tag), tag).to.equal(false);
    }
    const chunks = scripts.map((s) => s.url).filter((url) => url.startsWith('/v1/chunks/'));
    expect(chunks.some((url) => /\/hint-[\w-]{8}\.js$/.test(url))).to.equal(true);
    expect(chunks.some((url) => /\/core-[\w-]{8}\.js$/.test(url))).to.equal(true);
    expect(chunks.filter((url) => /\/(?:feedback|pay|portal|login)-/.test(url))).to.deep.equal([]);
    await close();
  });

  it('defines an element added to the page later, and the widget works: the feedback form shows and takes input', async () => {
    const { page, close } = await open('<p>Контакты</p>');
    await page.waitForLoadState('networkidle');
    expect(await defined(page, 'gaskit-feedback')).to.equal(false);
    await page.evaluate(() => {
      const panel = document.createElement('div');
      panel.innerHTML = '<gaskit-feedback></gaskit-feedback>';
      document.querySelector('main')!.append(panel);
    });
    const message = page.locator('gaskit-feedback').getByLabel('Сообщение');
    await message.fill('Не приходит квитанция');
    expect(await message.inputValue()).to.equal('Не приходит квитанция');
    expect(await page.locator('gaskit-feedback').getAttribute('tenant')).to.equal('yug-gaz');
    expect(await defined(page, 'gaskit-pay')).to.equal(false);
    await close();
  });

  it('keeps a tenant set on the element, and leaves elements inside another widget to its client', async () => {
    const { page, close } = await open(
      '<gaskit-hint tenant="sever-gaz" text="а"></gaskit-hint><gaskit-portal><gaskit-hint text="б"></gaskit-hint></gaskit-portal>',
    );
    await page.locator('gaskit-portal').getByText('Вход в Личный кабинет').first().waitFor();
    expect(await page.locator('main > gaskit-hint').getAttribute('tenant')).to.equal('sever-gaz');
    expect(await page.locator('gaskit-portal').getAttribute('tenant')).to.equal('yug-gaz');
    expect(await page.locator('gaskit-portal > gaskit-hint').getAttribute('tenant')).to.equal(null);
    await close();
  });

  it('requests every chunk of the cabinet’s first screen from the loader itself (no chain deeper than loader → chunks), and no other section’s', async () => {
    const { page, scripts, close } = await open('<gaskit-portal></gaskit-portal>');
    await page.locator('gaskit-portal').getByText('Вход в Личный кабинет').first().waitFor();
    await page.waitForLoadState('networkidle');
    const chunks = scripts.filter((s) => s.url.startsWith('/v1/chunks/'));
    expect(chunks.length).to.be.greaterThan(10);
    const loader = `${server.baseUrl}/v1/gaskit.js`;
    expect(chunks.filter((s) => s.by !== loader)).to.deep.equal([]);
    // The sections beyond sign-in load when first shown, and the captcha when a form is filled.
    const later =
      /\/(?:register|account|charges|readings|pay|payment-history|settings|feedback|link-account|captcha[.-]\w*)-[\w-]{8}\.js$/;
    expect(chunks.filter((s) => later.test(s.url)).map((s) => s.url)).to.deep.equal([]);
    await close();
  });

  it('sends every file a page may load compressed: the loader, the SDK, a widget file and the elements manifest', async () => {
    for (const file of ['gaskit.js', 'sdk.js', 'widgets/feedback.js', 'custom-elements.json']) {
      const res = await fetch(`${server.baseUrl}/v1/${file}`, { headers: { 'Accept-Encoding': 'br' } });
      expect(res.status, file).to.equal(200);
      expect(res.headers.get('content-encoding'), file).to.equal('br');
    }
  });

  // The hosted portal loads the loader too: checked on the same server.
  describe('the hosted portal (/t/:tenant)', () => {
    it('allows no inline styles and renders its sections with no policy violation', async () => {
      const { context, page } = await newPage(browser);
      const violations = await recordViolations(page);
      const refused: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) refused.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      const response = await page.goto(`${server.baseUrl}/t/sever-gaz/login`);
      const policy = response!.headers()['content-security-policy'] ?? '';
      expect(policy).to.match(/(?:^|; )style-src 'self'(?:;|$)/);
      expect(policy).not.to.include("'unsafe-inline'");
      const portal = page.locator('gaskit-portal');
      await portal.locator('gaskit-login').locator('form').waitFor();
      for (const view of ['register', 'feedback']) {
        await portal.locator(`[part~="nav-link"][href$="/${view}"]`).click();
        await portal.locator(`gaskit-${view}`).locator('form').waitFor();
      }
      // The tenant's theme and the widgets' styles are applied: the sign-in button has the theme's colour.
      await portal.locator(`[part~="nav-link"][href$="/login"]`).click();
      const button = portal.locator('gaskit-login').locator('button[type="submit"]');
      expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).not.to.equal('rgba(0, 0, 0, 0)');
      expect(violations).to.deep.equal([]);
      // Nothing the page or the browser asks for is missing (the tab's icon included).
      expect(refused).to.deep.equal([]);
      await context.close();
    });

    it('says in Russian that a section could not be loaded, and shows it after "Повторить"', async () => {
      const { context, page } = await newPage(browser);
      const chunk = /\/v1\/chunks\/register-[\w-]{8}\.js$/;
      let failed = 0;
      await page.route(chunk, async (route) => {
        failed += 1;
        await route.abort('internetdisconnected');
      });
      await page.goto(`${server.baseUrl}/t/sever-gaz/login`);
      const portal = page.locator('gaskit-portal');
      await portal.locator('gaskit-login').locator('form').waitFor();
      await portal.locator('[part~="nav-link"][href$="/register"]').click();
      const error = portal.locator('[part="main"] [role="alert"]');
      await error.waitFor();
      expect((await error.textContent())!.trim()).to.equal('Нет связи с сервером. Проверьте подключение к интернету.');
      expect(failed).to.be.greaterThan(0);
      expect(await portal.locator('gaskit-register').count()).to.equal(0);

      await page.unroute(chunk);
      await portal.locator('[part="retry"]').click();
      // The form comes with its chunk, its texts a moment later (they load on their own).
      await portal.locator('gaskit-register').locator('form [part="title"]', { hasText: 'Регистрация' }).waitFor();
      expect(await portal.locator('[part="retry"]').count()).to.equal(0);
      await context.close();
    });
  });
});

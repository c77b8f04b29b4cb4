import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { cabinetWithAccounts, signInContext, type Cabinet } from './cabinet-api.ts';
import { screenshot } from './helpers.ts';
import { demo, newContext, type Demo } from './journey-demo.ts';

const SUPPLIERS = ['sever-gaz', 'yug-gaz', 'vostok-gaz'] as const;
const WIDTHS = [360, 320] as const;
const SITE_PAGES = ['index.html', 'cabinet.html', 'pay.html', 'readings.html', 'contacts.html'];

interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** Elements (in the page or any shadow root) wider than the viewport or reaching past its right edge. */
  wide: string[];
}

/**
 * In-page scripts are strings: the test runner's TypeScript transform names inner functions with
 * a helper the page does not have.
 */
const MEASURE = `(() => {
  const wide = [];
  const name = (el) => {
    const part = el.getAttribute('part');
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const host = el.getRootNode().host?.localName;
    return (host ? host + ' › ' : '') + el.localName + (part ? '[part=' + part + ']' : '') + cls;
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && (r.width > innerWidth + 0.5 || r.right > innerWidth + 0.5 || r.left < -0.5)) {
        wide.push(name(el) + ' (' + Math.round(r.left) + '…' + Math.round(r.right) + ')');
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide };
})()`;

const LOADED = `(() => {
  const loading = (root) =>
    [...root.querySelectorAll('*')].some(
      (el) => (el.getAttribute('role') === 'status' && el.textContent.includes('Загрузка')) || (el.shadowRoot && loading(el.shadowRoot)),
    );
  return !loading(document);
})()`;

/** What sticks out sideways: the page's own scroll width, and every element past the viewport's edges. */
function measure(page: Page): Promise<Overflow> {
  return page.evaluate(MEASURE) as Promise<Overflow>;
}

/** Waits until no widget shows "Загрузка…" and the layout has had two frames to settle. */
async function settle(page: Page): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await page.evaluate(LOADED))) {
    if (Date.now() > deadline) throw new Error('the page still shows "Загрузка…"');
    await page.waitForTimeout(100);
  }
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

/** Shows a route of the portal in place, as following one of its links does. */
async function show(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await settle(page);
}

/** Clicks every closed disclosure the selector finds (charge lines, accounts of the history, the chart's table). */
async function openAll(page: Page, selector: string): Promise<void> {
  const toggles = page.locator(selector);
  for (let i = 0; i < (await toggles.count()); i += 1) {
    const toggle = toggles.nth(i);
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  }
  await page
    .locator('gaskit-portal')
    .locator('details:not([open]) > summary')
    .evaluateAll((summaries) => {
      for (const s of summaries) (s as HTMLElement).click();
    });
  await settle(page);
}

/** Types a reading a little above the last one into each meter and asks for the review. */
async function reviewReadings(page: Page): Promise<void> {
  const readings = page.locator('gaskit-readings');
  const fields = readings.locator('gaskit-text-field input');
  const hints = readings.getByText(/Предыдущие показания: /);
  await hints.first().waitFor();
  for (let i = 0; i < (await fields.count()); i += 1) {
    const last = Number(/(\d+)/.exec(((await hints.nth(i).textContent()) ?? '').replace(/\s/g, ''))?.[1] ?? '0');
    await fields.nth(i).fill(String(last + 7));
  }
  await readings.getByRole('button', { name: 'Проверить показания' }).click();
  await readings.getByText('Проверьте показания').first().waitFor();
  await settle(page);
}

/**
 * An amount of one's own on the first account, then "Далее" to the card form. Typed, not left as
 * pre-filled: what is owed is the debt less what was paid and not yet booked, and the journeys pay
 * the sample bills' accounts in full, so the form may pre-fill nothing, which goes no further.
 */
async function toCardStep(page: Page): Promise<void> {
  const pay = page.locator('gaskit-pay');
  await pay.locator('gaskit-text-field[name="items.0.amount"] input').fill('100');
  await pay.getByRole('button', { name: 'Далее' }).click();
  await pay.getByLabel('Номер карты').waitFor();
  await settle(page);
}

interface Section {
  name: string;
  path: (c: Cabinet) => string;
  /** Opens what the section hides until asked, so the data-heavy parts are measured too. */
  open?: (page: Page) => Promise<void>;
}

const SIGNED_OUT: Section[] = [
  { name: 'login', path: () => '/login' },
  { name: 'register', path: () => '/register' },
  { name: 'feedback', path: () => '/feedback' },
];

const SIGNED_IN: Section[] = [
  { name: 'home', path: () => '/' },
  {
    name: 'summary',
    path: (c) => `/accounts/${c.accounts[0]!.id}`,
    open: (page) => openAll(page, 'gaskit-account [part="month-toggle"]'),
  },
  { name: 'summary-basic', path: (c) => `/accounts/${c.accounts[1]!.id}` },
  {
    name: 'charges',
    path: (c) => `/accounts/${c.accounts[0]!.id}/charges`,
    open: (page) => openAll(page, 'gaskit-charges [part="month-toggle"]'),
  },
  { name: 'readings', path: (c) => `/accounts/${c.accounts[0]!.id}/readings` },
  { name: 'readings-review', path: (c) => `/accounts/${c.accounts[0]!.id}/readings`, open: reviewReadings },
  { name: 'pay', path: () => '/pay' },
  { name: 'pay-card', path: () => '/pay', open: toCardStep },
  {
    name: 'payments',
    path: () => '/payments',
    open: (page) => openAll(page, 'gaskit-payment-history [part="account-toggle"]'),
  },
  { name: 'payments-account', path: (c) => `/accounts/${c.accounts[0]!.id}/payments` },
  { name: 'accounts', path: () => '/accounts' },
  { name: 'settings', path: () => '/settings' },
  { name: 'feedback-signed-in', path: () => '/feedback' },
  { name: 'not-found', path: () => '/no-such-section' },
];

describe('every portal page fits a 360 px and a 320 px phone without sideways scrolling', function () {
  this.timeout(300_000);
  let d: Demo;
  const cabinets = new Map<string, Cabinet>();

  before(async function () {
    this.timeout(300_000);
    d = await demo();
    for (const slug of SUPPLIERS) cabinets.set(slug, await cabinetWithAccounts(d, slug));
  });

  /** Each section at each width; the failures name the section, the width and the elements that stick out. */
  async function pass(
    slug: string,
    sections: Section[],
    { signedIn, vision }: { signedIn: boolean; vision: 'standard' | 'low' },
  ) {
    const cabinet = cabinets.get(slug)!;
    const { context, page } = await newContext(d.browser, { width: WIDTHS[0], height: 740 });
    const problems: string[] = [];
    try {
      if (signedIn) await signInContext(context, d, cabinet, { vision });
      else
        await context.addInitScript(
          ([key, prefs]) => localStorage.setItem(key!, prefs!),
          [`gaskit:preferences:${d.server.baseUrl}:${slug}`, JSON.stringify({ vision })],
        );
      const base = `/t/${slug}`;
      await page.goto(`${d.server.baseUrl}${base}${sections[0]!.path(cabinet)}`);
      await page.locator('gaskit-portal').locator('[part="view-title"]').waitFor({ state: 'attached' });
      await settle(page);
      for (const section of sections) {
        await page.setViewportSize({ width: WIDTHS[0], height: 740 });
        await show(page, `${base}${section.path(cabinet)}`);
        await section.open?.(page);
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 740 });
          await settle(page);
          const m = await measure(page);
          const label = `${slug} ${section.name} ${vision} at ${width} px`;
          if (m.scrollWidth > m.innerWidth || m.wide.length > 0) {
            problems.push(`${label}: page ${m.scrollWidth} px wide; ${m.wide.slice(0, 6).join('; ')}`);
            await screenshot(page, `narrow-${slug}-${section.name}-${vision}-${width}`);
          }
        }
      }
    } finally {
      await context.close();
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  }

  /** The supplier's own pages with the portal or single widgets, signed in. */
  async function sitePass(slug: string, vision: 'standard' | 'low') {
    const cabinet = cabinets.get(slug)!;
    const { context, page } = await newContext(d.browser, { width: WIDTHS[0], height: 740 });
    const problems: string[] = [];
    try {
      await signInContext(context, d, cabinet, { vision });
      for (const file of SITE_PAGES) {
        await page.setViewportSize({ width: WIDTHS[0], height: 740 });
        await page.goto(`${d.server.baseUrl}/examples/${slug}/${file}`);
        await page.waitForLoadState('networkidle');
        await settle(page);
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 740 });
          await settle(page);
          const m = await measure(page);
          if (m.scrollWidth > m.innerWidth || m.wide.length > 0) {
            problems.push(
              `${slug} ${file} ${vision} at ${width} px: page ${m.scrollWidth} px wide; ${m.wide.slice(0, 6).join('; ')}`,
            );
            await screenshot(page, `narrow-site-${slug}-${file}-${vision}-${width}`);
          }
        }
      }
    } finally {
      await context.close();
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  }

  for (const slug of SUPPLIERS) {
    it(`${slug}: the supplier's own pages with the cabinet and single widgets, standard and low vision`, async () => {
      await sitePass(slug, 'standard');
      await sitePass(slug, 'low');
    });

    it(`${slug}: the sign-in, registration and feedback pages, standard and low vision`, async () => {
      await pass(slug, SIGNED_OUT, { signedIn: false, vision: 'standard' });
      await pass(slug, SIGNED_OUT, { signedIn: false, vision: 'low' });
    });

    for (const vision of ['standard', 'low'] as const) {
      it(`${slug}: every section of a cabinet with two linked accounts, ${vision === 'low' ? 'low vision' : 'standard'}`, async () => {
        await pass(slug, SIGNED_IN, { signedIn: true, vision });
      });
    }
  }
});

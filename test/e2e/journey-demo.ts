/**
 * What the journey and example-site tests share: one demo server (with its database) and one
 * browser for the whole e2e run, the dev mailbox, the axe scan, and steps every journey takes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser, screenshot, startDemoServer, type DemoServer } from './helpers.ts';

export interface Demo {
  server: DemoServer;
  browser: Browser;
  /** The demo server's own database, for test set-up and for the numbers printed on sample bills. */
  db: Db;
}

let shared: Promise<{ demo: Demo; close: () => Promise<void> }> | undefined;

async function start(): Promise<{ demo: Demo; close: () => Promise<void> }> {
  const [server, browser] = await Promise.all([startDemoServer(), launchBrowser()]);
  const mongo = await MongoClient.connect(`mongodb://127.0.0.1:${server.proc.dbPort}/gaskit`);
  const db = mongo.db();
  // Readings are taken on any day of the month, so the journeys do not depend on the date they run.
  await db.collection('tenants').updateMany({}, { $set: { 'readings.windowStartDay': 1, 'readings.windowEndDay': 31 } });
  return {
    demo: { server, browser, db },
    close: async () => {
      await browser.close();
      await mongo.close();
      await server.stop();
    },
  };
}

/** The demo server and browser of this run, started on first use. */
export async function demo(): Promise<Demo> {
  shared ??= start();
  return (await shared).demo;
}

// A root hook: runs once, after every e2e file.
after(async function () {
  this.timeout(60_000);
  if (shared) await (await shared).close();
});

export async function newContext(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU' });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  return { context, page };
}

export const unique = (): string => randomBytes(4).toString('hex');

export interface DevMail {
  kind: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** The newest message to `to` in the dev mailbox that matches, waiting for it to arrive. */
export async function mailTo(
  server: DemoServer,
  to: string,
  match: (m: DevMail) => boolean,
  timeoutMs = 20_000,
): Promise<DevMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${server.baseUrl}/dev/mailbox.json?to=${encodeURIComponent(to)}`);
    const found = ((await res.json()) as DevMail[]).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching message to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function codeIn(text: string): string {
  const m = /(?:^|\s)(\d{6})(?=$|[\s.,])/m.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
}

export function linkIn(text: string, param: string): string {
  const m = new RegExp(`https?://\\S*[?&]${param}=\\S+`).exec(text);
  if (!m) throw new Error(`no link with ${param} in: ${text}`);
  return m[0];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe over the page, shadow roots included, and fails on serious or critical violations.
 * axe is evaluated through the browser's debugging protocol, so the page's CSP stays as served.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: any[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n: { target: string[] }) => n.target.join(' ')),
      }));
  });
  expect(violations as AxeViolation[], `${label}: ${JSON.stringify(violations, null, 1)}`).to.deep.equal([]);
}

/** Waits until a text shows inside a locator (shadow roots included). */
export async function see(scope: Locator | Page, text: string | RegExp, timeout = 20_000): Promise<void> {
  await scope.getByText(text).first().waitFor({ timeout });
}

/** A portal page as a person leaves it: a screenshot kept as an artifact, then the axe scan. */
export async function checkpoint(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expectAccessible(page, name);
}

/** Follows a link of the portal's menu (opening the menu first on a phone). */
export async function openSection(page: Page, name: string): Promise<void> {
  const portal = page.locator('gaskit-portal');
  const menu = portal.locator('[part="menu-button"]');
  if (await menu.isVisible()) {
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  }
  await portal.locator('[part="nav-link"]', { hasText: name }).first().click();
}

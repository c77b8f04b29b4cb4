/* global document, customElements */
/**
 * What the widgets cost a supplier's visitors: JavaScript bytes on the wire in Chromium (through
 * its DevTools protocol: `encodedDataLength`, the compressed bodies; response headers are listed
 * apart, as HTTP/2 in production compresses them across requests), loading the demo sites' pages
 * from a demo server that sends the files as it does in production (precompressed, brotli when the
 * browser accepts it). A page counts every script it requested once its widget shows its form and
 * the network has been idle for half a second. Budgets (1 KB = 1000 bytes) apply to the widgets'
 * bytes: the loader and what it loaded; the demo site's own site.js and the SDK parts only it
 * imports are listed beside them:
 *   - the loader (/v1/gaskit.js, dist/gaskit.js) ≤ 3 KB, the core chunk ≤ 28 KB;
 *   - a page with one widget (contacts.html, the feedback form) ≤ 35 KB;
 *   - each further widget added to that page ≤ 8 KB more (every widget tried on its own);
 *   - the whole cabinet (cabinet.html, gaskit-portal) ≤ 70 KB;
 *   - a second page of the same site (pay.html after contacts.html, the core cached) ≤ 8 KB.
 * Also reported: requests per page and the deepest chain of scripts a script requested
 * (loader → chunks is 2). Builds first when an output is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';

const KB = 1000;
const BUDGETS = { loader: 3 * KB, core: 28 * KB, page: 35 * KB, further: 8 * KB, cabinet: 70 * KB, second: 8 * KB };
const SITE = 'sever-gaz';
/** Where the demo sites load the widgets from: the loader's versioned path. */
const WIDGETS = '/v1/';

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function ensureBuilt(root) {
  const outputs = [join(root, 'dist', 'gaskit.js'), join(root, 'dist', 'sdk.js')];
  const sources = [...files(join(root, 'sdk')), ...files(join(root, 'widgets')), join(root, 'rollup.config.mjs')];
  const newest = Math.max(...sources.map((path) => statSync(path).mtimeMs));
  if (outputs.every(existsSync) && Math.min(...outputs.map((path) => statSync(path).mtimeMs)) >= newest) return;
  console.log('Building dist/ (missing or older than the sources)…');
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error(`rollup -c failed with status ${build.status}`);
}

/**
 * Records every script a page requests: URL, bytes on the wire, whether the cache answered, and
 * which script asked for it (for the depth of the chain).
 */
async function recorder(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', ({ requestId, request, initiator, type }) => {
    if (type !== 'Script') return;
    const by = initiator.url ?? initiator.stack?.callFrames?.[0]?.url;
    requests.set(requestId, { url: request.url, by, bytes: 0, headers: 0, cached: false });
  });
  cdp.on('Network.requestServedFromCache', ({ requestId }) => {
    const r = requests.get(requestId);
    if (r) r.cached = true;
  });
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const r = requests.get(requestId);
    if (!r) return;
    if (response.fromDiskCache || response.fromPrefetchCache) r.cached = true;
    r.headers = response.encodedDataLength;
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = requests.get(requestId);
    if (r && !r.cached) Object.assign(r, { bytes: encodedDataLength - (r.headers ?? 0), headers: r.headers ?? 0 });
  });
  return {
    /** The requests since the last call. */
    take() {
      const taken = [...requests.values()];
      requests.clear();
      return taken;
    },
  };
}

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
}

/**
 * Sums a set of script requests. The widgets' bytes are what the loader brought (and what that
 * loaded); the site's own are its scripts and what only they asked for (site.js imports the SDK).
 */
function summarize(requests) {
  const fetched = requests.filter((r) => !r.cached);
  const parentOf = (r) => requests.find((p) => p.url === r.by);
  const chain = (r, seen = new Set()) => {
    const parent = parentOf(r);
    if (!parent || seen.has(parent)) return [r];
    seen.add(parent);
    return [r, ...chain(parent, seen)];
  };
  const widgets = fetched.filter((r) => {
    const root = chain(r).at(-1);
    return new URL(root.url).pathname.startsWith(WIDGETS);
  });
  const sum = (list, key = 'bytes') => list.reduce((total, r) => total + r[key], 0);
  return {
    gaskit: sum(widgets),
    site: sum(fetched) - sum(widgets),
    headers: sum(fetched, 'headers'),
    requests: fetched.length,
    cached: requests.length - fetched.length,
    depth: Math.max(0, ...widgets.map((r) => chain(r).length)),
    byFile: new Map(widgets.map((r) => [new URL(r.url).pathname, r.bytes])),
  };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;
const verdict = (bytes, budget) =>
  bytes <= budget ? `pass (${kb(budget - bytes)} left)` : `**fail** (${kb(bytes - budget)} over)`;

export default async function bundleBench({ root }) {
  ensureBuilt(root);
  const dir = mkdtempSync(join(os.tmpdir(), 'gaskit-bench-bundle-'));
  const unregister = register();
  let server;
  let browser;
  try {
    const { spawnServer } = await import(pathToFileURL(join(root, 'test', 'helpers', 'process.ts')).href);
    server = await spawnServer({ GASKIT_DATA_DIR: join(dir, 'data'), GASKIT_DEMO: '1' });
    const base = `http://127.0.0.1:${server.port}/examples/${SITE}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });

    /** Opens a page in a fresh context (empty cache), waits for `ready`, returns its requests. */
    const visit = async (path, ready, context) => {
      const ctx = context ?? (await browser.newContext({ locale: 'ru-RU' }));
      const page = await ctx.newPage();
      const record = await recorder(ctx, page);
      await page.goto(`${base}/${path}`);
      await ready(page);
      await settle(page);
      return { ctx, page, record, first: record.take() };
    };
    const feedbackReady = (page) => page.locator('gaskit-feedback').getByLabel('Сообщение').waitFor();

    const one = await visit('contacts.html', feedbackReady);
    const onePage = summarize(one.first);
    const loader = onePage.byFile.get(`${WIDGETS}gaskit.js`) ?? 0;
    const coreFile = [...onePage.byFile.keys()].find((path) => /\/chunks\/core-/.test(path));
    const core = onePage.byFile.get(coreFile) ?? 0;

    // The second page of the same site, in the same context: what is cached is not fetched again.
    const secondPage = await one.ctx.newPage();
    const secondRecord = await recorder(one.ctx, secondPage);
    await secondPage.goto(`${base}/pay.html`);
    await secondPage.locator('gaskit-login').getByRole('button', { name: 'Войти' }).first().waitFor();
    await settle(secondPage);
    const second = summarize(secondRecord.take());
    await one.ctx.close();

    const further = [];
    const tags = [
      'hint',
      'login',
      'register',
      'link-account',
      'account',
      'charges',
      'readings',
      'pay',
      'payment-history',
      'settings',
    ];
    for (const tag of tags) {
      console.log(`  gaskit-${tag} added to contacts.html`);
      const visited = await visit('contacts.html', feedbackReady);
      await visited.page.evaluate((name) => {
        document.querySelector('main').append(document.createElement(`gaskit-${name}`));
      }, tag);
      await visited.page.waitForFunction((name) => customElements.get(`gaskit-${name}`) !== undefined, tag);
      await settle(visited.page);
      further.push({ tag, ...summarize(visited.record.take()) });
      await visited.ctx.close();
    }

    const cabinetVisit = await visit('cabinet.html', (page) =>
      page.locator('gaskit-portal').getByText('Вход в Личный кабинет').first().waitFor(),
    );
    const cabinet = summarize(cabinetVisit.first);
    await cabinetVisit.ctx.close();

    const rows = [
      ['The loader, `/v1/gaskit.js`', loader, '—', '—', BUDGETS.loader],
      [`The core chunk, \`${coreFile}\``, core, '—', '—', BUDGETS.core],
      ['A page with one widget: `contacts.html` (`gaskit-feedback`)', onePage.gaskit, onePage.site, onePage, BUDGETS.page],
      ['The whole cabinet: `cabinet.html` (`gaskit-portal`)', cabinet.gaskit, cabinet.site, cabinet, BUDGETS.cabinet],
      ['A second page: `pay.html` (`gaskit-login`) after `contacts.html`', second.gaskit, second.site, second, BUDGETS.second],
      ...further.map((f) => [`\`gaskit-${f.tag}\` added to \`contacts.html\``, f.gaskit, f.site, f, BUDGETS.further]),
    ];
    const ok = rows.every(([, bytes, , , budget]) => bytes <= budget);
    const lines = [
      `Reproduce with \`node bench/run.mjs bundle\` (Node ${process.version}, Chromium through playwright-core, a demo server; JavaScript bytes on the wire: compressed bodies, response headers apart, 1 KB = 1000 bytes; the demo site ${SITE}).`,
      '',
      '| What | Widgets | The site’s own scripts | Response headers | Requests (cached) | Deepest chain | Budget | Result |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows.map(([what, bytes, site, summary, budget]) => {
        const cells = [
          what,
          kb(bytes),
          typeof site === 'number' ? kb(site) : site,
          typeof summary === 'object' ? kb(summary.headers) : '—',
          typeof summary === 'object' ? `${summary.requests} (${summary.cached})` : '—',
          typeof summary === 'object' ? String(summary.depth) : '—',
          `≤ ${kb(budget)}`,
          verdict(bytes, budget),
        ];
        return `| ${cells.join(' | ')} |`;
      }),
    ];
    return { id: 'bundle', title: 'Bundle size', markdown: lines.join('\n'), ok };
  } finally {
    await browser?.close();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}

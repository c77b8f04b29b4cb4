/* global document, customElements */
/**
 * What the widgets cost a supplier's visitors: bytes on the wire in Chromium (through its DevTools
 * protocol: `encodedDataLength`, the compressed bodies; response headers are listed apart, as
 * HTTP/2 in production compresses them across requests), loading the demo sites' pages from a demo
 * server that sends everything as it does in production (widget files precompressed, API answers
 * compressed on the fly, brotli when the browser accepts it). A page counts everything it
 * downloaded once its widget shows its form and the network has been idle for half a second: the
 * scripts, and the API answers its scripts fetched (config, texts, FAQ, theme). Budgets
 * (1 KB = 1000 bytes) apply to the widgets' bytes, scripts and answers together: the loader, what
 * it loaded and what those fetched; the demo site's own site.js and the SDK parts only it imports
 * are listed beside them:
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

/** The script that made a request: the initiator's URL, else the first script on its (async) stack. */
function initiatorUrl(initiator) {
  if (initiator.url) return initiator.url;
  for (let stack = initiator.stack; stack; stack = stack.parent) {
    const frame = stack.callFrames.find((f) => f.url);
    if (frame) return frame.url;
  }
  return undefined;
}

/**
 * Records every script a page requests and every API answer a script fetches: URL, kind, bytes on
 * the wire, whether the cache answered, and which script asked for it (for the depth of the chain
 * and to tell the widgets' requests from the site's).
 */
async function recorder(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', ({ requestId, request, initiator, type }) => {
    const api = new URL(request.url).pathname.startsWith('/api/');
    if (type !== 'Script' && !(api && ['Fetch', 'XHR', 'Stylesheet'].includes(type))) return;
    requests.set(requestId, {
      url: request.url,
      kind: type === 'Script' ? 'script' : 'answer',
      by: initiatorUrl(initiator),
      bytes: 0,
      headers: 0,
      cached: false,
    });
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
 * Sums a page's requests. The widgets' bytes are what the loader brought, what that loaded and
 * what those fetched; the site's own are its scripts and what only they asked for (site.js imports
 * the SDK). The chain's depth counts scripts only.
 */
function summarize(requests) {
  const fetched = requests.filter((r) => !r.cached);
  const scripts = requests.filter((r) => r.kind === 'script');
  const parentOf = (r) => scripts.find((p) => p.url === r.by);
  const chain = (r, seen = new Set()) => {
    const parent = parentOf(r);
    if (!parent || seen.has(parent)) return [r];
    seen.add(parent);
    return [r, ...chain(parent, seen)];
  };
  // The root of a chain is the first request of this page, or one a script loaded before asked for
  // (a widget added to a page: the core chunk fetches its texts); an answer whose script is not
  // known is counted as the widgets'.
  const ofWidgets = (url) => new URL(url).pathname.startsWith(WIDGETS);
  const widgets = fetched.filter((r) => {
    const root = chain(r).at(-1);
    return ofWidgets(root.url) || (root.by ? ofWidgets(root.by) : root.kind === 'answer');
  });
  const sum = (list, key = 'bytes') => list.reduce((total, r) => total + r[key], 0);
  const ofKind = (list, kind) => list.filter((r) => r.kind === kind);
  const scriptBytes = sum(ofKind(widgets, 'script'));
  const answerBytes = sum(ofKind(widgets, 'answer'));
  const path = (r) => {
    const url = new URL(r.url);
    return `${url.pathname.replace(/^\/api\/v1\/t\/[^/]+\//, '')}${decodeURIComponent(url.search)}`;
  };
  return {
    gaskit: scriptBytes + answerBytes,
    scripts: scriptBytes,
    answers: answerBytes,
    site: sum(fetched) - sum(widgets),
    headers: sum(fetched, 'headers'),
    requests: fetched.length,
    cached: requests.length - fetched.length,
    depth: Math.max(0, ...ofKind(widgets, 'script').map((r) => chain(r).length)),
    byFile: new Map(ofKind(widgets, 'script').map((r) => [new URL(r.url).pathname, r.bytes])),
    byAnswer: ofKind(widgets, 'answer').map((r) => [path(r), r.bytes]),
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
      ['The loader, `/v1/gaskit.js`', loader, BUDGETS.loader],
      [`The core chunk, \`${coreFile}\``, core, BUDGETS.core],
      ['A page with one widget: `contacts.html` (`gaskit-feedback`)', onePage, BUDGETS.page],
      ['The whole cabinet: `cabinet.html` (`gaskit-portal`)', cabinet, BUDGETS.cabinet],
      ['A second page: `pay.html` (`gaskit-login`, `gaskit-pay`) after `contacts.html`', second, BUDGETS.second],
      ...further.map((f) => [`\`gaskit-${f.tag}\` added to \`contacts.html\``, f, BUDGETS.further]),
    ];
    const counted = (measured) => (typeof measured === 'number' ? measured : measured.gaskit);
    const ok = rows.every(([, measured, budget]) => counted(measured) <= budget);
    const answersOf = (summary) =>
      summary.byAnswer.length ? summary.byAnswer.map(([path, bytes]) => `\`${path}\` ${kb(bytes)}`).join(', ') : 'none';
    const lines = [
      `Reproduce with \`node bench/run.mjs bundle\` (Node ${process.version}, Chromium through playwright-core, a demo server; bytes on the wire: compressed bodies, response headers apart, 1 KB = 1000 bytes; the demo site ${SITE}). The budget counts the widgets' scripts and the API answers they fetched before the widget was interactive (config, texts, FAQ), both as served.`,
      '',
      '| What | Counted | Widget scripts | API answers | The site’s own scripts | Response headers | Requests (cached) | Deepest chain | Budget | Result |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows.map(([what, measured, budget]) => {
        const summary = typeof measured === 'object' ? measured : undefined;
        const cells = [
          what,
          kb(counted(measured)),
          kb(summary ? summary.scripts : measured),
          summary ? kb(summary.answers) : '—',
          summary ? kb(summary.site) : '—',
          summary ? kb(summary.headers) : '—',
          summary ? `${summary.requests} (${summary.cached})` : '—',
          summary ? String(summary.depth) : '—',
          `≤ ${kb(budget)}`,
          verdict(counted(measured), budget),
        ];
        return `| ${cells.join(' | ')} |`;
      }),
      '',
      'The API answers, compressed as served:',
      '',
      `- \`contacts.html\`: ${answersOf(onePage)};`,
      `- \`cabinet.html\`: ${answersOf(cabinet)};`,
      `- \`pay.html\` after \`contacts.html\`: ${answersOf(second)};`,
      ...further.map((f) => `- \`gaskit-${f.tag}\` added: ${answersOf(f)};`),
    ];
    lines[lines.length - 1] = lines[lines.length - 1].replace(/;$/, '.');
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

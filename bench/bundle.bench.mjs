/**
 * Bundle size: gzip (level 9) of dist/gaskit.js, each dist/widgets/<name>.js
 * and dist/sdk.js, against the budgets (1 KB = 1000 bytes):
 *   - a page embedding one widget loads dist/widgets/<name>.js: ≤ 35 KB;
 *   - all widgets together, dist/gaskit.js: ≤ 80 KB; so is dist/widgets/portal.js, the whole
 *     cabinet composed of every widget (it is "all widgets", not one).
 * Lazily loaded chunks (dist/widgets/lazy/: altcha, Stripe.js) load only when
 * used and are listed apart. Builds first when an output is missing or older
 * than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const KB = 1000;
const WIDGET_BUDGET = 35 * KB;
const ALL_BUDGET = 80 * KB;

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function newestMtime(paths) {
  return Math.max(...paths.map((path) => statSync(path).mtimeMs));
}

/** Widget folders, found as rollup.config.mjs finds them. */
function widgetNames(root) {
  return readdirSync(join(root, 'widgets'), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && entry.name !== 'shared' && existsSync(join(root, 'widgets', entry.name, 'define.ts')),
    )
    .map((entry) => entry.name)
    .sort();
}

function ensureBuilt(root, outputs) {
  const sources = [
    ...files(join(root, 'sdk')),
    ...files(join(root, 'widgets')),
    join(root, 'rollup.config.mjs'),
    join(root, 'package-lock.json'),
  ];
  const fresh = outputs.every(existsSync) && Math.min(...outputs.map((path) => statSync(path).mtimeMs)) >= newestMtime(sources);
  if (fresh) return;
  console.log('Building dist/ (missing or older than the sources)…');
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error(`rollup -c failed with status ${build.status}`);
}

function measure(root, path) {
  const source = readFileSync(path);
  return { file: relative(root, path), raw: source.length, gzip: gzipSync(source, { level: 9 }).length };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;
/** A margin to the budget: bytes when it is too small to show in tenths of a KB. */
const margin = (bytes) => (bytes < 50 ? `${bytes} bytes` : kb(bytes));

function verdict({ gzip, budget }) {
  if (budget === undefined) return '—';
  return gzip <= budget ? `pass (${margin(budget - gzip)} left)` : `**fail** (${margin(gzip - budget)} over)`;
}

export default async function bundleBench({ root }) {
  const widgetFiles = widgetNames(root).map((name) => join(root, 'dist', 'widgets', `${name}.js`));
  ensureBuilt(root, [join(root, 'dist', 'gaskit.js'), join(root, 'dist', 'sdk.js'), ...widgetFiles]);
  const lazy = files(join(root, 'dist', 'widgets', 'lazy')).filter((path) => path.endsWith('.js'));

  const rows = [
    ...widgetFiles.map((path) =>
      path.endsWith(`${sep}portal.js`)
        ? { ...measure(root, path), budget: ALL_BUDGET, what: 'the whole cabinet (every widget)' }
        : { ...measure(root, path), budget: WIDGET_BUDGET, what: 'one widget on a page' },
    ),
    { ...measure(root, join(root, 'dist', 'gaskit.js')), budget: ALL_BUDGET, what: 'all widgets' },
    { ...measure(root, join(root, 'dist', 'sdk.js')), budget: undefined, what: 'SDK alone' },
  ];
  const ok = rows.every((row) => row.budget === undefined || row.gzip <= row.budget);

  const lines = [
    `Reproduce with \`npm run bench\` (Node ${process.version}, gzip level 9, 1 KB = 1000 bytes).`,
    '',
    '| File | Loaded for | Minified | Gzipped | Budget | Result |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map((row) => {
      const cells = [
        `\`${row.file}\``,
        row.what,
        kb(row.raw),
        kb(row.gzip),
        row.budget === undefined ? '—' : `≤ ${kb(row.budget)}`,
        verdict(row),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  if (lazy.length > 0) {
    lines.push('', 'Loaded on demand only (not counted in the budgets):', '');
    for (const path of lazy) {
      const row = measure(root, path);
      lines.push(`- \`${row.file}\`: ${kb(row.gzip)} gzipped`);
    }
  }
  return { id: 'bundle', title: 'Bundle size', markdown: lines.join('\n'), ok };
}

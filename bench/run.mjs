/**
 * Runs the benchmarks and records their results in docs/benchmarks.md.
 *
 *   node bench/run.mjs            every bench/*.bench.mjs, in name order
 *   node bench/run.mjs bundle     only bench/bundle.bench.mjs
 *
 * A bench module default-exports `async ({ root }) => ({ id, title, markdown, ok })`:
 * `markdown` replaces the text between `<!-- bench:<id>:start -->` and
 * `<!-- bench:<id>:end -->` in docs/benchmarks.md (a `## <title>` section with
 * those markers is appended when missing). A bench that throws, or returns
 * `ok: false` (a budget missed), makes this script exit with status 1 after
 * all benches ran; a bench that throws leaves its section as it was.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'bench');
const docPath = join(root, 'docs', 'benchmarks.md');

const wanted = process.argv.slice(2);
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.mjs'))
  .sort()
  .map((file) => ({ name: file.slice(0, -'.bench.mjs'.length), file }));
const unknown = wanted.filter((name) => !available.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(', ')}. Available: ${available.map((bench) => bench.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? available.filter((bench) => wanted.includes(bench.name)) : available;

function writeSection(doc, { id, title, markdown }) {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const body = `${start}\n${markdown.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from !== -1 && to > from) return doc.slice(0, from) + body + doc.slice(to + end.length);
  return `${doc.trimEnd()}\n\n## ${title}\n\n${body}\n`;
}

let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
let failed = false;
for (const { name, file } of selected) {
  console.log(`\n▶ ${name}`);
  const { default: bench } = await import(pathToFileURL(join(benchDir, file)).href);
  let result;
  try {
    result = await bench({ root });
  } catch (error) {
    failed = true;
    console.error(`✗ ${name}: ${error instanceof Error ? error.message : error}`);
    continue;
  }
  console.log(result.markdown.trim());
  doc = writeSection(doc, result);
  // Formatted as the repository's Prettier config wants, so `npm run lint` stays green.
  doc = await prettier.format(doc, { ...(await prettier.resolveConfig(docPath)), filepath: docPath });
  writeFileSync(docPath, doc);
  if (!result.ok) {
    failed = true;
    console.error(`✗ ${name}: over budget`);
  }
}
process.exit(failed ? 1 : 0);

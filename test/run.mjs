// Runs every test runner in turn and ends with one line "N passed, M failed" summed over all of them.
// Exit code is non-zero when any test failed or any runner did not report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const only = process.argv.slice(2);
const runners = [
  { name: 'server+sdk (mocha)', cmd: ['npx', 'mocha', 'test/server/**/*.test.ts', 'test/sdk/**/*.test.ts'] },
  { name: 'widgets (web-test-runner)', cmd: ['npx', 'web-test-runner'] },
  { name: 'build', cmd: ['npm', 'run', 'build', '--silent'], counts: false },
  { name: 'e2e (playwright-core)', cmd: ['npx', 'mocha', '--config', 'test/e2e/.mocharc.json', 'test/e2e/**/*.test.ts'] },
].filter((r) => only.length === 0 || only.some((o) => r.name.startsWith(o)));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gaskit-counts-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
const slowest = [];

for (const [i, runner] of runners.entries()) {
  const countsFile = path.join(tmp, `${i}.json`);
  console.log(`\n=== ${runner.name} ===`);
  const started = Date.now();
  const res = spawnSync(runner.cmd[0], runner.cmd.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, GASKIT_COUNTS_FILE: countsFile },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (runner.counts === false) {
    if (res.status !== 0) {
      failed += 1;
      problems.push(`${runner.name} failed (exit ${res.status})`);
    }
    console.log(`=== ${runner.name}: exit ${res.status} in ${seconds}s ===`);
    continue;
  }
  if (!existsSync(countsFile)) {
    failed += 1;
    problems.push(`${runner.name} reported no counts (exit ${res.status})`);
    continue;
  }
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped ?? 0;
  for (const f of c.failures ?? []) problems.push(`${runner.name}: ${f}`);
  if (res.status !== 0 && c.failed === 0) {
    failed += 1;
    problems.push(`${runner.name} exited ${res.status} with no failed test`);
  }
  console.log(`=== ${runner.name}: ${c.passed} passed, ${c.failed} failed in ${seconds}s ===`);
  if (c.slowest?.length) slowest.push(`${runner.name}: ${c.slowest.join(', ')}`);
}
rmSync(tmp, { recursive: true, force: true });

for (const s of slowest) console.log(`slowest files, ${s}`);
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

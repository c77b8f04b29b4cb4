// Runs the static checks (lint, typecheck, docs drift; side by side, one core each) and then every
// test runner in turn, and ends with one line "N passed, M failed" summed over all of them, where a
// failed check counts as one failure. Exit code is non-zero when any check or test failed or any
// runner did not report.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const only = process.argv.slice(2);
const selected = (name) => only.length === 0 || only.some((o) => name.startsWith(o));
const checks = [
  { name: 'lint', cmd: ['npm', 'run', 'lint', '--silent'] },
  { name: 'typecheck', cmd: ['npm', 'run', 'typecheck', '--silent'] },
  { name: 'docs drift', cmd: ['node', '--import', 'tsx', 'docs/reference.ts', '--check'] },
].filter((c) => selected(c.name));
const runners = [
  { name: 'server+sdk (mocha)', cmd: ['npx', 'mocha', 'test/server/**/*.test.ts', 'test/sdk/**/*.test.ts'] },
  { name: 'widgets (web-test-runner)', cmd: ['npx', 'web-test-runner'] },
  { name: 'build', cmd: ['npm', 'run', 'build', '--silent'], counts: false },
  { name: 'e2e (playwright-core)', cmd: ['npx', 'mocha', '--config', 'test/e2e/.mocharc.json', 'test/e2e/**/*.test.ts'] },
].filter((r) => selected(r.name));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gaskit-counts-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
const slowest = [];

/** Runs one check with its output held back, so that checks running side by side print one after the other. */
function check({ name, cmd }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ name, code, output, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  });
}

for (const { name, code, output, seconds } of await Promise.all(checks.map(check))) {
  console.log(`\n=== ${name} ===`);
  if (output.trim()) console.log(output.trimEnd());
  if (code !== 0) {
    failed += 1;
    problems.push(`${name} failed (exit ${code})`);
  }
  console.log(`=== ${name}: exit ${code} in ${seconds}s ===`);
}

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

// Runs the static checks (lint, typecheck, docs drift; side by side) and then every test runner,
// and ends with one line "N passed, M failed" summed over all of them, where a failed check counts
// as one failure. Exit code is non-zero when any check or test failed or any runner did not report.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Server test files that start servers of their own as processes and mostly wait on them (start-up,
 * leases, kills and restarts): they run in a second mocha beside the rest of the server tests, so
 * their waiting overlaps the other tests' work instead of adding to it.
 */
const processFiles = [
  'test/server/lifecycle.test.ts',
  'test/server/cli.test.ts',
  'test/server/multi-instance.test.ts',
  'test/server/proxy.test.ts',
  'test/server/migrate.test.ts',
];

const only = process.argv.slice(2);
const selected = (name) => only.length === 0 || only.some((o) => name.startsWith(o));
const checks = [
  { name: 'lint', cmd: ['npm', 'run', 'lint', '--silent'] },
  { name: 'typecheck', cmd: ['npm', 'run', 'typecheck', '--silent'] },
  { name: 'docs drift', cmd: ['node', '--import', 'tsx', 'docs/reference.ts', '--check'] },
].filter((c) => selected(c.name));
const runners = [
  {
    name: 'server processes (mocha)',
    cmd: ['npx', 'mocha', ...processFiles],
    beside: true,
  },
  {
    name: 'server+sdk (mocha)',
    cmd: ['npx', 'mocha', ...processFiles.flatMap((f) => ['--ignore', f]), 'test/server/**/*.test.ts', 'test/sdk/**/*.test.ts'],
  },
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

/**
 * Runs a command with its output held back, so that commands running side by side print one after
 * the other; resolves with its exit code, output and wall time.
 */
function heldBack(cmd, env = process.env) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const checked = await Promise.all(checks.map(async (c) => ({ name: c.name, ...(await heldBack(c.cmd)) })));
for (const { name, code, output, seconds } of checked) {
  console.log(`\n=== ${name} ===`);
  if (output.trim()) console.log(output.trimEnd());
  if (code !== 0) {
    failed += 1;
    problems.push(`${name} failed (exit ${code})`);
  }
  console.log(`=== ${name}: exit ${code} in ${seconds.toFixed(1)}s ===`);
}

// A runner marked `beside` starts after the checks and runs while the others run in turn; its output
// is held back and shown, with its counts, once it ends after them.
const besides = runners
  .map((runner, i) => ({ runner, i }))
  .filter(({ runner }) => runner.beside)
  .map(({ runner, i }) => ({
    runner,
    i,
    ended: heldBack(runner.cmd, { ...process.env, GASKIT_COUNTS_FILE: path.join(tmp, `${i}.json`) }),
  }));
const inTurn = runners.map((runner, i) => ({ runner, i })).filter(({ runner }) => !runner.beside);

for (const { runner, i } of inTurn) {
  console.log(`\n=== ${runner.name} ===`);
  const started = Date.now();
  // Spawned, not spawnSync: the event loop keeps running, so a runner beside this one is timed when it ends.
  const child = spawn(runner.cmd[0], runner.cmd.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, GASKIT_COUNTS_FILE: path.join(tmp, `${i}.json`) },
  });
  const status = await new Promise((resolve) => child.once('exit', resolve));
  report(runner, i, status, (Date.now() - started) / 1000);
}
for (const { runner, i, ended } of besides) {
  const { code, output, seconds } = await ended;
  console.log(`\n=== ${runner.name} (ran beside the others) ===`);
  process.stdout.write(output);
  report(runner, i, code, seconds);
}
rmSync(tmp, { recursive: true, force: true });

/** Adds one runner's counts (from its GASKIT_COUNTS_FILE) to the totals and prints its line. */
function report(runner, i, status, wallSeconds) {
  const countsFile = path.join(tmp, `${i}.json`);
  const seconds = wallSeconds.toFixed(1);
  if (runner.counts === false) {
    if (status !== 0) {
      failed += 1;
      problems.push(`${runner.name} failed (exit ${status})`);
    }
    console.log(`=== ${runner.name}: exit ${status} in ${seconds}s ===`);
    return;
  }
  if (!existsSync(countsFile)) {
    failed += 1;
    problems.push(`${runner.name} reported no counts (exit ${status})`);
    return;
  }
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped ?? 0;
  for (const f of c.failures ?? []) problems.push(`${runner.name}: ${f}`);
  if (status !== 0 && c.failed === 0) {
    failed += 1;
    problems.push(`${runner.name} exited ${status} with no failed test`);
  }
  console.log(`=== ${runner.name}: ${c.passed} passed, ${c.failed} failed in ${seconds}s ===`);
  if (c.slowest?.length) slowest.push(`${runner.name}: ${c.slowest.join(', ')}`);
}

for (const s of slowest) console.log(`slowest files, ${s}`);
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

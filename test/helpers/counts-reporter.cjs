'use strict';
// Mocha's spec reporter that also writes { passed, failed, skipped, failures, slowest } to
// GASKIT_COUNTS_FILE, so test/run.mjs can sum every runner into one "N passed, M failed" line and
// repeat just above it what failed and which files took longest (CI keeps only the end of a long log).
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_TEST_FAIL, EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;

class CountsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    const fileMs = new Map();
    const where = (runnable) => (runnable.file ? path.relative(process.cwd(), runnable.file) : '?');
    const time = (runnable) => {
      if (!runnable.file || typeof runnable.duration !== 'number') return;
      fileMs.set(where(runnable), (fileMs.get(where(runnable)) ?? 0) + runnable.duration);
    };
    runner.on(EVENT_TEST_END, time);
    runner.on(EVENT_HOOK_END, time);
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const message = String((err && err.message) || err)
        .split('\n')[0]
        .slice(0, 300);
      failures.push(`${test.fullTitle()} (${where(test)}): ${message}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.GASKIT_COUNTS_FILE;
      if (!file) return;
      const s = runner.stats || {};
      const slowest = [...fileMs]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)}s`);
      fs.writeFileSync(
        file,
        JSON.stringify({ passed: s.passes || 0, failed: s.failures || 0, skipped: s.pending || 0, failures, slowest }),
      );
    });
  }
}
module.exports = CountsReporter;

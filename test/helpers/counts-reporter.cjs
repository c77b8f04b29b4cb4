'use strict';
// Mocha's spec reporter that also writes { passed, failed, skipped } to GASKIT_COUNTS_FILE,
// so test/run.mjs can sum every runner into one "N passed, M failed" line.
const fs = require('node:fs');
const Mocha = require('mocha');

class CountsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.GASKIT_COUNTS_FILE;
      if (!file) return;
      const s = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes || 0, failed: s.failures || 0, skipped: s.pending || 0 }));
    });
  }
}
module.exports = CountsReporter;

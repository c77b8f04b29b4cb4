import { writeFileSync } from 'node:fs';

function countSuite(suite, counts) {
  for (const test of suite.tests) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else counts.failed += 1;
  }
  for (const child of suite.suites) countSuite(child, counts);
}

/**
 * A web-test-runner reporter that writes `{ passed, failed, skipped }` as JSON
 * to `file` when the run stops. A test file that failed to load or run
 * outside any test (no results, or errors in the session) counts as one
 * failure, so a broken file can never look green.
 */
export function countsReporter({ file }) {
  return {
    stop({ sessions }) {
      if (!file) return;
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        if (session.testResults) countSuite(session.testResults, counts);
        if (!session.testResults || session.errors.length > 0) counts.failed += 1;
      }
      writeFileSync(file, `${JSON.stringify(counts)}\n`);
    },
  };
}

import { writeFileSync } from 'node:fs';

function countSuite(suite, counts, file, titles = []) {
  const path = suite.name ? [...titles, suite.name] : titles;
  for (const test of suite.tests) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else {
      counts.failed += 1;
      counts.failures.push(`${[...path, test.name].join(' ')} (${file}): ${String(test.error?.message ?? '').split('\n')[0]}`);
    }
  }
  for (const child of suite.suites) countSuite(child, counts, file, path);
}

/**
 * A web-test-runner reporter that writes `{ passed, failed, skipped, failures }` as JSON
 * to `file` when the run stops. A test file that failed to load or run
 * outside any test (no results, or errors in the session) counts as one
 * failure, so a broken file can never look green.
 */
export function countsReporter({ file }) {
  return {
    stop({ sessions }) {
      if (!file) return;
      const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
      for (const session of sessions) {
        if (session.testResults) countSuite(session.testResults, counts, session.testFile);
        if (!session.testResults || session.errors.length > 0) {
          counts.failed += 1;
          counts.failures.push(`${session.testFile}: ${session.errors[0]?.message ?? 'no results'}`);
        }
      }
      writeFileSync(file, `${JSON.stringify(counts)}\n`);
    },
  };
}

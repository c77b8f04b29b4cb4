// Mocha root hooks: one real server on a fresh embedded database for the whole run, whose answers
// are checked against the endpoints' contracts (test/helpers/contracts.ts): a broken one fails the run.
// An ES module (loaded with import(), not require()), so the TypeScript it imports may use top-level await.

/**
 * Makes every test and hook of the run execute as code of the test server's app, as a request
 * or a worker run of it would (services read their app's settings; see server/app-context.ts).
 * A test that means another app says so with that app's `run`.
 */
function runInTestApp(suite, run) {
  const wrap = (runnable) => {
    const fn = runnable.fn;
    if (!fn || fn.inTestApp) return;
    // Mocha tells callback tests from the others by their arity: the wrapper keeps it.
    runnable.fn =
      fn.length === 0
        ? function () {
            return run(() => fn.call(this));
          }
        : function (done) {
            return run(() => fn.call(this, done));
          };
    runnable.fn.inTestApp = true;
  };
  for (const hook of [...suite._beforeAll, ...suite._beforeEach, ...suite._afterEach, ...suite._afterAll]) wrap(hook);
  for (const test of suite.tests) wrap(test);
  for (const child of suite.suites) runInTestApp(child, run);
}

export const mochaHooks = {
  async beforeAll() {
    this.timeout(600_000);
    const { startTestServer } = await import('./server.ts');
    const { app } = await startTestServer();
    let root = this.test.parent;
    while (root.parent) root = root.parent;
    runInTestApp(root, (fn) => app.run(fn));
  },
  async beforeEach() {
    const { currentTest } = await import('./contracts.ts');
    currentTest(this.currentTest?.fullTitle() ?? '');
  },
  async afterAll() {
    this.timeout(30_000);
    const { stopTestServer } = await import('./server.ts');
    const { assertAnswersKeptContracts } = await import('./contracts.ts');
    try {
      assertAnswersKeptContracts();
    } finally {
      await stopTestServer();
    }
  },
};

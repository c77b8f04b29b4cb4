// Mocha root hooks: one real server on a fresh embedded database for the whole run, whose answers
// are checked against the endpoints' contracts (test/helpers/contracts.ts): a broken one fails the run.
// An ES module (loaded with import(), not require()), so the TypeScript it imports may use top-level await.
export const mochaHooks = {
  async beforeAll() {
    this.timeout(600_000);
    const { startTestServer } = await import('./server.ts');
    await startTestServer();
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

// Mocha root hooks: one real server on a fresh embedded database for the whole run.
// An ES module (loaded with import(), not require()), so the TypeScript it imports may use top-level await.
export const mochaHooks = {
  async beforeAll() {
    this.timeout(600_000);
    const { startTestServer } = await import('./server.ts');
    await startTestServer();
  },
  async afterAll() {
    this.timeout(30_000);
    const { stopTestServer } = await import('./server.ts');
    await stopTestServer();
  },
};

import { startTestServer, stopTestServer } from './server.ts';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(600_000);
    await startTestServer();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopTestServer();
  },
};

// Builds what the tests use besides the server (stripe-mock) into the per-user cache ahead of
// time, so that the build stays out of test timings (used by .ci/run after server/db/prepare.ts).
import { loadConfig } from '../server/config.ts';
import { ensureStripeMock } from './helpers/stripe-mock.ts';

const bin = await ensureStripeMock(loadConfig().cacheDir, (m) => console.log(m));
console.log(`stripe-mock ready: ${bin}`);

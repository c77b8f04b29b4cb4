// Builds the embedded database binary into the per-user cache ahead of time (used by .ci/run;
// the server and the test harness do the same on first use when it is missing).
import { loadConfig } from '../config.ts';
import { ensureFerretDb } from './embedded.ts';
import { ensureStripeMock } from '../../test/helpers/stripe-mock.ts';

const config = loadConfig();
const bin = await ensureFerretDb(config.cacheDir, (m) => console.log(m));
console.log(`Embedded database ready: ${bin}`);
const stripeMock = await ensureStripeMock(config.cacheDir, (m) => console.log(m));
console.log(`stripe-mock ready: ${stripeMock}`);

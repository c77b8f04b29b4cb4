// Builds the embedded database binary into the per-user cache ahead of time (used by .ci/run;
// the server and the `gaskit` command do the same on first use when it is missing).
import { loadConfig } from '../config.ts';
import { ensureFerretDb } from './embedded.ts';

const config = loadConfig();
const bin = await ensureFerretDb(config.cacheDir, (m) => console.log(m));
console.log(`Embedded database ready: ${bin}`);

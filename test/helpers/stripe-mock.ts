import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { canConnect, freePort } from '../../server/db/embedded.ts';

/**
 * stripe-mock, Stripe's official mock of its API (stateless: it validates requests against the
 * OpenAPI spec and answers with fixtures). Pinned so that the cached build is keyed by version;
 * `@latest` resolves to this same release on the module proxy today.
 */
export const STRIPE_MOCK_VERSION = 'v0.203.0';
const MODULE = 'github.com/stripe/stripe-mock';

type Log = (msg: string) => void;

export interface StripeMock {
  /** Base URL for the server's `STRIPE_API_BASE`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

function goInstall(goBin: string, targetDir: string, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.GO ?? 'go', ['install', `${MODULE}@${STRIPE_MOCK_VERSION}`], {
      env: { ...process.env, GOBIN: goBin },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: targetDir,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else {
        log(output);
        reject(new Error(`go install ${MODULE}@${STRIPE_MOCK_VERSION} exited with ${code}:\n${output}`));
      }
    });
  });
}

/**
 * Returns the stripe-mock binary, building it with `go install` on first use into
 * `<cacheDir>/stripe-mock-<version>/`. The build goes to a temp directory that is renamed into
 * place, so parallel runs sharing the cache never see a half-written binary.
 */
export async function ensureStripeMock(cacheDir: string, log: Log): Promise<string> {
  const dir = path.join(cacheDir, `stripe-mock-${STRIPE_MOCK_VERSION}`);
  const bin = path.join(dir, 'stripe-mock');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.${process.pid}.tmp`;
  await mkdir(tmp, { recursive: true });
  log(`Building stripe-mock ${STRIPE_MOCK_VERSION} into ${dir} (first run only)…`);
  try {
    await goInstall(tmp, tmp, log);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another run finished the same build first; its binary is as good as ours.
      if (!existsSync(bin)) throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** Starts stripe-mock over plain HTTP on a free loopback port; `stop()` ends it. */
export async function startStripeMock(cacheDir: string, log: Log = () => undefined): Promise<StripeMock> {
  const bin = await ensureStripeMock(cacheDir, log);
  const port = await freePort();
  const child = spawn(bin, ['-http-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + 20_000;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`stripe-mock exited at start-up:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stripe-mock did not answer on port ${port} in time:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      process.off('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      await exitPromise;
    },
  };
}

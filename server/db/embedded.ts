import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../root.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const WRAPPER_DIR = path.join(ROOT, 'server', 'db', 'ferretdb');

export class EmbeddedDbError extends Error {
  override name = 'EmbeddedDbError';

  /** `data_dir_in_use`: another Gaskit process runs the embedded database on the same directory. */
  constructor(
    message: string,
    readonly code?: 'data_dir_in_use',
  ) {
    super(message);
  }
}

/** The wrapper's exit code when another process holds the data directory (server/db/ferretdb/lock.go). */
const EXIT_DATA_DIR_IN_USE = 3;

type Log = (msg: string) => void;

export interface EmbeddedDb {
  uri: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** The wrapper's build is keyed by its sources, so a changed wrapper or FerretDB pin rebuilds. */
async function binaryPath(cacheDir: string): Promise<string> {
  const hash = createHash('sha256');
  const sources = (await readdir(WRAPPER_DIR)).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort();
  for (const f of sources) hash.update(f).update(await readFile(path.join(WRAPPER_DIR, f)));
  return path.join(cacheDir, `ferretdb-${FERRETDB_VERSION}-${hash.digest('hex').slice(0, 12)}`, 'gaskit-ferretdb');
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  ${line}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new EmbeddedDbError(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/**
 * Returns the path of the FerretDB binary, building it with Go on first use into the per-user cache.
 * Several clones and CI runs share the cache; a build writes to a temp name and renames atomically.
 */
export async function ensureFerretDb(cacheDir: string, log: Log): Promise<string> {
  const bin = await binaryPath(cacheDir);
  if (existsSync(bin)) return bin;
  const goBin = process.env.GO ?? 'go';
  const tmp = `${bin}.${process.pid}.tmp`;
  await mkdir(path.dirname(bin), { recursive: true });
  log(
    `Building the embedded database FerretDB ${FERRETDB_VERSION} into ${path.dirname(bin)} (first run only; it takes a few minutes)…`,
  );
  try {
    await run(
      goBin,
      ['build', '-mod=mod', '-trimpath', '-o', tmp, '.'],
      WRAPPER_DIR,
      { ...process.env, GOFLAGS: '-mod=mod' },
      log,
    );
  } catch (err) {
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EmbeddedDbError(
        'No MONGODB_URI is set and Go is not installed, so the embedded database cannot be built.\n' +
          'Install Go >= 1.24 (https://go.dev/dl/, or `apt-get install golang`) or set MONGODB_URI to a MongoDB server.',
      );
    }
    throw err;
  }
  await rename(tmp, bin);
  log('Embedded database built.');
  return bin;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections on the loopback port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Starts FerretDB (SQLite backend) as a child process on a free loopback port.
 * The child watches its stdin pipe, so it exits when this process dies, even by SIGKILL.
 */
export async function startEmbeddedDb(opts: {
  dataDir: string;
  cacheDir: string;
  log: Log;
  timeoutMs?: number;
}): Promise<EmbeddedDb> {
  const bin = await ensureFerretDb(opts.cacheDir, opts.log);
  await mkdir(opts.dataDir, { recursive: true });
  const port = await freePort();
  const child = spawn(bin, ['--listen-addr', `127.0.0.1:${port}`, '--data-dir', opts.dataDir, '--log-level', 'warn'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      resolve();
    }),
  );

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!(await canConnect(port))) {
    if (exited && exitCode === EXIT_DATA_DIR_IN_USE) {
      throw new EmbeddedDbError(
        `The embedded database's data directory ${opts.dataDir} is in use by another Gaskit process (a running server or import). Stop it first, or give both the same MongoDB with MONGODB_URI.`,
        'data_dir_in_use',
      );
    }
    if (exited) throw new EmbeddedDbError(`The embedded database exited at start-up:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new EmbeddedDbError(`The embedded database did not answer on port ${port} in time:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    uri: `mongodb://127.0.0.1:${port}/gaskit`,
    port,
    pid: child.pid ?? -1,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../root.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const WRAPPER_DIR = path.join(ROOT, 'server', 'db', 'ferretdb');

/**
 * Files of FerretDB's module that the wrapper replaces or adds when it is built, each explained in
 * its file: the path inside the module, and the wrapper's file. Go does not let a build overlay
 * files of the module cache, so the build vendors the modules into a directory of its own and
 * writes these over (or beside) their vendored copies.
 */
const REPLACED: Record<string, string> = {
  'github.com/FerretDB/FerretDB/internal/util/resource/resource.go': 'resource.go.overlay',
  'github.com/FerretDB/FerretDB/internal/handler/sjson/sjson.go': 'sjson.go.overlay',
  'github.com/FerretDB/FerretDB/internal/handler/sjson/gaskit_decode.go': 'sjson_decode.go.overlay',
};

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
  /** The running child's process id (a restart changes it). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The wrapper's build is keyed by its sources and its replacements, so a changed wrapper or FerretDB pin rebuilds. */
async function binaryPath(cacheDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of [...(await sourcesOf()), ...Object.values(REPLACED)]) {
    hash.update(f).update(await readFile(path.join(WRAPPER_DIR, f)));
  }
  return path.join(cacheDir, `ferretdb-${FERRETDB_VERSION}-${hash.digest('hex').slice(0, 12)}`, 'gaskit-ferretdb');
}

/** The wrapper's sources: its Go files and module files (the files of `REPLACED` are apart). */
async function sourcesOf(): Promise<string[]> {
  return (await readdir(WRAPPER_DIR)).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort();
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
  const work = await mkdtemp(`${bin}.build-`);
  try {
    const env = { ...process.env, GOFLAGS: '-mod=mod' };
    for (const f of await sourcesOf()) await copyFile(path.join(WRAPPER_DIR, f), path.join(work, f));
    await run(goBin, ['mod', 'vendor'], work, env, log);
    for (const [file, own] of Object.entries(REPLACED))
      await copyFile(path.join(WRAPPER_DIR, own), path.join(work, 'vendor', file));
    await run(
      goBin,
      ['build', '-mod=vendor', '-trimpath', '-o', tmp, '.'],
      work,
      { ...process.env, GOFLAGS: '-mod=vendor' },
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
  } finally {
    await rm(work, { recursive: true, force: true });
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

/** What a FerretDB child is started with. */
interface LaunchOptions {
  dataDir: string;
  /**
   * SQLite's synchronous mode (WAL journal). `normal` (the default): a commit is in the journal file
   * when the client hears of it, so it survives a crash of the server or the database process; the
   * journal reaches the disk at checkpoints, so a power loss or an OS crash can lose the last
   * commits, never corrupt the database (MongoDB's default write concern, without `j: true`, gives
   * the same). `full`: every commit waits for the disk: 0.3–0.5 ms more a write on this project's
   * machine (docs/benchmarks.md, "Embedded database: synchronous mode").
   */
  sync?: 'normal' | 'full';
}

/** One running FerretDB child: resolves once it accepts connections on the port. */
interface Child {
  pid: number;
  exited: Promise<void>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Spawns the FerretDB binary on the port and waits until it accepts connections. A child that
 * cannot be spawned, exits, or does not answer within `timeoutMs` is an `EmbeddedDbError`.
 * The child watches its stdin pipe, so it exits when this process dies, even by SIGKILL.
 */
async function launch(bin: string, opts: LaunchOptions, port: number, timeoutMs: number): Promise<Child> {
  const { dataDir, sync = 'normal' } = opts;
  const args = ['--listen-addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--sync', sync, '--log-level', 'warn'];
  const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    const done = (code: number | null) => {
      exited = true;
      exitCode = code;
      resolve();
    };
    child.once('exit', done);
    // A binary that cannot be spawned (removed, not executable) never exits: it only errs.
    child.once('error', (err) => {
      stderr += err.message;
      done(null);
    });
  });

  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (exited && exitCode === EXIT_DATA_DIR_IN_USE) {
      throw new EmbeddedDbError(
        `The embedded database's data directory ${dataDir} is in use by another Gaskit process (a running server or import). Stop it first, or give both the same MongoDB with MONGODB_URI.`,
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
    pid: child.pid ?? -1,
    exited: exitPromise,
    hasExited: () => exited,
    kill: (signal) => child.kill(signal),
  };
}

/** What a supervised embedded database reports to the server (see `startEmbeddedDb`'s `restart`). */
export interface RestartEvents {
  /** The child ended on its own; restarts follow. */
  died(info: { pid: number }): void;
  /** A new child answers on the same port, over the same data directory. */
  restarted(info: { pid: number }): void;
  /** A restart attempt failed; another follows unless the limit is reached. */
  failed(err: Error): void;
  /** `RESTART_LIMIT` restarts within `RESTART_WINDOW_MS` did not keep the database up: the server must stop. */
  gaveUp(err: Error): void;
}

/** At most this many restarts in `RESTART_WINDOW_MS`; the next death is fatal. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;
/** The first restart waits this long, each further one in the window twice as long (0.5 s … 8 s). */
const RESTART_BASE_DELAY_MS = 500;

/**
 * Starts FerretDB (SQLite backend) as a child process on a free loopback port.
 *
 * With `restart`, a child that ends on its own (killed, crashed) is started again on the same port
 * and data directory, so the server's connection comes back by itself and committed data is still
 * there; the delays back off (0.5 s, doubled per restart in the last minute), and after
 * `RESTART_LIMIT` restarts within a minute `restart.gaveUp` is called instead: a database that
 * keeps dying, or cannot be started again, ends the server rather than leaving it up and useless.
 */
export async function startEmbeddedDb(
  opts: LaunchOptions & {
    cacheDir: string;
    log: Log;
    timeoutMs?: number;
    restart?: RestartEvents;
  },
): Promise<EmbeddedDb> {
  const bin = await ensureFerretDb(opts.cacheDir, opts.log);
  await mkdir(opts.dataDir, { recursive: true });
  const port = await freePort();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let current = await launch(bin, opts, port, timeoutMs);
  let stopping = false;
  const restartsAt: number[] = [];

  const restartAfterDeath = async (events: RestartEvents, deadPid: number) => {
    events.died({ pid: deadPid });
    for (;;) {
      const now = Date.now();
      while (restartsAt.length > 0 && restartsAt[0]! <= now - RESTART_WINDOW_MS) restartsAt.shift();
      if (restartsAt.length >= RESTART_LIMIT) {
        events.gaveUp(
          new EmbeddedDbError(`The embedded database could not be kept running: ${RESTART_LIMIT} restarts within a minute.`),
        );
        return;
      }
      await new Promise((r) => setTimeout(r, RESTART_BASE_DELAY_MS * 2 ** restartsAt.length));
      if (stopping) return;
      restartsAt.push(Date.now());
      try {
        const next = await launch(bin, opts, port, timeoutMs);
        if (stopping) {
          next.kill('SIGTERM');
          return;
        }
        current = next;
        events.restarted({ pid: next.pid });
        watch(next);
        return;
      } catch (err) {
        events.failed(err as Error);
      }
    }
  };
  const watch = (child: Child) => {
    const events = opts.restart;
    if (!events) return;
    void child.exited.then(() => (stopping ? undefined : restartAfterDeath(events, child.pid)));
  };
  watch(current);

  return {
    uri: `mongodb://127.0.0.1:${port}/gaskit`,
    port,
    get pid() {
      return current.pid;
    },
    async stop() {
      stopping = true;
      if (current.hasExited()) return;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
      await current.exited;
      clearTimeout(timer);
    },
  };
}

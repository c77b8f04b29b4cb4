import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  dbPid: number | undefined;
  dbPort: number | undefined;
  output: () => string;
  exited: Promise<number | null>;
}

/** The compiled server of `npm run build`. */
export const BUILT_SERVER = path.join(ROOT, 'dist', 'server', 'main.js');

/**
 * Runs the server as a real process and waits for its "listening" log line: `server/main.ts`
 * through tsx, or with `fromBuild` the compiled `dist/server/main.js` as production runs it. A
 * variable given as undefined is left out of the server's environment.
 */
export function spawnServer(
  env: Record<string, string | undefined>,
  { fromBuild = false, timeoutMs = 120_000 }: { fromBuild?: boolean; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  if (fromBuild && !existsSync(BUILT_SERVER)) return Promise.reject(new Error(`${BUILT_SERVER} is missing: run npm run build`));
  const vars = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development', ...env };
  const child = spawn(process.execPath, fromBuild ? [BUILT_SERVER] : ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let pending = '';
  let dbPid: number | undefined;
  let dbPort: number | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const keep = (text: string) => (out = (out + text).slice(-20_000));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      keep(chunk.toString());
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const rec = JSON.parse(line) as { msg?: string; port?: number; pid?: number };
        if (rec.msg === 'embedded database FerretDB started') {
          dbPid = rec.pid;
          dbPort = rec.port;
        }
        if (rec.msg?.startsWith('Gaskit listening') && rec.port) {
          clearTimeout(timer);
          resolve({ child, port: rec.port, dbPid, dbPort, output: () => out, exited });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => keep(c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/** Runs a command to completion and returns its exit code and output. */
export function runToEnd(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

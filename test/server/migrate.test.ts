import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT, spawnServer, type ServerProcess } from '../helpers/process.ts';
import { signIn, snapshot, type Cabinet } from '../fixtures/legacy-data/snapshot.ts';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'legacy-data');

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('gaskit migrate: a data directory of the earlier version', function () {
  this.timeout(600_000);
  let dataDir: string;
  let server: ServerProcess | undefined;
  const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as { cabinet: Cabinet; sees: unknown }[];

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-migrate-'));
    const unpacked = await run('tar', ['-xJf', path.join(FIXTURE, 'data.tar.xz'), '-C', dataDir]);
    if (unpacked.code !== 0) throw new Error(unpacked.out);
  });

  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('moves every cabinet, account, reading, payment and request, and a second run changes nothing', async () => {
    const env = { GASKIT_DATA_DIR: dataDir, GASKIT_DEMO: '1', NODE_ENV: 'development', LANG: 'en_US.UTF-8' };
    const first = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'migrate'], env);
    expect(first.code, first.out).to.equal(0);
    const again = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'migrate'], env);
    expect(again.code, again.out).to.equal(0);
    expect(again.out).to.match(/nothing to migrate/i);

    server = await spawnServer(env);
    const base = `http://127.0.0.1:${server.port}`;
    for (const { cabinet, sees } of expected) {
      const token = await signIn(base, cabinet);
      expect(await snapshot(base, cabinet, token), cabinet.login).to.deep.equal(sees);
    }
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { link, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { ensureFerretDb, startEmbeddedDb } from '../../server/db/embedded.ts';
import { isAlive, runToEnd, spawnServer, waitFor, type ServerProcess } from '../helpers/process.ts';
import { testServer } from '../helpers/server.ts';

/** The `--sync` the server started its embedded database with, read from the process's command line. */
async function syncModeOf(srv: ServerProcess): Promise<string | undefined> {
  const args = (await readFile(`/proc/${srv.dbPid}/cmdline`, 'utf8')).split('\0');
  return args[args.indexOf('--sync') + 1];
}

describe('server lifecycle with the embedded database (real processes)', function () {
  this.timeout(180_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-life-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves a demo supplier’s config from the embedded database and keeps data across a restart, in either synchronous mode', async () => {
    const first = await spawnServer({ GASKIT_DATA_DIR: dataDir });
    expect(await syncModeOf(first)).to.equal('normal');
    const res = await fetch(`http://127.0.0.1:${first.port}/api/v1/t/sever-gaz/config`);
    expect(res.status).to.equal(200);
    expect((await res.json()).theme.name).to.equal('sever');

    const client = await MongoClient.connect(`mongodb://127.0.0.1:${first.dbPort}/`);
    await client
      .db('gaskit')
      .collection('tenants')
      .updateOne({ slug: 'sever-gaz' }, { $set: { name: 'Северогаз (переименован)' } });
    await client.close();
    first.child.kill('SIGINT');
    expect(await first.exited).to.equal(0);

    const second = await spawnServer({ GASKIT_DATA_DIR: dataDir, GASKIT_DB_SYNC: 'full' });
    expect(await syncModeOf(second)).to.equal('full');
    const again = await (await fetch(`http://127.0.0.1:${second.port}/api/v1/t/sever-gaz/config`)).json();
    expect(again.tenant.name).to.equal('Северогаз (переименован)');
    second.child.kill('SIGTERM');
    await second.exited;
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`leaves no FerretDB process behind when the server gets ${signal}`, async () => {
      const srv = await spawnServer({ GASKIT_DATA_DIR: dataDir });
      expect(srv.dbPid).to.be.a('number');
      expect(isAlive(srv.dbPid!)).to.equal(true);
      srv.child.kill(signal);
      await srv.exited;
      expect(await waitFor(() => !isAlive(srv.dbPid!), 15_000)).to.equal(true);
    });
  }

  it('exits with a message naming what to install when neither Go nor MONGODB_URI is there', async () => {
    const emptyCache = await mkdtemp(path.join(os.tmpdir(), 'gaskit-nocache-'));
    try {
      const { code, output } = await runToEnd(['--import', 'tsx', 'server/main.ts'], {
        PATH: '/nonexistent',
        HOME: os.tmpdir(),
        GASKIT_CACHE_DIR: emptyCache,
        GASKIT_DATA_DIR: dataDir,
        PORT: '0',
      });
      expect(code).to.equal(1);
      expect(output).to.include('Install Go >= 1.24').and.include('MONGODB_URI');
    } finally {
      await rm(emptyCache, { recursive: true, force: true });
    }
  });

  it('builds the embedded database without FerretDB’s object-lifetime tracker and with Gaskit’s decoder', async () => {
    const binary = await readFile(await ensureFerretDb(testServer().config.cacheDir, () => undefined));
    // FerretDB itself is in it, and the message of the tracker's panicking finalizer is not.
    expect(binary.includes('github.com/FerretDB/FerretDB/internal/handler')).to.equal(true);
    expect(binary.includes('has not been finalized')).to.equal(false);
    // A message only the wrapper's decoder (sjson_decode.go.overlay) has.
    expect(binary.includes('bytes remain after the document')).to.equal(true);
  });

  it('refuses a synchronous mode other than normal or full, in the database and in the environment', async () => {
    const bin = await ensureFerretDb(testServer().config.cacheDir, () => undefined);
    const wrapper = spawn(bin, ['--data-dir', dataDir, '--listen-addr', '127.0.0.1:0', '--sync', 'off']);
    let stderr = '';
    wrapper.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(wrapper, 'exit')) as [number];
    expect(code).to.equal(2);
    expect(stderr).to.include('bad --sync "off": normal or full');

    const { code: serverCode, output } = await runToEnd(['--import', 'tsx', 'server/main.ts'], {
      ...process.env,
      GASKIT_DB_SYNC: 'off',
    } as Record<string, string>);
    expect(serverCode).to.equal(1);
    expect(output).to.match(/Invalid environment:\s+GASKIT_DB_SYNC:/);
  });

  it('fails fast on a bad environment variable and names it', async () => {
    const { code, output } = await runToEnd(['--import', 'tsx', 'server/main.ts'], { ...process.env, PORT: 'eighty' } as Record<
      string,
      string
    >);
    expect(code).to.equal(1);
    expect(output).to.match(/Invalid environment:\s+PORT:/);
  });

  it('refuses demo mode in production', async () => {
    const { code, output } = await runToEnd(['--import', 'tsx', 'server/main.ts'], {
      ...process.env,
      NODE_ENV: 'production',
      GASKIT_DEMO: '1',
    } as Record<string, string>);
    expect(code).to.equal(1);
    expect(output).to.include('demo mode is refused when NODE_ENV=production');
  });

  it('connects to MONGODB_URI instead of starting its own database; while it is unreachable /readyz turns false and API calls answer 503', async () => {
    const external = await startEmbeddedDb({ dataDir, cacheDir: testServer().config.cacheDir, log: () => undefined });
    const srv = await spawnServer({ MONGODB_URI: external.uri, GASKIT_DATA_DIR: path.join(dataDir, 'unused') });
    try {
      expect(srv.dbPid).to.equal(undefined);
      expect((await fetch(`http://127.0.0.1:${srv.port}/readyz`)).status).to.equal(200);
      await external.stop();
      const notReady = await fetch(`http://127.0.0.1:${srv.port}/readyz`);
      expect(notReady.status).to.equal(503);
      expect(await notReady.json()).to.deep.equal({ ready: false, checks: { database: false } });
      const refused = await fetch(`http://127.0.0.1:${srv.port}/api/v1/t/sever-gaz/config`);
      expect(refused.status).to.equal(503);
      expect(refused.headers.get('retry-after')).to.equal('5');
      expect((await refused.json()).error.code).to.equal('database_unavailable');
    } finally {
      srv.child.kill('SIGKILL');
      await srv.exited;
      await external.stop();
    }
  });

  describe('when the embedded database dies', () => {
    let cacheDir: string;
    let bin: string;

    /** A cache of its own, sharing the built binary (a hard link), so a test can take the binary away. */
    beforeEach(async () => {
      const shared = testServer().config.cacheDir;
      const real = await ensureFerretDb(shared, () => undefined);
      cacheDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-cache-'));
      bin = path.join(cacheDir, path.relative(shared, real));
      await mkdir(path.dirname(bin), { recursive: true });
      await link(real, bin);
    });
    afterEach(async () => {
      await rm(cacheDir, { recursive: true, force: true });
    });

    const config = (srv: ServerProcess) => fetch(`http://127.0.0.1:${srv.port}/api/v1/t/sever-gaz/config`);
    const health = async (srv: ServerProcess) => (await fetch(`http://127.0.0.1:${srv.port}/healthz`)).json();

    it('answers 503 with Retry-After while it restarts it, then serves the same data again', async () => {
      const srv = await spawnServer({ GASKIT_DATA_DIR: dataDir, GASKIT_CACHE_DIR: cacheDir });
      try {
        expect(await health(srv)).to.deep.equal({ status: 'ok', database: 'connected' });
        const client = await MongoClient.connect(`mongodb://127.0.0.1:${srv.dbPort}/`);
        await client
          .db('gaskit')
          .collection('tenants')
          .updateOne({ slug: 'sever-gaz' }, { $set: { name: 'Северогаз до сбоя' } });
        await client.close();

        // Without its binary the database cannot come back until the test puts it back.
        await rename(bin, `${bin}.away`);
        process.kill(srv.dbPid!, 'SIGKILL');
        expect(await waitFor(async () => (await config(srv)).status === 503)).to.equal(true);
        const refused = await config(srv);
        expect(refused.status).to.equal(503);
        expect(refused.headers.get('retry-after')).to.equal('5');
        expect((await refused.json()).error.code).to.equal('database_unavailable');
        expect(await health(srv)).to.deep.equal({ status: 'degraded', database: 'restarting' });

        await rename(`${bin}.away`, bin);
        expect(await waitFor(async () => (await config(srv)).status === 200, 30_000)).to.equal(true);
        expect(await health(srv)).to.deep.equal({ status: 'ok', database: 'connected' });
        const after = await MongoClient.connect(`mongodb://127.0.0.1:${srv.dbPort}/`);
        const tenant = await after.db('gaskit').collection('tenants').findOne({ slug: 'sever-gaz' });
        await after.close();
        expect(tenant?.name).to.equal('Северогаз до сбоя');
        expect(srv.output()).to.include('embedded database FerretDB restarted');
      } finally {
        srv.child.kill('SIGKILL');
        await srv.exited;
      }
    });

    it('exits non-zero when it cannot start the database again', async () => {
      const srv = await spawnServer({ GASKIT_DATA_DIR: dataDir, GASKIT_CACHE_DIR: cacheDir });
      await rm(bin);
      process.kill(srv.dbPid!, 'SIGKILL');
      expect(await srv.exited).to.equal(1);
      expect(srv.output()).to.include('embedded database FerretDB cannot be kept running');
    });
  });
});

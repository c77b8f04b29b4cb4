import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';

/** This machine's first non-loopback IPv4 address: a client on "the network" without leaving the machine. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  expect(address, 'these tests need a network interface besides loopback').to.be.a('string');
  return address!;
}

const get = (host: string, port: number, pathname: string, headers: Record<string, string> = {}) =>
  fetch(`http://${host}:${port}${pathname}`, { headers });

describe('demo mode and operations endpoints on a network', function () {
  this.timeout(180_000);
  let dataDir: string;
  let demo: ServerProcess;
  let lan: string;

  before(async () => {
    lan = networkAddress();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-demo-net-'));
    // Listening on every interface, as an operator who set HOST would; behind a proxy that it trusts.
    demo = await spawnServer({ GASKIT_DEMO: '1', GASKIT_DATA_DIR: dataDir, HOST: '0.0.0.0', TRUST_PROXY: 'true' });
  });
  after(async () => {
    demo?.child.kill('SIGTERM');
    await demo?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on loopback only when HOST is not set', async () => {
    const srv = await spawnServer({
      GASKIT_DEMO: '1',
      HOST: undefined,
      MONGODB_URI: `mongodb://127.0.0.1:${demo.dbPort}/gaskit`,
    });
    try {
      expect(srv.output()).to.include(`Gaskit listening on http://127.0.0.1:${srv.port}`);
      expect((await get('127.0.0.1', srv.port, '/healthz')).status).to.equal(200);
      const refused = await get(lan, srv.port, '/healthz').catch((e: Error & { cause?: { code?: string } }) => e.cause?.code);
      expect(refused).to.equal('ECONNREFUSED');
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
    }
  });

  it('shows the dev mailbox to clients on this machine only, whatever X-Forwarded-For says', async () => {
    expect((await get('127.0.0.1', demo.port, '/dev/mailbox.json')).status).to.equal(200);
    for (const headers of [{}, { 'X-Forwarded-For': '127.0.0.1' }] as Record<string, string>[]) {
      for (const page of ['/dev/mailbox', '/dev/mailbox.json']) {
        const res = await get(lan, demo.port, page, headers);
        expect(res.status, page).to.equal(404);
        expect((await res.json()).error.code).to.equal('route_not_found');
      }
    }
  });

  it('takes the demo integration key from clients on this machine only', async () => {
    const key = { Authorization: 'Bearer demo-sever-gaz' };
    const local = await get('127.0.0.1', demo.port, '/api/v1/t/sever-gaz/integration/export/readings', key);
    expect(local.status).to.equal(200);
    for (const headers of [key, { ...key, 'X-Forwarded-For': '127.0.0.1' }]) {
      const remote = await get(lan, demo.port, '/api/v1/t/sever-gaz/integration/export/readings', headers);
      expect(remote.status).to.equal(401);
      expect((await remote.json()).error.code).to.equal('api_key_invalid');
    }
  });

  it('opens /metrics without a token to this machine only', async () => {
    expect((await get('127.0.0.1', demo.port, '/metrics')).status).to.equal(200);
    const remote = await get(lan, demo.port, '/metrics', { 'X-Forwarded-For': '127.0.0.1' });
    expect(remote.status).to.equal(401);
    expect((await remote.json()).error.code).to.equal('metrics_token_required');
  });

  it('serves /metrics with METRICS_TOKEN to its bearer only, from anywhere', async () => {
    const token = 'metrics-token-of-this-test';
    const srv = await spawnServer({
      GASKIT_DEMO: '0',
      HOST: '0.0.0.0',
      METRICS_TOKEN: token,
      MONGODB_URI: `mongodb://127.0.0.1:${demo.dbPort}/gaskit`,
    });
    try {
      for (const host of ['127.0.0.1', lan]) {
        for (const headers of [{}, { Authorization: `Bearer ${token}x` }, { Authorization: token }] as Record<string, string>[]) {
          const refused = await get(host, srv.port, '/metrics', headers);
          expect(refused.status, `${host} ${JSON.stringify(headers)}`).to.equal(401);
          expect((await refused.json()).error.code).to.equal('metrics_token_required');
        }
        const ok = await get(host, srv.port, '/metrics', { Authorization: `Bearer ${token}` });
        expect(ok.status).to.equal(200);
        expect(await ok.text()).to.include('gaskit_http_request_duration_seconds');
      }
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
    }
  });
});

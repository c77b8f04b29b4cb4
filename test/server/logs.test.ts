import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { databaseWithTenant } from '../helpers/operator.ts';
import { ROOT, runToEnd, spawnServer, waitFor, type ServerProcess } from '../helpers/process.ts';

type LogLine = Record<string, unknown>;

const lines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('request logs of the real server', function () {
  this.timeout(120_000);
  const slug = `logs-${randomBytes(3).toString('hex')}`;
  let uri: string;
  let srv: ServerProcess;

  before(async () => {
    uri = await databaseWithTenant(slug);
    srv = await spawnServer({ MONGODB_URI: uri, GASKIT_DEMO: '0' });
  });
  after(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
  });

  const base = () => `http://127.0.0.1:${srv.port}`;
  const requestLines = () => lines(srv.output()).filter((l) => l.msg === 'request');

  it('writes one short line per request: method, route pattern, status, time, request id, tenant', async () => {
    const res = await fetch(`${base()}/api/v1/t/${slug}/config`, {
      headers: { Authorization: 'Bearer secret-session-token-1234', Cookie: 'sid=cookie-secret-5678', 'User-Agent': 'log-test' },
    });
    expect(res.status).to.equal(200);
    const id = res.headers.get('x-request-id');
    expect(await waitFor(() => requestLines().some((l) => l.reqId === id))).to.equal(true);
    const line = requestLines().find((l) => l.reqId === id)!;
    expect(Object.keys(line).sort()).to.deep.equal([
      'level',
      'method',
      'ms',
      'msg',
      'reqId',
      'route',
      'service',
      'status',
      'tenant',
      'time',
    ]);
    expect(line).to.include({ method: 'GET', route: '/api/v1/t/:tenant/config', status: 200, tenant: slug, msg: 'request' });
    expect(line.ms).to.be.a('number');
    expect(JSON.stringify(line).length).to.be.below(300);
    expect(srv.output())
      .not.to.include('secret-session-token-1234')
      .and.not.to.include('cookie-secret-5678')
      .and.not.to.include('log-test');
  });

  it('logs the route pattern, never a token in the URL', async () => {
    const token = `rcpt${randomBytes(16).toString('hex')}`;
    const res = await fetch(`${base()}/api/v1/t/${slug}/receipts/${token}?lang=${token}`);
    expect(res.status).to.equal(404);
    const id = res.headers.get('x-request-id');
    expect(await waitFor(() => requestLines().some((l) => l.reqId === id))).to.equal(true);
    expect(requestLines().find((l) => l.reqId === id)).to.include({
      route: '/api/v1/t/:tenant/receipts/:token',
      status: 404,
      tenant: slug,
    });
    const unmatched = await fetch(`${base()}/no/such/${token}/page`);
    const unmatchedId = unmatched.headers.get('x-request-id');
    expect(await waitFor(() => requestLines().some((l) => l.reqId === unmatchedId))).to.equal(true);
    expect(requestLines().find((l) => l.reqId === unmatchedId)).to.include({ route: null, status: 404 });
    expect(srv.output()).not.to.include(token);
  });

  it('does not log probes and the metrics scrape', async () => {
    const before = requestLines().length;
    const ids: string[] = [];
    for (const probe of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${base()}${probe}`);
      expect(res.status, probe).to.equal(200);
      ids.push(res.headers.get('x-request-id')!);
    }
    const marker = await fetch(`${base()}/api/v1/t/${slug}/config`);
    const markerId = marker.headers.get('x-request-id');
    expect(await waitFor(() => requestLines().some((l) => l.reqId === markerId))).to.equal(true);
    expect(
      requestLines()
        .slice(before)
        .map((l) => l.reqId),
    ).to.deep.equal([markerId]);
    expect(srv.output()).not.to.include(ids[0]).and.not.to.include(ids[1]).and.not.to.include(ids[2]);
  });

  it('keeps error codes in logged errors', async () => {
    // A second server on the first one's port: it cannot listen and logs why.
    const second = await runToEnd(['--import', 'tsx', 'server/main.ts'], {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'development',
      GASKIT_DEMO: '0',
      MONGODB_URI: uri,
      HOST: '127.0.0.1',
      PORT: String(srv.port),
    });
    expect(second.code).to.equal(1);
    const fatal = lines(second.output).find((l) => l.msg === 'cannot listen');
    expect(fatal, second.output).to.not.equal(undefined);
    expect((fatal!.err as { code: string }).code).to.equal('EADDRINUSE');
  });

  it('writes readable lines, not JSON, in development on a terminal (pino-pretty)', async () => {
    // The same second server, its output on a terminal (`script` gives it a pseudo-terminal).
    const child = spawn('script', ['-qefc', `${process.execPath} --import tsx server/main.ts`, '/dev/null'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        GASKIT_DEMO: '0',
        MONGODB_URI: uri,
        HOST: '127.0.0.1',
        PORT: String(srv.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).to.equal(1);
    // eslint-disable-next-line no-control-regex
    const text = output.replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).to.match(/^\[[\d:.]+\] FATAL: cannot listen/m);
    expect(text).to.include('EADDRINUSE');
    expect(text.split(/\r?\n/).filter((l) => l.startsWith('{'))).to.deep.equal([]);
  });
});

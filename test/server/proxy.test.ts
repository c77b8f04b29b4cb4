import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { expect } from 'chai';
import { linkParam, startMailCatcher, type MailCatcher } from '../helpers/mail.ts';
import { databaseWithTenant } from '../helpers/operator.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { startReverseProxy, type ReverseProxy } from '../helpers/proxy.ts';

const PUBLIC_URL = 'https://lk.proxy-gaz.example';

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** A request through the proxy from the loopback address `from` (each client its own 127.0.0.x). */
function viaProxy(
  proxy: ReverseProxy,
  from: string,
  pathname: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(proxy.url);
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: pathname,
        method: body === undefined ? 'GET' : 'POST',
        localAddress: from,
        headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const json = (res.headers['content-type'] ?? '').includes('json');
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('behind a reverse proxy (TRUST_PROXY)', function () {
  this.timeout(120_000);
  const slug = `proxy-${randomBytes(3).toString('hex')}`;
  let uri: string;
  let mail: MailCatcher;

  before(async () => {
    uri = await databaseWithTenant(slug);
    mail = await startMailCatcher();
  });
  after(async () => {
    await mail.stop();
  });

  /** A server behind a TLS-terminating proxy that tells it `https` and the public host. */
  function behindProxy(trustProxy: string) {
    const running: { server?: ServerProcess; proxy?: ReverseProxy } = {};
    before(async () => {
      running.server = await spawnServer({
        MONGODB_URI: uri,
        GASKIT_DEMO: '0',
        TRUST_PROXY: trustProxy,
        PUBLIC_URL,
        SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      });
      running.proxy = await startReverseProxy({
        upstreams: [`http://127.0.0.1:${running.server.port}`],
        proto: 'https',
        host: new URL(PUBLIC_URL).host,
      });
    });
    after(async () => {
      await running.proxy?.close();
      running.server?.child.kill('SIGTERM');
      await running.server?.exited;
    });
    return () => running.proxy!;
  }

  for (const [k, form] of ['1', 'true', 'loopback', '127.0.0.1/8, ::1'].entries()) {
    describe(`TRUST_PROXY=${form}`, () => {
      const proxy = behindProxy(form);
      // Limits are kept in the database: each form's clients have addresses of their own.
      const client = (n: number) => `127.0.${k + 1}.${n}`;

      it('counts per-IP limits per client address, not per proxy', async () => {
        const forgot = (from: string, i: number) =>
          viaProxy(proxy(), from, `/api/v1/t/${slug}/auth/password/forgot`, {
            body: { login: `nobody-${from}-${i}@example.test` },
          });
        // The forgot-password limit: 10 per address in 10 minutes.
        for (let i = 0; i < 10; i++) expect((await forgot(client(2), i)).status).to.equal(202);
        const refused = await forgot(client(2), 10);
        expect(refused.status).to.equal(429);
        expect(refused.body.error.code).to.equal('rate_limited');
        expect((await forgot(client(3), 0)).status, 'another client behind the same proxy').to.equal(202);
      });

      it('accepts the hosted portal’s own https origin and refuses others', async () => {
        const headers = { Host: new URL(PUBLIC_URL).host };
        const own = await viaProxy(proxy(), client(4), `/api/v1/t/${slug}/config`, {
          headers: { ...headers, Origin: PUBLIC_URL },
        });
        expect(own.status, JSON.stringify(own.body)).to.equal(200);
        expect(own.headers['access-control-allow-origin']).to.equal(PUBLIC_URL);
        const other = await viaProxy(proxy(), client(4), `/api/v1/t/${slug}/config`, {
          headers: { ...headers, Origin: 'https://elsewhere.example' },
        });
        expect(other.status).to.equal(403);
        expect(other.body.error.code).to.equal('origin_not_allowed');
      });

      it('builds no URL of the cacheable config from the Host a client sends', async () => {
        const config = await viaProxy(proxy(), client(5), `/api/v1/t/${slug}/config`, { headers: { Host: 'attacker.example' } });
        expect(config.status).to.equal(200);
        expect(config.headers['cache-control']).to.match(/public/);
        expect(config.body.theme.cssUrl).to.equal(`${PUBLIC_URL}/api/v1/t/${slug}/theme.css`);
      });
    });
  }

  describe('a subscriber behind the proxy', () => {
    const proxy = behindProxy('1');

    it('gets mail links on PUBLIC_URL whatever Host the request had, and its session records its own address', async () => {
      const login = `proxied-${randomBytes(3).toString('hex')}@example.test`;
      const from = '127.0.0.5';
      const reg = await viaProxy(proxy(), from, `/api/v1/t/${slug}/auth/register`, {
        headers: { Host: 'attacker.example' },
        body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true },
      });
      expect(reg.status, JSON.stringify(reg.body)).to.equal(202);
      const message = await mail.waitForTo(login, 30_000);
      const links = [...message.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
      expect(links.filter((l) => l.includes('gaskit-confirm='))).to.have.length(1);
      for (const link of links) expect(new URL(link).origin).to.equal(PUBLIC_URL);

      const confirmed = await viaProxy(proxy(), from, `/api/v1/t/${slug}/auth/confirm`, {
        body: { token: linkParam(message, 'gaskit-confirm') },
      });
      expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
      const signed = await viaProxy(proxy(), from, `/api/v1/t/${slug}/auth/login`, { body: { login, password: 'abc12' } });
      expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
      const sessions = await viaProxy(proxy(), from, `/api/v1/t/${slug}/me/sessions`, {
        headers: { Authorization: `Bearer ${signed.body.token}` },
      });
      expect(sessions.status).to.equal(200);
      expect(sessions.body.map((s: { ip: string }) => s.ip))
        .to.include(from)
        .and.not.include('127.0.0.1');
    });
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../helpers/process.ts';
import { api, testServer } from '../helpers/server.ts';

describe('http core: health, metrics, errors, OpenAPI', () => {
  it('reports liveness and readiness with the database reachable', async () => {
    expect((await api('/healthz')).body).to.deep.equal({ status: 'ok', database: 'connected' });
    const ready = await api('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({ ready: true, checks: { database: true } });
  });

  it('exposes Prometheus metrics with request durations by route pattern', async () => {
    await api('/api/v1/t/sever-gaz/config');
    const res = await api('/metrics');
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(res.body).to.match(
      /gaskit_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/t\/:tenant\/config",status="200"\} \d+/,
    );
    expect(res.body).to.include('gaskit_process_cpu_seconds_total');
  });

  it('answers an unknown route with 404 route_not_found in the error format', async () => {
    const res = await api('/api/v1/nothing-here', { headers: { 'Accept-Language': 'en' } });
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error: { code: 'route_not_found', message: 'There is no such address.' } });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await fetch(`${testServer().baseUrl}/api/v1/t/sever-gaz/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"broken":',
    });
    expect(res.status).to.equal(400);
    expect((await res.json()).error.code).to.equal('invalid_json');
  });

  it('tags every response with a request id, keeping a well-formed incoming one', async () => {
    const fresh = await api('/healthz');
    expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const kept = await api('/healthz', { headers: { 'X-Request-Id': 'lb-req-12345678' } });
    expect(kept.headers.get('x-request-id')).to.equal('lb-req-12345678');
    const bad = await api('/healthz', { headers: { 'X-Request-Id': '<script>' } });
    expect(bad.headers.get('x-request-id')).to.not.equal('<script>');
  });

  it('sets security headers', async () => {
    const res = await api('/healthz');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-powered-by')).to.equal(null);
  });

  it("sets helmet's headers on API answers and errors alike", async () => {
    const expected = {
      'content-security-policy':
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
        "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';" +
        'upgrade-insecure-requests',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'cross-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    for (const url of ['/api/v1/t/sever-gaz/config', '/api/v1/t/sever-gaz/me', '/api/v1/nothing-here', '/healthz']) {
      const res = await api(url);
      const got = Object.fromEntries(Object.keys(expected).map((name) => [name, res.headers.get(name)]));
      expect(got, url).to.deep.equal(expected);
      expect(res.headers.get('x-powered-by'), url).to.equal(null);
    }
  });

  it('routes paths as Express matches them: any letter case, a trailing slash, routes of two modules under one segment', async () => {
    // Spelled apart from the contracts' paths (and from `/api/`, whose answers the test server holds to them).
    for (const url of ['/API/v1/t/sever-gaz/CONFIG', '/API/v1/t/sever-gaz/Config/']) {
      const res = await fetch(`${testServer().baseUrl}${url}`);
      expect(res.status, url).to.equal(200);
      expect((await res.json()).tenant.slug, url).to.equal('sever-gaz');
    }
    // `accounts/:id/summary` is the accounts module's, `accounts/:id/readings` the readings module's: both answer behind the session guard.
    for (const url of ['/api/v1/t/sever-gaz/accounts/x/summary', '/api/v1/t/sever-gaz/accounts/x/readings']) {
      const res = await api(url, { headers: { 'Accept-Language': 'en' } });
      expect(res.status, url).to.equal(401);
      expect(res.body.error.code, url).to.equal('unauthenticated');
    }
    const missing = await api('/api/v1/t/sever-gaz/accounts/x/nothing', { headers: { 'Accept-Language': 'en' } });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('route_not_found');
  });

  it('serves an OpenAPI 3.1 document generated from the schemas, versioned as the release', async () => {
    const res = await api('/api/v1/openapi.json');
    expect(res.body.openapi).to.equal('3.1.0');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(res.body.info.version).to.equal(version);
    expect(res.body.paths).to.have.property('/t/{tenant}/config');
    expect(res.body.components.schemas).to.have.property('Error');
  });
});

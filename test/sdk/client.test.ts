import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createClient, createIdempotencyKey, GaskitError, path, type GaskitClient } from '../../sdk/index.ts';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body?: unknown; raw?: string };

/** A throwaway HTTP server answering from `routes` ("METHOD /path" → reply) and recording requests. */
async function startApi(
  routes: Record<string, Reply>,
): Promise<{ apiBase: string; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = routes[`${req.method} ${req.url}`] ?? {
        status: 404,
        body: { error: { code: 'not_found', message: 'No route' } },
      };
      res.statusCode = reply.status;
      if (reply.raw !== undefined) res.end(reply.raw);
      else if (reply.body !== undefined) {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(reply.body));
      } else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function rejection(promise: Promise<unknown>): Promise<GaskitError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(GaskitError);
    return error as GaskitError;
  }
  throw new Error('Expected the promise to reject');
}

describe('SDK client', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let client: GaskitClient;

  const config = { tenant: { slug: 'sever-gaz', name: 'Северогаз' }, locales: ['ru', 'en'], defaultLocale: 'ru' };

  beforeEach(async () => {
    api = await startApi({
      'GET /api/v1/t/sever-gaz/config': { status: 200, body: config },
      'GET /api/v1/t/sever-gaz/i18n/en': { status: 200, body: { lng: 'en', resources: { common: { hint: 'Hint' } } } },
      'POST /api/v1/t/sever-gaz/auth/register': {
        status: 422,
        body: {
          error: {
            code: 'validation_failed',
            message: 'Body invalid',
            fields: { email: { code: 'invalid_email', message: 'Введите адрес' }, phone: 'invalid_phone', extra: 7 },
          },
        },
      },
      'GET /api/v1/t/sever-gaz/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in' } } },
      'POST /api/v1/t/sever-gaz/readings/preview': {
        status: 422,
        body: {
          error: {
            code: 'readings_window_closed',
            message: 'Приём показаний закрыт.',
            params: { start: 15, end: 25 },
            fields: { 'readings.0.value': { code: 'reading_below_last', message: '', params: { last: '12345' } } },
          },
        },
      },
      'GET /api/v1/t/sever-gaz/broken': { status: 502, raw: '<html>Bad gateway</html>' },
      'GET /api/v1/t/sever-gaz/garbled': { status: 200, raw: '{"half":' },
      'POST /api/v1/t/sever-gaz/readings': { status: 201, body: { id: 'r1' } },
      'DELETE /api/v1/t/sever-gaz/accounts/a%2Fb': { status: 204 },
    });
    client = createClient({ apiBase: `${api.apiBase}/`, tenant: 'sever-gaz', locale: 'ru' });
  });

  afterEach(() => api.close());

  it('returns the tenant config from GET config', async () => {
    expect(await client.getConfig()).to.deep.equal(config);
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['GET /api/v1/t/sever-gaz/config']);
  });

  it('fetches the config once for all callers', async () => {
    await Promise.all([client.getConfig(), client.getConfig()]);
    await client.getConfig();
    expect(api.requests).to.have.length(1);
  });

  it('returns translations for a language', async () => {
    expect(await client.getTranslations('en')).to.deep.equal({ lng: 'en', resources: { common: { hint: 'Hint' } } });
  });

  it('sends the client locale as Accept-Language and follows setLocale', async () => {
    await client.request('me').catch(() => undefined);
    client.setLocale('en');
    await client.request('me').catch(() => undefined);
    expect(api.requests.map((r) => r.headers['accept-language'])).to.deep.equal(['ru', 'en']);
  });

  it('parses the error body into a GaskitError with code, status and fields', async () => {
    const error = await rejection(client.request('auth/register', { method: 'POST', body: { email: 'x' } }));
    expect(error.code).to.equal('validation_failed');
    expect(error.status).to.equal(422);
    expect(error.fields).to.deep.equal({ email: 'invalid_email', phone: 'invalid_phone' });
    expect(error.message).to.equal('Body invalid');
  });

  it('keeps the values an error text interpolates, for the error and for each field', async () => {
    const error = await rejection(client.request('readings/preview', { method: 'POST', body: {} }));
    expect(error.params).to.deep.equal({ start: 15, end: 25 });
    expect(error.fieldParams).to.deep.equal({ 'readings.0.value': { last: '12345' } });
    const without = await rejection(client.request('auth/register', { method: 'POST', body: { email: 'x' } }));
    expect(without.params).to.deep.equal({});
    expect(without.fieldParams).to.deep.equal({});
  });

  it('sends FormData as multipart with its own boundary instead of JSON', async () => {
    const form = new FormData();
    form.set('message', 'Показания не принимаются');
    form.set('file', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'bill.pdf');
    await client.request('readings', { method: 'POST', body: form });
    const sent = api.requests.at(-1)!;
    expect(sent.headers['content-type']).to.match(/^multipart\/form-data; boundary=/);
    expect(sent.body).to.include('Показания не принимаются').and.include('filename="bill.pdf"');
  });

  it('reports an error status without the error body as http_error', async () => {
    const error = await rejection(client.request('broken'));
    expect(error.code).to.equal('http_error');
    expect(error.status).to.equal(502);
  });

  it('reports a success status with a body that is not JSON as invalid_response', async () => {
    const error = await rejection(client.request('garbled'));
    expect(error.code).to.equal('invalid_response');
  });

  it('reports an unreachable server as network_error with status 0', async () => {
    const stopped = await startApi({});
    await stopped.close();
    const offline = createClient({ apiBase: stopped.apiBase, tenant: 'sever-gaz', locale: 'ru' });
    const error = await rejection(offline.getConfig());
    expect(error.code).to.equal('network_error');
    expect(error.status).to.equal(0);
  });

  it('rethrows an abort requested by the caller as is', async () => {
    const controller = new AbortController();
    controller.abort();
    try {
      await client.request('config', { signal: controller.signal });
      expect.fail('Expected an abort');
    } catch (error) {
      expect(error).not.to.be.instanceOf(GaskitError);
      expect((error as Error).name).to.equal('AbortError');
    }
  });

  it('sends no Authorization header before sign-in and a bearer token after setToken', async () => {
    await client.getConfig();
    client.session.setToken('tok-123');
    await client.request('readings', { method: 'POST', body: {} });
    expect(api.requests[0]?.headers.authorization).to.equal(undefined);
    expect(api.requests[1]?.headers.authorization).to.equal('Bearer tok-123');
  });

  it('sends the JSON body and the Idempotency-Key header on a retryable write', async () => {
    const result = await client.request<{ id: string }>('readings', {
      method: 'POST',
      body: { meterId: 'm1', value: 27927 },
      idempotencyKey: 'key-1',
    });
    expect(result).to.deep.equal({ id: 'r1' });
    const [sent] = api.requests;
    expect(sent?.headers['idempotency-key']).to.equal('key-1');
    expect(sent?.headers['content-type']).to.equal('application/json');
    expect(JSON.parse(sent?.body ?? '')).to.deep.equal({ meterId: 'm1', value: 27927 });
  });

  it('returns undefined for an empty 204 answer and encodes path segments', async () => {
    expect(await client.request(path`accounts/${'a/b'}`, { method: 'DELETE' })).to.equal(undefined);
  });

  it('creates distinct 128-bit idempotency keys', () => {
    const keys = new Set(Array.from({ length: 50 }, () => createIdempotencyKey()));
    expect(keys.size).to.equal(50);
    for (const key of keys) expect(key).to.match(/^[0-9a-f]{32}$/);
  });

  it('appends query parameters and skips empty ones', async () => {
    await client.request('config', { query: { period: '2015-06', page: 2, missing: undefined } }).catch(() => undefined);
    expect(api.requests[0]?.url).to.equal('/api/v1/t/sever-gaz/config?period=2015-06&page=2');
  });

  it('signs out when the server rejects the current token with 401', async () => {
    const changes: boolean[] = [];
    client.events.on('session-changed', ({ signedIn }) => changes.push(signedIn));
    client.session.setToken('expired');
    const error = await rejection(client.request('me'));
    expect(error.status).to.equal(401);
    expect(client.session.isSignedIn).to.equal(false);
    expect(changes).to.deep.equal([true, false]);
  });
});

describe('SDK session store', () => {
  const options = { apiBase: 'https://lk.example.ru', tenant: 'sever-gaz', locale: 'ru' } as const;

  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'sessionStorage');
  });

  it('keeps the token in memory by default', () => {
    const client = createClient(options);
    client.session.setToken('abc');
    expect(client.session.storage).to.equal('memory');
    expect(client.session.token).to.equal('abc');
    expect(createClient(options).session.token).to.equal(null);
  });

  it('falls back to memory when sessionStorage is asked for but absent (Node)', () => {
    const client = createClient({ ...options, storage: 'session' });
    client.session.setToken('abc');
    expect(client.session.storage).to.equal('memory');
    expect(client.session.isSignedIn).to.equal(true);
  });

  it('keeps the sign-in across page loads in sessionStorage when opted in', () => {
    const items = new Map<string, string>();
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      value: {
        getItem: (k: string) => items.get(k) ?? null,
        setItem: (k: string, v: string) => void items.set(k, v),
        removeItem: (k: string) => void items.delete(k),
      },
    });
    createClient({ ...options, storage: 'session' }).session.setToken('abc');
    const reloaded = createClient({ ...options, storage: 'session' });
    expect(reloaded.session.storage).to.equal('session');
    expect(reloaded.session.token).to.equal('abc');
    reloaded.session.clear();
    expect(createClient({ ...options, storage: 'session' }).session.isSignedIn).to.equal(false);
  });

  it('falls back to memory when sessionStorage refuses writes', () => {
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      value: {
        getItem: () => null,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
        removeItem: () => undefined,
      },
    });
    const client = createClient({ ...options, storage: 'session' });
    client.session.setToken('abc');
    expect(client.session.storage).to.equal('memory');
    expect(client.session.token).to.equal('abc');
  });

  it('emits session-changed only when the token changes', () => {
    const client = createClient(options);
    const changes: boolean[] = [];
    client.events.on('session-changed', ({ signedIn }) => changes.push(signedIn));
    client.session.setToken('a');
    client.session.setToken('a');
    client.session.clear();
    client.session.clear();
    expect(changes).to.deep.equal([true, false]);
  });

  it('emits locale-changed when the language changes and stops after off', () => {
    const client = createClient(options);
    const locales: string[] = [];
    const listener = ({ locale }: { locale: string }) => locales.push(locale);
    client.events.on('locale-changed', listener);
    client.setLocale('en');
    client.setLocale('en');
    client.events.off('locale-changed', listener);
    client.setLocale('ru');
    expect(locales).to.deep.equal(['en']);
    expect(client.locale).to.equal('ru');
  });
});

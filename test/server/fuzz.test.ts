import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { createApiKey } from '../../server/integration/keys.ts';
import { API_SCOPES } from '../../server/integration/model.ts';
import { DEMO_TENANTS } from '../../server/tenants/demo.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/**
 * Schema-driven fuzz of every operation in the server's OpenAPI document: from a request the
 * schema allows, each variant breaks one thing (a field's type, a required field, the path, the
 * query, the content type or encoding, the JSON itself, the credentials) and is sent with and
 * without a session or API key. Any 5xx fails the test and prints the request that caused it.
 *
 * Deterministic: one seed decides every request. Bounded: VARIANTS per operation, and no new
 * request after BUDGET_MS. The requests come from a loopback address of their own, and go to a
 * supplier made for this test, so per-address limits and data of the other tests are untouched.
 */
const SEED = 0x5eed_0014;
const VARIANTS = 40;
const BUDGET_MS = 45_000;
const CONCURRENCY = 4;
const CLIENT_ADDRESS = '127.0.0.214';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  what: string;
}

/** mulberry32: a small seeded PRNG, so every run sends the same requests. */
function rngFrom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
    hex: (bytes: number) =>
      Array.from({ length: bytes }, () =>
        Math.floor(next() * 256)
          .toString(16)
          .padStart(2, '0'),
      ).join(''),
  };
}
type Rng = ReturnType<typeof rngFrom>;

/** Odd values of every kind, for a field that expects something else. */
const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0.5,
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  '\ud800',
  '\u202e\u200bЖ😀',
  '../../etc/passwd',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  [],
  [1, 'a', null],
  {},
  { $gt: '' },
  { $where: '1' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
  '2026-13-45',
  '99999999999999999999999',
  Array.from({ length: 2000 }, (_, i) => i),
];

const PATH_GARBAGE = [
  '%',
  '%E0%A4%A',
  '%00',
  '..',
  '%2e%2e',
  '%2F',
  'a'.repeat(5000),
  '%D0%96',
  '%F0%9F%98%80',
  '%C0%AF',
  '%FF%FE',
  '$where',
  '%7B%7D',
  '%20',
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=nope',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/xml',
  'application/json; boundary=x',
  'application/*',
  ';;;',
];

const ENCODINGS = ['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip', 'identity', 'zstd'];

function resolve(doc: Schema, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 20; i++) s = doc.components.schemas[String(s.$ref).split('/').pop()!] ?? {};
  if (s.allOf) {
    const parts = (s.allOf as Schema[]).map((p) => resolve(doc, p));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
  }
  return s;
}

/** A value the schema allows, as far as a small sampler can tell (examples, enums, formats and bounds). */
function sample(doc: Schema, schema: Schema | undefined, rng: Rng, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (s.example !== undefined) return s.example;
  if (s.examples?.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.enum) return rng.pick(s.enum as unknown[]);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return sample(doc, rng.pick(variants as Schema[]), rng, depth + 1);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  if (type === 'object' || s.properties) {
    if (depth > 6) return {};
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      if ((s.required ?? []).includes(name) || rng.chance(0.7)) out[name] = sample(doc, prop, rng, depth + 1);
    }
    return out;
  }
  if (type === 'array') {
    if (depth > 6) return [];
    const n = Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 1 + rng.int(3)));
    return Array.from({ length: n }, () => sample(doc, s.items, rng, depth + 1));
  }
  if (type === 'integer' || type === 'number') {
    const min = s.minimum ?? s.exclusiveMinimum ?? 0;
    const max = s.maximum ?? s.exclusiveMaximum ?? min + 1000;
    const v = min + rng.int(Math.max(1, max - min));
    return type === 'integer' ? Math.round(v) : v;
  }
  if (type === 'boolean') return rng.chance(0.5);
  if (type === 'string') {
    if (s.format === 'email') return `fuzz-${rng.hex(4)}@example.test`;
    if (s.format === 'date') return '2026-01-15';
    if (s.format === 'date-time') return '2026-01-15T10:00:00.000Z';
    if (s.format === 'binary') return rng.hex(64);
    const len = Math.max(s.minLength ?? 1, Math.min(s.maxLength ?? 12, 8));
    return rng.hex(Math.ceil(len / 2)).slice(0, len);
  }
  return 'x';
}

/** Paths to the values inside a JSON value (`[]` is the value itself), for a mutation to pick one. */
function slots(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (at.length < 6 && value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) slots(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

function setAt(root: unknown, at: (string | number)[], value: unknown, remove = false): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

function multipartBody(fields: Record<string, unknown>, boundary: string, file?: Buffer): Buffer {
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${typeof value === 'string' ? value : JSON.stringify(value)}\r\n`,
  );
  const head = Buffer.from(parts.join(''));
  const filePart = file
    ? Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        file,
        Buffer.from('\r\n'),
      ])
    : Buffer.alloc(0);
  return Buffer.concat([head, filePart, Buffer.from(`--${boundary}--\r\n`)]);
}

/** The operations of the document. */
function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(item)) ops.push({ method: method.toUpperCase(), path, op });
  }
  return ops;
}

/** Operations that end the session they come with (signing out, deleting the cabinet or its sessions). */
const endsSession = (o: Operation) => o.path.endsWith('/logout') || (o.method === 'DELETE' && o.path.includes('/me'));

/** One request of each operation in turn, so that a run cut short by the budget still covers every operation. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

describe('fuzz: malformed requests to every OpenAPI operation never get a 5xx', function () {
  this.timeout(120_000);
  const slug = 'fuzz-gaz';
  let session: Record<string, string>;
  /** The session of the operations that end it, so that the others keep theirs. */
  let endingSession: Record<string, string>;
  let apiKey: Record<string, string>;

  before(async () => {
    const template = structuredClone(DEMO_TENANTS[0]) as Record<string, unknown>;
    await Tenant.create({ ...template, slug, realm: slug, name: 'Фаззгаз' });
    const tenant = await Tenant.findOne({ slug }).lean();
    session = (await signedInSubscriber(slug)).auth;
    endingSession = (await signedInSubscriber(slug)).auth;
    apiKey = { Authorization: `Bearer ${(await createApiKey(tenant!._id, 'fuzz', [...API_SCOPES])).key}` };
  });

  /** The requests for one operation: a valid-looking one, then VARIANTS each breaking one thing. */
  function requestsFor(doc: Schema, o: Operation, rng: Rng): FuzzRequest[] {
    const params: Schema[] = ((o.op.parameters ?? []) as Schema[]).map((p) => ({ ...p, schema: resolve(doc, p.schema) }));
    const pathValue = (name: string) =>
      name === 'tenant'
        ? slug
        : name === 'lng'
          ? 'ru'
          : /id$/i.test(name)
            ? rng.hex(12)
            : encodeURIComponent(String(sample(doc, params.find((p) => p.name === name)?.schema, rng)));
    const own = endsSession(o) ? endingSession : session;
    const credentials = (): Record<string, string> => {
      const schemes = ((o.op.security ?? []) as Schema[]).flatMap((s) => Object.keys(s));
      if (schemes.includes('apiKey')) return apiKey;
      if (schemes.length > 0) return own;
      return rng.chance(0.3) ? own : {};
    };
    const content = (o.op.requestBody?.content ?? {}) as Record<string, Schema>;
    const contentType = Object.keys(content)[0];
    const bodySchema = contentType ? content[contentType]!.schema : undefined;

    const base = () => {
      const pathParams: Record<string, string> = {};
      for (const name of o.path.match(/\{(\w+)\}/g)?.map((m) => m.slice(1, -1)) ?? []) pathParams[name] = pathValue(name);
      const query: Record<string, string> = {};
      for (const p of params.filter((x) => x.in === 'query')) {
        if (p.required || rng.chance(0.5)) query[p.name] = String(sample(doc, p.schema, rng));
      }
      const headers: Record<string, string> = { ...credentials(), 'Accept-Language': rng.pick(['ru', 'en']) };
      for (const p of params.filter((x) => x.in === 'header')) headers[p.name] = String(sample(doc, p.schema, rng));
      const body = contentType ? sample(doc, bodySchema, rng) : undefined;
      return { pathParams, query, headers, body };
    };
    type Base = ReturnType<typeof base>;
    const build = (b: Base, what: string, raw?: { body?: Buffer; contentType?: string }): FuzzRequest => {
      const path =
        '/api/v1' +
        o.path.replace(/\{(\w+)\}/g, (_, name: string) => b.pathParams[name]!) +
        (Object.keys(b.query).length ? `?${new URLSearchParams(b.query).toString()}` : '');
      const headers = { ...b.headers };
      let body = raw?.body;
      if (!body && b.body !== undefined) {
        if (contentType === 'multipart/form-data') {
          const boundary = `fuzz${rng.hex(6)}`;
          body = multipartBody(
            (b.body ?? {}) as Record<string, unknown>,
            boundary,
            rng.chance(0.5) ? Buffer.from(rng.hex(256), 'hex') : undefined,
          );
          headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
        } else if (contentType === 'application/json' || contentType === undefined) {
          body = Buffer.from(JSON.stringify(b.body));
          headers['Content-Type'] = 'application/json';
        } else {
          body = Buffer.from(typeof b.body === 'string' ? b.body : JSON.stringify(b.body));
          headers['Content-Type'] = contentType;
        }
      }
      if (raw?.contentType !== undefined) headers['Content-Type'] = raw.contentType;
      return { method: o.method, path, headers, body, what };
    };

    const mutations: ((b: Base) => FuzzRequest)[] = [
      (b) => build(b, 'as the schema allows'),
      (b) => {
        delete b.headers.Authorization;
        return build(b, 'without credentials');
      },
      (b) => {
        b.headers.Authorization = rng.pick([
          'Bearer ',
          'Bearer x',
          `Bearer ${'a'.repeat(5000)}`,
          'Basic Zm9vOmJhcg==',
          'Bearer gk_\u00ff',
          'Bearer a b',
        ]);
        return build(b, 'with a malformed credential');
      },
      (b) => {
        b.headers['X-Api-Key'] = rng.pick(['', 'x'.repeat(300), 'demo-nope', `demo-${slug}`]);
        delete b.headers.Authorization;
        return build(b, 'with an X-Api-Key');
      },
      (b) => {
        const at = rng.pick(slots(b.body));
        b.body = setAt(b.body, at, rng.pick(ODD_VALUES));
        return build(b, `with an odd value at body.${at.join('.')}`);
      },
      (b) => {
        const at = rng.pick(
          slots(b.body)
            .filter((s) => s.length > 0)
            .concat([[]]),
        );
        b.body = at.length ? setAt(b.body, at, undefined, true) : undefined;
        return build(b, `without body.${at.join('.')}`);
      },
      (b) => {
        b.body = {
          ...(typeof b.body === 'object' && b.body ? b.body : {}),
          [rng.pick(['extra', '__proto__', 'constructor', '$where', 'tenantId', '_id'])]: rng.pick(ODD_VALUES),
        };
        return build(b, 'with an extra field');
      },
      (b) =>
        build(b, 'with a body of another kind', {
          body: Buffer.from(JSON.stringify(rng.pick([null, [], 's', 1, true, {}, [[[[]]]]]))),
          contentType: 'application/json',
        }),
      (b) =>
        build(b, 'with a body that is not JSON', {
          body: rng.pick([
            Buffer.from('{"a":'),
            Buffer.from('\ufeff{}'),
            Buffer.from('{"a":1}\u0000'),
            Buffer.from(rng.hex(64), 'hex'),
            Buffer.from('['.repeat(10_000)),
            Buffer.from(`{"a":"${'\\u'.repeat(10)}"}`),
            Buffer.alloc(0),
          ]),
          contentType: 'application/json',
        }),
      (b) => {
        const ct = rng.pick(CONTENT_TYPES);
        return build(b, `as ${ct}`, {
          body: Buffer.from(b.body === undefined ? 'a=1&b=2' : JSON.stringify(b.body)),
          contentType: ct,
        });
      },
      (b) => {
        const enc = rng.pick(ENCODINGS);
        b.headers['Content-Encoding'] = enc;
        const json = Buffer.from(JSON.stringify(b.body ?? {}));
        return build(b, `with Content-Encoding ${enc}`, {
          body: rng.chance(0.5) ? gzipSync(json) : json,
          contentType: 'application/json',
        });
      },
      (b) =>
        build(b, 'with a body over the limits', {
          body: Buffer.from(JSON.stringify({ items: ['x'.repeat(1100 * 1024)] })),
          contentType: 'application/json',
        }),
      (b) => {
        const names = Object.keys(b.pathParams);
        const name = names.length ? rng.pick(names) : 'tenant';
        b.pathParams[name] = rng.pick(PATH_GARBAGE);
        return build(b, `with path parameter ${name} garbled`);
      },
      (b) => {
        const names = params.filter((p) => p.in === 'query').map((p) => p.name);
        const name = names.length ? rng.pick(names) : 'unknown';
        b.query[name] = String(rng.pick(ODD_VALUES)).slice(0, 3000);
        const r = build(b, `with query ${name} odd`);
        r.path += rng.pick([
          '',
          `&${name}=1&${name}=2`,
          `&${name}[a]=1`,
          `&${name}=%E0%A4%A`,
          '&__proto__[x]=1',
          `&${name}[$gt]=`,
        ]);
        return r;
      },
      (b) => {
        b.headers[rng.pick(['Accept-Language', 'Idempotency-Key', 'X-Request-Id', 'Origin', 'Accept', 'Range'])] = rng.pick([
          '*;q=abc',
          'zz-ZZ,'.repeat(500),
          'x'.repeat(300),
          'https://attacker.example',
          'null',
          'bytes=0-1,5-6',
          '',
        ]);
        return build(b, 'with an odd header');
      },
      (b) => {
        const r = build(b, 'with another method');
        r.method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
        return r;
      },
    ];
    const out = mutations.map((m) => m(base()));
    while (out.length < VARIANTS + 1) out.push(rng.pick(mutations)(base()));
    return out;
  }

  function send(r: FuzzRequest): Promise<{ status: number; text: string }> {
    const { port } = new URL(testServer().baseUrl);
    return new Promise((resolveSend, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        localAddress: CLIENT_ADDRESS,
        method: r.method,
        path: r.path,
        headers: { ...r.headers, ...(r.body ? { 'Content-Length': String(r.body.length) } : {}) },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text = (text + c).slice(0, 2000)));
        res.on('end', () => resolveSend({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(r.body);
    });
  }

  it('answers every malformed request with less than 500', async () => {
    const doc = (await (await fetch(`${testServer().baseUrl}/api/v1/openapi.json`)).json()) as Schema;
    const rng = rngFrom(SEED);
    const operations = operationsOf(doc);
    const queue = interleave(operations.map((o) => requestsFor(doc, o, rng)));
    const started = Date.now();
    const failures: string[] = [];
    let sent = 0;
    const statuses: Record<string, number> = {};
    const worker = async () => {
      for (let r = queue.shift(); r && Date.now() - started < BUDGET_MS; r = queue.shift()) {
        const res = await send(r);
        sent += 1;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) {
          const body = r.body ? r.body.subarray(0, 300).toString('utf8') : '';
          failures.push(
            `${res.status} ${r.method} ${r.path.slice(0, 300)} (${r.what})\n  headers: ${JSON.stringify(r.headers).slice(0, 400)}\n  body: ${body}\n  answer: ${res.text.slice(0, 300)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stdout.write(
      `      fuzz: ${sent} requests over ${operations.length} operations in ${Date.now() - started} ms; statuses ${JSON.stringify(statuses)}\n`,
    );
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent, 'fewer than 10 requests per operation within the budget').to.be.at.least(operations.length * 10);
  });
});

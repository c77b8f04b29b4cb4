/**
 * Checks every answer the test server sends against its endpoint's contract (contracts/): the
 * request's method and path select the contract; a success must have the contract's status and a
 * body its schema parses to exactly that body (no field missing, none undeclared); an error answer
 * must have the `ErrorBody` shape (a compressed body is checked as decoded); a success under `/api/` that no contract declares is a failure
 * too. Failures are collected with the test that
 * caused them and fail the run in the root `afterAll` hook (root-hooks.mjs).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Endpoint } from '../../contracts/endpoint.ts';
import { ErrorBody } from '../../contracts/errors.ts';
import { ENDPOINTS } from '../../contracts/index.ts';

interface Route {
  endpoint: Endpoint;
  pattern: RegExp;
  /** Path parameters: fewer is more specific (`/payments/options` before `/payments/:id`). */
  params: number;
}

const ROUTES: Route[] = ENDPOINTS.map((endpoint) => {
  const full = endpoint.root ? endpoint.path : `/api/v1/t/:tenant${endpoint.path}`;
  const source = full.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
  return { endpoint, pattern: new RegExp(`^${source}$`), params: (full.match(/:\w+/g) ?? []).length };
}).sort((a, b) => a.params - b.params);

/** The contract of `METHOD /path`, if any. */
export function contractOf(method: string, path: string): Endpoint | undefined {
  return ROUTES.find((r) => r.endpoint.method === method && r.pattern.test(path))?.endpoint;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** What is wrong with an answer, or `null` when it keeps its contract. */
export function answerProblem(method: string, path: string, status: number, contentType: string, text: string): string | null {
  const endpoint = contractOf(method, path);
  if (status >= 400) {
    if (!path.startsWith('/api/')) return null;
    const json = parseJson(text);
    if (!json.ok) return `error ${status} is not JSON: ${text.slice(0, 200)}`;
    const parsed = ErrorBody.safeParse(json.value);
    return parsed.success ? null : `error ${status} is not an ErrorBody: ${parsed.error.message}`;
  }
  if (!endpoint) {
    if (!path.startsWith('/api/')) return null;
    return `answered ${status} but no contract declares ${method} ${path}`;
  }
  const declared = endpoint.response;
  if (status !== declared.status) return `status ${status}, the contract declares ${declared.status}`;
  if (declared.body === null) return text === '' ? null : `a body where the contract declares none: ${text.slice(0, 200)}`;
  if (declared.body === 'file') return null;
  if (typeof declared.body === 'string') {
    return contentType.startsWith(declared.body) ? null : `content type ${contentType}, the contract declares ${declared.body}`;
  }
  const json = parseJson(text);
  if (!json.ok) return `not JSON: ${text.slice(0, 200)}`;
  const parsed = declared.body.safeParse(json.value);
  if (!parsed.success) return `the body does not match the contract: ${parsed.error.message}`;
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), json.value)) {
    return `the body has fields the contract does not declare: ${text.slice(0, 300)}`;
  }
  return null;
}

interface Failure {
  test: string;
  request: string;
  problem: string;
}

const state = { test: '(outside a test)', checked: 0, failures: [] as Failure[] };

/** Names the test whose requests follow (root `beforeEach`). */
export function currentTest(title: string): void {
  state.test = title;
}

/** Answers checked so far, and the failures. */
export function answerChecks(): { checked: number; failures: readonly Failure[] } {
  return { checked: state.checked, failures: state.failures };
}

function check(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const method = req.method ?? 'GET';
  // A 304 answers a revalidation: the copy the client has stands; it has no body to check.
  if (method === 'OPTIONS' || method === 'HEAD' || res.statusCode === 304) return;
  const path = new URL((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/', 'http://x').pathname;
  state.checked += 1;
  const encoding = res.getHeader('content-encoding');
  const sent = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;
  const problem = answerProblem(method, path, res.statusCode, String(res.getHeader('content-type') ?? ''), sent.toString('utf8'));
  if (problem) state.failures.push({ test: state.test, request: `${method} ${path}`, problem });
}

/** The server's request listener with every answer under `/api/` or of a contract checked (see above). */
export function checkingAnswers(listener: RequestListener): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/api/') && !contractOf(req.method ?? 'GET', path)) {
      listener(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
    res.on('finish', () => check(req, res, Buffer.concat(chunks)));
    listener(req, res);
  };
}

/** Throws with every answer that broke its contract (root `afterAll`). */
export function assertAnswersKeptContracts(): void {
  const { failures } = state;
  if (failures.length === 0) return;
  const lines = failures.slice(0, 30).map((f) => `- ${f.request} in "${f.test}": ${f.problem}`);
  throw new Error(`${failures.length} answers broke their contracts:\n${lines.join('\n')}`);
}

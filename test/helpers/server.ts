import { createServer, type Server } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../../server/app-context.ts';
import { bootstrap, type Gaskit } from '../../server/bootstrap.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { connectDb, disconnectDb } from '../../server/db/connection.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/http/logger.ts';
import { MODULES } from '../../server/modules.ts';
import { demoOrigins, seedDemoTenants } from '../../server/tenants/demo.ts';
import { checkingAnswers } from './contracts.ts';
import { testModule } from './test-module.ts';

export interface TestServer {
  baseUrl: string;
  config: Config;
  db: EmbeddedDb;
  dataDir: string;
  /** The app `bootstrap` built: its settings are the ones tests change (`app.context.notify.configure(…)`). */
  app: Gaskit;
}

let current: TestServer | undefined;
let httpServer: Server | undefined;

/** One real server on a free port over a fresh embedded database for the whole mocha run. */
export async function startTestServer(): Promise<TestServer> {
  if (current) return current;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-test-'));
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', GASKIT_DEMO: '1', GASKIT_DATA_DIR: dataDir, PORT: '0' });
  const db = await startEmbeddedDb({ dataDir, cacheDir: config.cacheDir, log: (m) => process.stderr.write(`${m}\n`) });
  // Commands are reported so that tests can see what reaches the database (test/helpers/operations.ts).
  await connectDb(db.uri, 'gaskit_test', { monitorCommands: true });
  // The tests' supplier pages are the demo's at the default port (the server itself gets a free one).
  await seedDemoTenants(demoOrigins({ port: 3000, publicUrl: undefined }));
  const app = await bootstrap(config, {
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    seedDemo: false,
    modules: [...MODULES, testModule],
  });
  httpServer = await new Promise<Server>((resolve) => {
    // Every answer is checked against its contract (test/helpers/contracts.ts).
    const s = createServer(checkingAnswers(app.app)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = httpServer.address() as AddressInfo;
  app.context.publicUrl.listeningOn('127.0.0.1', port);
  current = { baseUrl: `http://127.0.0.1:${port}`, config, db, dataDir, app };
  return current;
}

export function testServer(): TestServer {
  if (!current) throw new Error('test server not started (root hooks missing?)');
  return current;
}

/** The test server's app context: the settings tests change (every test runs in it: root-hooks.mjs). */
export function testApp(): AppContext {
  return testServer().app.context;
}

/**
 * Another app on the test server's database, built by `bootstrap` from `config` (one a test made:
 * another mode, other keys) and listening on a free port; `stop()` it in the test's `after`.
 */
export async function startApp(config: Config): Promise<{ app: Gaskit; baseUrl: string }> {
  const app = await bootstrap(config, { logger: createLogger('silent'), migrate: false, seedDemo: false });
  const server = await app.listen(0, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function stopTestServer(): Promise<void> {
  if (!current) return;
  await new Promise<void>((resolve) => httpServer?.close(() => resolve()) ?? resolve());
  httpServer?.closeAllConnections();
  httpServer = undefined;
  await current.app.stop();
  await disconnectDb();
  await current.db.stop();
  await rm(current.dataDir, { recursive: true, force: true });
  current = undefined;
}

/** fetch against the test server, JSON in and out. */
export async function api(
  pathname: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${testServer().baseUrl}${pathname}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

/** A GET with exactly these headers, the body as sent (fetch would decompress it). */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

let addresses = 0;

/**
 * A loopback address no other request of the run comes from (127.2.0.0/16; the server sees it
 * as the client's address): per-address limits then count this test's requests alone, whatever
 * the tests before it sent from 127.0.0.1 or the fuzz's 127.0.0.214.
 */
export function ownAddress(): string {
  addresses += 1;
  return `127.2.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
}

/**
 * One request to `url` from the client address `localAddress` (see `ownAddress`) on a connection
 * of its own, JSON in and out: its status, body and headers.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        localAddress,
        agent: false,
        method: init.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: {
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
          ...init.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const json = (res.headers['content-type'] ?? '').includes('json');
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `api`, from the client address `localAddress` (see `ownAddress`). */
export function apiFrom(
  localAddress: string,
  pathname: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }> {
  return requestFrom(localAddress, `${testServer().baseUrl}${pathname}`, init);
}

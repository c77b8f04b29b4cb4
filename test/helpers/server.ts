import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { connectDb, disconnectDb } from '../../server/db/connection.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../../server/db/embedded.ts';
import { createApp } from '../../server/http/app.ts';
import { configureAlerts } from '../../server/http/alerts.ts';
import { createLogger } from '../../server/http/logger.ts';
import { configurePublicUrl, publicUrlListening } from '../../server/http/public-url.ts';
import { demoOrigins, seedDemoTenants } from '../../server/tenants/demo.ts';
import { configureAuth } from '../../server/auth/policy.ts';
import { configureFeedback } from '../../server/feedback/config.ts';
import { startNotify } from '../../server/notify/service.ts';
import { configurePayments } from '../../server/payments/service.ts';
import { checkingAnswers } from './contracts.ts';

export interface TestServer {
  baseUrl: string;
  config: Config;
  db: EmbeddedDb;
  dataDir: string;
}

let current: TestServer | undefined;
let httpServer: Server | undefined;

/** One real server on a free port over a fresh embedded database for the whole mocha run. */
export async function startTestServer(): Promise<TestServer> {
  if (current) return current;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-test-'));
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', GASKIT_DEMO: '1', GASKIT_DATA_DIR: dataDir, PORT: '0' });
  const db = await startEmbeddedDb({ dataDir, cacheDir: config.cacheDir, log: (m) => process.stderr.write(`${m}\n`) });
  await connectDb(db.uri, 'gaskit_test');
  // The tests' supplier pages are the demo's at the default port (the server itself gets a free one).
  await seedDemoTenants(demoOrigins({ port: 3000, publicUrl: undefined }));
  configurePublicUrl(config);
  configureAuth(config);
  configureFeedback(config);
  configurePayments(config);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  configureAlerts(logger);
  await startNotify(config, logger);
  const app = createApp({ config, logger });
  httpServer = await new Promise<Server>((resolve) => {
    // Every answer is checked against its contract (test/helpers/contracts.ts).
    const s = createServer(checkingAnswers(app)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = httpServer.address() as AddressInfo;
  publicUrlListening('127.0.0.1', port);
  current = { baseUrl: `http://127.0.0.1:${port}`, config, db, dataDir };
  return current;
}

export function testServer(): TestServer {
  if (!current) throw new Error('test server not started (root hooks missing?)');
  return current;
}

export async function stopTestServer(): Promise<void> {
  if (!current) return;
  await new Promise<void>((resolve) => httpServer?.close(() => resolve()) ?? resolve());
  httpServer?.closeAllConnections();
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

/**
 * Subscriber requests as a supplier grows (issue 12, point 6). One server process (the compiled
 * dist/server/main.js, as `npm start` runs it; demo mode, embedded FerretDB v1 on SQLite) measured twice:
 *   - "demo": the fresh demo data (3 suppliers × 1,000 accounts) plus the bench's first cabinets;
 *   - "grown": the same server after sever-gaz is grown, by insertMany straight into the database
 *     (bench/api-scale/generate.mjs), to 300,000 accounts with meters and 24 months of history,
 *     100,000 subscribers with links and sessions, 1,000,000 readings and 300,000 payments
 *     (`API_SCALE=small` for 1/30 of that, or a fraction such as `API_SCALE=0.1`); before it is
 *     measured, the measured cabinet's summary, readings and payments are read through the API
 *     and compared with what was generated (the bench stops on a difference).
 * For each request of the measured cabinet: p50/p99 with one client (up to 200 requests or 5 s)
 * and with 20 concurrent clients (autocannon); beside it the raw-driver limit: the commands the
 * server sent for that request (captured by bench/api-scale/capture-hook.mjs) replayed with the
 * mongodb driver at the same concurrency (bench/api-scale/replay.mjs), and at 20 clients the bare
 * platform: those commands and the server's answer behind node:http or Express alone
 * (bench/api-scale/bare-server.mjs), for reference. Then the integration budgets (a 5,000-item
 * request, a 100,000-line CSV of balances) and the server's peak RSS.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import { register } from 'tsx/esm/api';
import { csv, runImport } from './csv-import.bench.mjs';
import { post } from './integration-api.bench.mjs';
import { BENCH_CABINETS, FULL, expectedOf, generate, ids, measuredCabinet, sizesFor } from './api-scale/generate.mjs';
import { Replayer, byKey, describe, parseCapture, waves } from './api-scale/replay.mjs';
import { cpuMsOf, percentile } from './measure.mjs';

const SCALE = process.env.API_SCALE ?? 'full';
/** `API_SCALE_PHASES=demo`: only the demo phase (no growing, no integration), reported in a section of its own. */
const GROWN = (process.env.API_SCALE_PHASES ?? 'demo,grown').split(',').includes('grown');
/** `API_SCALE_REQUESTS=GET me,PATCH me`: only these requests (their ids as in the tables), in both phases. */
const ONLY = process.env.API_SCALE_REQUESTS?.split(',').map((id) => id.trim());
/**
 * `API_SCALE_SERVER_OPTIONS='--max-semi-space-size=32 --import=/tmp/probe.mjs'`: more Node options of the
 * server process (those NODE_OPTIONS allows), after the ones `npm run serve` gives it (`serveOptions`).
 */
const SERVER_OPTIONS = process.env.API_SCALE_SERVER_OPTIONS ?? '';
const TENANT = 'sever-gaz';
const PASSWORD = 'Bench12345';
const ONE = { requests: 200, seconds: 5 };
/**
 * 20 clients: about `seconds` of one client's work, at least `min` and at most `max` requests. A
 * request of about a millisecond (GET config) makes 4,000–5,000, a run of a few seconds: over
 * the 2,000 of earlier runs (1.5 s) one pause of the machine of 50 ms, which 20 requests wait
 * through together, was the p99 by itself.
 */
const MANY = { clients: 20, seconds: 5, min: 20, max: 10_000 };
/** A request that takes longer than this alone is not run with 20 clients (it would take minutes). */
const MANY_SKIP_MS = 1_000;
const BUDGET = { p50: 30, p99: 100, growth: 1.5, ratio: 0.5, spread: 3, rssMb: 300, integrationS: 5, csvS: 60 };
const INTEGRATION_ITEMS = 5_000;
const BARE_TEXT =
  '- **Bare Node**, **Bare Express**: the platform under the server doing the same work, for reference (no budget): ' +
  "an HTTP server of its own process (`bench/api-scale/bare-server.mjs`) that answers each request by replaying the raw limit's commands (none for GET config), " +
  "with the driver, and then sending the server's answer to that request (its status, type and bytes); with node:http alone, or with one Express route. " +
  "None of the server's own work per request: no logging, metrics, security headers, CORS, compression, tenant, session or contract checks. " +
  "At 20 clients, measured as the server is (with bare Express's p99 / p50 beside the server's); not for sign-in, whose limit checks a password beside its commands.";
const CSV_LINES = 100_000;

const now = () => performance.now();
const seconds = (ms) => ms / 1000;

const stats = (latencies, wallMs) => ({
  n: latencies.length,
  p50: percentile(latencies, 0.5),
  p99: percentile(latencies, 0.99),
  perSecond: latencies.length / seconds(wallMs),
});

/** VmHWM (peak) and VmRSS of a process, MB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/**
 * The Node options of `npm run serve` (and so of `npm start`): package.json's `node <options>
 * dist/server/main.js`. The measured server runs with them, as production does.
 */
function serveOptions(root) {
  const { start, serve } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const options = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/server\/main\.js$/.exec(serve)?.[1];
  if (options === undefined) throw new Error(`package.json scripts.serve is not "node [options] dist/server/main.js": ${serve}`);
  if (!start.endsWith(`&& ${serve}`))
    throw new Error(`package.json scripts.start does not end with scripts.serve's command: ${start}`);
  return options.trim();
}

/** A run starts once the server and its database are idle: at most this much CPU (ms) over `IDLE.windowMs`. */
const IDLE = { cpuMs: 20, windowMs: 500, maxMs: 30_000 };

/**
 * Waits until the server and its database have been idle for a window (see `IDLE`), so that the
 * work earlier rows left behind (mails the outbox sends, payments the payments job looks at again,
 * balances to fold) is not counted against the next run, nor its raw replay; returns the ms waited.
 */
async function idle(pids, { cpuMs, windowMs, maxMs } = IDLE) {
  const started = now();
  for (;;) {
    const before = cpuMsOf(pids.server) + cpuMsOf(pids.db);
    await sleep(windowMs);
    const waited = now() - started;
    if (cpuMsOf(pids.server) + cpuMsOf(pids.db) - before <= cpuMs || waited >= maxMs) return waited;
  }
}

/**
 * Runs `fn` once the server is idle (`idle`) and adds to its result the CPU time per request each
 * process spent meanwhile (`cpu: { server, db, bench }`, ms): where a request's time goes on the
 * shared cores.
 */
async function withCpu(pids, requests, fn) {
  const waited = await idle(pids);
  if (waited > 2_000) console.log(`  (waited ${seconds(waited).toFixed(1)} s for the server to go idle)`);
  const before = { server: cpuMsOf(pids.server), db: cpuMsOf(pids.db), bench: process.cpuUsage() };
  const result = await fn();
  const bench = process.cpuUsage(before.bench);
  const per = (ms) => ms / Math.max(1, result.n ?? requests);
  return {
    ...result,
    cpu: {
      server: per(cpuMsOf(pids.server) - before.server),
      db: per(cpuMsOf(pids.db) - before.db),
      bench: per((bench.user + bench.system) / 1000),
    },
  };
}

/**
 * Pages of files the kernel read again after it had evicted them (/proc/vmstat
 * `workingset_refault_file`), machine-wide: a lookup that waits on the disk instead of the page
 * cache. Some machines evict memory not touched for a while by themselves (DAMON's proactive
 * reclaim, /sys/kernel/mm/damon), which can take the database's hot pages with it.
 */
function refaults() {
  return Number(/^workingset_refault_file (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'))?.[1] ?? NaN);
}

/**
 * Whether the kernel pages out memory by itself here (a DAMON scheme with the `pageout` action
 * running): 'on', 'off', or 'absent' where the machine has no DAMON. Said in the report, because
 * it evicts the grown database's pages that are hot but sparse, and the one-client grown phase
 * then waits on the disk (the refault columns show how much).
 */
function proactiveReclaim() {
  const root = '/sys/kernel/mm/damon/admin/kdamonds';
  let kdamonds;
  try {
    kdamonds = readdirSync(root).filter((name) => /^\d+$/.test(name));
  } catch {
    return 'absent';
  }
  const running = kdamonds.some((k) => {
    if (readFileSync(join(root, k, 'state'), 'utf8').trim() !== 'on') return false;
    const contexts = join(root, k, 'contexts');
    return readdirSync(contexts)
      .filter((c) => /^\d+$/.test(c))
      .some((c) =>
        readdirSync(join(contexts, c, 'schemes'))
          .filter((sc) => /^\d+$/.test(sc))
          .some((sc) => readFileSync(join(contexts, c, 'schemes', sc, 'action'), 'utf8').trim() === 'pageout'),
      );
  });
  return running ? 'on' : kdamonds.length ? 'off' : 'absent';
}

const cpuText = (cpu) => `server ${cpu.server.toFixed(2)} + db ${cpu.db.toFixed(2)} + bench ${cpu.bench.toFixed(2)}`;

/** Readings sent so far by `POST readings`, over both phases: a value already counted in the period is refused as a duplicate. */
let readingsSent = 0;

/**
 * The measured cabinet's requests, with the real paths of server/*\/routes.ts, in the order the
 * issue lists them. A request that writes is sent from the pool's other cabinets in turn, so the
 * measured cabinet stays as generated; `build(n)` may name its own `path`, and `setup(base, count)`
 * makes what `count` more such requests need before they are sent.
 */
function subscriberRequests(cab, verifyPassword, passwordHash) {
  const auth = (token = cab.token) => ({ authorization: `Bearer ${token}` });
  const get = (id, path, extra = {}) => ({ id, method: 'GET', path, status: 200, build: () => ({ headers: auth() }), ...extra });
  const ip = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const others = cab.pool.filter((c) => c.token !== cab.token);
  const from = (n) => others[n % others.length];
  const key = (what, n) => `api-scale-${what}-${process.pid}-${Date.now()}-${n}`;
  /** Unpaid payments of the pool's cabinets (demo provider), each confirmed once by `POST payments/:id/demo/confirm`. */
  const unpaid = [];
  let made = 0;
  let confirmed;
  return [
    {
      id: 'POST auth/login',
      method: 'POST',
      path: 'auth/login',
      status: 200,
      note: `cabinets of their own, ${cab.signInLogins.length} in turn (each sign-in ends the oldest of a cabinet's 20 sessions; concurrent sign-ins to one login are checked no more than its lockout allows), a new client address each time for the per-address limit; scrypt included`,
      build: (n) => ({
        headers: { 'x-forwarded-for': ip(n) },
        body: { login: cab.signInLogins[n % cab.signInLogins.length], password: PASSWORD },
      }),
      // Its limit is the lookups plus the one scrypt of the same parameters the server makes on purpose.
      rawExtra: async () => {
        if (!(await verifyPassword(PASSWORD, passwordHash))) throw new Error('scrypt of the limit failed');
      },
    },
    get('GET me', 'me'),
    get('GET config', 'config', { build: () => ({ headers: {} }) }),
    get('GET accounts', 'accounts'),
    get('GET accounts/:id/summary', `accounts/${cab.accountId}/summary`),
    get('GET accounts/:id/charges', `accounts/${cab.accountId}/charges`),
    get('GET accounts/:id/meters', `accounts/${cab.accountId}/meters`),
    get('GET accounts/:id/readings', `accounts/${cab.accountId}/readings`),
    {
      id: 'POST readings',
      method: 'POST',
      path: 'readings',
      status: 201,
      note: `spread over the pool's other ${others.length} cabinets, each reading higher than every one sent before (confirmed as implausible); the readings stay`,
      build: () => {
        const k = (readingsSent += 1);
        const c = from(k);
        return {
          headers: { ...auth(c.token), 'idempotency-key': key('reading', k) },
          body: {
            accountId: c.accountId,
            readings: [{ meterId: c.meterId, value: String(c.lastReading + 30 + k), confirmImplausible: true }],
          },
        };
      },
    },
    {
      id: 'POST readings/preview',
      method: 'POST',
      path: 'readings/preview',
      status: 200,
      build: () => ({
        headers: auth(),
        body: { accountId: cab.accountId, readings: [{ meterId: cab.meterId, value: cab.previewValue }] },
      }),
    },
    get('GET payments/options', 'payments/options'),
    {
      id: 'POST payments',
      method: 'POST',
      path: 'payments',
      status: 201,
      note: `demo provider, a fresh Idempotency-Key each time, spread over the pool's other ${others.length} cabinets so that the measured cabinet's history stays as generated`,
      build: (n) => {
        const c = from(n);
        return {
          headers: { ...auth(c.token), 'idempotency-key': key('payment', n) },
          body: { items: [{ accountId: c.accountId, amount: 10_000, penalties: 0 }] },
        };
      },
    },
    {
      id: 'POST payments/:id/demo/confirm',
      method: 'POST',
      path: 'payments/:id/demo/confirm',
      status: 200,
      note: `the demo provider's card step with 4242 4242 4242 4242 (success, receipt; the follow-up runs after the answer and is in the commands and the raw replay), each on its own payment made beforehand by the pool's other ${others.length} cabinets; one client: each confirm sent once the follow-up of the one before has finished`,
      // One request at a time: the next is sent once the work this one set off (the follow-up:
      // receipt email, export, history) is done, read from the database, not timed.
      settle: async (db) => {
        const id = confirmed;
        for (let waited = 0; ; waited += 5) {
          const payment = await db.collection('pay_payments').findOne({ _id: id }, { projection: { fulfilment: 1 } });
          if (payment?.fulfilment === 'done') return;
          if (waited > 30_000) throw new Error(`the follow-up of payment ${id} did not finish within 30 s`);
          await sleep(5);
        }
      },
      setup: async (base, count) => {
        for (let i = 0; i < count; i += 1, made += 1) {
          const c = from(made);
          const res = await fetch(`${base}/payments`, {
            method: 'POST',
            headers: { ...auth(c.token), 'content-type': 'application/json', 'idempotency-key': key('confirm', made) },
            body: JSON.stringify({ items: [{ accountId: c.accountId, amount: 10_000, penalties: 0 }] }),
          });
          const body = await res.json();
          if (res.status !== 201)
            throw new Error(`payment for the confirm step: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
          unpaid.push({ id: body.payment.id, token: c.token });
        }
      },
      build: () => {
        const payment = unpaid.shift();
        if (!payment) throw new Error('no unpaid payment left for the confirm step');
        confirmed = payment.id;
        return {
          path: `payments/${payment.id}/demo/confirm`,
          headers: auth(payment.token),
          body: { cardNumber: '4242424242424242', expiry: '12/39', cvc: '123' },
        };
      },
    },
    get('GET payments', 'payments'),
    get('GET payments/:id', `payments/${cab.paymentId}`),
    get('GET receipts/:token', `receipts/${cab.receiptToken}`, { build: () => ({ headers: {} }) }),
    get('GET feedback', 'feedback'),
    {
      id: 'POST feedback',
      method: 'POST',
      path: 'feedback',
      status: 201,
      note: `spread over the pool's other ${others.length} cabinets, each may send 30 an hour; the requests stay; one client: each request sent once the server and its database are idle (at most 10 ms of CPU over 100 ms: its mail to the supplier's department delivered, in demo mode to the dev mailbox in the server process)`,
      // The mail each request sets off is delivered after the answer (measured back to back too):
      // the next request goes once 100 ms pass with at most one 10 ms tick of CPU (5 s at most).
      settle: (_db, pids) => idle(pids, { cpuMs: 10, windowMs: 100, maxMs: 5_000 }),
      // Two one-client runs (paced, back to back) and a 20-client run a phase: 100 each keeps both
      // phases within the 49 cabinets' 30 an hour (200 each brought 429s in the grown phase).
      one: { requests: 100, seconds: ONE.seconds },
      build: (n) => {
        const c = from(n);
        return {
          headers: auth(c.token),
          body: {
            topic: 'meters',
            message: 'Счётчик показывает странные цифры, проверьте, пожалуйста.',
            accountNumber: c.accountNumber,
          },
        };
      },
    },
    {
      id: 'PATCH me',
      method: 'PATCH',
      path: 'me',
      status: 200,
      note: `settings: the name and phone (an email cabinet's phone is saved without a code), spread over the pool's other ${others.length} cabinets`,
      build: (n) => ({
        headers: auth(from(n).token),
        body: { fullName: `Абонент Настроек ${n}`, phone: `+7900${String(1_000_000 + (n % 9_000_000)).padStart(7, '0')}` },
      }),
    },
    get('GET me/sessions', 'me/sessions'),
  ];
}

/** The request as fetch and autocannon send it. */
function prepared(r, n, capture) {
  const { headers, body, path = r.path } = r.build(n);
  return {
    path,
    method: r.method,
    headers: {
      ...headers,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(capture ? { 'x-bench-capture': capture } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  };
}

/** Sends request `n` of `r`; returns the answer (status, content type, bytes), which must have `r`'s status. */
async function call(base, r, n, capture) {
  const { path, ...init } = prepared(r, n, capture);
  const res = await fetch(`${base}/${path}`, init);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== r.status) throw new Error(`${r.id}: ${res.status} ${body.toString('utf8', 0, 300)}`);
  return { status: res.status, type: res.headers.get('content-type') ?? 'application/octet-stream', body };
}

/** Stops a server started by `spawnServer` and waits for it to exit. */
async function stopServer(server) {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** The database the demo data is copied into before growing, served beside the grown one for the one-client ratio. */
const BESIDE_DB = 'gaskit_demo';

/**
 * Copies every collection of the database `from` into `to` on the same server, documents as
 * stored (values not promoted, so a double stays a double), a thousand at a time; returns how many.
 */
async function copyDatabase(client, from, to) {
  const source = client.db(from);
  const target = client.db(to);
  let copied = 0;
  const write = async (name, batch) => {
    if (batch.length) await target.collection(name).insertMany(batch, { ordered: false });
    copied += batch.length;
  };
  for (const { name } of await source.listCollections({}, { nameOnly: true }).toArray()) {
    let batch = [];
    const cursor = source
      .collection(name)
      .find({}, { batchSize: 1000, promoteValues: false, promoteBuffers: false, bsonRegExp: true });
    for await (const doc of cursor) {
      batch.push(doc);
      if (batch.length === 1000) {
        await write(name, batch);
        batch = [];
      }
    }
    await write(name, batch);
  }
  return copied;
}

/**
 * A bare-platform server (bench/api-scale/bare-server.mjs, `mode` node or express) on the database
 * at `uri`, as a process of its own: `load` gives it a request's captured commands and the answer
 * it sends after them, `cleanUp` has it delete what its replays inserted.
 */
async function startBare(root, uri, mode) {
  const child = fork(join(root, 'bench', 'api-scale', 'bare-server.mjs'), [uri, mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`bare ${mode} server exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const { port } = await reply();
  const ask = (message) => {
    const answered = reply();
    child.send(message);
    return answered;
  };
  return {
    mode,
    pid: child.pid,
    base: `http://127.0.0.1:${port}`,
    load: (what) => ask({ load: { ...what, body: what.body.toString('base64') } }),
    cleanUp: () => ask({ cleanUp: true }),
    stop: async () => {
      child.disconnect();
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * One client per run in `runs` (one per server measured), each sending one request at a time,
 * `limit.requests` times or for `limit.seconds` of the time measured; with more than one run their
 * requests alternate (A B, then B A…), so that all are measured through the same minutes of a
 * shared machine, until any has reached its limit. A run that returns a number says how long its
 * request took (it waited for more after, a settle). Each result has the pages read again from
 * disk per request around that run's own requests (`refaults`).
 */
async function oneClientEach(runs, limit = ONE) {
  const sides = runs.map(() => ({ latencies: [], measured: 0, refaults: 0 }));
  const more = (s) => s.latencies.length < limit.requests && (s.latencies.length === 0 || s.measured < limit.seconds * 1000);
  const started = now();
  for (let round = 0; sides.every(more); round += 1) {
    for (const i of runs.map((_, k) => (k + round) % runs.length)) {
      const side = sides[i];
      const before = refaults();
      const t = now();
      const took = await runs[i](side.latencies.length);
      side.latencies.push(typeof took === 'number' ? took : now() - t);
      side.measured += side.latencies.at(-1);
      side.refaults += refaults() - before;
    }
  }
  return sides.map((s) => ({ ...stats(s.latencies, now() - started), refaults: s.refaults / Math.max(1, s.latencies.length) }));
}

const oneClient = async (run, limit = ONE) => (await oneClientEach([run], limit))[0];

async function manyClients(run, amount) {
  const latencies = [];
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: MANY.clients }, async () => {
      while (next < amount) {
        const n = next++;
        const t = now();
        await run(n);
        latencies.push(now() - t);
      }
    }),
  );
  return stats(latencies, now() - started);
}

/**
 * autocannon with a fixed number of requests; latencies and the rate from its response events
 * (it notices the end only at its next one-second tick, so its own duration would round the rate down).
 */
function autocannonRun(base, r, amount) {
  let n = 0;
  const latencies = [];
  const statuses = {};
  let last = 0;
  return new Promise((resolve, reject) => {
    const started = now();
    const instance = autocannon(
      {
        url: base,
        connections: MANY.clients,
        amount,
        timeout: 300,
        requests: [
          {
            method: r.method,
            path: `${new URL(base).pathname}/${r.path}`,
            setupRequest: (req) => {
              const { path, headers, body } = prepared(r, (n += 1));
              return { ...req, path: `${new URL(base).pathname}/${path}`, headers, body };
            },
          },
        ],
      },
      (err) => {
        if (err) return reject(err);
        const wrong = Object.entries(statuses).filter(([code]) => Number(code) !== r.status);
        resolve({ ...stats(latencies, last - started), wrong: wrong.map(([code, count]) => `${count}× ${code}`).join(', ') });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      latencies.push(responseTime);
      last = now();
    });
  });
}

/** Every subscriber request of the measured cabinet: one client, 20 clients, and the raw-driver limit of both. */
async function measurePhase({ phase, base, client, captureFile, cab, log, verifyPassword, passwordHash, pids, bares, beside }) {
  const chosen = (r) => !ONLY || ONLY.includes(r.id);
  const requests = subscriberRequests(cab, verifyPassword, passwordHash).filter(chosen);
  // The server of the demo data beside this one (the grown phase's): requests of their own (what
  // their `setup` makes is made there), sent as this phase's are.
  const besideRequests = beside ? subscriberRequests(cab, verifyPassword, passwordHash).filter(chosen) : [];
  for (const r of requests) await r.setup?.(base, 2 + ONE.requests);
  for (const r of besideRequests) await r.setup?.(beside.base, 2 + ONE.requests);
  for (const r of requests) await call(base, r, 0);
  for (const r of besideRequests) for (const n of [0, 1]) await call(beside.base, r, n);
  const answers = new Map();
  for (const r of requests) answers.set(r.id, await call(base, r, 1, `${phase}:${r.id}`));
  // Work a request sets off after its answer (a payment's follow-up) is its too: read the capture
  // once it has stopped growing.
  for (let size = -1; size !== statSync(captureFile).size;) {
    size = statSync(captureFile).size;
    await sleep(1000);
  }
  const captured = parseCapture(readFileSync(captureFile, 'utf8'));
  const results = [];
  for (const [i, r] of requests.entries()) {
    const commands = captured.get(`${phase}:${r.id}`) ?? [];
    const plan = waves(commands);
    const replayer = new Replayer(client);
    await replayer.prepare(commands);
    const timed = (at, request, db, processes) => async (n) => {
      const started = now();
      await call(at, request, n + 2);
      const took = now() - started;
      await request.settle?.(db, processes);
      return took;
    };
    const runs = [timed(base, r, client.db(), pids)];
    if (beside) runs.push(timed(beside.base, besideRequests[i], beside.db, beside.pids));
    const server = {};
    [server.one, server.demoBeside] = await oneClientEach(runs, r.one);
    if (r.settle) {
      await r.setup?.(base, 2 + ONE.requests);
      server.backToBack = await oneClient((n) => call(base, r, n + 2), r.one);
    }
    const amount = Math.round(Math.min(MANY.max, Math.max(MANY.min, (MANY.seconds * 1000) / server.one.p50)));
    const many = server.one.p50 <= MANY_SKIP_MS;
    if (many) {
      await r.setup?.(base, amount);
      server.many = await withCpu(pids, amount, () => autocannonRun(base, r, amount));
    }
    const limit = async () => {
      await replayer.once(plan);
      await r.rawExtra?.();
    };
    const raw = commands.length ? { one: await oneClient(limit, { ...ONE, requests: server.one.n }) } : null;
    if (raw && many) raw.many = await withCpu(pids, amount, () => manyClients(limit, amount));
    await replayer.cleanUp();
    // The bare platform: the same commands (none for GET config) and the same answer behind
    // node:http or Express alone (not for a request whose limit has work of its own beside its
    // commands: sign-in's password check). It answers whatever it is sent, so it is sent the
    // request without what `build` makes for the server (which may use up what `setup` made: the
    // unpaid payments to confirm).
    const bare = {};
    if (server.many && !r.rawExtra) {
      const plain = { ...r, build: () => ({}) };
      for (const b of bares) {
        await b.load({ captureFile, label: `${phase}:${r.id}`, ...answers.get(r.id) });
        bare[b.mode] = await withCpu({ server: b.pid, db: pids.db }, amount, () => autocannonRun(b.base, plain, amount));
        await b.cleanUp();
      }
    }
    const row = {
      id: r.id,
      note: server.backToBack
        ? `${r.note}; back to back, the follow-up of the one before running beside it: p50 ${server.backToBack.p50.toFixed(1)} ms, p99 ${server.backToBack.p99.toFixed(1)} ms (n ${server.backToBack.n})`
        : r.note,
      commands: commands.filter((c) => !['getMore', 'killCursors'].includes(c.name)),
      server,
      raw,
      bare,
    };
    log(
      `  ${phase} ${r.id}: p50 ${server.one.p50.toFixed(1)} ms, p99 ${server.one.p99.toFixed(1)} ms (n ${server.one.n})` +
        (server.demoBeside
          ? `; the demo data beside it p50 ${server.demoBeside.p50.toFixed(1)} ms, p99 ${server.demoBeside.p99.toFixed(1)} ms (n ${server.demoBeside.n})`
          : '') +
        (server.backToBack
          ? `; back to back p50 ${server.backToBack.p50.toFixed(1)} ms, p99 ${server.backToBack.p99.toFixed(1)} ms`
          : '') +
        (server.many ? `; 20 clients ${server.many.perSecond.toFixed(0)}/s` : '') +
        (raw ? `; raw p50 ${raw.one.p50.toFixed(1)} ms${raw.many ? `, ${raw.many.perSecond.toFixed(0)}/s` : ''}` : '') +
        (server.many
          ? `; CPU ms per request, 20 clients: ${cpuText(server.many.cpu)}${raw?.many ? `, raw ${cpuText(raw.many.cpu)}` : ''}`
          : '') +
        Object.entries(bare)
          .map(
            ([mode, b]) =>
              `; bare ${mode} ${b.perSecond.toFixed(0)}/s, p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms, ${cpuText(b.cpu)}${b.wrong ? ` (${b.wrong})` : ''}`,
          )
          .join('') +
        `; ${row.commands.length} commands` +
        `; pages re-read from disk per request, one client: ${server.one.refaults.toFixed(1)}${raw ? `, raw ${raw.one.refaults.toFixed(1)}` : ''}`,
    );
    results.push(row);
  }
  return results;
}

/**
 * Signs in as generated cabinet j and reads its first account's summary, readings history and its
 * payment history through the API; throws unless they show what was generated (the generator and
 * the models must agree for the measurements to mean anything).
 */
async function verifyGenerated(base, ctx, j) {
  const want = expectedOf(ctx, j);
  const json = async (path, init = {}) => {
    const res = await fetch(`${base}/${path}`, init);
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`generated cabinet ${j}: ${path} answered ${res.status} ${JSON.stringify(body)?.slice(0, 300)}`);
    return body;
  };
  const signIn = await json('auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `172.16.${(j >> 8) & 255}.${j & 255}` },
    body: JSON.stringify({ login: want.login, password: PASSWORD }),
  });
  const headers = { authorization: `Bearer ${signIn.token}` };
  const differs = (what, got, expected) => {
    throw new Error(`generated cabinet ${j}: ${what} is ${JSON.stringify(got)}, generated ${JSON.stringify(expected)}`);
  };
  const summary = await json(`accounts/${encodeURIComponent(want.accountId)}/summary`, { headers });
  if (summary.period !== want.period || JSON.stringify(summary.balance) !== JSON.stringify(want.balance))
    differs('the summary', { period: summary.period, balance: summary.balance }, { period: want.period, balance: want.balance });
  const history = await json(`accounts/${encodeURIComponent(want.accountId)}/readings`, { headers });
  const meter = history.meters.find((m) => m.meter.id === want.meterId);
  const shown = (meter?.readings ?? []).map((r) => ({ period: r.period, valueMilli: Math.round(Number(r.value) * 1000) }));
  const expected = want.readings.slice(0, shown.length);
  if (shown.length === 0 || JSON.stringify(shown) !== JSON.stringify(expected)) differs('the readings history', shown, expected);
  const { payments } = await json('payments', { headers });
  const from = new Date(`${shiftPeriod(periodOf(new Date()), -11)}-01T00:00:00Z`).getTime();
  const generated = new Set(want.payments.map((p) => p.id));
  const listed = payments.filter((p) => generated.has(p.id)).map((p) => ({ id: p.id, total: p.total }));
  // The last 12 months in the supplier's time zone: a payment within a day of the start may fall on either side.
  const day = 86_400_000;
  const must = want.payments.filter((p) => p.createdAt.getTime() >= from + day);
  const may = want.payments.filter((p) => p.createdAt.getTime() >= from - day).map(({ id, total }) => ({ id, total }));
  const fits = listed.length >= must.length && JSON.stringify(listed) === JSON.stringify(may.slice(0, listed.length));
  if (must.length === 0 || !fits) differs('the payment history', listed, may);
  return `cabinet ${j}: period ${summary.period} closing ${summary.balance.closing}, ${shown.length} readings, ${listed.length} payments as generated`;
}

const periodOf = (d) => d.toISOString().slice(0, 7);
function shiftPeriod(period, months) {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}

/**
 * Documents per collection, counted on the demo data only: FerretDB v1 decodes a whole collection
 * to count it (about a minute per 30,000 payments on the shared machine), so the grown counts are
 * the demo's plus what the generator wrote (`grownCounts`).
 */
function countsOf(db) {
  const names = [
    'billing_accounts',
    'billing_current',
    'billing_past',
    'subscribers',
    'account_link_lists',
    'auth_sessions',
    'readings_export',
    'pay_payments',
  ];
  return Promise.all(names.map(async (name) => [name, await db.collection(name).estimatedDocumentCount()])).then(
    Object.fromEntries,
  );
}

/** The integration budgets at the grown size: one 5,000-item request of each kind, then a CSV of balances. */
async function integrationSteps({ root, origin, dataDir, dir, uri, ctx, sizes }) {
  const period = ctx.periods.at(-1);
  const balance = (i, paid) => ({
    accountNumber: ids.accountNumber(i),
    period,
    opening: 0,
    charged: 50_000,
    paid,
    closing: 50_000 - paid,
  });
  /** One step; a step that fails is reported as failed (with its error) and the others still run. */
  const step = async (what, budget, run) => {
    try {
      return { what, budget, ...(await run()) };
    } catch (error) {
      return { what, budget, seconds: NaN, answer: `failed: ${error instanceof Error ? error.message : error}`.slice(0, 300) };
    }
  };
  const items = Math.min(INTEGRATION_ITEMS, sizes.accounts);
  const lines = Math.min(CSV_LINES, sizes.accounts);
  return [
    await step(
      `one integration request of ${items.toLocaleString('en')} balances of existing accounts (updates)`,
      BUDGET.integrationS,
      async () => {
        const res = await post(
          origin,
          'balances',
          Array.from({ length: items }, (_, i) => balance(i, 20_000)),
        );
        return { seconds: res.seconds, answer: JSON.stringify(res.body).slice(0, 200) };
      },
    ),
    await step(
      `one integration request of ${INTEGRATION_ITEMS.toLocaleString('en')} new accounts`,
      BUDGET.integrationS,
      async () => {
        const res = await post(
          origin,
          'accounts',
          Array.from({ length: INTEGRATION_ITEMS }, (_, i) => ({
            number: String(6_000_000_000 + i),
            holder: `Новый Абонент ${i}`,
            pin: '1234',
          })),
        );
        return { seconds: res.seconds, answer: JSON.stringify(res.body).slice(0, 200) };
      },
    ),
    await step(
      `\`gaskit import balances\`, ${lines.toLocaleString('en')} lines (updates)${lines < CSV_LINES ? ` (the budget is for ${CSV_LINES.toLocaleString('en')})` : ''}`,
      BUDGET.csvS,
      async () => {
        const file = join(dir, 'balances.csv');
        writeFileSync(
          file,
          csv(
            'accountNumber,period,opening,charged,paid,closing,penalties',
            lines,
            (i) => `${ids.accountNumber(i)},${period},0,50000,50000,0,0`,
          ),
        );
        const imported = runImport(root, dataDir, 'balances', file, { MONGODB_URI: uri });
        return {
          seconds: imported.seconds,
          answer: `${imported.summary} (${Math.round(lines / imported.seconds).toLocaleString('en')} lines/s)`,
        };
      },
    ),
  ];
}

const ms = (v) => (Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1)) : '—');
const rate = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '—');
const mark = (ok) => (ok ? 'pass' : '**fail**');

export function oneClientTable(demo, grown) {
  const lines = [
    '| Request | Commands (by `_id`) | Demo p50 | Demo p99 | Grown p50 (≤ 30 ms) | Grown p99 (≤ 100 ms) | Demo p50 beside grown | Grown / demo p50 beside (≤ 1.5×) | Raw grown p50 | Raw grown p99 | Pages re-read from disk per request, grown (raw) | n (demo / grown) | Result |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  let ok = true;
  grown.forEach((g, i) => {
    const d = demo[i];
    const beside = g.server.demoBeside;
    const growth = g.server.one.p50 / (beside ?? d.server.one).p50;
    const pass = g.server.one.p50 <= BUDGET.p50 && g.server.one.p99 <= BUDGET.p99 && growth <= BUDGET.growth;
    ok &&= pass;
    lines.push(
      `| ${[
        g.id,
        `${g.commands.length} (${g.commands.filter(byKey).length})`,
        `${ms(d.server.one.p50)} ms`,
        `${ms(d.server.one.p99)} ms`,
        `${ms(g.server.one.p50)} ms`,
        `${ms(g.server.one.p99)} ms`,
        beside ? `${ms(beside.p50)} ms` : '—',
        `${growth.toFixed(1)}×`,
        g.raw ? `${ms(g.raw.one.p50)} ms` : '—',
        g.raw ? `${ms(g.raw.one.p99)} ms` : '—',
        `${g.server.one.refaults.toFixed(1)}${g.raw ? ` (${g.raw.one.refaults.toFixed(1)})` : ''}`,
        `${d.server.one.n} / ${g.server.one.n}`,
        mark(pass),
      ].join(' | ')} |`,
    );
  });
  return { lines, ok };
}

/** The one-client table of a run of the demo phase alone (`API_SCALE_PHASES=demo`): no budget, beside its limit. */
export function demoOneClientTable(demo) {
  return [
    '| Request | Commands (by `_id`) | p50 | p99 | Raw p50 | Raw p99 | n |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...demo.map(
      (d) =>
        `| ${[
          d.id,
          `${d.commands.length} (${d.commands.filter(byKey).length})`,
          `${ms(d.server.one.p50)} ms`,
          `${ms(d.server.one.p99)} ms`,
          d.raw ? `${ms(d.raw.one.p50)} ms` : '—',
          d.raw ? `${ms(d.raw.one.p99)} ms` : '—',
          d.server.one.n,
        ].join(' | ')} |`,
    ),
  ];
}

/** A bare platform's rate in its table cell, with any answers of another status than the server's. */
const bareRate = (bare) => (bare ? rate(bare.perSecond) + (bare.wrong ? ` (${bare.wrong})` : '') : '—');

export function manyClientsTable(rows) {
  const lines = [
    '| Request | Server req/s | Raw req/s | Server / raw (≥ 50 %) | p50 | p99 | p99 / p50 (≤ 3×) | Raw p50 | Raw p99 | Bare Node req/s | Bare Express req/s | Server / bare Express | Bare Express p99 / p50 | Requests | Result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  let ok = true;
  for (const r of rows) {
    const s = r.server.many;
    if (!s) {
      ok = false;
      lines.push(`| ${r.id} | not run: one request alone takes ${ms(r.server.one.p50)} ms | | | | | | | | | | | | | **fail** |`);
      continue;
    }
    const raw = r.raw?.many;
    const { node: bareNode, express: bareExpress } = r.bare ?? {};
    const ratio = raw ? s.perSecond / raw.perSecond : NaN;
    const spread = s.p99 / s.p50;
    const pass = (!raw || ratio >= BUDGET.ratio) && spread <= BUDGET.spread && !s.wrong;
    ok &&= pass;
    lines.push(
      `| ${[
        r.id,
        rate(s.perSecond),
        raw ? rate(raw.perSecond) : 'no commands',
        raw ? `${Math.round(ratio * 100)} %` : '—',
        `${ms(s.p50)} ms`,
        `${ms(s.p99)} ms`,
        `${spread.toFixed(1)}×`,
        raw ? `${ms(raw.p50)} ms` : '—',
        raw ? `${ms(raw.p99)} ms` : '—',
        bareRate(bareNode),
        bareRate(bareExpress),
        bareExpress ? `${Math.round((s.perSecond / bareExpress.perSecond) * 100)} %` : '—',
        bareExpress ? `${(bareExpress.p99 / bareExpress.p50).toFixed(1)}×` : '—',
        s.n.toLocaleString('en'),
        mark(pass) + (s.wrong ? ` (${s.wrong})` : ''),
      ].join(' | ')} |`,
    );
  }
  return { lines, ok };
}

export default async function apiScaleBench({ root }) {
  const sizes = sizesFor(SCALE);
  const dir = mkdtempSync(join(os.tmpdir(), 'gaskit-bench-scale-'));
  const dataDir = join(dir, 'data');
  const captureFile = join(dir, 'capture.jsonl');
  writeFileSync(captureFile, '');
  const log = (m) => console.log(m);
  const unregister = register();
  const load = (...parts) => import(pathToFileURL(join(root, ...parts)).href);
  let server;
  let besideServer;
  let client;
  const bares = [];
  try {
    const { spawnServer } = await load('test', 'helpers', 'process.ts');
    const { hashPassword, verifyPassword } = await load('server', 'auth', 'passwords.ts');
    const sessions = await load('server', 'auth', 'sessions.ts');
    const { pinHash } = await load('server', 'billing', 'writer.ts');
    const { demoPeriods } = await load('server', 'billing', 'demo-data.ts');
    const { key } = await load('server', 'db', 'kernel', 'keys.ts');
    const { streamId, onceMarkId } = await load('server', 'db', 'kernel', 'streams.ts');
    const paymentKeys = await load('server', 'payments', 'keys.ts');
    const { publicPayment } = await load('server', 'payments', 'view.ts');
    const { PaymentExport } = await load('server', 'payments', 'model.ts');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const loads = [os.loadavg()[0]];

    // The server measured is the compiled one production runs (tsx would add its compiler's memory
    // and start-up), built from this checkout.
    execFileSync('npm', ['run', 'build:server', '--silent'], { cwd: root, stdio: 'inherit' });
    const startedAt = now();
    const serverEnv = {
      GASKIT_DATA_DIR: dataDir,
      GASKIT_DEMO: '1',
      TRUST_PROXY: 'loopback',
      API_SCALE_CAPTURE_FILE: captureFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${serveOptions(root)} ${SERVER_OPTIONS} --import=${pathToFileURL(join(root, 'bench', 'api-scale', 'capture-hook.mjs')).href}`,
    };
    // Seeding the demo data takes minutes on a loaded shared machine.
    server = await spawnServer(serverEnv, { fromBuild: true, timeoutMs: 600_000 });
    const startSeconds = seconds(now() - startedAt);
    const startMemory = { server: memoryOf(server.child.pid), db: memoryOf(server.dbPid) };
    const origin = `http://127.0.0.1:${server.port}`;
    const base = `${origin}/api/v1/t/${TENANT}`;
    const uri = `mongodb://127.0.0.1:${server.dbPort}/gaskit`;
    client = await new MongoClient(uri).connect();
    for (const mode of ['node', 'express']) bares.push(await startBare(root, uri, mode));
    const db = client.db();
    const tenant = await db.collection('tenants').findOne({ slug: TENANT });
    /** Where the supplier's export stream of `collection` ends now (the bench may read by any filter). */
    const streamEnd = async (collection) =>
      (
        await db
          .collection(collection)
          .find({ stream: String(tenant._id) })
          .sort({ seq: -1 })
          .limit(1)
          .next()
      )?.seq ?? 0;
    const ctx = {
      tenantId: tenant._id,
      slug: tenant.slug,
      realm: tenant.realm,
      tenantName: tenant.name,
      tenantLegalName: tenant.legalName,
      tenantTaxId: tenant.taxId,
      tariff: 812,
      now: new Date(),
      periods: demoPeriods(new Date()),
      sizes,
      readingsBase: await streamEnd('readings_export'),
      paymentsBase: await streamEnd('pay_export'),
      passwordHash: await hashPassword(PASSWORD),
      // The server's own key functions and constants, so generated keys are the ones it looks up.
      keys: {
        key,
        streamId,
        onceMarkId,
        pinHash,
        ...paymentKeys,
        publicPayment,
        PaymentExport,
        hashToken: sessions.hashToken,
        sessionPeriod: sessions.sessionPeriod,
        sessionList: sessions.sessionList,
        sessionListExpiry: sessions.sessionListExpiry,
        SESSION_TTL_MS: sessions.SESSION_TTL_MS,
        // server/readings/service.ts HOLD_MS (a counting reading's hold on its value) and
        // server/db/kernel/leases.ts KEEP_MS (how long a ticket outlives its lease).
        HOLD_MS: 120 * 86_400_000,
        KEEP_MS: 24 * 3600_000,
      },
    };
    const cab = measuredCabinet(ctx);
    const phase = (name, beside) => ({
      phase: name,
      base,
      client,
      captureFile,
      cab,
      log,
      verifyPassword,
      passwordHash: ctx.passwordHash,
      pids: { server: server.child.pid, db: server.dbPid },
      bares,
      beside,
    });

    log(`demo server up in ${startSeconds.toFixed(0)} s; the bench's first ${BENCH_CABINETS} cabinets:`);
    const seeded = await generate(db, ctx, { accounts: [0, 3 * BENCH_CABINETS], subscribers: [0, BENCH_CABINETS] }, log);
    log(`  checked through the API: ${await verifyGenerated(base, ctx, 0)}`);
    const demoCounts = await countsOf(db);
    const demo = await measurePhase(phase('demo'));
    // What was measured so far, kept outside the run's directory: a long run that fails later still has it.
    const progress = join(os.tmpdir(), `api-scale-${SCALE}-progress.json`);
    const keep = (more) => writeFileSync(progress, JSON.stringify({ sizes, demo, ...more }, null, 1));
    keep({});
    const demoMemory = { server: memoryOf(server.child.pid), db: memoryOf(server.dbPid) };
    loads.push(os.loadavg()[0]);
    const cpu = os.cpus();
    const reclaim = proactiveReclaim();
    const runOf = (reproduce) =>
      `Reproduce with \`${reproduce}\`. Commit ${commit}, Node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model.trim()}), load average ${loads.map((l) => l.toFixed(1)).join(' → ')} over the run (the machine is shared), the kernel's proactive reclaim (DAMON pageout) ${reclaim}. ` +
      `One server process (\`node ${serveOptions(root) ? `${serveOptions(root)} ` : ''}dist/server/main.js\`, compiled by \`npm run build:server\`, as \`npm start\` runs it; demo mode, workers running) on its embedded FerretDB v1 (SQLite), started in ${startSeconds.toFixed(0)} s.`;
    const serverMemory = (...columns) =>
      `| server (node, the figure the budget is about) | ${columns.map((m) => `${Math.round(m.server.peakMb)} MB`).join(' | ')} | ≤ ${BUDGET.rssMb} MB | ${mark(columns.at(-1).server.peakMb <= BUDGET.rssMb)} |`;
    const dbMemory = (...columns) =>
      `| its embedded database (FerretDB child process) | ${columns.map((m) => `${Math.round(m.db.peakMb)} MB`).join(' | ')} | — | — |`;

    if (!GROWN) {
      const one = demoOneClientTable(demo);
      const many = manyClientsTable(demo);
      const only = ONLY ? ` API_SCALE_REQUESTS='${ONLY.join(',')}'` : '';
      const lines = [
        `${runOf(`API_SCALE_PHASES=demo${only} node bench/run.mjs api-scale`)} The demo phase of the bench above alone (no growing, no integration), as measured there.`,
        '',
        BARE_TEXT,
        '',
        '### One client',
        '',
        ...one,
        '',
        '### 20 clients',
        '',
        ...many.lines,
        '',
        '### Memory',
        '',
        '| Process | Peak RSS (VmHWM) after start-up and demo seeding | after the demo phase | Budget | Result |',
        '| --- | ---: | ---: | ---: | --- |',
        serverMemory(startMemory, demoMemory),
        dbMemory(startMemory, demoMemory),
      ];
      const ok = many.ok && demoMemory.server.peakMb <= BUDGET.rssMb;
      return {
        id: 'api-scale-demo',
        title: 'API at scale, demo phase only (`API_SCALE_PHASES=demo`)',
        markdown: lines.join('\n'),
        ok,
      };
    }

    // The demo data as it is now, for the grown phase's one-client requests side by side.
    const copiedAt = now();
    const copied = await copyDatabase(client, db.databaseName, BESIDE_DB);
    log(
      `the demo data copied to ${BESIDE_DB}: ${copied.toLocaleString('en')} documents in ${seconds(now() - copiedAt).toFixed(0)} s`,
    );

    // The demo phase's readings and payments went into the supplier's export streams after the
    // generated ones: the grown data's entries follow them, so each stream stays gap-free.
    const seededCount = (name) => seeded.reduce((sum, f) => sum + (f.written[name] ?? 0), 0);
    ctx.readingsBase = (await streamEnd('readings_export')) - seededCount('readings_export');
    ctx.paymentsBase = (await streamEnd('pay_export')) - seededCount('pay_export');
    log(`growing ${TENANT} to ${sizes.accounts.toLocaleString('en')} accounts:`);
    const grownAt = now();
    const generated = await generate(
      db,
      ctx,
      { accounts: [3 * BENCH_CABINETS, sizes.accounts], subscribers: [BENCH_CABINETS, sizes.subscribers] },
      log,
    );
    log(`  checked through the API: ${await verifyGenerated(base, ctx, sizes.subscribers - 1)}`);
    const generationSeconds = seconds(now() - grownAt);
    const grownCounts = { ...demoCounts };
    for (const family of generated)
      for (const [name, n] of Object.entries(family.written)) if (name in grownCounts) grownCounts[name] += n;
    // A second server like the first on the copy of the demo data (in the same FerretDB), so that
    // the grown/demo ratio compares measurements of the same minutes, not of two phases half an
    // hour apart on a shared machine. Stopped once the grown phase is measured.
    besideServer = await spawnServer(
      {
        ...serverEnv,
        MONGODB_URI: `mongodb://127.0.0.1:${server.dbPort}/${BESIDE_DB}`,
        GASKIT_DATA_DIR: join(dir, 'beside'),
        API_SCALE_CAPTURE_FILE: join(dir, 'beside-capture.jsonl'),
      },
      { fromBuild: true, timeoutMs: 600_000 },
    );
    const grown = await measurePhase(
      phase('grown', {
        base: `http://127.0.0.1:${besideServer.port}/api/v1/t/${TENANT}`,
        db: client.db(BESIDE_DB),
        pids: { server: besideServer.child.pid, db: server.dbPid },
      }),
    );
    await stopServer(besideServer);
    besideServer = undefined;
    keep({ generated, grown });
    loads.push(os.loadavg()[0]);
    const integration = await integrationSteps({ root, origin, dataDir, dir, uri, ctx, sizes });
    for (const s of integration) log(`  ${s.what}: ${s.seconds.toFixed(1)} s, ${s.answer}`);
    keep({ generated, grown, integration, memory: { server: memoryOf(server.child.pid), db: memoryOf(server.dbPid) } });
    const grownMemory = { server: memoryOf(server.child.pid), db: memoryOf(server.dbPid) };
    loads.push(os.loadavg()[0]);

    const one = oneClientTable(demo, grown);
    const manyDemo = manyClientsTable(demo);
    const manyGrown = manyClientsTable(grown);
    const integrationOk = integration.every((s) => s.seconds <= s.budget);
    const rssOk = grownMemory.server.peakMb <= BUDGET.rssMb;
    const ok = one.ok && manyDemo.ok && manyGrown.ok && integrationOk && rssOk;
    const count = (c) =>
      `${c.billing_accounts.toLocaleString('en')} accounts (meters inside), ${c.billing_current.toLocaleString('en')} current months, ${c.billing_past.toLocaleString('en')} pasts, ` +
      `${c.subscribers.toLocaleString('en')} subscribers, ${c.account_link_lists.toLocaleString('en')} link lists, ${c.auth_sessions.toLocaleString('en')} sessions, ` +
      `${c.readings_export.toLocaleString('en')} readings (export entries), ${c.pay_payments.toLocaleString('en')} payments`;
    const family = (report) =>
      report
        .map(
          (f) => `${f.family} ${f.seconds.toFixed(0)} s, ${Math.round(f.count / f.seconds).toLocaleString('en')} ${f.owners}/s`,
        )
        .join('; ');
    const fullMinutes = generated.reduce((sum, f) => sum + (f.count ? (FULL[f.owners] * f.seconds) / f.count : 0), 0) / 60;
    const lines = [
      `${runOf(`API_SCALE=${SCALE} node bench/run.mjs api-scale`)} \`small\` is 1/30 of the issue's sizes, \`full\` all of them.`,
      '',
      `- **Demo**: the demo data plus the bench's first ${BENCH_CABINETS} cabinets (inserted in ${seeded.reduce((s, f) => s + f.seconds, 0).toFixed(0)} s): ${count(demoCounts)} (all suppliers).`,
      `- **Grown**: sever-gaz grown to ${sizes.accounts.toLocaleString('en')} generated accounts beside its 1,000 demo ones, by insertMany straight into the database (\`bench/api-scale/generate.mjs\`) ` +
        `in ${generationSeconds.toFixed(0)} s (${family(generated)}; at these rates the issue's full set takes about ${Math.round(fullMinutes)} min): ${count(grownCounts)} (all suppliers).`,
      `- The measured cabinet has 3 accounts in extended mode, each with 24 months of history and 24 readings, and 24 payments. ` +
        `One client: up to ${ONE.requests} requests or ${ONE.seconds} s, one after another. 20 clients: autocannon with ${MANY.clients} connections and ` +
        `${MANY.min}–${MANY.max} requests (about ${MANY.seconds} s of work), not run when one request alone takes over ${seconds(MANY_SKIP_MS)} s; each 20-client run, and its raw replay, starts once the server and its database have been idle for ${IDLE.windowMs} ms (at most ${IDLE.cpuMs} ms of CPU; waiting ${seconds(IDLE.maxMs)} s at most), so work an earlier row left behind is not counted against it. Times are ms.`,
      `- **Raw**: the commands the server sent for one such request (captured with command monitoring by \`bench/api-scale/capture-hook.mjs\`, loaded into the server process only), ` +
        'replayed with the mongodb driver from the bench process against the same database, in the same order and overlap, as many times and at the same concurrency (`bench/api-scale/replay.mjs`). ' +
        '"Commands (by `_id`)": how many commands the request sends, and how many of them find their documents by `_id` alone.',
      '- **Demo p50 beside grown**: the ratio of growth compares the grown p50 with the demo data measured in the same minutes: before growing, every collection of the demo database is copied ' +
        `(documents as stored) into a database of its own (\`${BESIDE_DB}\`) in the same FerretDB, and a second server process, started as the first, serves it through the grown phase; ` +
        "each one-client request is sent to the two servers in turn, one at a time, so the machine's drift between the phases (it is shared) stays out of the ratio. " +
        "Demo p50 and p99 are the demo phase's own.",
      BARE_TEXT,
      '',
      '### One client',
      '',
      ...one.lines,
      '',
      `### 20 clients, demo`,
      '',
      ...manyDemo.lines,
      '',
      `### 20 clients, grown`,
      '',
      ...manyGrown.lines,
      '',
      '### Integration',
      '',
      '| Step (grown supplier) | Time | Budget | Result | Answer |',
      '| --- | ---: | ---: | --- | --- |',
      ...integration.map(
        (s) => `| ${s.what} | ${s.seconds.toFixed(1)} s | ≤ ${s.budget} s | ${mark(s.seconds <= s.budget)} | ${s.answer} |`,
      ),
      '',
      '### Memory',
      '',
      '| Process | Peak RSS (VmHWM) after start-up and demo seeding | after the demo phase | after the grown phase and integration | Budget | Result |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      serverMemory(startMemory, demoMemory, grownMemory),
      dbMemory(startMemory, demoMemory, grownMemory),
      '',
      '### Commands per request (grown)',
      '',
      ...grown.map((r) => `- ${r.id}${r.note ? ` (${r.note})` : ''}: ${r.commands.map(describe).join('; ') || 'none'}`),
    ];
    // Each size has its own section: the full size's is the one the budgets are about.
    const id = SCALE === 'full' ? 'api-scale' : `api-scale-${SCALE}`;
    return { id, title: `API at scale (\`API_SCALE=${SCALE}\`)`, markdown: lines.join('\n'), ok };
  } finally {
    for (const b of bares) await b.stop();
    await client?.close();
    for (const running of [besideServer, server]) if (running) await stopServer(running);
    await unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}

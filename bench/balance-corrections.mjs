/**
 * Balance corrections of the open month before and after a change of the billing writer, on the
 * same machine at the same moment (docs/benchmarks.md, "Balances as inserted entries"):
 *   nice -n 19 node bench/balance-corrections.mjs <checkout> [accounts]
 * runs the server of `<checkout>` (this tree, or an older commit unpacked beside it with
 * `git archive <commit> | tar -x -C <dir>` and its node_modules linked) on a fresh embedded
 * database, grows sever-gaz by insert to `accounts` accounts (5,000) with 24 months, then sends
 * one request of a correction per account, the same again, and a second correction (waiting for
 * the server's fold job between them, where there is one), measures the raw-driver limits (lookups
 * of the current months, of missing `_id`s, an insertMany of entries, and the old model's lookups
 * and updates), stops the server and imports a CSV of a third correction per account with
 * `gaskit import balances`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';

const root = process.argv[2];
if (!root) throw new Error('usage: node bench/balance-corrections.mjs <checkout> [accounts]');
// `gaskit import` runs the checkout's compiled CLI (csv-import.bench.mjs `runImport`).
execFileSync('npm', ['run', 'build:server', '--silent'], { cwd: root, stdio: 'inherit' });
const N = Number(process.argv[3] ?? 5000);
const { register } = await import(pathToFileURL(join(root, 'node_modules/tsx/dist/esm/api/index.mjs')).href);
const hist = await import(pathToFileURL(join(root, 'bench/integration-api-history.mjs')).href);
const { post } = await import(pathToFileURL(join(root, 'bench/integration-api.bench.mjs')).href);
const { runImport, csv } = await import(pathToFileURL(join(root, 'bench/csv-import.bench.mjs')).href);
const unregister = register();
const load = (...p) => import(pathToFileURL(join(root, ...p)).href);
const { spawnServer } = await load('test', 'helpers', 'process.ts');
const { key } = await load('server', 'db', 'kernel', 'keys.ts');
const { pinHash } = await load('server', 'billing', 'writer.ts');
const { demoPeriods } = await load('server', 'billing', 'demo-data.ts');
const dir = mkdtempSync(join(os.tmpdir(), 'h1-measure-'));
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), `load ${os.loadavg()[0].toFixed(1)}`, ...a);
let server = await spawnServer({ GASKIT_DATA_DIR: join(dir, 'data'), GASKIT_DEMO: '1' }, { timeoutMs: 900_000 });
const base = `http://127.0.0.1:${server.port}`;
const uri = `mongodb://127.0.0.1:${server.dbPort}/gaskit`;
const client = await new MongoClient(uri).connect();
try {
  const db = client.db();
  const tenant = await db.collection('tenants').findOne({ slug: 'sever-gaz' });
  let t = Date.now();
  const ctx = await hist.seedHistories(
    db,
    { tenantId: tenant._id, slug: 'sever-gaz', key, pinHash, periods: demoPeriods(new Date()) },
    N,
  );
  log(`seeded ${N} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  const items = (more) =>
    Array.from({ length: N }, (_, i) => ({ accountNumber: hist.accountNumber(i), ...hist.correctedBalance(ctx, i, more) }));
  // The server's fold job (if any) folds the entries of a request within about a minute: waited for, not timed in the request.
  const waitFolds = async () => {
    const t0 = Date.now();
    while ((await db.collection('billing_balance_folds').countDocuments()) > 0) await sleep(2000);
    return (Date.now() - t0) / 1000;
  };
  for (const [what, more] of [
    ['correction 1', 100],
    ['same again', 100],
    ['correction 2', 200],
  ]) {
    const r = await post(base, 'balances', items(more));
    log(`API ${N} ${what}: ${r.seconds.toFixed(2)} s ${JSON.stringify(r.body)}`);
    log(`  fold lists gone after ${(await waitFolds()).toFixed(0)} s`);
  }
  const keys = Array.from({ length: N }, (_, i) => key(tenant._id, hist.accountNumber(i)));
  // Raw limits: the update model (lookups + replace by _id) and the insert model (lookups + insertMany).
  log(`raw update model (lookup + replaceOne): ${(await hist.rawBalances(db, keys, { roll: false })).toFixed(2)} s`);
  t = process.hrtime.bigint();
  const cur = db.collection('billing_current');
  let next = 0;
  const found = new Map();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) {
        const id = keys[next++];
        found.set(id, await cur.findOne({ _id: id }));
      }
    }),
  );
  const lookups = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  next = 0;
  const scratch = db.collection('h1_scratch');
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) {
        const id = keys[next++];
        await scratch.findOne({ _id: `${id}:x:1` });
      }
    }),
  );
  const misses = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const docs = keys.map((id) => ({ _id: `${id}:x:1`, tenantId: tenant._id, balance: found.get(id).balance, at: new Date() }));
  for (let i = 0; i < docs.length; i += 1000) await scratch.insertMany(docs.slice(i, i + 1000), { ordered: false });
  const inserts = Number(process.hrtime.bigint() - t) / 1e9;
  log(
    `raw ${N}: lookups (hits) ${lookups.toFixed(2)} s, lookups (misses) ${misses.toFixed(2)} s, insertMany ${inserts.toFixed(2)} s`,
  );
  await client.close();
  server.child.kill('SIGTERM');
  await server.exited;
  server = null;
  const file = join(dir, 'b.csv');
  writeFileSync(
    file,
    csv('accountNumber,period,opening,charged,paid,closing,penalties', N, (i) => {
      const b = hist.correctedBalance(ctx, i, 300);
      return `${hist.accountNumber(i)},${b.period},${b.opening},${b.charged},${b.paid},${b.closing},${b.penalties}`;
    }),
  );
  const imp = runImport(root, join(dir, 'data'), 'balances', file);
  log(`CSV ${N} corrections: ${imp.seconds.toFixed(2)} s ${imp.summary}`);
} finally {
  await client.close();
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await unregister();
  rmSync(dir, { recursive: true, force: true });
}

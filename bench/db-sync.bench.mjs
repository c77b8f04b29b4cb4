/**
 * The embedded database's synchronous modes (GASKIT_DB_SYNC): what a write costs with SQLite's
 * `synchronous=FULL` (every commit waits for the disk) against `NORMAL` (the default: the journal
 * reaches the disk at checkpoints). Two embedded databases run side by side, one per mode, and get
 * the same commands in alternating rounds (the order swapped each round), so that the machine's
 * drift falls on both alike: a document shaped like an account's current month inserted, updated
 * by `_id`, found by `_id` and deleted, one command at a time through the mongodb driver.
 * `DB_SYNC_ROUNDS` rounds of `DB_SYNC_DOCS` documents each (defaults 12 and 150).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import { register } from 'tsx/esm/api';
import { cpuMsOf, percentile } from './measure.mjs';

const ROUNDS = Number(process.env.DB_SYNC_ROUNDS ?? 12);
const DOCS = Number(process.env.DB_SYNC_DOCS ?? 150);
for (const [name, value] of [
  ['DB_SYNC_ROUNDS', ROUNDS],
  ['DB_SYNC_DOCS', DOCS],
]) {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive whole number`);
}
const MODES = ['full', 'normal'];
const OPS = ['insert', 'update', 'find', 'delete'];

const ms = (x) => `${x.toFixed(2)} ms`;

/** About 600 B, as an account's current month with six charge lines. */
const monthDoc = (i) => ({
  _id: `bench:${String(i).padStart(8, '0')}`,
  tenantId: 'a'.repeat(24),
  period: '2026-11',
  charge: {
    lines: Array.from({ length: 6 }, (_, j) => ({ service: `service ${j}`, tariff: 7.89, volume: 12.5, amount: 98.63 + j })),
  },
  balance: { opening: 1250.4, charged: 611.28, paid: 1000, closing: 861.68 },
  updatedAt: new Date(),
});

export default async function dbSyncBench({ root }) {
  const unregister = register();
  const load = (...parts) => import(pathToFileURL(join(root, 'server', ...parts)).href);
  const { loadConfig } = await load('config.ts');
  const { startEmbeddedDb } = await load('db', 'embedded.ts');
  const config = loadConfig();
  const loadBefore = os.loadavg()[0];
  const dbs = [];
  try {
    for (const sync of MODES) {
      const dataDir = mkdtempSync(join(os.tmpdir(), `gaskit-bench-sync-${sync}-`));
      const db = await startEmbeddedDb({ dataDir, cacheDir: config.cacheDir, sync, log: () => undefined });
      const client = await new MongoClient(db.uri, { directConnection: true }).connect();
      const times = Object.fromEntries(OPS.map((op) => [op, []]));
      dbs.push({ sync, dataDir, db, client, col: client.db().collection('bench_months'), ms: times, cpu: 0 });
    }
    const run = {
      insert: (col, i) => col.insertOne(monthDoc(i)),
      update: (col, i) => col.updateOne({ _id: monthDoc(i)._id }, { $set: { 'balance.paid': i, updatedAt: new Date() } }),
      find: (col, i) => col.findOne({ _id: monthDoc(i)._id }),
      delete: (col, i) => col.deleteOne({ _id: monthDoc(i)._id }),
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      const from = round * DOCS;
      for (const d of round % 2 ? [...dbs].reverse() : dbs) {
        const cpuBefore = cpuMsOf(d.db.pid);
        for (const op of OPS) {
          for (let i = from; i < from + DOCS; i += 1) {
            const t = performance.now();
            await run[op](d.col, i);
            d.ms[op].push(performance.now() - t);
          }
        }
        d.cpu += cpuMsOf(d.db.pid) - cpuBefore;
      }
    }
  } finally {
    for (const d of dbs) {
      await d.client.close();
      await d.db.stop();
      rmSync(d.dataDir, { recursive: true, force: true });
    }
    unregister();
  }
  const [full, normal] = dbs;
  const rows = OPS.map((op) => {
    const cells = [full, normal].map((d) => `${ms(percentile(d.ms[op], 0.5))} / ${ms(percentile(d.ms[op], 0.9))}`);
    const saved = percentile(full.ms[op], 0.5) - percentile(normal.ms[op], 0.5);
    return `| ${op} by \`_id\` | ${cells[0]} | ${cells[1]} | ${ms(saved)} |`;
  });
  const cpuPerCommand = (d) => ms(d.cpu / (ROUNDS * DOCS * OPS.length));
  const markdown = [
    `Reproduce with \`node bench/run.mjs db-sync\` (Node ${process.version}, ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; two embedded FerretDB v1 databases on SQLite side by side, one per mode, the same commands alternated in ${ROUNDS} rounds of ${DOCS} documents of about 600 B, one command at a time through the mongodb driver).`,
    '',
    '| Command (one at a time) | `full`: p50 / p90 | `normal` (default): p50 / p90 | p50 saved by `normal` |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    `| database CPU per command (all four) | ${cpuPerCommand(full)} | ${cpuPerCommand(normal)} | |`,
  ].join('\n');
  return { id: 'db-sync', title: 'Embedded database: synchronous mode', markdown, ok: true };
}

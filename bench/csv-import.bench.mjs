/**
 * CSV import into the embedded database (FerretDB v1, SQLite), through `gaskit import` as an
 * operator runs it, on a fresh data directory, for a supplier of 100,000 accounts:
 *   - the accounts, then the same file again (nothing changes, nothing is written);
 *   - their meters;
 *   - a month of charges (a history document created per account), then that month's balances
 *     (every history updated by `_id`).
 * Budgets: 60 s for each file of new documents or of unchanged lines, 180 s for a month of
 * updates of every account.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const LARGE = 100_000;

export function csv(header, count, row) {
  const lines = [header];
  for (let i = 0; i < count; i += 1) lines.push(row(i));
  return `${lines.join('\n')}\n`;
}

/** The demo suppliers in a fresh embedded database under `dataDir`. */
async function seedTenants(root, dataDir) {
  const unregister = register();
  const load = (...parts) => import(pathToFileURL(join(root, 'server', ...parts)).href);
  try {
    const { loadConfig } = await load('config.ts');
    const { connectDb, disconnectDb } = await load('db', 'connection.ts');
    const { startEmbeddedDb } = await load('db', 'embedded.ts');
    const { seedDemoTenants } = await load('tenants', 'demo.ts');
    const config = loadConfig({ ...process.env, GASKIT_DATA_DIR: dataDir });
    const db = await startEmbeddedDb({ dataDir, cacheDir: config.cacheDir, log: (m) => console.log(m) });
    await connectDb(db.uri);
    await seedDemoTenants();
    await disconnectDb();
    await db.stop();
  } finally {
    await unregister();
  }
}

/**
 * One `gaskit import` run: on its own embedded database on `dataDir` (whatever MONGODB_URI the
 * shell has), or on the database `extraEnv.MONGODB_URI` names.
 */
export function runImport(root, dataDir, kind, file, extraEnv = {}) {
  const { MONGODB_URI: _unused, ...env } = process.env;
  const started = process.hrtime.bigint();
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'server', 'cli.ts'), 'import', kind, file, '--tenant', 'sever-gaz', '--lang', 'en'],
    {
      cwd: root,
      env: { ...env, GASKIT_DATA_DIR: dataDir, NODE_ENV: 'test', ...extraEnv },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (res.status !== 0) throw new Error(`gaskit import ${kind} exited with ${res.status}:\n${res.stdout}\n${res.stderr}`);
  return { seconds, summary: res.stdout.trim().split('\n').at(-1) };
}

export default async function csvImportBench({ root }) {
  const dir = mkdtempSync(join(os.tmpdir(), 'gaskit-bench-csv-'));
  const dataDir = join(dir, 'data');
  try {
    await seedTenants(root, dataDir);
    const file = (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const number = (i) => String(7_000_000_000 + i);
    const accounts = file(
      'accounts.csv',
      csv(
        'number,holder,address,pin,services',
        LARGE,
        (i) =>
          `${number(i)},Абонент ${i} Иванович,"г. Бенчмарск, ул. Длинная, д. ${i % 300}, кв. ${i % 97}",${1000 + (i % 9000)},gas`,
      ),
    );
    const meters = file(
      'meters.csv',
      csv(
        'meterId,accountNumber,serialNumber,digits,decimals,lastReading,lastReadingDate,verificationDue,tariff',
        LARGE,
        (i) => `m-${i},${number(i)},SN${i},5,3,"${i % 1000},5",2026-10-20,2030-01-15,850`,
      ),
    );
    const charges = file(
      'charges.csv',
      csv(
        'accountNumber,period,service,volume,tariff,amount,penalties',
        LARGE,
        (i) => `${number(i)},2026-10,Газоснабжение,"38,5",850,32725,${i % 7 === 0 ? 310 : 0}`,
      ),
    );
    const balances = file(
      'balances.csv',
      csv('accountNumber,period,opening,charged,paid,closing,penalties', LARGE, (i) => {
        const penalties = i % 7 === 0 ? 310 : 0;
        return `${number(i)},2026-10,0,${32725 + penalties},0,${32725 + penalties},${penalties}`;
      }),
    );

    const steps = [
      { what: `${LARGE.toLocaleString('en')} new accounts`, budget: 60, ...runImport(root, dataDir, 'accounts', accounts) },
      { what: 'the same accounts file again (no change)', budget: 60, ...runImport(root, dataDir, 'accounts', accounts) },
      { what: `${LARGE.toLocaleString('en')} new meters`, budget: 60, ...runImport(root, dataDir, 'meters', meters) },
      { what: 'a month of charges (new histories)', budget: 60, ...runImport(root, dataDir, 'charges', charges) },
      {
        what: "that month's balances (updates of every history)",
        budget: 180,
        ...runImport(root, dataDir, 'balances', balances),
      },
    ].map((step) => ({ ...step, lines: LARGE }));
    const ok = steps.every((s) => s.seconds <= s.budget);
    const lines = [
      `Reproduce with \`node bench/run.mjs csv-import\` (Node ${process.version}, ${os.cpus().length} CPUs, embedded FerretDB v1 on SQLite, fresh data directory; each step is one \`gaskit import\` run, start-up of the embedded database included).`,
      '',
      '| Step | Lines | Time | Lines/s | Budget | Result |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...steps.map((s) => {
        const cells = [
          s.what,
          s.lines.toLocaleString('en'),
          `${s.seconds.toFixed(1)} s`,
          Math.round(s.lines / s.seconds).toLocaleString('en'),
          `≤ ${s.budget} s`,
          s.seconds <= s.budget ? 'pass' : '**fail**',
        ];
        return `| ${cells.join(' | ')} |`;
      }),
      '',
      'New documents go in with one insertMany per batch of 1,000, unchanged lines are not written, and a changed line is one update by `_id`, ' +
        'which the embedded database answers through the `_id` index its wrapper adds (see README, The embedded database).',
    ];
    return { id: 'csv-import', title: 'CSV import', markdown: lines.join('\n'), ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CSV import into the embedded database (FerretDB v1, SQLite), through `gaskit import` as an
 * operator runs it, on a fresh data directory whose supplier already has 100,000 accounts with
 * meters and 24 months of charges and balances (inserted, bench/api-scale/generate.mjs):
 *   - 100,000 new accounts, then the same file again (nothing changes, nothing is written);
 *   - their meters;
 *   - the open month's balances of the accounts with history, corrected (balance entries inserted),
 *     then corrected again (each a second entry of its month, planned again against the stream's end);
 *   - the next month's charges of those accounts (each current month moves into the past), then
 *     that month's balances (the month came with its charge: balance entries inserted).
 * Beside the balances, the raw-driver limit: the same lookups and writes by `_id` with the mongodb
 * driver on the same database. Budgets (issue 12): 60 s for each file of 100,000 lines, the
 * balances (updates) included. `CSV_IMPORT_LINES` sizes a shorter run (the budgets scale with the
 * lines); `CSV_IMPORT_ACCOUNTS` (at least the lines, by default as many) grows the supplier's
 * accounts with history beyond the lines, to show that the time of a line does not depend on it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import { register } from 'tsx/esm/api';
import {
  accountNumber,
  correctedBalance,
  nextBalance,
  nextPeriod,
  rawBalances,
  seedHistories,
} from './integration-api-history.mjs';

/** Lines of each file; the budgets are for 100,000. */
const FULL = 100_000;
const LARGE = Number(process.env.CSV_IMPORT_LINES ?? FULL);
if (!(Number.isInteger(LARGE) && LARGE > 0))
  throw new Error(`CSV_IMPORT_LINES must be a positive whole number, not ${process.env.CSV_IMPORT_LINES}`);
const BUDGET_SECONDS = (60 * LARGE) / FULL;
/** Accounts with 24 months the supplier has before the files are imported; the files name the first `LARGE`. */
const ACCOUNTS = Number(process.env.CSV_IMPORT_ACCOUNTS ?? LARGE);
if (!(Number.isInteger(ACCOUNTS) && ACCOUNTS >= LARGE))
  throw new Error(`CSV_IMPORT_ACCOUNTS must be a whole number of at least ${LARGE}, not ${process.env.CSV_IMPORT_ACCOUNTS}`);

export function csv(header, count, row) {
  const lines = [header];
  for (let i = 0; i < count; i += 1) lines.push(row(i));
  return `${lines.join('\n')}\n`;
}

/** Accounts whose balances the raw-driver limit writes (its time is scaled to the file's lines). */
const RAW_ACCOUNTS = Math.min(LARGE, 2_000);

/**
 * Runs `work(db, load)` on the embedded database under `dataDir` (created when missing), connected
 * with the server's mongoose (`db` is its driver database); `load` imports a file of server/.
 */
async function withDb(root, dataDir, work) {
  const unregister = register();
  const load = (...parts) => import(pathToFileURL(join(root, 'server', ...parts)).href);
  try {
    const { loadConfig } = await load('config.ts');
    const { startEmbeddedDb } = await load('db', 'embedded.ts');
    const config = loadConfig({ ...process.env, GASKIT_DATA_DIR: dataDir });
    const db = await startEmbeddedDb({ dataDir, cacheDir: config.cacheDir, log: (m) => console.log(m) });
    const client = await new MongoClient(db.uri).connect();
    try {
      return await work(client.db('gaskit'), load, db.uri);
    } finally {
      await client.close();
      await db.stop();
    }
  } finally {
    await unregister();
  }
}

/** The demo suppliers, and sever-gaz's `ACCOUNTS` accounts with 24 months of history; the generator's context. */
async function seed(root, dataDir) {
  return withDb(root, dataDir, async (db, load, uri) => {
    const { connectDb, disconnectDb } = await load('db', 'connection.ts');
    const { seedDemoTenants } = await load('tenants', 'demo.ts');
    await connectDb(uri);
    await seedDemoTenants([]);
    await disconnectDb();
    const { key } = await load('db', 'kernel', 'keys.ts');
    const { pinHash } = await load('billing', 'writer.ts');
    const { demoPeriods } = await load('billing', 'demo-data.ts');
    const tenant = await db.collection('tenants').findOne({ slug: 'sever-gaz' });
    const started = process.hrtime.bigint();
    const ctx = await seedHistories(
      db,
      { tenantId: tenant._id, slug: tenant.slug, key, pinHash, periods: demoPeriods(new Date()) },
      ACCOUNTS,
    );
    return { ctx, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  });
}

/** The raw-driver limit of a file of `LARGE` balances: corrections of the open month, and a newer month. */
async function rawLimits(root, dataDir, ctx) {
  return withDb(root, dataDir, async (db, load) => {
    const { key } = await load('db', 'kernel', 'keys.ts');
    const keys = Array.from({ length: RAW_ACCOUNTS }, (_, k) =>
      key(ctx.tenantId, accountNumber(Math.floor((k * LARGE) / RAW_ACCOUNTS))),
    );
    const scale = LARGE / RAW_ACCOUNTS;
    return {
      correct: scale * (await rawBalances(db, keys, { roll: false })),
      roll: scale * (await rawBalances(db, keys, { roll: true })),
    };
  });
}

/**
 * The fold job's work on the data directory, run until nothing is due (server/billing/writer.ts
 * `foldBalances`: what the `billing.fold-balances` job does, without its minute a run), timed.
 */
async function foldAll(root, dataDir) {
  return withDb(root, dataDir, async (_db, load, uri) => {
    const { connectDb, disconnectDb } = await load('db', 'connection.ts');
    const { foldBalances } = await load('billing', 'writer.ts');
    await connectDb(uri);
    try {
      const started = process.hrtime.bigint();
      let lists = 0;
      for (let batch = await foldBalances(); batch > 0; batch = await foldBalances()) lists += batch;
      return { seconds: Number(process.hrtime.bigint() - started) / 1e9, lists };
    } finally {
      await disconnectDb();
    }
  });
}

/**
 * One `gaskit import` run, the command an operator runs (package.json "bin": the compiled CLI,
 * which the caller has built with `npm run build:server`): on its own embedded database on
 * `dataDir` (whatever MONGODB_URI the shell has), or on the database `extraEnv.MONGODB_URI` names.
 */
export function runImport(root, dataDir, kind, file, extraEnv = {}) {
  const { MONGODB_URI: _unused, ...env } = process.env;
  const started = process.hrtime.bigint();
  const res = spawnSync(
    process.execPath,
    [join(root, 'server', 'cli.mjs'), 'import', kind, file, '--tenant', 'sever-gaz', '--lang', 'en'],
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

/** The machine's load over the run and this process's niceness: on a shared machine they decide the figures as much as the code. */
function machineLoad(before) {
  const nice = os.getPriority();
  return `load average ${before.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}${nice === 0 ? '' : `, run with nice ${nice}`}`;
}

export default async function csvImportBench({ root }) {
  const loadBefore = os.loadavg()[0];
  execFileSync('npm', ['run', 'build:server', '--silent'], { cwd: root, stdio: 'inherit' });
  const dir = mkdtempSync(join(os.tmpdir(), 'gaskit-bench-csv-'));
  const dataDir = join(dir, 'data');
  try {
    const seeded = await seed(root, dataDir);
    const { ctx } = seeded;
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
    const balanceRow = (i, b) =>
      `${accountNumber(i)},${b.period},${b.opening},${b.charged},${b.paid},${b.closing},${b.penalties}`;
    const balanceHeader = 'accountNumber,period,opening,charged,paid,closing,penalties';
    const corrected = file(
      'corrected.csv',
      csv(balanceHeader, LARGE, (i) => balanceRow(i, correctedBalance(ctx, i, 100))),
    );
    const correctedAgain = file(
      'corrected-again.csv',
      csv(balanceHeader, LARGE, (i) => balanceRow(i, correctedBalance(ctx, i, 200))),
    );
    const next = nextPeriod(ctx.periods.at(-1));
    const charges = file(
      'charges.csv',
      csv(
        'accountNumber,period,service,volume,tariff,amount,penalties',
        LARGE,
        (i) => `${accountNumber(i)},${next},Газоснабжение,30,1000,30000,0`,
      ),
    );
    const balances = file(
      'balances.csv',
      csv(balanceHeader, LARGE, (i) => balanceRow(i, nextBalance(ctx, i))),
    );

    const steps = [
      { what: `${LARGE.toLocaleString('en')} new accounts`, ...runImport(root, dataDir, 'accounts', accounts) },
      { what: 'the same accounts file again (no change)', ...runImport(root, dataDir, 'accounts', accounts) },
      { what: `${LARGE.toLocaleString('en')} new meters`, ...runImport(root, dataDir, 'meters', meters) },
      {
        what: 'the open month’s balances of accounts with 24 months, corrected (balance entries inserted)',
        ...runImport(root, dataDir, 'balances', corrected),
        limit: 'correct',
      },
      {
        what: 'the same balances corrected again (a second entry: the number after the month’s balance is taken, planned again)',
        ...runImport(root, dataDir, 'balances', correctedAgain),
      },
      {
        what: 'the fold job on those months (two entries past their balance: an update by `_id` each; the server runs it in the background)',
        ...(await foldAll(root, dataDir)),
        background: true,
      },
      {
        what: 'the next month’s charges of the same accounts (each current month moves into the past)',
        ...runImport(root, dataDir, 'charges', charges),
        limit: 'roll',
      },
      {
        what: 'that month’s balances (the month came with its charge: balance entries inserted)',
        ...runImport(root, dataDir, 'balances', balances),
        limit: 'correct',
      },
    ].map((step) => ({ ...step, lines: LARGE, budget: step.background ? null : BUDGET_SECONDS }));
    const limits = await rawLimits(root, dataDir, ctx);
    const ok = steps.every((s) => s.budget === null || s.seconds <= s.budget);
    const lines = [
      `Reproduce with \`node bench/run.mjs csv-import\` (Node ${process.version}, ${os.cpus().length} CPUs, ${machineLoad(loadBefore)}, embedded FerretDB v1 on SQLite, fresh data directory with the demo suppliers and sever-gaz's ${ACCOUNTS.toLocaleString('en')} accounts with 24 months of history${ACCOUNTS === LARGE ? '' : ` (\`CSV_IMPORT_ACCOUNTS=${ACCOUNTS}\`; the files name the first ${LARGE.toLocaleString('en')})`}, inserted in ${seeded.seconds.toFixed(0)} s; each step is one \`gaskit import\` run, start-up of the embedded database included${LARGE === FULL ? '' : `; \`CSV_IMPORT_LINES=${LARGE}\`: the budget of 60 s per ${FULL.toLocaleString('en')} lines scaled to ${BUDGET_SECONDS.toFixed(1)} s, start-up still included`}).`,
      '',
      '| Step | Lines | Time | Lines/s | Raw-driver limit | Budget | Result |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...steps.map((s) => {
        const cells = [
          s.what,
          s.lines.toLocaleString('en'),
          `${s.seconds.toFixed(1)} s`,
          Math.round(s.lines / s.seconds).toLocaleString('en'),
          s.limit ? `${limits[s.limit].toFixed(1)} s` : '',
          s.budget === null ? '—' : `≤ ${Number(s.budget.toFixed(1))} s`,
          s.budget === null ? '—' : s.seconds <= s.budget ? 'pass' : '**fail**',
        ];
        return `| ${cells.join(' | ')} |`;
      }),
      '',
      "The file is written in batches of 1,000 lines, the next batch read and planned while one is written: each line's documents are looked up by `_id` (32 at a time; never all of the supplier's keys, never an `$in`), " +
        'new documents go in with one insertMany, unchanged lines are not written, and changed lines are updates by `_id` (commands of 10 statements, 4 at once), except balances of the open month: ' +
        "a balance of the open month reads its account's current month (`billing_current`, ~400 B) and is inserted as the next entry of the month's balance stream (`billing_balances`, one insertMany a batch; from a month's second entry on, a background job of the server folds the newest into the month later); a second correction of the month finds the number after the month's balance taken and is planned again against the stream's end; a charge of the open month rewrites the current month; the first line of a newer month also writes the month it replaces into the account's past (`billing_past`, ~6 KB with 23 months, read and rewritten whole by FerretDB), once per account and month, and closes the month's balance stream with an entry (a correction planned before the move then goes into the past). " +
        `The raw-driver limit makes the same lookups and writes by \`_id\` with the mongodb driver for ${RAW_ACCOUNTS.toLocaleString('en')} of the accounts on the same database after the steps, scaled to ${LARGE.toLocaleString('en')} lines (no start-up).`,
    ];
    return { id: 'csv-import', title: 'CSV import', markdown: lines.join('\n'), ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

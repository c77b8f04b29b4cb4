import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { Account } from '../../server/billing/model.ts';
import { AccountItem, BalanceItem, ChargeItem } from '../../contracts/billing.ts';
import { importBillingCsv } from '../../server/billing/csv.ts';
import {
  accountSummary,
  checkPin,
  findAccountByNumber,
  getMeters,
  listCharges,
  upsertBilling,
} from '../../server/billing/service.ts';
import { BillingWriter } from '../../server/billing/writer.ts';
import { ApiKey } from '../../server/integration/model.ts';
import { Tenant, type TenantDoc, type TenantSlugDoc } from '../../server/tenants/model.ts';
import { ROOT } from '../helpers/process.ts';
import { api, testServer } from '../helpers/server.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'csv');
const fixture = (name: string) => path.join(FIXTURES, name);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gaskit …` (server/cli.ts, the package's bin once built) against the test server's database. */
function gaskit(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const vars: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    MONGODB_URI: `mongodb://127.0.0.1:${testServer().db.port}/gaskit_test`,
    LANG: 'en_US.UTF-8',
    ...env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A supplier of its own, so the fixtures' account numbers are its alone. */
async function makeTenant(): Promise<TenantDoc> {
  const slug = `csv-${randomBytes(4).toString('hex')}`;
  const doc = await Tenant.create({ slug, name: `Тестгаз ${slug}`, legalName: 'ООО «Тестгаз»', realm: slug });
  return doc.toObject() as TenantDoc;
}

const lines = (text: string) => text.trim().split('\n');

describe('gaskit import (CSV)', function () {
  this.timeout(60_000);
  let tenant: TenantDoc;
  let tmp: string;

  before(async () => {
    tenant = await makeTenant();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'gaskit-csv-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('imports accounts, meters, charges and balances, and the account summary shows them', async () => {
    for (const kind of ['accounts', 'meters', 'charges', 'balances']) {
      const run = await gaskit(['import', kind, fixture(`${kind}.csv`), '--tenant', tenant.slug]);
      expect(run.code, run.stderr).to.equal(0);
      expect(lines(run.stdout).at(-1)).to.match(
        new RegExp(`^${kind}: \\d+ lines read, \\d+ imported \\(\\d+ new, 0 changed\\), 0 not imported, [\\d.]+ s$`),
      );
    }
    const account = (await findAccountByNumber(tenant._id, '5550001'))!;
    expect(account).to.include({ holder: 'Сидоров Сидор Сидорович', address: 'г. Тестовск, ул. Газовая, д. 1, кв. 1' });
    const summary = await accountSummary(tenant._id, String(account._id), '2026-10');
    expect(summary.balance).to.deep.equal({ opening: 0, charged: 51270, paid: 0, closing: 51270, penalties: 1250 });
    expect(summary.charges!.lines.map((l) => [l.service, l.volume, l.amount])).to.deep.equal([
      ['Газоснабжение', 41.2, 35020],
      ['Техобслуживание ВДГО', 0, 15000],
    ]);
    expect(summary.charges).to.include({ penalties: 1250, total: 51270 });
    expect(summary.meters).to.have.length(1);
    expect(summary.meters[0]).to.include({
      serialNumber: 'SN-001',
      digits: 5,
      decimals: 3,
      tariff: 850,
      usualMonthlyMilli: 40_000,
    });
    expect(summary.meters[0]!.lastReading!.valueMilli).to.equal(1_234_500);

    const other = (await findAccountByNumber(tenant._id, '5550002'))!;
    expect(other.services).to.deep.equal(['gas', 'vdgo']);
    const meters = await getMeters(tenant._id, other._id);
    expect(
      meters.map((m) => [m.meterId, m.digits, m.decimals, m.verificationDue && m.verificationDue.toISOString().slice(0, 10)]),
    ).to.deep.equal([
      ['m-5550002-1', 5, 0, '2031-05-01'],
      ['m-5550002-2', 6, 3, null],
    ]);
    expect((await accountSummary(tenant._id, String(other._id))).balance!.opening, 'an overpayment is negative').to.equal(-5000);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await Account.find({ tenantId: tenant._id }).sort({ number: 1 }).lean();
    for (const kind of ['accounts', 'meters', 'charges', 'balances']) {
      const run = await gaskit(['import', kind, fixture(`${kind}.csv`), '--tenant', tenant.slug]);
      expect(run.code, run.stderr).to.equal(0);
      expect(lines(run.stdout).at(-1)).to.match(/ imported \(0 new, 0 changed\), 0 not imported/);
    }
    expect(await Account.find({ tenantId: tenant._id }).sort({ number: 1 }).lean()).to.deep.equal(before);
  });

  it('updates only the lines that changed on a re-run', async () => {
    const file = path.join(tmp, 'accounts-changed.csv');
    const text = await readFile(fixture('accounts.csv'), 'utf8');
    await writeFile(file, text.replace('Кузнецова Анна Петровна', 'Кузнецова-Орлова Анна Петровна'));
    const untouched = await findAccountByNumber(tenant._id, '5550001');
    const run = await gaskit(['import', 'accounts', file, '--tenant', tenant.slug]);
    expect(run.code, run.stderr).to.equal(0);
    expect(lines(run.stdout).at(-1)).to.match(/2 imported \(0 new, 1 changed\)/);
    expect((await findAccountByNumber(tenant._id, '5550002'))!.holder).to.equal('Кузнецова-Орлова Анна Петровна');
    expect(await findAccountByNumber(tenant._id, '5550001')).to.deep.equal(untouched);
  });

  it('reports bad lines with their numbers and reasons, imports the good ones and exits with 2', async () => {
    const run = await gaskit(['import', 'accounts', fixture('accounts-bad.csv'), '--tenant', tenant.slug]);
    expect(run.code).to.equal(2);
    const out = lines(run.stdout);
    expect(out.slice(0, -1)).to.deep.equal([
      'line 3: pin: A PIN has 4 to 8 digits.',
      'line 4: number: The account number is on your bill: digits only, at most 10.',
      'line 7: The line has a different number of fields than the first line.',
      'line 9: number: Please fill in this field.',
    ]);
    expect(out.at(-1)).to.match(/^accounts: 7 lines read, 3 imported \(3 new, 0 changed\), 4 not imported/);
    expect((await findAccountByNumber(tenant._id, '5550103'))!.holder, 'a quoted field may span lines').to.equal(
      'Белова Бэлла\nБорисовна',
    );
    expect((await findAccountByNumber(tenant._id, '5550105'))!.holder).to.equal('Волков "Волк" Волкович');
    expect(await findAccountByNumber(tenant._id, '5550102')).to.equal(null);
    expect(await findAccountByNumber(tenant._id, '12345678901')).to.equal(null);
  });

  it('makes one charge of the consecutive lines of an account and period, and keeps out a charge with a bad line', async () => {
    await gaskit(['import', 'accounts', fixture('accounts-bad.csv'), '--tenant', tenant.slug]);
    const run = await gaskit(['import', 'charges', fixture('charges-bad.csv'), '--tenant', tenant.slug]);
    expect(run.code).to.equal(2);
    expect(lines(run.stdout).slice(0, -1)).to.deep.equal([
      'line 2: Not imported: another line of the same charge (line 3) has an error.',
      'line 3: amount: Enter an amount in roubles, e.g. 1500 or 1500.50.',
      'line 4: period: Months are written as YYYY-MM.',
      'line 5: accountNumber: No personal account with this number. Check the number on your bill.',
      'line 8: The lines of one account and period must be consecutive; this charge already began at line 6.',
    ]);
    expect(lines(run.stdout).at(-1)).to.match(/^charges: 7 lines read, 2 imported \(2 new, 0 changed\), 5 not imported/);
    const incomplete = (await findAccountByNumber(tenant._id, '5550101'))!;
    expect(await listCharges(tenant._id, String(incomplete._id)), 'nothing of the charge with a bad line').to.deep.equal([]);
    const split = (await findAccountByNumber(tenant._id, '5550105'))!;
    expect((await listCharges(tenant._id, String(split._id)))[0]!.lines).to.have.length(1);
  });

  it('reads a windows-1251 file separated by semicolons, as spreadsheets export it', async () => {
    const file = path.join(tmp, 'accounts-1251.csv');
    const text = 'number;holder;address;pin\r\n5550201;Ёлкина Юлия Эдуардовна;г. Тестовск, ул. Ёлочная, д. 3;7777\r\n';
    const bytes = Buffer.from([...text].map((ch) => (ch.charCodeAt(0) < 128 ? ch.charCodeAt(0) : cp1251(ch))));
    await writeFile(file, bytes);
    const run = await gaskit(['import', 'accounts', file, '--tenant', tenant.slug, '--encoding', 'windows-1251']);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(await findAccountByNumber(tenant._id, '5550201')).to.include({
      holder: 'Ёлкина Юлия Эдуардовна',
      address: 'г. Тестовск, ул. Ёлочная, д. 3',
    });
  });

  it('refuses a file whose first line names an unknown column, writing nothing, and exits with 1', async () => {
    const file = path.join(tmp, 'accounts-header.csv');
    await writeFile(file, 'number,holder,balance\n5550301,Иванов,100\n');
    const run = await gaskit(['import', 'accounts', file, '--tenant', tenant.slug]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(
      'balance: Unknown column. The columns of this file are: number, holder, address, pin, services.',
    );
    expect(await findAccountByNumber(tenant._id, '5550301')).to.equal(null);
  });

  it('speaks Russian with --lang ru', async () => {
    const run = await gaskit(['import', 'accounts', fixture('accounts-bad.csv'), '--tenant', tenant.slug, '--lang', 'ru']);
    expect(run.code).to.equal(2);
    expect(lines(run.stdout)[0]).to.equal('строка 3: pin: PIN-код — от 4 до 8 цифр.');
    expect(lines(run.stdout).at(-1)).to.match(
      /^accounts: прочитано строк: 7, загружено: 3 \(новых: 0, изменённых: 0\), не загружено: 4/,
    );
  });

  it('fails with 1 and a clear message for an unknown supplier, an unreadable file or an unreachable database', async () => {
    const unknown = await gaskit(['import', 'accounts', fixture('accounts.csv'), '--tenant', 'no-such-gaz']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr.trim()).to.equal('gaskit: Supplier “no-such-gaz” was not found.');
    const missing = await gaskit(['import', 'accounts', path.join(tmp, 'absent.csv'), '--tenant', tenant.slug]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('cannot be read');
    const down = await gaskit(['import', 'accounts', fixture('accounts.csv'), '--tenant', tenant.slug], {
      MONGODB_URI: 'mongodb://127.0.0.1:1/gaskit',
    });
    expect(down.code).to.equal(1);
    expect(down.stderr).to.match(/^gaskit: The database does not answer \(.*\)\. Check MONGODB_URI\.$/m);
  });

  it('checks a file with --dry-run: the same bad lines and counts as an import, and nothing written', async () => {
    const fresh = await makeTenant();
    const dry = await gaskit(['import', 'accounts', fixture('accounts-bad.csv'), '--tenant', fresh.slug, '--dry-run']);
    const real = await gaskit(['import', 'accounts', fixture('accounts-bad.csv'), '--tenant', fresh.slug]);
    expect(dry.code).to.equal(2);
    expect(real.code).to.equal(2);
    const badLines = (run: Run) => lines(run.stdout).filter((l) => l.startsWith('line '));
    expect(badLines(dry)).to.not.be.empty;
    expect(badLines(dry)).to.deep.equal(badLines(real));
    const counts = (summary: string) => summary.match(/(\d+) lines read, (\d+) .*\((\d+) new, (\d+) changed\), (\d+) /)!.slice(1);
    expect(lines(dry.stdout).at(-1)).to.match(/^accounts, dry run \(nothing written\): \d+ lines read, \d+ would be imported/);
    expect(counts(lines(dry.stdout).at(-1)!)).to.deep.equal(counts(lines(real.stdout).at(-1)!));

    const other = await makeTenant();
    const check = await gaskit(['import', 'accounts', fixture('accounts.csv'), '--tenant', other.slug, '--dry-run']);
    expect(check.code, check.stderr).to.equal(0);
    expect(await Account.countDocuments({ tenantId: other._id })).to.equal(0);
  });

  it('refuses to start a second embedded database on the data directory a running server holds, writing nothing', async () => {
    const file = path.join(tmp, 'locked.csv');
    await writeFile(file, 'number,holder\n5559999,Замков Запор Запорович\n');
    const run = await gaskit(['import', 'accounts', file, '--tenant', tenant.slug], {
      MONGODB_URI: undefined,
      GASKIT_DATA_DIR: testServer().dataDir,
    });
    expect(run.code).to.equal(1);
    expect(run.stderr.trim()).to.equal(
      `gaskit: The embedded database under ${testServer().dataDir} is in use by another Gaskit process (a running server or import). Stop it first, or run both on one MongoDB with MONGODB_URI.`,
    );
    expect(run.stdout).to.equal('');
    expect(await Account.countDocuments({ tenantId: tenant._id, number: '5559999' })).to.equal(0);
    expect((await api(`/t/${tenant.slug}/config`)).status, 'the running server still answers').to.equal(200);
  });

  it('writes the batches of a file in its order while the next is planned: an account corrected in consecutive lines ends with its last one', async () => {
    const numbers = Array.from({ length: 12 }, (_, k) => String(5_550_500 + k));
    await upsertBilling(
      tenant,
      'accounts',
      numbers.map((number) => AccountItem.parse({ number })),
    );
    const row = (number: string, paid: number) => `${number},2026-10,0,9000,${paid},${9000 - paid},0`;
    await upsertBilling(
      tenant,
      'balances',
      numbers.map((accountNumber) =>
        BalanceItem.parse({ accountNumber, period: '2026-10', opening: 0, charged: 9000, paid: 0, closing: 9000 }),
      ),
    );
    // A correction, then back to the stored balance; one line a batch, so every second batch names the account of the one before.
    const csv = [
      'accountNumber,period,opening,charged,paid,closing,penalties',
      ...numbers.flatMap((n) => [row(n, 4000), row(n, 0)]),
    ];
    const errors: unknown[] = [];
    const summary = await importBillingCsv(tenant, 'balances', Readable.from([`${csv.join('\n')}\n`]), {
      batchSize: 1,
      onError: (e) => errors.push(e),
    });
    expect(errors).to.deep.equal([]);
    expect(summary).to.deep.include({ rows: 24, imported: 24, failed: 0, created: 0, changed: 24 });
    const paid = await Promise.all(
      numbers.map(
        async (n) => (await accountSummary(tenant._id, String((await findAccountByNumber(tenant._id, n))!._id))).balance!.paid,
      ),
    );
    expect(paid).to.deep.equal(numbers.map(() => 0));
  });

  it('writes over an account or a history that another writer created while a batch was being prepared', async () => {
    const writer = new BillingWriter(tenant);
    const number = '5550401';
    const accounts = await writer.plan('accounts', [AccountItem.parse({ number, holder: 'Из файла', pin: '1357' })]);
    await upsertBilling(tenant, 'accounts', [AccountItem.parse({ number, holder: 'Из API' })]);
    expect(await accounts.commit()).to.deep.equal({ created: 1, changed: 0, unchanged: 0 });
    const stored = await Account.find({ tenantId: tenant._id, number }).lean();
    expect(stored.map((a) => a.holder)).to.deep.equal(['Из файла']);
    expect(checkPin(stored[0]!, '1357')).to.equal(true);

    const charge = (period: string) =>
      ChargeItem.parse({ accountNumber: number, period, lines: [{ service: 'Газоснабжение', amount: 100 }] });
    const charges = await writer.plan('charges', [charge('2026-10')]);
    await upsertBilling(tenant, 'charges', [charge('2026-09')]);
    await charges.commit();
    expect((await listCharges(tenant._id, String(stored[0]!._id))).map((c) => c.period)).to.deep.equal(['2026-10', '2026-09']);
  });

  it('draws a progress bar when it runs in a terminal', async () => {
    // `script` (util-linux) gives the command a pseudo-terminal, as an operator's shell would.
    const command = [
      process.execPath,
      '--import',
      'tsx',
      path.join(ROOT, 'server', 'cli.ts'),
      'import',
      'accounts',
      fixture('accounts.csv'),
      '--tenant',
      tenant.slug,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: `mongodb://127.0.0.1:${testServer().db.port}/gaskit_test`,
        LANG: 'en_US.UTF-8',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, output).to.equal(0);
    expect(output).to.match(/█{40} 100% \| lines: 2 \| not imported: 0/);
    expect(output).to.include('accounts: 2 lines read, 2 imported');
  });

  it('shows progress on stderr when it is not a terminal', async () => {
    const run = await gaskit(['import', 'accounts', fixture('accounts.csv'), '--tenant', tenant.slug]);
    expect(lines(run.stderr).at(-1)).to.equal('100% read, 2 lines, 0 not imported');
    expect(run.stdout, 'progress stays off stdout').to.not.include('% read');
  });
});

/** The windows-1251 byte of a Cyrillic letter. */
function cp1251(ch: string): number {
  if (ch === 'Ё') return 0xa8;
  if (ch === 'ё') return 0xb8;
  const code = ch.charCodeAt(0);
  if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
  throw new Error(`no windows-1251 byte for ${ch}`);
}

describe('gaskit keys', function () {
  this.timeout(60_000);

  it('creates a key that works with the integration API, lists it without the key, and revokes it', async () => {
    const created = await gaskit([
      'keys',
      'create',
      '--tenant',
      'yug-gaz',
      '--name',
      '1С биллинг',
      '--scopes',
      'billing:write,export:read',
    ]);
    expect(created.code, created.stderr).to.equal(0);
    const [info, key] = lines(created.stdout);
    const id = /^Key ([0-9a-f]{24}) of yug-gaz with scopes billing:write,export:read\./.exec(info!)?.[1];
    expect(id, info).to.be.a('string');
    expect(key).to.match(/^gk_[\w-]{32}$/);
    expect(JSON.stringify(await ApiKey.findOne({ keyId: id }).lean()), 'only a hash of the key is stored').to.not.include(
      key!.slice(10),
    );

    const headers = { Authorization: `Bearer ${key}` };
    const number = String(Date.now()).slice(-10);
    const upsert = await api('/api/v1/t/yug-gaz/integration/accounts', {
      body: { items: [{ number, holder: 'Ключев К. К.' }] },
      headers,
    });
    expect(upsert.status, JSON.stringify(upsert.body)).to.equal(200);

    const listed = await gaskit(['keys', 'list', '--tenant', 'yug-gaz']);
    expect(listed.code).to.equal(0);
    const row = lines(listed.stdout)
      .find((l) => l.startsWith(id!))!
      .split('\t');
    expect(row.slice(1, 4)).to.deep.equal([`${key!.slice(0, 10)}…`, '1С биллинг', 'billing:write,export:read']);
    expect(row[5], 'last used').to.match(/^\d{4}-\d\d-\d\dT/);
    expect(row[6]).to.equal('active');
    expect(listed.stdout).to.not.include(key!);

    const revoked = await gaskit(['keys', 'revoke', '--tenant', 'yug-gaz', id!]);
    expect(revoked.code).to.equal(0);
    expect(revoked.stdout.trim()).to.equal(`Key ${id} of yug-gaz is revoked.`);
    const refused = await api('/api/v1/t/yug-gaz/integration/accounts', { body: { items: [{ number }] }, headers });
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('api_key_invalid');
    expect(lines((await gaskit(['keys', 'list', '--tenant', 'yug-gaz'])).stdout).find((l) => l.startsWith(id!))).to.match(
      /\trevoked \d{4}-/,
    );
  });

  it('refuses unknown scopes and keys of another supplier', async () => {
    const scopes = await gaskit(['keys', 'create', '--tenant', 'yug-gaz', '--name', 'x', '--scopes', 'billing:write,admin']);
    expect(scopes.code).to.equal(1);
    expect(scopes.stderr).to.include('Unknown scopes: admin.');
    const created = await gaskit(['keys', 'create', '--tenant', 'yug-gaz', '--name', 'x', '--scopes', 'export:read']);
    const id = /^Key ([0-9a-f]{24})/.exec(created.stdout)![1]!;
    const foreign = await gaskit(['keys', 'revoke', '--tenant', 'sever-gaz', id]);
    expect(foreign.code).to.equal(1);
    expect(foreign.stderr.trim()).to.equal('gaskit: No such key.');
    expect((await ApiKey.findOne({ keyId: id }).lean())!.revokedAt).to.equal(undefined);
  });
});

describe('gaskit import at scale', function () {
  this.timeout(300_000);
  let dataDir: string;

  before(async () => {
    // Its own embedded database, started by the command itself, so the shared test database stays small.
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-csv-scale-'));
    const { startEmbeddedDb } = await import('../../server/db/embedded.ts');
    const { MongoClient } = await import('mongodb');
    const db = await startEmbeddedDb({ dataDir, cacheDir: testServer().config.cacheDir, log: () => undefined });
    const client = await MongoClient.connect(db.uri);
    const tenant = (await Tenant.findOne({ slug: 'sever-gaz' }).lean())!;
    await client
      .db()
      .collection('tenants')
      .insertOne({ ...tenant });
    await client.db().collection<TenantSlugDoc>('tenant_slugs').insertOne({ _id: tenant.slug, tenantId: tenant._id });
    await client.close();
    await db.stop();
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports 100,000 accounts from one file into the embedded database', async () => {
    const file = path.join(dataDir, 'accounts-100k.csv');
    const rows = Array.from(
      { length: 100_000 },
      (_, i) => `${8_000_000_000 + i},Абонент ${i},"г. Тестовск, ул. Длинная, д. ${i % 300}",${1000 + (i % 9000)},gas`,
    );
    await writeFile(file, `number,holder,address,pin,services\n${rows.join('\n')}\n`);
    // How long it takes is the csv-import benchmark's (docs/benchmarks.md), not a test's.
    const run = await gaskit(['import', 'accounts', file, '--tenant', 'sever-gaz'], {
      MONGODB_URI: undefined,
      GASKIT_DATA_DIR: dataDir,
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(lines(run.stdout).at(-1)).to.match(
      /^accounts: 100000 lines read, 100000 imported \(100000 new, 0 changed\), 0 not imported/,
    );
    expect(lines(run.stderr).at(-1)).to.equal('100% read, 100000 lines, 0 not imported');
  });
});

describe('gaskit tenants', function () {
  this.timeout(60_000);
  let tmp: string;
  const slug = `file-${randomBytes(3).toString('hex')}`;
  const stored = async () => (await Tenant.findOne({ slug }).lean<TenantDoc>())!;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'gaskit-tenants-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('creates a supplier from a YAML file, reachable by its slug at once', async () => {
    const file = path.join(tmp, 'tenant.yaml');
    await writeFile(
      file,
      [
        `slug: ${slug}`,
        'name: Файлгаз',
        'legalName: ООО «Файлгаз»',
        `realm: ${slug}`,
        'theme: vostok',
        'allowedOrigins: [https://lk.file-gaz.example]',
        'registration:',
        '  confirmation: code',
        '  logins: [email, phone]',
        'readings: { windowStartDay: 10, windowEndDay: 20 }',
        '',
      ].join('\n'),
    );
    const run = await gaskit(['tenants', 'create', file]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal(`Supplier ${slug} created (realm ${slug}).`);
    const config = await api(`/api/v1/t/${slug}/config`);
    expect(config.status).to.equal(200);
    expect(config.body.tenant).to.include({ slug, name: 'Файлгаз', realm: slug });
    expect(config.body.theme.name).to.equal('vostok');
    expect(config.body.registration).to.include({ confirmation: 'code', captcha: true });
    expect(config.body.registration.logins).to.deep.equal(['email', 'phone']);
    expect(config.body.readings).to.include({ windowStartDay: 10, windowEndDay: 20 });
  });

  it('updates the fields a JSON file names, keeping the others, and lists the suppliers', async () => {
    const file = path.join(tmp, 'update.json');
    await writeFile(
      file,
      JSON.stringify({ slug, registration: { captcha: false }, readings: { windowEndDay: 25 }, active: false }),
    );
    const run = await gaskit(['tenants', 'update', file]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`Supplier ${slug} updated`);
    const tenant = await stored();
    expect(tenant.registration).to.include({ confirmation: 'code', captcha: false });
    expect(tenant.registration.logins).to.deep.equal(['email', 'phone']);
    expect(tenant.readings).to.include({ windowStartDay: 10, windowEndDay: 25 });
    expect(tenant.theme).to.equal('vostok');
    expect(tenant.active).to.equal(false);

    const list = await gaskit(['tenants', 'list']);
    expect(list.code, list.stderr).to.equal(0);
    expect(lines(list.stdout)).to.include(`${slug}\tФайлгаз\t${slug}\tinactive`);
    expect(lines(list.stdout)).to.include('sever-gaz\tСеверогаз (демо)\tgazregion\tactive');
    // A database without suppliers (a mistyped MONGODB_URI) says so, naming it.
    const empty = await gaskit(['tenants', 'list'], { MONGODB_URI: `mongodb://127.0.0.1:${testServer().db.port}/gaskit_empty` });
    expect(empty.code, empty.stderr).to.equal(0);
    expect(lines(empty.stdout)).to.deep.equal([
      `No suppliers in the database mongodb://127.0.0.1:${testServer().db.port}/gaskit_empty. Create one with gaskit tenants create <file>, or name the database in MONGODB_URI.`,
    ]);
  });

  it('refuses a file against the tenant schema, naming every bad field, and changes nothing', async () => {
    const before = await stored();
    const file = path.join(tmp, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        slug,
        bogus: 1,
        theme: 'neon',
        accounts: { maxAccounts: 500 },
        allowedOrigins: ['https://x.example/path'],
      }),
    );
    const run = await gaskit(['tenants', 'update', file]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(`gaskit: ${file}:`);
    expect(run.stderr).to.include('Unrecognized key: "bogus"');
    expect(run.stderr).to.match(/^ {2}theme: must be one of .*vostok/m);
    expect(run.stderr).to.match(/^ {2}accounts\.maxAccounts: /m);
    expect(run.stderr).to.match(/^ {2}allowedOrigins\.0: must be an origin/m);
    expect(await stored()).to.deep.equal(before);
  });

  it('refuses a second supplier with a taken slug, an unknown slug to update, a change of realm and an unreadable file', async () => {
    const taken = path.join(tmp, 'taken.json');
    await writeFile(taken, JSON.stringify({ slug: 'sever-gaz', name: 'Копия', legalName: 'Копия', realm: 'copy' }));
    const again = await gaskit(['tenants', 'create', taken]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('slug: “sever-gaz” exists already');

    const missing = path.join(tmp, 'missing.json');
    await writeFile(missing, JSON.stringify({ slug: 'no-such-gaz', name: 'Нет' }));
    const unknown = await gaskit(['tenants', 'update', missing]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('slug: no supplier “no-such-gaz”');

    const realm = path.join(tmp, 'realm.json');
    await writeFile(realm, JSON.stringify({ slug, realm: 'gazregion' }));
    const moved = await gaskit(['tenants', 'update', realm]);
    expect(moved.code).to.equal(1);
    expect(moved.stderr).to.include(`realm: a supplier's realm cannot change (it is “${slug}”)`);
    expect((await stored()).realm).to.equal(slug);

    const broken = path.join(tmp, 'broken.yaml');
    await writeFile(broken, 'slug: [unclosed\n');
    const parse = await gaskit(['tenants', 'create', broken]);
    expect(parse.code).to.equal(1);
    expect(parse.stderr).to.include(`gaskit: ${broken}: `);

    const usage = await gaskit(['tenants', 'remove', broken]);
    expect(usage.code).to.equal(1);
    expect(usage.stderr).to.include('Usage: gaskit tenants create');
  });
});

describe('tenant cache', () => {
  const entries = async (cache: string) => {
    const metrics = (await api('/metrics')).body as string;
    return Number(new RegExp(`^gaskit_tenant_cache_entries\\{cache="${cache}"\\} (\\d+)$`, 'm').exec(metrics)![1]);
  };

  it('remembers no unknown slug, however many are asked for', async () => {
    await api('/api/v1/t/sever-gaz/config');
    const slugs = await entries('slugs');
    const tenants = await entries('tenants');
    expect(slugs).to.be.at.least(1);
    for (let i = 0; i < 50; i++) {
      const res = await api(`/api/v1/t/unknown-${randomBytes(4).toString('hex')}/config`);
      expect(res.status).to.equal(404);
    }
    expect(await entries('slugs')).to.equal(slugs);
    expect(await entries('tenants')).to.equal(tenants);
  });
});

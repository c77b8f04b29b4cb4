/**
 * `npx gaskit …`: operator commands over the same database the server uses (MONGODB_URI, or the
 * embedded database under GASKIT_DATA_DIR).
 *
 *   gaskit import <accounts|meters|charges|balances> <file> --tenant <slug> [--delimiter ;] [--encoding windows-1251] [--dry-run]
 *   gaskit keys create --tenant <slug> --name <name> --scopes billing:write,export:read
 *   gaskit keys list --tenant <slug>
 *   gaskit keys revoke --tenant <slug> <id>
 *   gaskit tenants create|update <file.json|file.yaml>
 *   gaskit tenants list
 *   gaskit migrate      (moves a database written by an earlier version to the current model)
 *
 * Exit codes: 0 done, 2 import finished but some lines were bad, 1 nothing done (bad arguments, fatal error).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { runInApp } from './app-context.ts';
import { BILLING_KINDS, type BillingKind } from '../contracts/billing.ts';
import { byteCounter, importBillingCsv, type CsvRowError, type ImportSummary } from './billing/csv.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { EmbeddedDbError } from './db/embedded.ts';
import { openDatabase } from './db/open.ts';
import { DomainError } from './http/errors.ts';
import { SUPPORTED_LOCALES, translator, type Translate } from './i18n/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './integration/keys.ts';
import { API_SCOPES, type ApiScope } from './integration/model.ts';
import { migrateDatabase } from './migrations.ts';
import { createTenant, listTenants, readTenantFile, TenantFileError, updateTenant } from './tenants/admin.ts';
import { getTenantBySlug } from './tenants/service.ts';

/** A usage error: the message is already translated; exit code 1. */
class UsageError extends Error {}

const EXIT = { ok: 0, fatal: 1, badRows: 2 } as const;

function languageOf(flag: string | undefined): string {
  const env = (process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '').slice(0, 2).toLowerCase();
  const wanted = flag ?? env;
  return SUPPORTED_LOCALES.includes(wanted) ? wanted : 'ru';
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Runs `fn` connected to the server's database (MONGODB_URI, or the embedded one started for the
 * command), as code of an app built from the same configuration as the server's.
 */
async function withDatabase<T>(fn: (config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Loaded here, not at the top: help and usage errors need none of the server's modules.
  const { appContextOf } = await import('./bootstrap.ts');
  const db = await openDatabase(config, { log: err });
  try {
    // Operator warnings (alerts) of the services go to stderr: stdout carries the command's output.
    const logger = pino({ level: config.logLevel }, process.stderr);
    return await runInApp(appContextOf(config, logger), () => fn(config));
  } finally {
    await db.close();
  }
}

/** The database a command works on, as an operator names it: MONGODB_URI without credentials, or the embedded one's directory. */
function databaseName(config: Pick<Config, 'mongodbUri' | 'dataDir'>): string {
  return config.mongodbUri ? config.mongodbUri.replace(/\/\/[^@/]*@/, '//') : `GASKIT_DATA_DIR=${config.dataDir}`;
}

function describeError(t: Translate, e: { code: string; params?: Record<string, unknown> }): string {
  return t(`errors:${e.code}`, { ...e.params, defaultValue: e.code });
}

/** A bad line as `line N: field: reason`. */
function rowLine(t: Translate, e: CsvRowError): string {
  const field = e.field === 'row' ? '' : `${e.field}: `;
  return `${t('cli:import.line', { line: e.line })}: ${field}${describeError(t, e)}`;
}

/** Progress on stderr: a bar on a terminal, a line at every tenth of the file otherwise. */
function progressReporter(t: Translate, size: number) {
  if (process.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      {
        format: `{bar} {percentage}% | ${t('cli:import.progressRows')}: {rows} | ${t('cli:import.progressBad')}: {failed}`,
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = bars.create(size, 0, { rows: 0, failed: 0 });
    return {
      bytes: (n: number) => bar.update(n),
      counts: (s: ImportSummary) => bar.update({ rows: s.rows, failed: s.failed }),
      /** Bad lines go to stdout; on a terminal, above the bar. */
      print: (line: string) => (process.stdout.isTTY ? bars.log(`${line}\n`) : out(line)),
      stop: () => {
        bar.update(size);
        bars.stop();
      },
    };
  }
  // Without a terminal: a line at every tenth of the file read, and the last one when done.
  let shown = 0;
  let bytes = 0;
  let last: ImportSummary | undefined;
  const line = (percent: number, s: ImportSummary) => err(t('cli:import.progress', { percent, rows: s.rows, failed: s.failed }));
  return {
    bytes: (n: number) => {
      bytes = n;
    },
    counts: (s: ImportSummary) => {
      last = s;
      const tenth = size > 0 ? Math.min(9, Math.floor((bytes / size) * 10)) : 0;
      if (tenth <= shown) return;
      shown = tenth;
      line(tenth * 10, s);
    },
    print: out,
    stop: () => {
      if (last) line(100, last);
    },
  };
}

async function importCommand(t: Translate, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      delimiter: { type: 'string' },
      encoding: { type: 'string' },
      lang: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
  const [kind, file] = positionals;
  const dryRun = values['dry-run'] ?? false;
  if (!kind || !BILLING_KINDS.includes(kind as BillingKind) || !file || !values.tenant || positionals.length > 2) {
    throw new UsageError(t('cli:import.usage', { kinds: BILLING_KINDS.join('|') }));
  }
  const size = (await stat(file).catch(() => null))?.size;
  if (size === undefined) throw new UsageError(t('cli:fileNotFound', { file }));

  return withDatabase(async () => {
    const tenant = await getTenantBySlug(values.tenant!);
    const started = Date.now();
    const progress = progressReporter(t, size);
    const input = createReadStream(file).pipe(byteCounter(progress.bytes));
    let summary: ImportSummary;
    try {
      summary = await importBillingCsv(tenant, kind as BillingKind, input, {
        delimiter: values.delimiter,
        encoding: values.encoding,
        dryRun,
        onError: (e) => progress.print(rowLine(t, e)),
        onProgress: progress.counts,
      });
    } finally {
      progress.stop();
    }
    out(
      t(dryRun ? 'cli:import.summaryDryRun' : 'cli:import.summary', {
        kind,
        rows: summary.rows,
        imported: summary.imported,
        created: summary.created,
        changed: summary.changed,
        failed: summary.failed,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
      }),
    );
    return summary.failed > 0 ? EXIT.badRows : EXIT.ok;
  });
}

async function keysCommand(t: Translate, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, lang: { type: 'string' } },
  });
  const [action, id] = positionals;
  const usage = () => new UsageError(t('cli:keys.usage', { scopes: API_SCOPES.join(',') }));
  if (!values.tenant) throw usage();

  if (action === 'create') {
    const scopes = (values.scopes ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!values.name?.trim() || scopes.length === 0 || positionals.length > 1) throw usage();
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown.length)
      throw new UsageError(t('cli:keys.unknownScopes', { scopes: unknown.join(', '), known: API_SCOPES.join(', ') }));
    return withDatabase(async () => {
      const tenant = await getTenantBySlug(values.tenant!);
      const created = await createApiKey(tenant._id, values.name!.trim(), [...new Set(scopes)] as ApiScope[]);
      out(t('cli:keys.created', { id: created.id, tenant: tenant.slug, scopes: scopes.join(',') }));
      out(created.key);
      return EXIT.ok;
    });
  }
  if (action === 'list' && positionals.length === 1) {
    return withDatabase(async () => {
      const tenant = await getTenantBySlug(values.tenant!);
      const keys = await listApiKeys(tenant._id);
      if (keys.length === 0) out(t('cli:keys.none', { tenant: tenant.slug }));
      for (const k of keys) {
        const state = k.revokedAt ? t('cli:keys.revokedAt', { date: k.revokedAt.toISOString() }) : t('cli:keys.active');
        const used = k.lastUsedAt ? k.lastUsedAt.toISOString() : '—';
        out([k.id, `${k.prefix}…`, k.name, k.scopes.join(','), k.createdAt.toISOString(), used, state].join('\t'));
      }
      return EXIT.ok;
    });
  }
  if (action === 'revoke' && id && positionals.length === 2) {
    return withDatabase(async () => {
      const tenant = await getTenantBySlug(values.tenant!);
      if (!/^[0-9a-f]{24}$/i.test(id)) throw new DomainError('not_found', 'api_key_not_found');
      await revokeApiKey(tenant._id, id);
      out(t('cli:keys.revoked', { id, tenant: tenant.slug }));
      return EXIT.ok;
    });
  }
  throw usage();
}

async function tenantsCommand(t: Translate, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { lang: { type: 'string' } } });
  const [action, file] = positionals;
  if (action === 'list' && positionals.length === 1) {
    return withDatabase(async (config) => {
      const tenants = await listTenants();
      if (tenants.length === 0) out(t('cli:tenants.none', { database: databaseName(config) }));
      for (const tenant of tenants) {
        out(
          [tenant.slug, tenant.name, tenant.realm, t(tenant.active ? 'cli:tenants.active' : 'cli:tenants.inactive')].join('\t'),
        );
      }
      return EXIT.ok;
    });
  }
  if ((action !== 'create' && action !== 'update') || !file || positionals.length !== 2)
    throw new UsageError(t('cli:tenants.usage'));
  if (!(await stat(file).catch(() => null))?.isFile()) throw new UsageError(t('cli:fileNotFound', { file }));
  const input = await readTenantFile(file);
  return withDatabase(async () => {
    const tenant = action === 'create' ? await createTenant(input, file) : await updateTenant(input, file);
    out(t(action === 'create' ? 'cli:tenants.created' : 'cli:tenants.updated', { slug: tenant.slug, realm: tenant.realm }));
    return EXIT.ok;
  });
}

async function main(argv: string[]): Promise<number> {
  const lang = parseArgs({ args: argv, strict: false, options: { lang: { type: 'string' } } }).values.lang;
  const t = translator(languageOf(typeof lang === 'string' ? lang : undefined));
  const [command, ...rest] = argv;
  try {
    if (command === 'import') return await importCommand(t, rest);
    if (command === 'keys') return await keysCommand(t, rest);
    if (command === 'tenants') return await tenantsCommand(t, rest);
    if (command === 'migrate') {
      const moved = await withDatabase(() => migrateDatabase(err));
      out(moved ? t('cli:migrate.done', { steps: Object.keys(moved).length }) : t('cli:migrate.nothing'));
      return EXIT.ok;
    }
    const help = t('cli:help', { kinds: BILLING_KINDS.join('|'), scopes: API_SCOPES.join(',') });
    if (command === 'help' || command === '--help' || command === '-h') {
      out(help);
      return EXIT.ok;
    }
    err(help);
    return EXIT.fatal;
  } catch (e) {
    if (e instanceof EmbeddedDbError && e.code === 'data_dir_in_use') {
      err(`gaskit: ${t('cli:dataDirInUse', { dir: loadConfig().dataDir })}`);
    } else if (
      e instanceof UsageError ||
      e instanceof ConfigError ||
      e instanceof EmbeddedDbError ||
      e instanceof TenantFileError
    )
      err(`gaskit: ${e.message}`);
    else if (e instanceof DomainError) {
      const fields = Object.entries(e.fields ?? {}).map(([field, f]) => `${field}: ${describeError(t, f)}`);
      err(`gaskit: ${[describeError(t, e), ...fields].join('\n  ')}`);
    } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      err(`gaskit: ${e.message}`);
    } else if (e instanceof Error && /ServerSelectionError$/.test(e.name)) {
      err(`gaskit: ${t('cli:dbUnreachable', { reason: e.message })}`);
    } else err(`gaskit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.fatal;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { pipeline, Readable, Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { ValidationError, type FieldErrors } from '../http/errors.ts';
import { toFieldErrors } from '../http/validate.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { ChargeItem, ITEM_SCHEMAS, type BillingKind } from '../../contracts/billing.ts';
import { BillingWriter, type BillingItem, type BillingPlan } from './writer.ts';

/**
 * CSV files of the billing system → items of the integration schemas, streamed in batches.
 * The first line names the columns (in any order; the required ones must be there). Every other
 * line is one item, except for charges: there each line is one line of a charge (a service), and
 * the consecutive lines of one account and period make one charge. A bad line is reported with
 * its number and reason, and the good lines go on.
 */

/** The columns of each kind, in the documented order. */
const CSV_COLUMNS = {
  accounts: ['number', 'holder', 'address', 'pin', 'services'],
  meters: [
    'meterId',
    'accountNumber',
    'serialNumber',
    'name',
    'service',
    'digits',
    'decimals',
    'lastReading',
    'lastReadingDate',
    'verificationDue',
    'tariff',
    'usualMonthly',
  ],
  charges: ['accountNumber', 'period', 'service', 'volume', 'unit', 'tariff', 'amount', 'penalties'],
  balances: ['accountNumber', 'period', 'opening', 'charged', 'paid', 'closing', 'penalties'],
} as const satisfies Record<BillingKind, readonly string[]>;

const CSV_REQUIRED_COLUMNS: Record<BillingKind, readonly string[]> = {
  accounts: ['number'],
  meters: ['meterId', 'accountNumber'],
  charges: ['accountNumber', 'period', 'service', 'amount'],
  balances: ['accountNumber', 'period', 'opening', 'charged', 'paid', 'closing'],
};

/** Columns of whole numbers (kopecks, digit counts): cells of digits become numbers, anything else fails its schema. */
const INTEGER_COLUMNS = new Set(['digits', 'decimals', 'tariff', 'amount', 'penalties', 'opening', 'charged', 'paid', 'closing']);

/** A CSV line that was not imported: its number, the column (or `row`) and the error code. */
export interface CsvRowError {
  line: number;
  field: string;
  code: string;
  params?: Record<string, unknown>;
}

/** One step of the reader: good items with the lines they came from, and the bad lines met since the previous step. */
export interface CsvBatch {
  items: BillingItem[];
  /** For each item, its CSV lines (several for a charge). */
  sources: number[][];
  errors: CsvRowError[];
  /** Data lines read so far (header excluded), good or bad. */
  rowsRead: number;
}

export interface CsvOptions {
  /** Items per batch; a charge is never split between batches. */
  batchSize?: number;
  /** Field delimiter; by default `;` when the header line has one and no comma, `,` otherwise. */
  delimiter?: string;
  /** Text encoding of the file, e.g. `windows-1251`; UTF-8 by default (a BOM is skipped). */
  encoding?: string;
}

function headerError(column: string, code: string, params: Record<string, unknown> = {}): ValidationError {
  return new ValidationError({ [column]: { code, params } }, 'csv_header_invalid');
}

/** The header's columns, checked against the kind's documented ones. */
function readHeader(kind: BillingKind, cells: string[]): string[] {
  const known: readonly string[] = CSV_COLUMNS[kind];
  const columns = cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const column of columns) {
    if (!known.includes(column)) throw headerError(column || '_', 'csv_unknown_column', { columns: known.join(', ') });
    if (seen.has(column)) throw headerError(column, 'csv_duplicate_column');
    seen.add(column);
  }
  for (const column of CSV_REQUIRED_COLUMNS[kind]) if (!seen.has(column)) throw headerError(column, 'csv_missing_column');
  return columns;
}

/** One record as raw input of the kind's schema; empty cells are left out, so the schema's defaults apply. */
function rawRow(kind: BillingKind, columns: string[], cells: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const cell = (cells[i] ?? '').trim();
    if (cell === '') return;
    if (INTEGER_COLUMNS.has(column) && /^-?\d{1,15}$/.test(cell)) row[column] = Number(cell);
    else if (kind === 'accounts' && column === 'services') {
      row[column] = cell
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
    } else row[column] = cell;
  });
  return row;
}

function rowErrors(line: number, fields: FieldErrors, rename: (field: string) => string = (f) => f): CsvRowError[] {
  return Object.entries(fields).map(([field, e]) => ({
    line,
    field: rename(field),
    code: e.code,
    ...(e.params ? { params: e.params } : {}),
  }));
}

/** A charge row carries one charge line, so `lines.0.amount` is the row's `amount` column; `lines` itself is the row. */
const chargeField = (field: string) => field.replace(/^lines(\.\d+)?\.?/, '') || 'row';

const CHARGE_LINE_COLUMNS = ['service', 'volume', 'unit', 'tariff', 'amount'] as const;

/** Consecutive rows of one account and period, becoming one charge. */
interface ChargeGroup {
  key: string;
  lines: number[];
  /** Lines of the group already reported as bad. */
  bad: Set<number>;
  raw: { accountNumber: unknown; period: unknown; lines: Record<string, unknown>[]; penalties: number };
}

function csvErrorCode(err: CsvError): string {
  return err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? 'csv_column_count' : 'csv_malformed_row';
}

/** Counts the bytes going through, for a progress bar over a file of known size. */
export function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

function decoder(encoding: string): Transform {
  let text: TextDecoder;
  try {
    text = new TextDecoder(encoding);
  } catch {
    throw new ValidationError({ encoding: { code: 'csv_encoding_unknown', params: { encoding } } }, 'csv_encoding_unknown', {
      encoding,
    });
  }
  // One decoded chunk buffered at most, so the bytes read from the file track the rows parsed.
  return new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 1,
    transform(chunk: Buffer, _enc, done) {
      done(null, text.decode(chunk, { stream: true }));
    },
    flush(done) {
      const rest = text.decode();
      done(null, rest || undefined);
    },
  });
}

const byLine = (a: CsvRowError, b: CsvRowError) => a.line - b.line;

const newlines = (s: string) => s.split('\n').length - 1;

/**
 * Reads a billing CSV stream of one kind and yields batches of parsed items (up to `batchSize`
 * each) with the bad lines met on the way; the last batch may have no items. A header that does
 * not fit the kind (or an empty file) throws a `ValidationError` before any row is read.
 */
export async function* readBillingCsv(input: Readable, kind: BillingKind, options: CsvOptions = {}): AsyncGenerator<CsvBatch> {
  const batchSize = options.batchSize ?? 1000;
  const schema = ITEM_SCHEMAS[kind];

  try {
    // The header line decides the delimiter, so it is read before the parser starts.
    const chunks = input.pipe(decoder(options.encoding ?? 'utf-8'))[Symbol.asyncIterator]() as AsyncIterator<string>;
    let head = '';
    while (!head.includes('\n')) {
      const next = await chunks.next();
      if (next.done) break;
      head += next.value;
    }
    const firstLine = head.split('\n', 1)[0] ?? '';
    if (!firstLine.trim()) throw headerError('_', 'csv_empty');
    const delimiter = options.delimiter ?? (firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',');

    const skipped: CsvRowError[] = [];
    const parser = parse({
      delimiter,
      info: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) skipped.push({ line: Number(err.lines), field: 'row', code: csvErrorCode(err) });
        return undefined;
      },
    });
    const rest = Readable.from(
      (async function* () {
        yield head;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })(),
    );
    // A read or decoding error destroys the parser, and the loop below throws it.
    pipeline(rest, parser, () => undefined);

    let columns: string[] | undefined;
    let rowsRead = 0;
    let batch: CsvBatch = { items: [], sources: [], errors: [], rowsRead: 0 };
    const closedCharges = new Map<string, number>();
    let group: ChargeGroup | undefined;

    const takeSkipped = () => {
      rowsRead += skipped.length;
      batch.errors.push(...skipped.splice(0));
    };

    const closeGroup = () => {
      if (!group) return;
      const g = group;
      group = undefined;
      const first = g.lines[0]!;
      closedCharges.set(g.key, first);
      if (g.bad.size === 0) {
        const merged = ChargeItem.safeParse(g.raw);
        if (merged.success) {
          batch.items.push(merged.data);
          batch.sources.push(g.lines);
          return;
        }
        batch.errors.push(...rowErrors(first, toFieldErrors(merged.error), chargeField));
        g.bad.add(first);
      }
      const failedAt = Math.min(...g.bad);
      for (const line of g.lines) {
        if (!g.bad.has(line))
          batch.errors.push({ line, field: 'row', code: 'csv_charge_incomplete', params: { line: failedAt } });
      }
    };

    const chargeRow = (raw: Record<string, unknown>, line: number) => {
      const key = `${String(raw.accountNumber ?? '')}\u0000${String(raw.period ?? '')}`;
      if (group && group.key !== key) closeGroup();
      if (!group) {
        group = {
          key,
          lines: [],
          bad: new Set(),
          raw: { accountNumber: raw.accountNumber, period: raw.period, lines: [], penalties: 0 },
        };
        const earlier = closedCharges.get(key);
        if (earlier !== undefined) {
          batch.errors.push({ line, field: 'row', code: 'csv_charge_split', params: { line: earlier } });
          group.bad.add(line);
        }
      }
      group.lines.push(line);
      if (group.bad.has(line)) return;
      const chargeLine = Object.fromEntries(CHARGE_LINE_COLUMNS.filter((c) => c in raw).map((c) => [c, raw[c]]));
      const parsed = ChargeItem.safeParse({
        accountNumber: raw.accountNumber,
        period: raw.period,
        lines: [chargeLine],
        penalties: raw.penalties,
      });
      if (!parsed.success) {
        batch.errors.push(...rowErrors(line, toFieldErrors(parsed.error), chargeField));
        group.bad.add(line);
        return;
      }
      group.raw.lines.push(chargeLine);
      group.raw.penalties += parsed.data.penalties;
    };

    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: InfoRecord }>) {
      const line = info.lines - record.reduce((n, cell) => n + newlines(cell), 0);
      takeSkipped();
      if (!columns) {
        columns = readHeader(kind, record);
        continue;
      }
      rowsRead += 1;
      const raw = rawRow(kind, columns, record);
      if (kind === 'charges') chargeRow(raw, line);
      else {
        const parsed = schema.safeParse(raw);
        if (parsed.success) {
          batch.items.push(parsed.data);
          batch.sources.push([line]);
        } else batch.errors.push(...rowErrors(line, toFieldErrors(parsed.error)));
      }
      if (batch.items.length >= batchSize) {
        yield { ...batch, rowsRead };
        batch = { items: [], sources: [], errors: [], rowsRead };
      }
    }
    if (!columns) throw headerError('_', 'csv_empty');
    closeGroup();
    takeSkipped();
    yield { ...batch, rowsRead };
  } finally {
    // Stopped early (a bad header, a failed write): the file is not read any further.
    input.destroy();
  }
}

export interface ImportSummary {
  kind: BillingKind;
  /** Data lines read (header excluded). */
  rows: number;
  /** Lines whose items were stored (created, changed, or already equal). */
  imported: number;
  /** Lines that were not stored, each reported through `onError`. */
  failed: number;
  /** Items that created or changed stored data; equal items are left alone, so a re-run of the same file changes nothing. */
  created: number;
  changed: number;
}

export interface ImportHooks {
  /** Check the file against the data without writing anything; the counts say what an import would do. */
  dryRun?: boolean;
  /** Every bad line, in line order within a batch. */
  onError?: (error: CsvRowError) => void;
  /** After every written batch. */
  onProgress?: (summary: ImportSummary) => void;
}

/** The account an item writes to (its number). */
const accountOf = (item: BillingItem) => ('accountNumber' in item ? item.accountNumber : item.number);

/**
 * Imports a billing CSV stream into a tenant: reads it in batches, writes the good items of each
 * batch, reports every bad line through `hooks.onError` (a bad line never holds back the others).
 * Idempotent: importing the same file again changes nothing.
 *
 * While a batch is written, the next one is read and planned (its lookups beside the writes), so
 * the database and this process work at the same time; batches are written, and reported, in the
 * order of the file. A batch that names an account of the batch being written is planned once that
 * one is written, so it sees what the lines before it wrote.
 */
export async function importBillingCsv(
  tenant: TenantDoc,
  kind: BillingKind,
  input: Readable,
  options: CsvOptions & ImportHooks = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { kind, rows: 0, imported: 0, failed: 0, created: 0, changed: 0 };
  const writer = new BillingWriter(tenant);
  const write = async (batch: CsvBatch, plan: BillingPlan) => {
    const errors = [...batch.errors];
    const refused = new Set<number>();
    for (const [key, e] of Object.entries(plan.refused)) {
      const [index, ...field] = key.split('.');
      refused.add(Number(index));
      for (const line of batch.sources[Number(index)]!)
        errors.push({ line, field: field.join('.'), code: e.code, ...(e.params ? { params: e.params } : {}) });
    }
    const counts = options.dryRun ? plan.counts : await plan.commit();
    errors.sort(byLine).forEach((e) => options.onError?.(e));
    summary.rows = batch.rowsRead;
    summary.imported += batch.sources.reduce((n, lines, i) => (refused.has(i) ? n : n + lines.length), 0);
    summary.failed = summary.rows - summary.imported;
    summary.created += counts.created;
    summary.changed += counts.changed;
    options.onProgress?.({ ...summary });
  };
  /** The batch being written, and the accounts it names. */
  let writing: { accounts: Set<string>; done: Promise<void> } | undefined;
  try {
    for await (const batch of readBillingCsv(input, kind, options)) {
      const accounts = new Set(batch.items.map(accountOf));
      if (writing && [...accounts].some((a) => writing!.accounts.has(a))) await writing.done;
      const plan = await writer.plan(kind, batch.items, { exact: options.dryRun });
      await writing?.done;
      const done = write(batch, plan);
      // Awaited at the next batch or below; a failure meanwhile is not an unhandled rejection.
      done.catch(() => undefined);
      writing = { accounts, done };
    }
    await writing?.done;
  } finally {
    // Stopped by an error: the batch being written is let finish before the database is closed.
    await writing?.done.catch(() => undefined);
  }
  return summary;
}

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { TiltakError } from '../stats/errors.ts';
import { duckCall, fileFormat, maskDigitRuns, openDuck, sqlString } from './duckdb.ts';
import { maskPersonalId } from './personal-id.ts';
import { type PseudonymKey, pseudonymise } from './pseudonym.ts';
import {
  MONTHS,
  type ParsedRegisterRow,
  type PseudonymisedRegisterRow,
  REGISTER_COLUMNS,
  registerRowSchema,
} from './schema.ts';

/**
 * One problem in one row of a rejected file.
 *
 * @example
 * const b: BadRow = { row: 3, column: 'sex', value: '9', reason: 'unknown sex code 9 (known: 1, 2)' };
 */
export interface BadRow {
  /** 1-based data row (the header is row 0; in a CSV without quoted line breaks, line = row + 1). */
  readonly row: number;
  readonly column: string;
  /** The offending cell as written, except that personal ids are masked. */
  readonly value: string;
  readonly reason: string;
}

/**
 * Thrown when a register file has bad rows. The import is all-or-nothing: nothing from the file is
 * returned or written, and {@link badRows} lists every problem found.
 *
 * @example
 * try { await importRegisterFile(path, key); }
 * catch (e) { if (e instanceof RegisterRejectedError) console.error(formatBadRows(e.badRows)); }
 */
export class RegisterRejectedError extends TiltakError {
  readonly badRows: readonly BadRow[];
  constructor(source: string, badRows: readonly BadRow[]) {
    const rows = new Set(badRows.map((b) => b.row)).size;
    const first = badRows[0]!;
    super(
      'REGISTER_REJECTED',
      `${source}: rejected, nothing imported: ${rows} bad row${rows === 1 ? '' : 's'} with ` +
        `${badRows.length} problem${badRows.length === 1 ? '' : 's'}; first: ${formatBadRow(first)}`,
      { badRows },
    );
    this.badRows = badRows;
  }
}

/**
 * Counts describing an accepted import.
 *
 * @example
 * const s: ImportSummary = { rows: 23, persons: 20, municipalities: 3, years: [2018, 2019] };
 */
export interface ImportSummary {
  readonly rows: number;
  /** Distinct pseudonyms. */
  readonly persons: number;
  readonly municipalities: number;
  readonly years: readonly number[];
}

/**
 * Result of a successful import: pseudonymised rows only, in a fixed order.
 *
 * @example
 * const { rows, sourceSha256 } = await importRegisterFile('kostra-11c-2019.csv', key);
 */
export interface ImportResult {
  readonly source: string;
  readonly format: 'csv' | 'parquet';
  /** SHA-256 of the file's bytes, so a store can see that the same file comes twice. */
  readonly sourceSha256: string;
  /** Sorted by pseudonym, municipality, year, so equal input and key give equal output. */
  readonly rows: readonly PseudonymisedRegisterRow[];
  readonly summary: ImportSummary;
}

/**
 * Format one bad-row entry as a line.
 *
 * @example
 * formatBadRow({ row: 3, column: 'sex', value: '9', reason: 'unknown sex code 9' });
 * // "row 3, column sex, value '9': unknown sex code 9"
 */
export function formatBadRow(b: BadRow): string {
  return `row ${b.row}, column ${b.column}, value '${b.value}': ${b.reason}`;
}

/**
 * Format a full bad-row report, one line per problem.
 *
 * @example
 * process.stderr.write(formatBadRows(err.badRows));
 */
export function formatBadRows(bad: readonly BadRow[]): string {
  return bad.map((b) => `${formatBadRow(b)}\n`).join('');
}

function detectDelimiter(text: string): string {
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  const count = (ch: string) => first.split(ch).length - 1;
  const semi = count(';');
  const comma = count(',');
  const tab = count('\t');
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma) return '\t';
  return ',';
}

function checkHeader(path: string, names: readonly string[]): void {
  const missing = REGISTER_COLUMNS.filter((c) => !names.includes(c));
  const unknown = names.filter((c) => !REGISTER_COLUMNS.includes(c));
  const twice = names.filter((c, i) => names.indexOf(c) !== i);
  if (missing.length === 0 && unknown.length === 0 && twice.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing columns: ${missing.join(', ')}`);
  if (unknown.length > 0) parts.push(`unknown columns: ${unknown.join(', ')}`);
  if (twice.length > 0) parts.push(`repeated columns: ${twice.join(', ')}`);
  throw new TiltakError(
    'REGISTER_COLUMNS',
    `${path}: ${parts.join('; ')} (see src/registers/README.md)`,
  );
}

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const t = String(v).trim();
  return t === '' ? null : t;
}

/**
 * Validates and pseudonymises rows one at a time, so the raw cells of a large file die young
 * instead of all being held (and copied by the garbage collector) until the end.
 */
class RowValidator {
  private readonly bad: BadRow[] = [];
  private readonly out: PseudonymisedRegisterRow[] = [];
  // Keyed by pseudonym, so not even the duplicate check keeps raw ids around.
  private readonly firstSeen = new Map<string, number>();
  private rows = 0;

  constructor(
    private readonly key: PseudonymKey,
    private readonly source: string,
  ) {}

  /** Cells in {@link REGISTER_COLUMNS} order, already trimmed, empty as null. */
  add(cells: readonly (string | null)[]): void {
    const rowNo = ++this.rows;
    const obj: Record<string, string | null> = {};
    for (let j = 0; j < REGISTER_COLUMNS.length; j++) obj[REGISTER_COLUMNS[j]!] = cells[j] ?? null;
    const r = registerRowSchema.safeParse(obj);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const column = String(issue.path[0] ?? '');
        this.bad.push({
          row: rowNo,
          column,
          value: issueValue(column, cells),
          reason: issue.message,
        });
      }
      return;
    }
    const row = toPseudonymised(r.data, this.key);
    const dupKey = `${row.pseudonym}|${row.municipality}|${row.year}`;
    const before = this.firstSeen.get(dupKey);
    if (before !== undefined) {
      this.bad.push({
        row: rowNo,
        column: 'personal_id',
        value: maskPersonalId(r.data.personal_id),
        reason: `duplicate: same person, municipality and year as row ${before}`,
      });
      return;
    }
    this.firstSeen.set(dupKey, rowNo);
    if (this.bad.length === 0) this.out.push(row);
  }

  /** Record a row that could not be split into the header's columns. */
  addRagged(width: number, headerWidth: number): void {
    const rowNo = ++this.rows;
    this.bad.push({
      row: rowNo,
      column: '(row)',
      value: `${width} cells`,
      reason: `the row has ${width} cells, the header ${headerWidth}`,
    });
  }

  finish(): PseudonymisedRegisterRow[] {
    if (this.rows === 0)
      throw new TiltakError('EMPTY_FILE', `${this.source}: the file has a header but no rows`);
    if (this.bad.length > 0) throw new RegisterRejectedError(this.source, this.bad);
    return this.out.sort(compareRows);
  }
}

// CSV is parsed here rather than by DuckDB so that a row with too many or too few cells becomes
// one entry of the bad-row report instead of a file-level sniffer error, and so that no cell is
// ever guessed at: every value reaches the zod schema as written.
function readCsv(path: string, bytes: Buffer, v: RowValidator): void {
  const text = bytes.toString('utf8');
  let header: string[] | null = null;
  let index: number[] = [];
  let headerError: unknown = null;
  try {
    parse(text, {
      bom: true,
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (r: string[]) => {
        if (headerError !== null) return null;
        if (header === null) {
          header = r.map((h) => h.trim());
          try {
            checkHeader(path, header);
          } catch (e) {
            headerError = e;
          }
          index = REGISTER_COLUMNS.map((c) => header!.indexOf(c));
          return null;
        }
        if (r.length !== header.length) v.addRagged(r.length, header.length);
        else v.add(index.map((j) => cell(r[j])));
        return null;
      },
    });
  } catch (e) {
    throw new TiltakError(
      'CSV_SYNTAX',
      `${path}: ${maskDigitRuns((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '')}`,
    );
  }
  if (headerError !== null) throw headerError;
  if (header === null) throw new TiltakError('EMPTY_FILE', `${path}: the file has no header`);
}

function castSql(column: string, type: string): string {
  const q = `"${column}"`;
  if (type === 'VARCHAR') return q;
  if (column === 'personal_id' && /INT/.test(type)) return `lpad(CAST(${q} AS VARCHAR), 11, '0')`;
  if (type === 'BOOLEAN') return `CAST(CAST(${q} AS INTEGER) AS VARCHAR)`;
  if (type.endsWith('[]')) return `array_to_string(${q}, '|')`;
  return `CAST(${q} AS VARCHAR)`;
}

async function readParquet(path: string, v: RowValidator): Promise<void> {
  const db = await openDuck();
  try {
    const conn = db.connection;
    const reader = `read_parquet(${sqlString(path)})`;
    const described = await duckCall('REGISTER_READ_FAILED', path, () =>
      conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`),
    );
    const types = new Map<string, string>();
    for (const r of described.getRowObjectsJS())
      types.set(String(r.column_name), String(r.column_type));
    checkHeader(path, [...types.keys()]);
    const select = REGISTER_COLUMNS.map((c) => castSql(c, types.get(c)!)).join(', ');
    const result = await duckCall('REGISTER_READ_FAILED', path, () =>
      conn.stream(`SELECT ${select} FROM ${reader}`),
    );
    for (;;) {
      const chunk = await duckCall('REGISTER_READ_FAILED', path, () => result.fetchChunk());
      if (chunk === null || chunk.rowCount === 0) break;
      for (const r of chunk.getRows()) v.add(r.map(cell));
    }
  } finally {
    db.close();
  }
}

function issueValue(column: string, cells: readonly (string | null)[]): string {
  const j = REGISTER_COLUMNS.indexOf(column);
  const raw = j === -1 ? '' : (cells[j] ?? '');
  return column === 'personal_id' ? maskPersonalId(raw) : raw;
}

function toPseudonymised(p: ParsedRegisterRow, key: PseudonymKey): PseudonymisedRegisterRow {
  return {
    pseudonym: pseudonymise(p.personal_id, key),
    municipality: p.municipality,
    year: p.year,
    sex: p.sex,
    marital_status: p.marital_status,
    children_under_18: p.children_under_18,
    child_ages: p.child_ages,
    main_income_source: p.main_income_source,
    benefit_status: p.benefit_status,
    work_status: p.work_status,
    housing: p.housing,
    receipt: [p.m01, p.m02, p.m03, p.m04, p.m05, p.m06, p.m07, p.m08, p.m09, p.m10, p.m11, p.m12],
    amounts: [
      p.amount_01,
      p.amount_02,
      p.amount_03,
      p.amount_04,
      p.amount_05,
      p.amount_06,
      p.amount_07,
      p.amount_08,
      p.amount_09,
      p.amount_10,
      p.amount_11,
      p.amount_12,
    ],
    grant_total: p.grant_total,
    loan_total: p.loan_total,
    other_family_project: p.other_family_project,
    parent_in_treatment: p.parent_in_treatment,
    children_placed_outside_home: p.children_placed_outside_home,
    child_welfare_case: p.child_welfare_case,
  };
}

/**
 * Validate raw rows (cells in {@link REGISTER_COLUMNS} order; empty cells as null) and
 * pseudonymise them, all or nothing. Throws {@link RegisterRejectedError} listing every bad row:
 * invalid or duplicate personal ids (same person, municipality and year twice), impossible dates,
 * flags other than 0/1, unknown codes, negative amounts, children's ages out of range.
 *
 * @example
 * const rows = validateAndPseudonymise(cells, key, 'registers.csv');
 */
export function validateAndPseudonymise(
  cells: readonly (readonly (string | null)[])[],
  key: PseudonymKey,
  source: string,
): PseudonymisedRegisterRow[] {
  const v = new RowValidator(key, source);
  for (const row of cells) v.add(row.map(cell));
  return v.finish();
}

function compareRows(a: PseudonymisedRegisterRow, b: PseudonymisedRegisterRow): number {
  if (a.pseudonym !== b.pseudonym) return a.pseudonym < b.pseudonym ? -1 : 1;
  if (a.municipality !== b.municipality) return a.municipality < b.municipality ? -1 : 1;
  return a.year - b.year;
}

/**
 * Import a KOSTRA-11C-shaped register file (CSV or Parquet; contract in `README.md`): read it
 * (CSV with csv-parse, Parquet with DuckDB), validate every row, replace personal ids by keyed
 * pseudonyms. Either every row is accepted or {@link RegisterRejectedError} is thrown and nothing
 * is returned. The raw ids never leave this function.
 *
 * @example
 * const key = loadPseudonymKey({ keyFile: 'tiltak.key' });
 * const { rows, summary } = await importRegisterFile('kostra-11c-2019.csv', key);
 */
export async function importRegisterFile(path: string, key: PseudonymKey): Promise<ImportResult> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      'FILE_NOT_FOUND',
      `${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? e)}`,
    );
  }
  if (bytes.length === 0) throw new TiltakError('EMPTY_FILE', `${path}: the file is empty`);
  const format = fileFormat(path);
  const v = new RowValidator(key, path);
  if (format === 'csv') readCsv(path, bytes, v);
  else await readParquet(path, v);
  const rows = v.finish();
  return {
    source: path,
    format,
    sourceSha256: createHash('sha256').update(bytes).digest('hex'),
    rows,
    summary: summarise(rows),
  };
}

function summarise(rows: readonly PseudonymisedRegisterRow[]): ImportSummary {
  return {
    rows: rows.length,
    persons: new Set(rows.map((r) => r.pseudonym)).size,
    municipalities: new Set(rows.map((r) => r.municipality)).size,
    years: [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b),
  };
}

/**
 * DDL of the pseudonymised register table; the Parquet file written by
 * {@link writePseudonymisedParquet} and read by screening has these columns.
 *
 * @example
 * await conn.run(registerTableDdl('register_rows'));
 */
export function registerTableDdl(table: string): string {
  const cols = [
    'pseudonym VARCHAR NOT NULL',
    'municipality VARCHAR NOT NULL',
    'year INTEGER NOT NULL',
    'sex INTEGER NOT NULL',
    'marital_status INTEGER NOT NULL',
    'children_under_18 INTEGER NOT NULL',
    'child_ages INTEGER[] NOT NULL',
    'main_income_source INTEGER NOT NULL',
    'benefit_status INTEGER NOT NULL',
    'work_status INTEGER NOT NULL',
    'housing INTEGER NOT NULL',
    ...MONTHS.map((m) => `m${m} BOOLEAN NOT NULL`),
    ...MONTHS.map((m) => `amount_${m} DOUBLE NOT NULL`),
    'grant_total DOUBLE NOT NULL',
    'loan_total DOUBLE NOT NULL',
    'other_family_project BOOLEAN NOT NULL',
    'parent_in_treatment BOOLEAN NOT NULL',
    'children_placed_outside_home BOOLEAN NOT NULL',
    'child_welfare_case BOOLEAN NOT NULL',
  ];
  return `CREATE TABLE ${table} (${cols.join(', ')})`;
}

/**
 * Load pseudonymised rows into a new DuckDB table named `table` (for screening in memory).
 *
 * @example
 * await loadRegisterRows(conn, result.rows, 'register_rows');
 */
export async function loadRegisterRows(
  conn: DuckDBConnection,
  rows: readonly PseudonymisedRegisterRow[],
  table: string,
): Promise<void> {
  // The appender has no list type inference, so the ages travel as text and are split in SQL.
  const stage = `${table}_stage`;
  await conn.run(
    registerTableDdl(stage).replace('child_ages INTEGER[] NOT NULL', 'child_ages VARCHAR NOT NULL'),
  );
  const app = await conn.createAppender(stage);
  for (const r of rows) {
    app.appendVarchar(r.pseudonym);
    app.appendVarchar(r.municipality);
    app.appendInteger(r.year);
    app.appendInteger(r.sex);
    app.appendInteger(r.marital_status);
    app.appendInteger(r.children_under_18);
    app.appendVarchar(r.child_ages.join('|'));
    app.appendInteger(r.main_income_source);
    app.appendInteger(r.benefit_status);
    app.appendInteger(r.work_status);
    app.appendInteger(r.housing);
    for (const b of r.receipt) app.appendBoolean(b);
    for (const a of r.amounts) app.appendDouble(a);
    app.appendDouble(r.grant_total);
    app.appendDouble(r.loan_total);
    app.appendBoolean(r.other_family_project);
    app.appendBoolean(r.parent_in_treatment);
    app.appendBoolean(r.children_placed_outside_home);
    app.appendBoolean(r.child_welfare_case);
    app.endRow();
  }
  app.closeSync();
  await conn.run(registerTableDdl(table));
  await conn.run(
    `INSERT INTO ${table} SELECT * REPLACE (CASE WHEN child_ages = '' THEN []::INTEGER[] ` +
      `ELSE string_split(child_ages, '|')::INTEGER[] END AS child_ages) FROM ${stage} ` +
      'ORDER BY pseudonym, municipality, year',
  );
  await conn.run(`DROP TABLE ${stage}`);
}

/**
 * Write pseudonymised rows to a Parquet file. The file appears only when complete (written beside
 * it, then renamed), so a failed write leaves no partial output.
 *
 * @example
 * await writePseudonymisedParquet(result.rows, 'pseudonymised.parquet');
 */
export async function writePseudonymisedParquet(
  rows: readonly PseudonymisedRegisterRow[],
  path: string,
): Promise<void> {
  const db = await openDuck();
  const tmp = `${path}.partial-${process.pid}`;
  try {
    await loadRegisterRows(db.connection, rows, 'register_rows');
    await duckCall('WRITE_FAILED', path, () =>
      db.connection.run(
        `COPY (SELECT * FROM register_rows ORDER BY pseudonym, municipality, year) TO ${sqlString(
          tmp,
        )} (FORMAT parquet)`,
      ),
    );
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
    db.close();
  }
}

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Column, DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';

/** Where each value came from, so errors can name the file row. */
export interface CsvTable extends DataFrame {
  /** File name (or label) used in error messages. */
  readonly source: string;
  /** Column names in file order. */
  readonly names: readonly string[];
  /** Delimiter that was detected. */
  readonly delimiter: ',' | ';' | '\t';
}

const MISSING = new Set(['', 'NA', 'NaN', 'na', 'N/A', '.']);

/**
 * Parse CSV text into a {@link CsvTable}. Handles quoted fields, a UTF-8 byte-order mark, comma,
 * semicolon or tab separators (detected from the header), and `NA` / empty cells as missing.
 * A column whose every non-missing cell is a number becomes numeric; otherwise it is character.
 * Decimal commas are accepted in semicolon files (`1,5` → 1.5), as Norwegian spreadsheets write them.
 *
 * @example
 * const t = parseCsv('office;inntekt\nNAV Bodø;1,5\n', 'demo.csv');
 * t.columns.get('inntekt'); // { kind: 'numeric', values: Float64Array [1.5] }
 */
export function parseCsv(text: string, source = '<input>'): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new TiltakError('EMPTY_FILE', `${source}: the file is empty`);
  const delimiter = detectDelimiter(body);
  let records: string[][];
  try {
    records = parse(body, {
      delimiter,
      relax_column_count: false,
      skip_empty_lines: true,
      trim: false,
    }) as string[][];
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new TiltakError('CSV_SYNTAX', `${source}: ${msg}`);
  }
  const header = records[0];
  if (header === undefined || header.length === 0) {
    throw new TiltakError('EMPTY_FILE', `${source}: the file has no header`);
  }
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  names.forEach((n, j) => {
    if (n === '') throw new TiltakError('BAD_HEADER', `${source}: column ${j + 1} has no name`);
    if (seen.has(n)) throw new TiltakError('BAD_HEADER', `${source}: column '${n}' appears twice`);
    seen.add(n);
  });
  const rows = records.slice(1);
  if (rows.length === 0)
    throw new TiltakError('EMPTY_FILE', `${source}: the file has a header but no rows`);
  const decimalComma = delimiter === ';';
  const columns = new Map<string, Column>();
  names.forEach((name, j) => {
    columns.set(name, toColumn(rows, j, decimalComma));
  });
  return { nrow: rows.length, columns, names, source, delimiter };
}

/**
 * Read a CSV file from disk; see {@link parseCsv}.
 *
 * @example
 * const t = readCsv('trial.csv');
 */
export function readCsv(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      'FILE_NOT_FOUND',
      `${path}: ${code === 'ENOENT' ? 'no such file' : String(e)}`,
    );
  }
  return parseCsv(text, path);
}

function detectDelimiter(text: string): ',' | ';' | '\t' {
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  let inQuote = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (const ch of first) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse one cell as a number, or NaN when it is not one. Exported so that callers can explain
 * which cell of a mostly numeric column is not numeric.
 *
 * @example
 * parseNumber('1,5', true); // 1.5
 */
export function parseNumber(raw: string, decimalComma: boolean): number {
  let s = raw.trim();
  if (decimalComma && s.includes(',') && !s.includes('.')) s = s.replace(',', '.');
  if (NUMBER_RE.test(s)) return Number(s);
  if (s === 'Inf' || s === '-Inf')
    return s === 'Inf' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/** True when a cell is one of the missing-value markers (`NA`, empty, …). */
export function isMissingCell(raw: string): boolean {
  return MISSING.has(raw.trim());
}

function toColumn(rows: string[][], j: number, decimalComma: boolean): Column {
  const n = rows.length;
  const values = new Float64Array(n);
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![j]!;
    if (isMissingCell(raw)) {
      values[i] = Number.NaN;
      continue;
    }
    const v = parseNumber(raw, decimalComma);
    if (Number.isNaN(v)) {
      numeric = false;
      break;
    }
    values[i] = v;
  }
  if (numeric) return { kind: 'numeric', values };
  const chars = rows.map((r) => {
    const raw = r[j]!;
    return isMissingCell(raw) ? null : raw.trim();
  });
  return { kind: 'character', values: chars };
}

import type { CsvTable } from '../../io/read-csv.ts';
import { TiltakError } from '../../stats/errors.ts';
import { MUNICIPALITY_COLUMNS, MunicipalityRow } from './schema.ts';

/** One problem found in a municipality table. */
export interface RowProblem {
  row: number;
  column: string;
  value: string;
  reason: string;
}

/**
 * Validate a municipality table as a whole: every row is checked, and if any row is bad nothing is
 * returned — the error lists every problem (row, column, value, reason), so a file is fixed in one
 * pass and never half-imported. Duplicate municipality-years are problems too.
 *
 * @example
 * const rows = parseMunicipalityTable(readCsv('kostra-2011.csv'));
 */
export function parseMunicipalityTable(table: CsvTable): MunicipalityRow[] {
  const required = MUNICIPALITY_COLUMNS.filter((c) => c !== 'name');
  const missing = required.filter((c) => !table.columns.has(c));
  if (missing.length > 0) {
    throw new TiltakError(
      'MISSING_COLUMNS',
      `${table.source}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  }
  const problems: RowProblem[] = [];
  const rows: MunicipalityRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < table.nrow; i++) {
    const raw: Record<string, unknown> = {};
    for (const c of MUNICIPALITY_COLUMNS) {
      const col = table.columns.get(c);
      if (col === undefined) continue;
      const v = col.values[i];
      if (c === 'municipality' || c === 'name') {
        raw[c] = v === null || v === undefined ? undefined : formatMunicipality(c, v);
      } else {
        raw[c] =
          typeof v === 'number' && !Number.isNaN(v)
            ? v
            : v === null || Number.isNaN(v)
              ? undefined
              : v;
      }
    }
    const parsed = MunicipalityRow.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '');
        const value = raw[column];
        problems.push({
          row: i + 1,
          column,
          value: value === undefined ? 'NA' : String(value),
          reason: value === undefined ? 'missing value' : issue.message,
        });
      }
      continue;
    }
    const key = `${parsed.data.municipality}/${parsed.data.year}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        row: i + 1,
        column: 'municipality',
        value: parsed.data.municipality,
        reason: `duplicate of row ${first} for year ${parsed.data.year}`,
      });
      continue;
    }
    seen.set(key, i + 1);
    rows.push(parsed.data);
  }
  if (problems.length > 0) {
    const shown = problems
      .slice(0, 20)
      .map((p) => `row ${p.row} column '${p.column}' value '${p.value}': ${p.reason}`)
      .join('; ');
    const more = problems.length > 20 ? `; … and ${problems.length - 20} more` : '';
    throw new TiltakError(
      'INVALID_ROWS',
      `${table.source}: ${problems.length} problem${problems.length > 1 ? 's' : ''}, nothing imported: ${shown}${more}`,
      { problems },
    );
  }
  return rows;
}

function formatMunicipality(column: string, v: string | number): string {
  // A municipality number read as a number has lost its leading zero (0301 -> 301).
  if (column === 'municipality' && typeof v === 'number') return String(v).padStart(4, '0');
  return String(v);
}

/**
 * Column look-ups on a CSV table for the commands that take column names as options, with the
 * errors naming the file, column and row.
 */
import type { CsvTable } from '../io/read-csv.ts';
import type { Column } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';

/**
 * The column `name` of `table`, or an `UNKNOWN_COLUMN` error naming the file.
 *
 * @example
 * const office = column(readCsv('offices.csv'), 'office');
 */
export function column(table: CsvTable, name: string): Column {
  const c = table.columns.get(name);
  if (c === undefined) {
    throw new TiltakError('UNKNOWN_COLUMN', `${table.source}: unknown column '${name}'`, {
      column: name,
    });
  }
  return c;
}

/**
 * The values of column `name` as strings (ids, cluster and stratum labels); a missing value is a
 * `MISSING_VALUE` error naming the file, column and row.
 *
 * @example
 * const ids = labels(readCsv('offices.csv'), 'office'); // ['0301', '1103', …]
 */
export function labels(table: CsvTable, name: string): string[] {
  const c = column(table, name);
  return Array.from({ length: table.nrow }, (_, i) => {
    const v = c.kind === 'numeric' ? c.values[i]! : c.values[i];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) {
      throw new TiltakError(
        'MISSING_VALUE',
        `${table.source}: column '${name}' is missing at row ${i + 1}`,
        { column: name, row: i + 1 },
      );
    }
    return String(v);
  });
}

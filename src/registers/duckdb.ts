import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { TiltakError } from '../stats/errors.ts';

/**
 * An in-memory DuckDB connection with its instance, closed together.
 *
 * @example
 * const { connection, close } = await openDuck();
 */
export interface DuckSession {
  readonly connection: DuckDBConnection;
  close(): void;
}

/**
 * Open a fresh in-memory DuckDB. Each import or screening gets its own database, so nothing
 * (in particular no raw personal id) outlives the call.
 *
 * @example
 * const db = await openDuck();
 * try { await db.connection.run('SELECT 1'); } finally { db.close(); }
 */
export async function openDuck(): Promise<DuckSession> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * Quote a string as a SQL literal.
 *
 * @example
 * sqlString("it's"); // "'it''s'"
 */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Which reader a file needs, from its extension (Parquet: `.parquet`, `.pq`; everything else is
 * read as CSV).
 *
 * @example
 * fileFormat('2019.parquet'); // 'parquet'
 */
export function fileFormat(path: string): 'csv' | 'parquet' {
  return /\.(parquet|pq)$/i.test(path) ? 'parquet' : 'csv';
}

/**
 * Run `fn`, turning DuckDB's own errors into a {@link TiltakError} with `code` that names `label`.
 *
 * @example
 * await duckCall('READ_FAILED', 'registers.csv', () => conn.run(sql));
 */
export async function duckCall<T>(code: string, label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TiltakError) throw e;
    // Only DuckDB's first line, with digit runs as long as a personal id masked: its later lines
    // quote the offending CSV line, which would carry a raw id out of the import.
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    throw new TiltakError(code, `${label}: ${maskDigitRuns(first)}`);
  }
}

/**
 * Mask every run of 11 or more digits (anything that may be a personal id) in a message.
 *
 * @example
 * maskDigitRuns('bad line 01019010046,0301'); // 'bad line 010190*****,0301'
 */
export function maskDigitRuns(message: string): string {
  return message.replace(/\d{11,}/g, (d) => `${d.slice(0, 6)}${'*'.repeat(d.length - 6)}`);
}

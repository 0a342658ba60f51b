import { type Kysely, sql } from 'kysely';

/**
 * Run DDL statements one by one. PGlite's query path takes a single statement at a time, so a
 * migration lists its statements instead of sending one multi-statement string.
 *
 * @example
 * await runStatements(db, ['create table t (x int)', 'create index t_x on t (x)']);
 */
export async function runStatements(
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type.
  db: Kysely<any>,
  statements: readonly string[],
): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/**
 * A CHECK expression rejecting values that look like an 11-digit Norwegian personal id once spaces,
 * dots and dashes are removed: the store must only ever hold pseudonyms.
 *
 * @example
 * `pseudonym text not null check (${notPersonalId('pseudonym')})`;
 */
export function notPersonalId(column: string): string {
  return `regexp_replace(${column}, '[[:space:].-]', '', 'g') !~ '^[0-9]{11}$'`;
}

/**
 * Statements making a table immutable: a trigger rejects every UPDATE and DELETE row by row, and
 * TRUNCATE as a statement.
 *
 * @example
 * await runStatements(db, immutableTable('audit_log'));
 */
export function immutableTable(table: string): string[] {
  return [
    `create trigger ${table}_no_update_delete before update or delete on ${table}
       for each row execute function tiltak_reject_change()`,
    `create trigger ${table}_no_truncate before truncate on ${table}
       for each statement execute function tiltak_reject_change()`,
  ];
}

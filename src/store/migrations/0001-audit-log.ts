import type { Kysely, Migration } from 'kysely';
import { immutableTable, runStatements } from './run-statements.ts';

/**
 * The append-only audit log, its chain head (the row writers lock to serialise the chain) and the
 * shared trigger function that makes tables immutable.
 *
 * @example
 * await migration0001.up(db);
 */
export const migration0001: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create function tiltak_reject_change() returns trigger language plpgsql as $$
       begin
         raise exception 'tiltak: % on % is not allowed: the table is immutable', tg_op, tg_table_name
           using errcode = 'restrict_violation';
       end
       $$`,
      `create table audit_log (
         seq bigint primary key check (seq >= 1),
         prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
         hash text not null unique check (hash ~ '^[0-9a-f]{64}$'),
         actor text not null check (length(actor) > 0),
         at timestamptz not null,
         action text not null,
         entity text not null,
         entity_id text not null,
         before jsonb,
         after jsonb
       )`,
      'create index audit_log_entity on audit_log (entity, entity_id)',
      ...immutableTable('audit_log'),
      `create table audit_chain_head (
         id integer primary key check (id = 1),
         seq bigint not null,
         hash text not null
       )`,
      `insert into audit_chain_head (id, seq, hash) values (1, 0, '${'0'.repeat(64)}')`,
    ]);
  },
};

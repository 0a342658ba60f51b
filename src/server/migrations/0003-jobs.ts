import type { Kysely, Migration } from 'kysely';
import { runStatements } from '../../store/migrations/run-statements.ts';

/**
 * The record of background jobs, so that a restart keeps finished jobs (results and errors)
 * visible and shows the jobs it interrupted as failed. Parameters are never stored: they can hold
 * trial data or a server path; the record holds what the jobs page shows.
 *
 * @example
 * await jobsMigration.up(db);
 */
export const jobsMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table app_job (
         id text primary key,
         actor text not null,
         kind text not null,
         status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
         created_at timestamptz not null,
         finished_at timestamptz,
         info jsonb not null check (jsonb_typeof(info) = 'object')
       )`,
      'create index app_job_created on app_job (created_at desc)',
    ]);
  },
};

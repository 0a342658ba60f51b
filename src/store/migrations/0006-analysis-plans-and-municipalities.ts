import type { Kysely, Migration } from 'kysely';
import { immutableTable, runStatements } from './run-statements.ts';

/**
 * Locked analysis plans (one per trial, canonical JSON with its SHA-256, immutable by trigger),
 * the append-only record of every analysis run against a locked plan, and municipality-level
 * statistics (one row per data set, municipality and year) for the spending analysis.
 *
 * @example
 * await migration0006.up(db);
 */
export const migration0006: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table analysis_plan (
         trial_id text primary key references trial (id),
         plan_canonical text not null,
         plan_sha256 text not null unique check (plan_sha256 ~ '^[0-9a-f]{64}$'),
         locked_by text not null check (length(locked_by) > 0),
         locked_at timestamptz not null
       )`,
      ...immutableTable('analysis_plan'),
      `create table analysis_run (
         id text primary key,
         trial_id text not null references analysis_plan (trial_id),
         plan_sha256 text not null references analysis_plan (plan_sha256),
         results jsonb not null check (jsonb_typeof(results) = 'object'),
         software jsonb not null check (jsonb_typeof(software) = 'object'),
         actor text not null check (length(actor) > 0),
         run_at timestamptz not null
       )`,
      'create index analysis_run_trial on analysis_run (trial_id, run_at)',
      ...immutableTable('analysis_run'),
      `create table municipality_statistic (
         dataset text not null check (length(dataset) > 0),
         municipality text not null check (municipality ~ '^[0-9]{4}$'),
         year integer not null check (year between 1900 and 2100),
         "values" jsonb not null check (jsonb_typeof("values") = 'object'),
         primary key (dataset, municipality, year)
       )`,
    ]);
  },
};

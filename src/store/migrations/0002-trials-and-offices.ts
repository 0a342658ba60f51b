import type { Kysely, Migration } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Trials with their arms and waves; offices (the clusters) with covariates and staff.
 *
 * @example
 * await migration0002.up(db);
 */
export const migration0002: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table trial (
         id text primary key,
         name text not null check (length(name) > 0),
         registration text,
         start_date date not null,
         created_at timestamptz not null default now()
       )`,
      `create table trial_arm (
         trial_id text not null references trial (id),
         key text not null check (key ~ '^[a-z0-9_-]+$'),
         name text not null,
         position integer not null,
         primary key (trial_id, key)
       )`,
      `create table trial_wave (
         trial_id text not null references trial (id),
         key text not null check (key in ('T1', 'T2', 'T3', 'T4', 'T5')),
         label text not null,
         target_months integer not null,
         start_months integer not null,
         end_months integer not null,
         primary key (trial_id, key),
         check (start_months <= target_months and target_months < end_months)
       )`,
      `create table office (
         id text primary key,
         trial_id text not null references trial (id),
         code text not null,
         name text not null,
         covariates jsonb not null default '{}' check (jsonb_typeof(covariates) = 'object'),
         unique (trial_id, code)
       )`,
      `create table staff_member (
         id text primary key,
         office_id text not null references office (id),
         role text not null check (role in ('coordinator', 'leader')),
         name text not null
       )`,
      `create unique index staff_member_one_leader on staff_member (office_id) where role = 'leader'`,
    ]);
  },
};

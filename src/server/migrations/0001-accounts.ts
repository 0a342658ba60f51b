import type { Kysely, Migration } from 'kysely';
import { runStatements } from '../../store/migrations/run-statements.ts';

/**
 * Accounts and sessions of the web application. Kept apart from the store's migrations (the
 * server owns these tables and runs them with its own migrator and migration table).
 *
 * @example
 * await accountsMigration.up(db);
 */
export const accountsMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table app_user (
         id text primary key,
         username text not null unique check (username ~ '^[a-z0-9._-]{2,64}$'),
         display_name text not null check (length(display_name) > 0),
         role text not null check (role in ('administrator', 'researcher', 'office_leader', 'coordinator')),
         office_id text references office (id),
         password_hash text not null check (password_hash like '$argon2id$%'),
         created_at timestamptz not null default now(),
         check ((role in ('office_leader', 'coordinator')) = (office_id is not null))
       )`,
      `create table app_session (
         token_sha256 text primary key check (token_sha256 ~ '^[0-9a-f]{64}$'),
         user_id text not null references app_user (id),
         created_at timestamptz not null default now(),
         expires_at timestamptz not null
       )`,
      'create index app_session_user on app_session (user_id)',
    ]);
  },
};

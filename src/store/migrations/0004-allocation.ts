import type { Kysely, Migration } from 'kysely';
import { immutableTable, runStatements } from './run-statements.ts';

/**
 * Office-level allocation: the record (canonical JSON and SHA-256) and office to arm rows, both
 * immutable by trigger, so not even a direct SQL session can re-randomise after the fact.
 *
 * @example
 * await migration0004.up(db);
 */
export const migration0004: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table allocation (
         id text primary key,
         trial_id text not null unique references trial (id),
         record_canonical text not null,
         record_sha256 text not null check (record_sha256 ~ '^[0-9a-f]{64}$'),
         created_by text not null,
         created_at timestamptz not null
       )`,
      `create table allocation_office (
         allocation_id text not null references allocation (id),
         office_id text not null unique references office (id),
         arm_key text not null,
         primary key (allocation_id, office_id)
       )`,
      ...immutableTable('allocation'),
      ...immutableTable('allocation_office'),
    ]);
  },
};

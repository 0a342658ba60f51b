import type { Kysely, Migration } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Which coordinator follows each drawn family (in HOLF each office's two coordinators drew and
 * followed about 21 families each). One row per family; a reassignment replaces it, audited with
 * before and after.
 *
 * @example
 * await migration0007.up(db);
 */
export const migration0007: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table family_coordinator (
         family_id text primary key references family_draw (family_id),
         staff_id text not null references staff_member (id),
         assigned_at timestamptz not null
       )`,
      'create index family_coordinator_staff on family_coordinator (staff_id)',
    ]);
  },
};

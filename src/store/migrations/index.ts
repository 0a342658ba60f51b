import type { Migration, MigrationProvider } from 'kysely';
import { migration0001 } from './0001-audit-log.ts';
import { migration0002 } from './0002-trials-and-offices.ts';
import { migration0003 } from './0003-families.ts';
import { migration0004 } from './0004-allocation.ts';
import { migration0005 } from './0005-questionnaires-and-registers.ts';
import { migration0006 } from './0006-analysis-plans-and-municipalities.ts';
import { migration0007 } from './0007-family-coordinator.ts';

/**
 * Every migration, keyed by a name that sorts in the order they must run. Provided in code (not
 * read from a folder) so the bundle and the tests see exactly the same list. Append only: a
 * migration that has shipped is never edited.
 *
 * @example
 * Object.keys(migrations); // ['0001-audit-log', '0002-trials-and-offices', ...]
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-audit-log': migration0001,
  '0002-trials-and-offices': migration0002,
  '0003-families': migration0003,
  '0004-allocation': migration0004,
  '0005-questionnaires-and-registers': migration0005,
  '0006-analysis-plans-and-municipalities': migration0006,
  '0007-family-coordinator': migration0007,
};

/**
 * A Kysely migration provider over {@link migrations}.
 *
 * @example
 * new Migrator({ db, provider: migrationProvider });
 */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...migrations };
  },
};

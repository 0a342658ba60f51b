import { type Kysely, type Migration, Migrator } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import { accountsMigration } from './0001-accounts.ts';
import { readIndexesMigration } from './0002-read-indexes.ts';
import { jobsMigration } from './0003-jobs.ts';

/**
 * The server's own migrations, in the order they run. Append only.
 *
 * @example
 * Object.keys(serverMigrations); // ['server-0001-accounts', 'server-0002-read-indexes', 'server-0003-jobs']
 */
export const serverMigrations: Readonly<Record<string, Migration>> = {
  'server-0001-accounts': accountsMigration,
  'server-0002-read-indexes': readIndexesMigration,
  'server-0003-jobs': jobsMigration,
};

/**
 * Bring the server's tables up to date. Uses its own migration tables so it never interferes
 * with the store's migration history. Run after `openStore()` (the accounts table references
 * offices).
 *
 * @example
 * await migrateServer(store.db);
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema.
export async function migrateServer(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...serverMigrations }) },
    migrationTableName: 'server_migration',
    migrationLockTableName: 'server_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const msg = error instanceof Error ? error.message : String(error);
    throw new TiltakError('MIGRATION_FAILED', `server migration failed: ${msg}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

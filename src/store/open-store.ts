import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type MigrationResult, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { TiltakError } from '../stats/errors.ts';
import { migrationProvider } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

/**
 * Where the store keeps its data when neither a URL nor a directory is given.
 *
 * @example
 * DEFAULT_DATA_DIR; // 'data/pglite'
 */
export const DEFAULT_DATA_DIR = 'data/pglite';

/**
 * An open trial store. All reads and writes go through `db`; writes through the repositories so
 * each one is audited.
 *
 * @example
 * const store = await openStore({ memory: true });
 * await store.close();
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly backend: 'pglite' | 'postgres';
  /** The data directory, `memory`, or the URL with its password removed. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * How to open a store.
 *
 * @example
 * const o: OpenStoreOptions = { dataDir: '/var/lib/tiltak' };
 */
export interface OpenStoreOptions {
  /** PostgreSQL connection URL; wins over everything else. */
  readonly databaseUrl?: string;
  /** PGlite data directory, created on first use. */
  readonly dataDir?: string;
  /** PGlite in memory, gone on close (tests). */
  readonly memory?: boolean;
  /** Environment to read DATABASE_URL from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

// Both backends read int8 as a JS number (audit sequence numbers) and `date` as the ISO text it is:
// node-postgres would otherwise return int8 as a string and dates as local-midnight Date objects,
// and PGlite dates as UTC-midnight Dates, so the two backends would disagree.
const INT8 = 20;
const DATE = 1082;
const parseInt8 = (v: string): number => Number(v);
const parseDate = (v: string): string => v;

/**
 * Open the trial store and bring its schema to the latest migration. PostgreSQL when a database URL
 * is given (or DATABASE_URL is set and no PGlite option is), else PGlite at `dataDir`, in memory,
 * or at `./data/pglite`.
 *
 * @example
 * const store = await openStore();                                   // ./data/pglite
 * const test = await openStore({ memory: true });                   // in memory
 * const prod = await openStore({ databaseUrl: 'postgres://u@h/db' }); // PostgreSQL
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  const wantsPglite = options.memory === true || options.dataDir !== undefined;
  const url = options.databaseUrl ?? (wantsPglite ? undefined : env.DATABASE_URL || undefined);
  let store: Store;
  if (url !== undefined) {
    store = openPostgres(url);
  } else {
    store = await openPglite(
      options.memory === true ? undefined : (options.dataDir ?? DEFAULT_DATA_DIR),
    );
  }
  try {
    await migrateStore(store.db);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/**
 * Run every pending migration; returns the names of the ones applied (none when up to date).
 *
 * @example
 * await migrateStore(store.db); // [] on an up-to-date store
 */
export async function migrateStore(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    const msg = error instanceof Error ? error.message : String(error);
    throw new TiltakError(
      'MIGRATION_FAILED',
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${msg}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function openPostgres(url: string): Store {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TiltakError('BAD_DATABASE_URL', 'the database URL is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new TiltakError(
      'BAD_DATABASE_URL',
      `the database URL must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  parsed.password = '';
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return parseInt8;
        if (oid === DATE) return parseDate;
        return format === undefined
          ? pg.types.getTypeParser(oid)
          : pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection dropped by the server (restart, admin kill) emits 'error' on the
  // pool; unhandled, that would crash the process, while the pool itself recovers on next use.
  pool.on('error', (e) => {
    process.stderr.write(`tiltak: database connection lost: ${e.message}\n`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, backend: 'postgres', location: parsed.toString(), close: () => db.destroy() };
}

async function openPglite(dataDir: string | undefined): Promise<Store> {
  let location = 'memory';
  if (dataDir !== undefined) {
    location = resolve(dataDir);
    mkdirSync(location, { recursive: true });
  }
  const client = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir: location }),
    parsers: { [INT8]: parseInt8, [DATE]: parseDate },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return { db, backend: 'pglite', location, close: () => db.destroy() };
}

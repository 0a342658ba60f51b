import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Store } from '../store/open-store.ts';
import type { DefaultTimestamp, JsonColumn, Timestamp } from '../store/schema.ts';
import type { Role } from './auth/roles.ts';

/**
 * A web-application account. Passwords are kept only as argon2id hashes.
 *
 * @example
 * const u = {} as AppUserTable;
 */
export interface AppUserTable {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  /** The office a coordinator or office leader belongs to; null for the other roles. */
  office_id: string | null;
  password_hash: string;
  created_at: DefaultTimestamp;
}

/**
 * A login session. Only the SHA-256 of the session token is stored, so a copy of the table
 * cannot be replayed as cookies.
 *
 * @example
 * const s = {} as AppSessionTable;
 */
export interface AppSessionTable {
  token_sha256: string;
  user_id: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

/**
 * One background job as the jobs page shows it (its `JobInfo`, without parameters), kept so a
 * restart does not lose finished jobs.
 *
 * @example
 * const j = {} as AppJobTable;
 */
export interface AppJobTable {
  id: string;
  actor: string;
  kind: string;
  status: string;
  created_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  info: JsonColumn;
}

/**
 * The tables the web server owns, created by its own migrations in `src/server/migrations/`.
 *
 * @example
 * const t: ServerTables['app_user'] = {} as AppUserTable;
 */
export type ServerTables = {
  app_user: AppUserTable;
  app_session: AppSessionTable;
  app_job: AppJobTable;
};

/**
 * The store's database plus the server's own tables.
 *
 * @example
 * const db: ServerDb = serverDb(store);
 */
export type ServerDb = Kysely<Database & ServerTables>;

/**
 * View the store's Kysely instance with the server's tables added to its type.
 *
 * @example
 * const users = await serverDb(store).selectFrom('app_user').selectAll().execute();
 */
export function serverDb(store: Store): ServerDb {
  return store.db.withTables<ServerTables>();
}

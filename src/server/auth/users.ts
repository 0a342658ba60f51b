import { createHash, randomBytes } from 'node:crypto';
import { TiltakError } from '../../stats/errors.ts';
import { newId } from '../../store/ids.ts';
import type { ServerDb } from '../db.ts';
import { hashPassword, type PasswordCost, verifyPassword } from './passwords.ts';
import type { Role, SessionUser } from './roles.ts';

/**
 * Input for {@link createUser}.
 *
 * @example
 * const u: NewUser = { username: 'admin', displayName: 'Admin', role: 'administrator', officeId: null, password: 'x' };
 */
export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly officeId: string | null;
  readonly password: string;
}

/**
 * Create an account with an argon2id password hash.
 *
 * @example
 * await createUser(db, { username: 'forsker', displayName: 'Forsker', role: 'researcher', officeId: null, password: 'pw' });
 */
export async function createUser(
  db: ServerDb,
  user: NewUser,
  cost?: PasswordCost,
): Promise<SessionUser> {
  if (user.password.length < 8)
    throw new TiltakError('WEAK_PASSWORD', 'a password needs at least 8 characters');
  const needsOffice = user.role === 'coordinator' || user.role === 'office_leader';
  if (needsOffice !== (user.officeId !== null))
    throw new TiltakError(
      'INVALID_INPUT',
      `role ${user.role} ${needsOffice ? 'needs' : 'must not have'} an office`,
    );
  const id = newId();
  await db
    .insertInto('app_user')
    .values({
      id,
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      office_id: user.officeId,
      password_hash: await hashPassword(user.password, cost),
    })
    .execute();
  return {
    id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    officeId: user.officeId,
  };
}

// A real hash to compare against when the username is unknown, so both paths cost the same.
let dummyHash: Promise<string> | undefined;

/**
 * Check a username and password; the user, or `null` when either is wrong (the caller must not
 * say which).
 *
 * @example
 * const user = await authenticate(db, 'admin', 'secret');
 */
export async function authenticate(
  db: ServerDb,
  username: string,
  password: string,
): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('app_user')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  if (row === undefined) {
    dummyHash ??= hashPassword('not-a-password', { memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await verifyPassword(await dummyHash, password);
    return null;
  }
  if (!(await verifyPassword(row.password_hash, password))) return null;
  return toSessionUser(row);
}

/**
 * Start a session: a random 256-bit token for the cookie; only its SHA-256 is stored.
 *
 * @example
 * const token = await createSession(db, user.id, 8 * 3600_000);
 */
export async function createSession(db: ServerDb, userId: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('app_session')
    .values({
      token_sha256: tokenHash(token),
      user_id: userId,
      expires_at: new Date(Date.now() + ttlMs),
    })
    .execute();
  return token;
}

/**
 * The user of a live session token, or `null` for an unknown or expired token.
 *
 * @example
 * const user = await sessionUser(db, request.cookies.tiltak_session);
 */
export async function sessionUser(
  db: ServerDb,
  token: string | undefined,
): Promise<SessionUser | null> {
  if (token === undefined || token.length === 0 || token.length > 100) return null;
  const row = await db
    .selectFrom('app_session')
    .innerJoin('app_user', 'app_user.id', 'app_session.user_id')
    .select([
      'app_user.id',
      'app_user.username',
      'app_user.display_name',
      'app_user.role',
      'app_user.office_id',
      'app_session.expires_at',
    ])
    .where('app_session.token_sha256', '=', tokenHash(token))
    .executeTakeFirst();
  if (row === undefined || new Date(row.expires_at).getTime() <= Date.now()) return null;
  return toSessionUser(row);
}

/**
 * End a session.
 *
 * @example
 * await deleteSession(db, token);
 */
export async function deleteSession(db: ServerDb, token: string): Promise<void> {
  await db.deleteFrom('app_session').where('token_sha256', '=', tokenHash(token)).execute();
}

/**
 * Every account (without hashes), by username.
 *
 * @example
 * const users = await listUsers(db);
 */
export async function listUsers(db: ServerDb): Promise<SessionUser[]> {
  const rows = await db.selectFrom('app_user').selectAll().orderBy('username').execute();
  return rows.map(toSessionUser);
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toSessionUser(r: {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  office_id: string | null;
}): SessionUser {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    officeId: r.office_id,
  };
}

import type { Store } from '../store/open-store.ts';
import type { PasswordCost } from './auth/passwords.ts';
import type { Role, SessionUser } from './auth/roles.ts';
import { createUser } from './auth/users.ts';
import { serverDb } from './db.ts';
import { migrateServer } from './migrations/index.ts';

/**
 * A demo account with its password (printed by `tiltak serve` so each role can be tried).
 *
 * @example
 * const l: DemoLogin = { username: 'admin', password: 'demo-admin-2016', role: 'administrator', officeId: null, user };
 */
export interface DemoLogin {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly officeId: string | null;
  readonly user: SessionUser;
}

/**
 * Create one demo account per role: `admin`, `forsker` (researcher), `leder` (office leader of the
 * first office), `koordinator` (coordinator at the first office) and `koordinator2` (coordinator
 * at the second office, so office scoping can be seen). Demo passwords are public: never seed
 * them into a production store.
 *
 * @example
 * const logins = await seedDemoUsers(store, [officeA.id, officeB.id]);
 */
export async function seedDemoUsers(
  store: Store,
  officeIds: readonly [string, string, ...string[]],
  cost?: PasswordCost,
): Promise<DemoLogin[]> {
  await migrateServer(store.db);
  const db = serverDb(store);
  const specs: { username: string; displayName: string; role: Role; officeId: string | null }[] = [
    { username: 'admin', displayName: 'Administrator', role: 'administrator', officeId: null },
    { username: 'forsker', displayName: 'Forsker', role: 'researcher', officeId: null },
    {
      username: 'leder',
      displayName: 'Kontorleder',
      role: 'office_leader',
      officeId: officeIds[0],
    },
    {
      username: 'koordinator',
      displayName: 'Familiekoordinator',
      role: 'coordinator',
      officeId: officeIds[0],
    },
    {
      username: 'koordinator2',
      displayName: 'Familiekoordinator 2',
      role: 'coordinator',
      officeId: officeIds[1],
    },
  ];
  const out: DemoLogin[] = [];
  for (const s of specs) {
    const password = `demo-${s.username}-2016`;
    const existing = await db
      .selectFrom('app_user')
      .select('id')
      .where('username', '=', s.username)
      .executeTakeFirst();
    const user =
      existing === undefined
        ? await createUser(db, { ...s, password }, cost)
        : { id: existing.id, ...s };
    out.push({ username: s.username, password, role: s.role, officeId: s.officeId, user });
  }
  return out;
}

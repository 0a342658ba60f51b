import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import type { Database } from '../../store/index.ts';
import { officeScope, type SessionUser } from '../auth/roles.ts';

/**
 * Check that a user may see a family: it must exist, and a coordinator or office leader may only
 * see the families of their own office. Returns the family's office id.
 *
 * @example
 * await assertFamilyAccess(db, user, familyId); // throws FORBIDDEN for another office's family
 */
export async function assertFamilyAccess(
  db: Kysely<Database>,
  user: SessionUser,
  familyId: string,
): Promise<string> {
  const row = await db
    .selectFrom('family')
    .select('office_id')
    .where('id', '=', familyId)
    .executeTakeFirst();
  if (row === undefined) throw new TiltakError('NOT_FOUND', `family ${familyId} does not exist`);
  const scope = officeScope(user);
  if (scope !== null && scope !== row.office_id)
    throw new TiltakError('FORBIDDEN', 'this family belongs to another office');
  return row.office_id;
}

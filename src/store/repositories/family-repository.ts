import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Family, HouseholdMember } from '../../trial/types.ts';
import { auditRead, inTransaction, writeAudited } from '../audit.ts';
import { newId } from '../ids.ts';
import { assertPseudonym } from '../pseudonym.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { nonEmpty } from './zod-types.ts';

const memberSchema = z.object({
  pseudonym: nonEmpty,
  role: z.enum(['adult', 'child']),
  birthYear: z.number().int().min(1900).max(2100).nullable().default(null),
});

/**
 * Validation of a family: office, pseudonym and a household with at least one adult and unique
 * member pseudonyms.
 *
 * @example
 * familyInputSchema.parse({ officeId, pseudonym: 'F-1', members: [{ pseudonym: 'P-1', role: 'adult' }] });
 */
export const familyInputSchema = z.object({
  officeId: nonEmpty,
  pseudonym: nonEmpty,
  members: z
    .array(memberSchema)
    .refine((m) => m.some((x) => x.role === 'adult'), 'a household needs at least one adult')
    .refine(
      (m) => new Set(m.map((x) => x.pseudonym)).size === m.length,
      'member pseudonyms must be unique within a household',
    ),
});

/**
 * What is needed to register a family: its office, its pseudonym and its household members.
 *
 * @example
 * const f: FamilyInput = { officeId, pseudonym: 'F-0001', members: [{ pseudonym: 'P-1', role: 'adult' }] };
 */
export type FamilyInput = z.input<typeof familyInputSchema>;

/**
 * Register a family. Every pseudonym is checked not to be a raw personal id (11 digits); the
 * database has the same rule as a CHECK constraint.
 *
 * @example
 * const family = await createFamily(store.db, 'coordinator:17', { officeId, pseudonym: 'F-0001', members });
 */
export async function createFamily(
  db: Kysely<Database>,
  actor: string,
  input: FamilyInput,
): Promise<Family> {
  const p = parseInput(familyInputSchema, input, 'family');
  assertPseudonym(p.pseudonym, 'family pseudonym');
  p.members.forEach((m, i) => {
    assertPseudonym(m.pseudonym, `members.${i}.pseudonym`);
  });
  const family: Family = {
    id: newId(),
    officeId: p.officeId,
    pseudonym: p.pseudonym,
    members: p.members,
  };
  return writeAudited(db, { actor, action: 'create', entity: 'family' }, async (trx) => {
    const clash = await trx
      .selectFrom('family')
      .select('id')
      .where('pseudonym', '=', p.pseudonym)
      .executeTakeFirst();
    if (clash !== undefined)
      throw new TiltakError('DUPLICATE', `a family with pseudonym '${p.pseudonym}' already exists`);
    await trx
      .insertInto('family')
      .values({ id: family.id, office_id: family.officeId, pseudonym: family.pseudonym })
      .execute();
    if (family.members.length > 0)
      await trx
        .insertInto('family_member')
        .values(
          family.members.map((m) => ({
            family_id: family.id,
            pseudonym: m.pseudonym,
            role: m.role,
            birth_year: m.birthYear,
          })),
        )
        .execute();
    return { entityId: family.id, before: null, after: family, result: family };
  });
}

/**
 * Read a family and its household, or `undefined`. Not audited: use {@link readFamilyAudited}
 * where a person is looking at the record.
 *
 * @example
 * const family = await getFamily(store.db, familyId);
 */
export async function getFamily(db: Kysely<Database>, id: string): Promise<Family | undefined> {
  const row = await db.selectFrom('family').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const members = await db
    .selectFrom('family_member')
    .selectAll()
    .where('family_id', '=', id)
    .orderBy('role')
    .orderBy('pseudonym')
    .execute();
  return {
    id: row.id,
    officeId: row.office_id,
    pseudonym: row.pseudonym,
    members: members.map(
      (m): HouseholdMember => ({ pseudonym: m.pseudonym, role: m.role, birthYear: m.birth_year }),
    ),
  };
}

/**
 * Read a family and log the read in the audit log, in one transaction.
 *
 * @example
 * const family = await readFamilyAudited(store.db, 'coordinator:17', familyId, 'meeting');
 */
export async function readFamilyAudited(
  db: Kysely<Database>,
  actor: string,
  id: string,
  purpose?: string,
): Promise<Family | undefined> {
  return inTransaction(db, async (trx) => {
    const family = await getFamily(trx, id);
    if (family !== undefined)
      await auditRead(trx, {
        actor,
        entity: 'family',
        entityId: id,
        ...(purpose === undefined ? {} : { purpose }),
      });
    return family;
  });
}

/**
 * Families registered at an office, by pseudonym.
 *
 * @example
 * const families = await listFamilies(store.db, officeId);
 */
export async function listFamilies(db: Kysely<Database>, officeId: string): Promise<Family[]> {
  const rows = await db
    .selectFrom('family')
    .select('id')
    .where('office_id', '=', officeId)
    .orderBy('pseudonym')
    .execute();
  const out: Family[] = [];
  for (const r of rows) {
    const f = await getFamily(db, r.id);
    if (f !== undefined) out.push(f);
  }
  return out;
}

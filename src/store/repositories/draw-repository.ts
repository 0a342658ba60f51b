import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import type { FamilyDraw } from '../../trial/types.ts';
import { toIso, writeAudited } from '../audit.ts';
import type { Database } from '../schema.ts';

/**
 * Record the within-office draw for a family: drawn into follow-up, or left as comparison. A draw
 * is made once; drawing again is refused, as re-drawing would break the randomisation. Only
 * eligible families can be drawn.
 *
 * @example
 * await recordFamilyDraw(store.db, 'coordinator:17', familyId, 'drawn');
 */
export async function recordFamilyDraw(
  db: Kysely<Database>,
  actor: string,
  familyId: string,
  group: 'drawn' | 'comparison',
): Promise<FamilyDraw> {
  if (group !== 'drawn' && group !== 'comparison')
    throw new TiltakError(
      'INVALID_INPUT',
      `draw group must be 'drawn' or 'comparison', got '${group}'`,
    );
  return writeAudited(db, { actor, action: 'draw', entity: 'family_draw' }, async (trx) => {
    const family = await trx
      .selectFrom('family')
      .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
      .select(['family.office_id', 'eligibility.eligible'])
      .where('family.id', '=', familyId)
      .executeTakeFirst();
    if (family === undefined)
      throw new TiltakError('NOT_FOUND', `family ${familyId} does not exist`);
    if (family.eligible !== true)
      throw new TiltakError('NOT_ELIGIBLE', `family ${familyId} is not recorded as eligible`);
    if ((await getFamilyDraw(trx, familyId)) !== undefined)
      throw new TiltakError('ALREADY_DRAWN', `family ${familyId} has already been drawn`);
    const draw: FamilyDraw = {
      familyId,
      officeId: family.office_id,
      group,
      drawnAt: new Date().toISOString(),
    };
    await trx
      .insertInto('family_draw')
      .values({
        family_id: familyId,
        office_id: draw.officeId,
        draw_group: group,
        drawn_at: draw.drawnAt,
      })
      .execute();
    return { entityId: familyId, before: null, after: draw, result: draw };
  });
}

/**
 * The draw result for a family, or `undefined`.
 *
 * @example
 * const d = await getFamilyDraw(store.db, familyId);
 */
export async function getFamilyDraw(
  db: Kysely<Database>,
  familyId: string,
): Promise<FamilyDraw | undefined> {
  const r = await db
    .selectFrom('family_draw')
    .selectAll()
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return r === undefined
    ? undefined
    : {
        familyId: r.family_id,
        officeId: r.office_id,
        group: r.draw_group,
        drawnAt: toIso(r.drawn_at),
      };
}

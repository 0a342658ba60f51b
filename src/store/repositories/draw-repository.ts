import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import type { FamilyDraw } from '../../trial/types.ts';
import { appendAuditEntries, checkActor, inTransaction, toIso, writeAudited } from '../audit.ts';
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

/** Families per `IN (…)` lookup and rows per INSERT. */
const CHUNK = 500;

/**
 * Record the within-office draw of many families at once, in one transaction with the same rules
 * as {@link recordFamilyDraw} (each family exists, is eligible and is not yet drawn; a family
 * appears once): any violation rejects the whole batch and writes nothing. One audit entry per
 * family, appended under one chain-head lock.
 *
 * @example
 * await recordFamilyDraws(store.db, 'system:draw', [{ familyId: a, group: 'drawn' }, { familyId: b, group: 'comparison' }]);
 */
export async function recordFamilyDraws(
  db: Kysely<Database>,
  actor: string,
  draws: readonly { familyId: string; group: 'drawn' | 'comparison' }[],
): Promise<FamilyDraw[]> {
  checkActor(actor);
  const seen = new Set<string>();
  draws.forEach((d, i) => {
    if (d.group !== 'drawn' && d.group !== 'comparison')
      throw new TiltakError(
        'INVALID_INPUT',
        `draws[${i}]: draw group must be 'drawn' or 'comparison', got '${d.group}'`,
      );
    if (seen.has(d.familyId))
      throw new TiltakError('DUPLICATE', `draws[${i}]: family ${d.familyId} appears twice`);
    seen.add(d.familyId);
  });
  if (draws.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const state = new Map<string, { officeId: string; eligible: boolean; drawn: boolean }>();
    for (let i = 0; i < draws.length; i += CHUNK) {
      const rows = await trx
        .selectFrom('family')
        .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
        .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
        .select(['family.id', 'family.office_id', 'eligibility.eligible', 'family_draw.draw_group'])
        .where(
          'family.id',
          'in',
          draws.slice(i, i + CHUNK).map((d) => d.familyId),
        )
        .execute();
      for (const r of rows)
        state.set(r.id, {
          officeId: r.office_id,
          eligible: r.eligible === true,
          drawn: r.draw_group !== null,
        });
    }
    const drawnAt = new Date().toISOString();
    const out = draws.map((d): FamilyDraw => {
      const f = state.get(d.familyId);
      if (f === undefined)
        throw new TiltakError('NOT_FOUND', `family ${d.familyId} does not exist`);
      if (!f.eligible)
        throw new TiltakError('NOT_ELIGIBLE', `family ${d.familyId} is not recorded as eligible`);
      if (f.drawn)
        throw new TiltakError('ALREADY_DRAWN', `family ${d.familyId} has already been drawn`);
      return { familyId: d.familyId, officeId: f.officeId, group: d.group, drawnAt };
    });
    for (let i = 0; i < out.length; i += CHUNK)
      await trx
        .insertInto('family_draw')
        .values(
          out.slice(i, i + CHUNK).map((d) => ({
            family_id: d.familyId,
            office_id: d.officeId,
            draw_group: d.group,
            drawn_at: d.drawnAt,
          })),
        )
        .execute();
    await appendAuditEntries(
      trx,
      out.map((d) => ({
        actor,
        action: 'draw',
        entity: 'family_draw',
        entityId: d.familyId,
        before: null,
        after: { ...d },
      })),
    );
    return out;
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

import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { EligibilityResult } from '../../trial/types.ts';
import { toIso, writeAudited } from '../audit.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { nonEmpty } from './zod-types.ts';

/**
 * Validation of an eligibility decision.
 *
 * @example
 * eligibilitySchema.parse({ familyId, eligible: true, rule: 'holf@1', reasons: ['meets every rule'] });
 */
export const eligibilitySchema = z.object({
  familyId: nonEmpty,
  eligible: z.boolean(),
  rule: nonEmpty,
  reasons: z.array(nonEmpty),
  decidedAt: z.iso.datetime().optional(),
});

/**
 * Record (or re-record, audited with before and after) the eligibility decision for a family.
 *
 * @example
 * await recordEligibility(store.db, 'screening', { familyId, eligible: true, rule: 'holf-v1', reasons: ['6 of 12 months on social assistance'] });
 */
export async function recordEligibility(
  db: Kysely<Database>,
  actor: string,
  input: z.input<typeof eligibilitySchema>,
): Promise<EligibilityResult> {
  const p = parseInput(eligibilitySchema, input, 'eligibility');
  const result: EligibilityResult = {
    familyId: p.familyId,
    eligible: p.eligible,
    rule: p.rule,
    reasons: p.reasons,
    decidedAt: toIso(p.decidedAt ?? new Date()),
  };
  return writeAudited(db, { actor, action: 'record', entity: 'eligibility' }, async (trx) => {
    const family = await trx
      .selectFrom('family')
      .select('id')
      .where('id', '=', p.familyId)
      .executeTakeFirst();
    if (family === undefined)
      throw new TiltakError('NOT_FOUND', `family ${p.familyId} does not exist`);
    const before = (await getEligibility(trx, p.familyId)) ?? null;
    const row = {
      eligible: result.eligible,
      rule: result.rule,
      reasons: JSON.stringify(result.reasons),
      decided_at: result.decidedAt,
    };
    await trx
      .insertInto('eligibility')
      .values({ family_id: result.familyId, ...row })
      .onConflict((oc) => oc.column('family_id').doUpdateSet(row))
      .execute();
    return { entityId: result.familyId, before, after: result, result };
  });
}

/**
 * The eligibility decision for a family, or `undefined`.
 *
 * @example
 * const e = await getEligibility(store.db, familyId);
 */
export async function getEligibility(
  db: Kysely<Database>,
  familyId: string,
): Promise<EligibilityResult | undefined> {
  const r = await db
    .selectFrom('eligibility')
    .selectAll()
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    familyId: r.family_id,
    eligible: r.eligible,
    rule: r.rule,
    reasons: r.reasons as string[],
    decidedAt: toIso(r.decided_at),
  };
}

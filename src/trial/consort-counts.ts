import { trialObservations } from '../analysis/trial-data.ts';
import { TiltakError } from '../stats/errors.ts';
import type { Store } from '../store/open-store.ts';
import type { ConsortArm, ConsortCounts, ConsortWave } from './consort.ts';

/**
 * The CONSORT flow-diagram counts of a cluster trial, computed from the store:
 *
 * - offices assessed (all offices of the trial), randomised (in the allocation) and excluded
 *   (assessed but not randomised); per arm the offices allocated;
 * - families identified (every family with an eligibility decision), excluded by reason (the
 *   decision's first reason, which for screened families is the decisive rule's), eligible;
 * - per arm: families drawn and eligible not drawn (the comparison group), enrolled (an
 *   enrolment date is set; families who later withdrew stay counted, as randomised), drawn but not
 *   enrolled by reason, and cluster size (enrolled families per office: mean and range);
 * - per arm and wave: followed up (register data in the wave window or a submitted
 *   questionnaire), lost by reason (consent withdrawn before the window ended, or no data), and
 *   analysed (income present at the wave, and at T1 too for later waves: the complete cases of
 *   the primary model `income ~ arm + income_t1`) with the offices contributing.
 *
 * Before randomisation the arms are empty. Throws `NOT_FOUND` for an unknown trial.
 *
 * @example
 * const c = await consortCounts(store, trialId);
 * c.arms.map((a) => [a.arm, a.offices, a.enrolled]); // [['HOLF', 15, 455], ['control', 14, 429]]
 */
export async function consortCounts(store: Store, trialId: string): Promise<ConsortCounts> {
  const db = store.db;
  const trial = await db
    .selectFrom('trial')
    .select(['id', 'name'])
    .where('id', '=', trialId)
    .executeTakeFirst();
  if (trial === undefined) throw new TiltakError('NOT_FOUND', `trial ${trialId} does not exist`);
  const offices = await db
    .selectFrom('office')
    .leftJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .select(['office.id as id', 'allocation_office.arm_key as arm'])
    .where('office.trial_id', '=', trialId)
    .execute();
  const armOf = new Map(offices.map((o) => [o.id, o.arm] as const));
  const randomised = offices.filter((o) => o.arm !== null).length;
  const families = await db
    .selectFrom('family')
    .innerJoin('office', 'office.id', 'family.office_id')
    .innerJoin('eligibility', 'eligibility.family_id', 'family.id')
    .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
    .leftJoin('enrolment', 'enrolment.family_id', 'family.id')
    .select([
      'family.id as id',
      'family.office_id as officeId',
      'eligibility.eligible as eligible',
      'eligibility.reasons as reasons',
      'eligibility.rule as rule',
      'family_draw.draw_group as drawGroup',
      'enrolment.status as status',
      'enrolment.enrolled_date as enrolledDate',
    ])
    .where('office.trial_id', '=', trialId)
    .execute();
  const excluded = new Map<string, number>();
  for (const f of families) {
    if (f.eligible) continue;
    const reasons = f.reasons as unknown;
    const reason = Array.isArray(reasons) && typeof reasons[0] === 'string' ? reasons[0] : f.rule;
    excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
  }
  const arms = await db
    .selectFrom('trial_arm')
    .select(['key', 'name'])
    .where('trial_id', '=', trialId)
    .orderBy('position')
    .execute();
  const obs = randomised === 0 ? null : await trialObservations(db, trialId);
  const armCounts: ConsortArm[] = arms.map((arm) => {
    const armOffices = offices.filter((o) => o.arm === arm.key).map((o) => o.id);
    const inArm = families.filter((f) => armOf.get(f.officeId) === arm.key);
    const drawn = inArm.filter((f) => f.drawGroup === 'drawn');
    const enrolled = drawn.filter((f) => f.enrolledDate !== null);
    const notEnrolled = new Map<string, number>();
    for (const f of drawn) {
      if (f.enrolledDate !== null) continue;
      const reason =
        f.status === 'declined'
          ? 'declined consent'
          : f.status === null
            ? 'not contacted'
            : `not enrolled (${f.status})`;
      notEnrolled.set(reason, (notEnrolled.get(reason) ?? 0) + 1);
    }
    const sizes = armOffices.map((o) => enrolled.filter((f) => f.officeId === o).length);
    const armFamilies = (obs?.families ?? []).filter((f) => f.armKey === arm.key);
    const waves: ConsortWave[] = (obs?.waves ?? []).map((w) => {
      let followedUp = 0;
      let withdrew = 0;
      let noData = 0;
      const analysedOffices = new Set<string>();
      let analysed = 0;
      for (const f of armFamilies) {
        const o = f.waves[w.key];
        if (o !== undefined) {
          followedUp++;
          const baseline = w.key === 'T1' ? o.income : (f.waves.T1?.income ?? null);
          if (o.income !== null && baseline !== null) {
            analysed++;
            analysedOffices.add(f.officeId);
          }
          continue;
        }
        if (
          f.withdrawnDate !== null &&
          withdrewBefore(f.enrolledDate, f.withdrawnDate, w.endMonths)
        )
          withdrew++;
        else noData++;
      }
      const lost: { reason: string; families: number }[] = [];
      if (withdrew > 0) lost.push({ reason: 'withdrew consent', families: withdrew });
      if (noData > 0) lost.push({ reason: 'no register or questionnaire data', families: noData });
      return { wave: w.key, followedUp, lost, analysed, officesAnalysed: analysedOffices.size };
    });
    return {
      arm: arm.name,
      offices: armOffices.length,
      drawn: drawn.length,
      notDrawn: inArm.filter((f) => f.drawGroup === 'comparison').length,
      enrolled: enrolled.length,
      notEnrolled: [...notEnrolled].map(([reason, n]) => ({ reason, families: n })),
      clusterSize:
        sizes.length === 0
          ? { mean: 0, min: 0, max: 0 }
          : {
              mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
              min: Math.min(...sizes),
              max: Math.max(...sizes),
            },
      waves,
    };
  });
  return {
    trial: trial.name,
    officesAssessed: offices.length,
    officesExcluded: offices.length - randomised,
    officesRandomised: randomised,
    familiesIdentified: families.length,
    familiesExcluded: [...excluded]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([reason, n]) => ({ reason, families: n })),
    familiesEligible: families.filter((f) => f.eligible).length,
    arms: armCounts,
  };
}

/** True when the withdrawal fell before the end of the wave window (months from the start month). */
function withdrewBefore(enrolledDate: string, withdrawnDate: string, endMonths: number): boolean {
  const idx = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
  return idx(withdrawnDate) - idx(enrolledDate) < endMonths;
}

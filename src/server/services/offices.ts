import { sql } from 'kysely';
import { recordSpace, verifyAllocationRecord } from '../../design/record.ts';
import { pairValidity } from '../../design/validity.ts';
import { isTiltakError } from '../../stats/errors.ts';
import { getAllocation } from '../../store/index.ts';
import type { AppContext } from '../context.ts';
import { balanceRows, numericCovariates } from './randomisation.ts';
import { cachedTrial } from './trial.ts';

/**
 * The offices page's data: arms, offices with covariates, arm and counts, and the allocation
 * (id, record hash, who drew it and when) once drawn.
 *
 * @example
 * const { offices, allocation } = await loadOffices(ctx);
 */
export async function loadOffices(ctx: AppContext) {
  const trial = await cachedTrial(ctx);
  const rows = await ctx.db
    .selectFrom('office')
    .leftJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .select([
      'office.id',
      'office.code',
      'office.name',
      'office.covariates',
      'allocation_office.arm_key',
      (eb) =>
        eb
          .selectFrom('family')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('family.office_id', '=', 'office.id')
          .as('families'),
      (eb) =>
        eb
          .selectFrom('staff_member')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('staff_member.office_id', '=', 'office.id')
          .where('staff_member.role', '=', 'coordinator')
          .as('coordinators'),
    ])
    .where('office.trial_id', '=', trial.id)
    .orderBy('office.code')
    .execute();
  const allocation = await getAllocation(ctx.db, trial.id);
  const offices = rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    armKey: r.arm_key,
    covariates: r.covariates as Record<string, unknown>,
    families: Number(r.families ?? 0),
    coordinators: Number(r.coordinators ?? 0),
  }));
  const columns = numericCovariates(offices);
  const validity =
    allocation === undefined
      ? null
      : await ctx.analyses.get(`validity:${allocation.recordSha256}`, async () =>
          allocationValidity(allocation.record),
        );
  return {
    arms: trial.arms.map((a) => ({ key: a.key, name: a.name })),
    offices,
    balance:
      allocation === undefined
        ? []
        : balanceRows(
            offices,
            trial.arms.map((a) => a.key),
            columns,
          ),
    allocation:
      allocation === undefined
        ? null
        : {
            id: allocation.id,
            recordSha256: allocation.recordSha256,
            createdBy: allocation.createdBy,
            createdAt: allocation.createdAt,
          },
    validity,
  };
}

/**
 * The validity check of a stored allocation record (Moulton 2004): over the accepted space of a
 * constrained design, how many pairs of offices are always in the same arm or always apart, and
 * the range of the share of schemes that put a pair together. A record that does not verify, or
 * of another design, is reported as not checked with the reason.
 *
 * @example
 * const v = allocationValidity(stored.record);
 * v.alwaysTogether; // 0 for a valid constrained design
 */
export function allocationValidity(record: unknown) {
  const none = {
    checked: false,
    scheme: null,
    totalSchemes: null,
    acceptedSchemes: null,
    enumerated: null,
    alwaysTogether: null,
    alwaysApart: null,
    minShare: null,
    maxShare: null,
  };
  let rec: ReturnType<typeof verifyAllocationRecord>;
  try {
    rec = verifyAllocationRecord(record);
  } catch (e) {
    return {
      ...none,
      reason: `the allocation record is not a verifiable randomisation record (${isTiltakError(e) ? e.code : 'invalid'})`,
    };
  }
  const base = {
    scheme: rec.design.scheme,
    totalSchemes: rec.accepted_space.total_schemes,
    acceptedSchemes: rec.accepted_space.accepted,
    enumerated: rec.accepted_space.enumerated,
  };
  const space = recordSpace(rec);
  if (space.kind !== 'masks')
    return {
      ...none,
      ...base,
      reason: `a ${rec.design.scheme} design leaves every pair of offices free to be together or apart`,
    };
  const v = pairValidity(space);
  return {
    ...base,
    checked: true,
    reason: null,
    alwaysTogether: v.alwaysTogether,
    alwaysApart: v.alwaysApart,
    minShare: v.minShare,
    maxShare: v.maxShare,
  };
}

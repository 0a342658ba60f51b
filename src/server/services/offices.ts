import { sql } from 'kysely';
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
  };
}

import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { Trial } from '../../trial/types.ts';
import { officeScope, type SessionUser } from '../auth/roles.ts';

/**
 * Filters of the screening results.
 *
 * @example
 * const q: ScreeningQuery = { outcome: 'excluded', limit: 50, offset: 0 };
 */
export interface ScreeningQuery {
  readonly outcome: 'all' | 'eligible' | 'excluded';
  readonly limit: number;
  readonly offset: number;
}

/**
 * Screening results the user may see (a coordinator or office leader: their own office only):
 * counts by deciding rule, and one page of families, each with the rule and its reasons.
 *
 * @example
 * const s = await screeningResults(db, user, trial, { outcome: 'all', limit: 50, offset: 0 });
 */
export async function screeningResults(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  query: ScreeningQuery,
) {
  const scope = officeScope(user);
  let base = db
    .selectFrom('eligibility')
    .innerJoin('family', 'family.id', 'eligibility.family_id')
    .innerJoin('office', 'office.id', 'family.office_id')
    .where('office.trial_id', '=', trial.id);
  if (scope !== null) base = base.where('family.office_id', '=', scope);
  const byRule = await base
    .select(['eligibility.rule', 'eligibility.eligible', sql<number>`count(*)::int`.as('n')])
    .groupBy(['eligibility.rule', 'eligibility.eligible'])
    .orderBy('eligibility.eligible', 'desc')
    .orderBy('n', 'desc')
    .execute();
  let page = base;
  if (query.outcome !== 'all')
    page = page.where('eligibility.eligible', '=', query.outcome === 'eligible');
  const total = (await page.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
  const rows = await page
    .select([
      'family.id',
      'family.pseudonym',
      'office.code',
      'office.name',
      'eligibility.eligible',
      'eligibility.rule',
      'eligibility.reasons',
      'eligibility.decided_at',
    ])
    .orderBy('family.pseudonym')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return {
    summary: {
      screened: byRule.reduce((s, r) => s + r.n, 0),
      eligible: byRule.filter((r) => r.eligible).reduce((s, r) => s + r.n, 0),
      excluded: byRule.filter((r) => !r.eligible).reduce((s, r) => s + r.n, 0),
      byRule: byRule.map((r) => ({ rule: r.rule, eligible: r.eligible, count: r.n })),
    },
    total,
    rows: rows.map((r) => ({
      familyId: r.id,
      pseudonym: r.pseudonym,
      officeCode: r.code,
      officeName: r.name,
      eligible: r.eligible,
      rule: r.rule,
      reasons: r.reasons as string[],
      decidedAt: new Date(r.decided_at).toISOString(),
    })),
  };
}

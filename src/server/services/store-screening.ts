import { z } from 'zod';
import { holfRuleSet } from '../../trial/eligibility-rules.ts';
import { actorOf, type SessionUser } from '../auth/roles.ts';
import type { AppContext } from '../context.ts';

/**
 * What storing a register import's screening did (counts only: no pseudonyms leave the server).
 *
 * @example
 * storedScreeningSchema.parse({ identified: 3, created: 3, updated: 0, unchanged: 0, notIncluded: 1, outsideOffices: 0, byOffice: [] });
 */
export const storedScreeningSchema = z.object({
  identified: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  notIncluded: z.number().int(),
  outsideOffices: z.number().int(),
  byOffice: z.array(
    z.object({ office: z.string(), identified: z.number().int(), eligible: z.number().int() }),
  ),
});

/**
 * Store the per-family screening results a register import wrote (`resultsOut`) in the trial
 * (every family under `office` when the upload was that office's caseload), with the HOLF rules the web import screens with, as `tiltak screen --store` does. DuckDB and
 * the screening code are loaded only here, so the server does not pay for them at start.
 *
 * @example
 * const r = await storeScreeningFile(ctx, user, trialId, '/tmp/…/output-1.parquet', '2016-06');
 */
export async function storeScreeningFile(
  ctx: AppContext,
  user: SessionUser,
  trialId: string,
  path: string,
  asOf: string,
  office?: string,
): Promise<z.infer<typeof storedScreeningSchema>> {
  const [{ parseYearMonth, readScreeningResultsFile }, { storeScreening }] = await Promise.all([
    import('../../registers/screening.ts'),
    import('../../registers/store-screening.ts'),
  ]);
  const rules = holfRuleSet();
  const families = await readScreeningResultsFile(path, rules, parseYearMonth(asOf));
  const r = await storeScreening(ctx.db, actorOf(user), {
    trialId,
    families,
    rules,
    ...(office === undefined ? {} : { office }),
  });
  return {
    identified: r.identified,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    notIncluded: r.notIncluded,
    outsideOffices: r.outsideOffices,
    byOffice: [...r.byOffice],
  };
}

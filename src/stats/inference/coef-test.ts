/**
 * Coefficient tests and confidence intervals for regression fits under any variance type, as
 * `summary.lm` / `summary.glm` (classical), `lmtest::coeftest` with `sandwich::vcovHC` (HC) and
 * `clubSandwich::coef_test` (CR) report them.
 */
import { TiltakError } from '../errors.ts';
import type { CoefDf, CoefTestOptions, RegressionFit } from '../models/regression-fit.ts';
import { estimateRow, type TidyRow } from '../tidy.ts';
import { isCrType } from '../vcov/types.ts';
import { vcovDetailed } from '../vcov/vcov.ts';
import { pTwoSidedT, quantileT } from './distributions.ts';
import { satterthwaiteDf } from './satterthwaite-cr.ts';

/**
 * The df method used when the caller does not choose one.
 *
 * @example
 * defaultCoefDf('CR2'); // 'satterthwaite'
 */
export function defaultCoefDf(type: CoefTestOptions['type']): CoefDf {
  if (type === 'CR2' || type === 'CR3') return 'satterthwaite';
  if (isCrType(type)) return 'naive';
  return 'residual';
}

/**
 * One broom-style row per coefficient (aliased coefficients keep their term with NaN fields).
 *
 * @example
 * const rows = coefTest(fitOls(input), { type: 'CR2', cluster: codes });
 * rows[1]; // { term: 'treat', estimate, std_error, statistic, df, p_value, conf_low, conf_high }
 */
export function coefTest(fit: RegressionFit, options: CoefTestOptions): TidyRow[] {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new TiltakError('BAD_LEVEL', `confidence level must be in (0, 1), got ${level}`);
  }
  const method = options.df ?? defaultCoefDf(options.type);
  const model = fit.sandwich;
  const k = model.k;
  const detail = vcovDetailed(
    model,
    options.cluster === undefined
      ? { type: options.type }
      : { type: options.type, cluster: options.cluster },
  );
  let dfs: Float64Array;
  if (method === 'residual') dfs = new Float64Array(k).fill(fit.testDf);
  else if (method === 'normal') dfs = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  else {
    if (detail.clusters === null || detail.components === null) {
      throw new TiltakError(
        'DF_NEEDS_CLUSTER',
        `df method '${method}' needs a cluster-robust variance type, got ${options.type}`,
      );
    }
    if (method === 'naive') dfs = new Float64Array(k).fill(detail.clusters.G - 1);
    else {
      const units = Array.from({ length: k }, (_, j) => {
        const c = new Float64Array(k);
        c[j] = 1;
        return c;
      });
      dfs = satterthwaiteDf(detail.components, model.bread, units);
    }
  }
  const rows: TidyRow[] = [];
  let j = 0;
  const est = new Set(fit.estimable);
  for (let col = 0; col < fit.p; col++) {
    const term = fit.colnames[col]!;
    if (!est.has(col)) {
      rows.push(estimateRow(term));
      continue;
    }
    const b = model.coef[j]!;
    const se = Math.sqrt(detail.vcov[j * k + j]!);
    const df = dfs[j]!;
    const stat = b / se;
    const crit = quantileT(1 - (1 - level) / 2, df);
    rows.push({
      term,
      estimate: b,
      std_error: se,
      statistic: stat,
      df,
      p_value: pTwoSidedT(stat, df),
      conf_low: b - crit * se,
      conf_high: b + crit * se,
    });
    j++;
  }
  return rows;
}

/**
 * Covariate adjustment for randomisation tests as cvcrand's `cptest` does it: regress the outcome
 * on the covariates WITHOUT treatment (OLS for a continuous outcome, logistic regression for a 0/1
 * outcome), and test on the response residuals y − fitted. Because the model ignores the
 * allocation, the residuals are fixed under the sharp null and the test stays exact; the
 * adjustment only removes covariate noise from the statistic.
 */
import { type StatWarning, TiltakError } from '../errors.ts';
import { fitLogit } from '../models/glm.ts';
import { fitOls } from '../models/ols.ts';

/**
 * Outcome families: `auto` picks `binomial` when every outcome is 0 or 1.
 *
 * @example
 * const family: AdjustFamily = 'auto';
 */
export type AdjustFamily = 'auto' | 'gaussian' | 'binomial';

/**
 * Residuals of the covariate-only model and what was fitted.
 *
 * @example
 * const r = adjustedResiduals(y, x, 3, ['inciis', 'hispanic', 'locationUrban']);
 * r.family; // 'binomial' for a 0/1 outcome
 */
export interface AdjustedResiduals {
  readonly residuals: Float64Array;
  readonly family: 'gaussian' | 'binomial';
  readonly coefficients: Float64Array;
  readonly colnames: readonly string[];
  readonly warnings: StatWarning[];
}

/**
 * Fit the outcome on an intercept plus the given covariate columns (column-major n × p, no
 * intercept column) and return the response residuals.
 *
 * @example
 * const { residuals } = adjustedResiduals(y, covariates, 2, ['age', 'income']);
 */
export function adjustedResiduals(
  y: Float64Array,
  covariates: Float64Array,
  p: number,
  names: readonly string[],
  family: AdjustFamily = 'auto',
): AdjustedResiduals {
  const n = y.length;
  if (covariates.length !== n * p) {
    throw new TiltakError(
      'LENGTH_MISMATCH',
      `covariates have ${covariates.length} values for ${n}×${p}`,
    );
  }
  let binary = true;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      binary = false;
      break;
    }
  }
  const fam = family === 'auto' ? (binary ? 'binomial' : 'gaussian') : family;
  if (fam === 'binomial' && !binary) {
    throw new TiltakError('BAD_OUTCOME', 'a binomial adjustment needs a 0/1 outcome');
  }
  const x = new Float64Array(n * (p + 1));
  x.fill(1, 0, n);
  x.set(covariates, n);
  const colnames = ['(Intercept)', ...names];
  const input = { x, n, p: p + 1, colnames, y };
  const fit = fam === 'binomial' ? fitLogit(input) : fitOls(input);
  return {
    residuals: fit.residuals,
    family: fam,
    coefficients: fit.coefficients,
    colnames,
    warnings: [...fit.warnings],
  };
}

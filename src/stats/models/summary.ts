/**
 * Builds the common {@link FitSummary} from a regression fit.
 */
import { coefTest, defaultCoefDf } from '../inference/coef-test.ts';
import type { DfMethod, FitSummary } from '../tidy.ts';
import type { CoefDf, RegressionFit, SummaryOptions } from './regression-fit.ts';

/**
 * The summary of `fit` under the requested variance. The G - 1 df of CR0/CR1/CR1S is reported
 * as `cluster`.
 *
 * @example
 * const s = regressionSummary(fit, { type: 'CR2', cluster: codes, formula: 'y ~ treat' });
 */
export function regressionSummary(fit: RegressionFit, options: SummaryOptions): FitSummary {
  const method: CoefDf = options.df ?? defaultCoefDf(options.type);
  const dfMethod: DfMethod =
    method === 'naive'
      ? 'cluster'
      : method === 'residual' && fit.model === 'logit'
        ? 'normal'
        : method;
  return {
    model: fit.model,
    formula: options.formula ?? '',
    nObs: fit.n,
    nDropped: options.nDropped ?? 0,
    groups: options.groups ?? {},
    vcov: options.type,
    dfMethod,
    coefficients: coefTest(fit, options),
    rSquared: fit.rSquared,
    adjRSquared: fit.adjRSquared,
    loglik: fit.loglik,
    aic: fit.aic,
    bic: fit.bic,
    warnings: fit.warnings.map((w) => `${w.code}: ${w.message}`),
  };
}

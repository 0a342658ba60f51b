/**
 * Likelihood-ratio test between nested linear mixed models, as lme4's `anova(m0, m1)`: REML fits
 * are refitted by maximum likelihood first, since REML likelihoods of models with different
 * fixed effects are not comparable.
 */
import { TiltakError } from '../errors.ts';
import { fitLmm, lmmInputOf } from '../models/lmm/fit-lmm.ts';
import type { LmmFit } from '../models/lmm/types.ts';
import { pUpperChisq } from './distributions.ts';

/**
 * Result of {@link lrtLmm}; arrays are `[smaller, larger]` model.
 *
 * @example
 * const { chisq, df, pValue } = lrtLmm(m0, m1);
 */
export interface LrtResult {
  npar: [number, number];
  loglik: [number, number];
  aic: [number, number];
  bic: [number, number];
  deviance: [number, number];
  chisq: number;
  df: number;
  pValue: number;
  /** True when either model was refitted with ML. */
  refitted: boolean;
}

/**
 * Compare nested fits; the model with fewer parameters is taken as the null.
 *
 * @example
 * const t = lrtLmm(fitLmm(input0), fitLmm(input1));
 * t.chisq; t.pValue;
 */
export function lrtLmm(a: LmmFit, b: LmmFit): LrtResult {
  let refitted = false;
  const ml = (f: LmmFit): LmmFit => {
    if (!f.reml) return f;
    refitted = true;
    return fitLmm(lmmInputOf(f), { reml: false });
  };
  let m0 = ml(a);
  let m1 = ml(b);
  if (m0.n !== m1.n)
    throw new TiltakError(
      'DIFFERENT_DATA',
      `models were fitted to different numbers of observations (${m0.n} and ${m1.n})`,
    );
  if (m1.npar < m0.npar) [m0, m1] = [m1, m0];
  const chisq = Math.max(0, 2 * (m1.loglik - m0.loglik));
  const df = m1.npar - m0.npar;
  return {
    npar: [m0.npar, m1.npar],
    loglik: [m0.loglik, m1.loglik],
    aic: [m0.aic, m1.aic],
    bic: [m0.bic, m1.bic],
    deviance: [-2 * m0.loglik, -2 * m1.loglik],
    chisq,
    df,
    pValue: df > 0 ? pUpperChisq(chisq, df) : Number.NaN,
    refitted,
  };
}

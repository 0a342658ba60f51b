/**
 * Ordinary least squares as R's `lm` computes it: Householder QR with LINPACK's limited pivoting
 * (tol 1e-7), so rank deficiency aliases the same terms R aliases.
 */

import type { StatWarning } from '../errors.ts';
import { coefTest } from '../inference/coef-test.ts';
import { qrCoef, qrDqrdc2, qrUnscaledCov } from '../linalg/qr.ts';
import type { SandwichModel } from '../vcov/sandwich.ts';
import { type DesignInput, validateDesign } from './design.ts';
import type { RegressionFit } from './regression-fit.ts';
import { regressionSummary } from './summary.ts';

/**
 * A fitted OLS model; see {@link RegressionFit}.
 *
 * @example
 * const fit: OlsFit = fitOls(input);
 * fit.sigma; fit.rSquared;
 */
export interface OlsFit extends RegressionFit {
  readonly model: 'ols';
  /** Residual standard error sigma. */
  readonly sigma: number;
  /** Residual sum of squares. */
  readonly rss: number;
}

/**
 * Fit y = X b + e by least squares.
 *
 * @example
 * const fit = fitOls({ x, n, p, colnames: ['(Intercept)', 'treat'], y });
 * fit.coefficients; fit.rSquared;
 * fit.tidy({ type: 'CR2', cluster: officeCodes });
 */
export function fitOls(input: DesignInput): OlsFit {
  validateDesign(input);
  const { x, n, p, colnames, y } = input;
  const d = qrDqrdc2(x, n, p, 1e-7);
  const coefficients = qrCoef(d, y);
  const k = d.rank;
  const estimable = Int32Array.from(d.pivot.subarray(0, k)).sort();
  const xe = new Float64Array(n * k);
  const be = new Float64Array(k);
  estimable.forEach((col, j) => {
    xe.set(x.subarray(col * n, col * n + n), j * n);
    be[j] = coefficients[col]!;
  });
  const fitted = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const b = be[j]!;
    for (let i = 0; i < n; i++) fitted[i]! += xe[j * n + i]! * b;
  }
  const residuals = new Float64Array(n);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - fitted[i]!;
    residuals[i] = r;
    rss += r * r;
  }
  const dfResidual = n - k;
  const sigma2 = rss / dfResidual;
  const unscaled = qrUnscaledCov(d);
  const classical = unscaled.map((v) => v * sigma2);

  const intercept = input.intercept ?? colnames.includes('(Intercept)');
  let mss = 0;
  if (intercept) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += fitted[i]!;
    mean /= n;
    for (let i = 0; i < n; i++) mss += (fitted[i]! - mean) ** 2;
  } else for (let i = 0; i < n; i++) mss += fitted[i]! ** 2;
  const rSquared = mss / (mss + rss);
  const dfInt = intercept ? 1 : 0;
  const adjRSquared = 1 - ((1 - rSquared) * (n - dfInt)) / dfResidual;
  // lm's logLik counts sigma as a parameter.
  const loglik = 0.5 * -n * (Math.log(2 * Math.PI) + 1 - Math.log(n) + Math.log(rss));
  const npar = k + 1;

  const aliased = colnames.filter((_, j) => Number.isNaN(coefficients[j]!));
  const warnings: StatWarning[] = [];
  if (aliased.length > 0) {
    warnings.push({
      code: 'RANK_DEFICIENT',
      message: `design is rank deficient (rank ${k} of ${p}); aliased terms set to NA: ${aliased.join(', ')}`,
    });
  }
  const sandwich: SandwichModel = {
    n,
    k,
    coef: be,
    xw: xe,
    rw: residuals,
    bread: unscaled,
    classical,
    dfResidual,
    cr: { xw: xe, rw: residuals, mAdj: unscaled, nDiag: null },
  };
  const fit: OlsFit = {
    model: 'ols',
    n,
    p,
    rank: k,
    colnames: [...colnames],
    coefficients,
    estimable,
    aliased,
    fitted,
    residuals,
    dfResidual,
    testDf: dfResidual,
    loglik,
    aic: -2 * loglik + 2 * npar,
    bic: -2 * loglik + Math.log(n) * npar,
    rSquared,
    adjRSquared,
    warnings,
    sandwich,
    sigma: Math.sqrt(sigma2),
    rss,
    tidy: (options) => coefTest(fit, options),
    summary: (options) => regressionSummary(fit, options),
  };
  return fit;
}

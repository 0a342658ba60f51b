/**
 * Logistic regression (binomial family, logit link) fitted by iteratively reweighted least
 * squares exactly as R's `glm.fit` does: same start, same QR (tol min(1e-7, epsilon / 1000)), same
 * convergence rule |dev - devold| / (|dev| + 0.1) < epsilon, and the same clamping of the link at
 * |eta| > 30. As in R, the working weights and the QR kept on the fit are those of the LAST
 * iteration (evaluated before its coefficient update), which is what `summary.glm` and sandwich
 * use; clubSandwich instead works from the final fitted values. Both are carried.
 */

import { type StatWarning, TiltakError } from '../errors.ts';
import { coefTest } from '../inference/coef-test.ts';
import { crossprod, invertSpd } from '../linalg/dense.ts';
import { type QrDecomposition, qrCoef, qrDqrdc2, qrUnscaledCov } from '../linalg/qr.ts';
import type { SandwichModel } from '../vcov/sandwich.ts';
import { type DesignInput, validateDesign } from './design.ts';
import type { RegressionFit } from './regression-fit.ts';
import { regressionSummary } from './summary.ts';

/**
 * IRLS controls, as `glm.control`.
 *
 * @example
 * fitLogit(input, { maxit: 50, epsilon: 1e-10 });
 */
export interface GlmOptions {
  /** Maximum iterations, default 25. */
  maxit?: number;
  /** Relative deviance tolerance, default 1e-8. */
  epsilon?: number;
}

/**
 * A fitted logistic regression; see {@link RegressionFit}.
 *
 * @example
 * const fit: GlmFit = fitLogit(input);
 * if (!fit.converged) console.warn(fit.warnings);
 */
export interface GlmFit extends RegressionFit {
  readonly model: 'logit';
  readonly deviance: number;
  readonly nullDeviance: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Linear predictor at the estimate. */
  readonly eta: Float64Array;
  /** IRLS working weights of the last iteration (R's `weights(fit, "working")`). */
  readonly workingWeights: Float64Array;
}

const THRESH = 30;
const MTHRESH = -30;
const DBL_EPS = 2 ** -52;
const INVEPS = 1 / DBL_EPS;

function linkinv(eta: number): number {
  const t = eta < MTHRESH ? DBL_EPS : eta > THRESH ? INVEPS : Math.exp(eta);
  return t / (1 + t);
}

function muEta(eta: number): number {
  const opexp = 1 + Math.exp(eta);
  return eta > THRESH || eta < MTHRESH ? DBL_EPS : Math.exp(eta) / (opexp * opexp);
}

function yLogY(y: number, mu: number): number {
  return y !== 0 ? y * Math.log(y / mu) : 0;
}

function deviance(y: Float64Array, mu: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += 2 * (yLogY(y[i]!, mu[i]!) + yLogY(1 - y[i]!, 1 - mu[i]!));
  return s;
}

/**
 * Fit a binomial-logit GLM to a 0/1 outcome.
 *
 * @example
 * const fit = fitLogit({ x, n, p, colnames: ['(Intercept)', 'treat'], y: employed01 });
 * fit.tidy({ type: 'CR2', cluster: officeCodes }); // z for classical, Satterthwaite t for CR2
 */
export function fitLogit(input: DesignInput, options: GlmOptions = {}): GlmFit {
  validateDesign(input);
  const { x, n, p, colnames, y } = input;
  const maxit = options.maxit ?? 25;
  const epsilon = options.epsilon ?? 1e-8;
  if (!(Number.isInteger(maxit) && maxit >= 1)) {
    throw new TiltakError('BAD_OPTION', `maxit must be a positive integer, got ${maxit}`);
  }
  if (!(epsilon > 0))
    throw new TiltakError('BAD_OPTION', `epsilon must be positive, got ${epsilon}`);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new TiltakError(
        'BAD_OUTCOME',
        `logistic outcome must be 0 or 1, got ${y[i]} at row ${i + 1}`,
        { row: i + 1, value: y[i] },
      );
    }
  }
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m0 = (y[i]! + 0.5) / 2;
    eta[i] = Math.log(m0 / (1 - m0));
    mu[i] = linkinv(eta[i]!);
  }
  let devold = deviance(y, mu);
  const tol = Math.min(1e-7, epsilon / 1000);
  const w = new Float64Array(n);
  const xw = new Float64Array(n * p);
  const zw = new Float64Array(n);
  let start = new Float64Array(p);
  let qr: QrDecomposition | null = null;
  let conv = false;
  let iter = 0;
  let dev = devold;
  for (iter = 1; iter <= maxit; iter++) {
    for (let i = 0; i < n; i++) {
      const me = muEta(eta[i]!);
      const z = eta[i]! + (y[i]! - mu[i]!) / me;
      w[i] = Math.sqrt((me * me) / (mu[i]! * (1 - mu[i]!)));
      zw[i] = z * w[i]!;
    }
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) xw[j * n + i] = x[j * n + i]! * w[i]!;
    qr = qrDqrdc2(xw, n, p, tol);
    // dqrls sets the coefficients of aliased columns to zero during the iterations.
    start = qrCoef(qr, zw).map((b) => (Number.isNaN(b) ? 0 : b));
    eta.fill(0);
    for (let j = 0; j < p; j++) {
      const b = start[j]!;
      if (b === 0) continue;
      for (let i = 0; i < n; i++) eta[i]! += x[j * n + i]! * b;
    }
    for (let i = 0; i < n; i++) mu[i] = linkinv(eta[i]!);
    dev = deviance(y, mu);
    if (!Number.isFinite(dev)) {
      throw new TiltakError(
        'GLM_DIVERGED',
        `IRLS produced a non-finite deviance at iteration ${iter}`,
      );
    }
    if (Math.abs(dev - devold) / (Math.abs(dev) + 0.1) < epsilon) {
      conv = true;
      break;
    }
    devold = dev;
  }
  iter = Math.min(iter, maxit);
  const d = qr!;
  const k = d.rank;
  const estimable = Int32Array.from(d.pivot.subarray(0, k)).sort();
  const coefficients = new Float64Array(p).fill(Number.NaN);
  estimable.forEach((col) => {
    coefficients[col] = start[col]!;
  });
  const warnings: StatWarning[] = [];
  const aliased = colnames.filter((_, j) => Number.isNaN(coefficients[j]!));
  if (aliased.length > 0) {
    warnings.push({
      code: 'RANK_DEFICIENT',
      message: `design is rank deficient (rank ${k} of ${p}); aliased terms set to NA: ${aliased.join(', ')}`,
    });
  }
  if (!conv) {
    warnings.push({
      code: 'NOT_CONVERGED',
      message: `glm.fit: algorithm did not converge in ${maxit} iterations`,
    });
  }
  const eps10 = 10 * DBL_EPS;
  if (mu.some((m) => m > 1 - eps10 || m < eps10)) {
    warnings.push({
      code: 'SEPARATION',
      message: 'glm.fit: fitted probabilities numerically 0 or 1 occurred',
    });
  }
  const wt = w.map((v) => v * v);
  const residuals = new Float64Array(n);
  let loglik = 0;
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    residuals[i] = y[i]! - mu[i]!;
    loglik += y[i] === 1 ? Math.log(mu[i]!) : Math.log(1 - mu[i]!);
    ybar += y[i]!;
  }
  ybar /= n;
  const intercept = input.intercept ?? colnames.includes('(Intercept)');
  const nullMu = new Float64Array(n).fill(intercept ? ybar : 0.5);
  const nullDeviance = deviance(y, nullMu);

  // Estimable design in original order, and the two whitened forms.
  const xe = new Float64Array(n * k);
  const be = new Float64Array(k);
  estimable.forEach((col, j) => {
    xe.set(x.subarray(col * n, col * n + n), j * n);
    be[j] = coefficients[col]!;
  });
  const xHc = new Float64Array(n * k);
  const rHc = new Float64Array(n);
  const xCr = new Float64Array(n * k);
  const rCr = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sw = w[i]!;
    const me = muEta(eta[i]!);
    rHc[i] = ((y[i]! - mu[i]!) / me) * sw;
    v[i] = mu[i]! * (1 - mu[i]!);
    const sv = Math.sqrt(v[i]!);
    rCr[i] = (y[i]! - mu[i]!) / sv;
    const dx = me / sv;
    for (let j = 0; j < k; j++) {
      xHc[j * n + i] = xe[j * n + i]! * sw;
      xCr[j * n + i] = xe[j * n + i]! * dx;
    }
  }
  const unscaled = qrUnscaledCov(d);
  const sandwich: SandwichModel = {
    n,
    k,
    coef: be,
    xw: xHc,
    rw: rHc,
    bread: unscaled,
    classical: unscaled,
    dfResidual: n - k,
    cr: { xw: xCr, rw: rCr, mAdj: invertSpd(crossprod(xCr, xCr, n, k, k), k), nDiag: v },
  };
  const fitted = mu;
  const fit: GlmFit = {
    model: 'logit',
    n,
    p,
    rank: k,
    colnames: [...colnames],
    coefficients,
    estimable,
    aliased,
    fitted,
    residuals,
    dfResidual: n - k,
    testDf: Number.POSITIVE_INFINITY,
    loglik,
    aic: -2 * loglik + 2 * k,
    bic: -2 * loglik + Math.log(n) * k,
    rSquared: null,
    adjRSquared: null,
    warnings,
    sandwich,
    deviance: dev,
    nullDeviance,
    iterations: iter,
    converged: conv,
    eta,
    workingWeights: wt,
    tidy: (opts) => coefTest(fit, opts),
    summary: (opts) => regressionSummary(fit, opts),
  };
  return fit;
}

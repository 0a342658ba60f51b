/**
 * Satterthwaite degrees of freedom for linear mixed models as lmerTest computes them
 * (Kuznetsova, Brockhoff & Christensen 2017, JSS 82(13)): the asymptotic covariance of the
 * variance parameters `(theta, sigma)` is twice the inverse Hessian of the (REML or ML) deviance
 * in those parameters, and the gradient of `Var(L beta)` comes from the Jacobian of
 * `cov(beta) = sigma^2 (RX'RX)^{-1}`. Both derivatives are taken numerically with Richardson
 * extrapolation, as numDeriv does for lmerTest, on the cheap precomputed system.
 */
import type { StatWarning } from '../errors.ts';
import { qform } from '../linalg/dense.ts';
import { eigenSymmetricDecreasing } from '../linalg/eigen.ts';
import type { LmmSystem } from '../models/lmm/system.ts';

/**
 * What the Satterthwaite tests need from a fit, computed once.
 *
 * @example
 * const st: SatterthwaiteState = satterthwaiteState(sys, theta, sigma, true);
 */
export interface SatterthwaiteState {
  /** Number of variance parameters (`theta` then `sigma`). */
  k: number;
  p: number;
  /** `2 H^{-1}` (pseudo-inverse over positive eigenvalues), `k x k` column-major. */
  vcovVarpar: Float64Array;
  /** `d cov(beta) / d varpar_i`, each `p x p`. */
  jacobian: Float64Array[];
  warnings: StatWarning[];
}

/**
 * The deviance in `(theta, sigma)` without profiling sigma, lmerTest's `devfun_vp`.
 *
 * @example
 * const d = devianceVarpar(sys, varpar, true);
 */
export function devianceVarpar(sys: LmmSystem, varpar: Float64Array, reml: boolean): number {
  const k = varpar.length;
  const sigma2 = varpar[k - 1]! ** 2;
  if (!sys.evaluate(varpar.subarray(0, k - 1))) return Number.NaN;
  const n = sys.n;
  let dev = sys.ldL2 + sys.pwrss / sigma2 + n * Math.log(2 * Math.PI * sigma2);
  if (reml) dev += sys.ldRX2 - sys.p * Math.log(2 * Math.PI * sigma2);
  return dev;
}

const RICH_D = 0.1;
const RICH_EPS = 1e-4;
const RICH_ZERO = Math.sqrt(2.220446049250313e-16 / 7e-7);
const RICH_R = 4;

function steps(x: Float64Array): Float64Array {
  const h = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++)
    h[i] = Math.abs(RICH_D * x[i]!) + (Math.abs(x[i]!) < RICH_ZERO ? RICH_EPS : 0);
  return h;
}

function richardson(vals: Float64Array[]): Float64Array {
  let cur = vals;
  for (let m = 1; cur.length > 1; m++) {
    const f = 4 ** m;
    const next: Float64Array[] = [];
    for (let i = 0; i + 1 < cur.length; i++) {
      const a = cur[i]!;
      const b = cur[i + 1]!;
      const out = new Float64Array(a.length);
      for (let t = 0; t < a.length; t++) out[t] = (f * b[t]! - a[t]!) / (f - 1);
      next.push(out);
    }
    cur = next;
  }
  return cur[0]!;
}

/**
 * Hessian of `f` at `x` by central differences with Richardson extrapolation (steps
 * `0.1|x|`, halved four times, as numDeriv's defaults).
 *
 * @example
 * const h = richardsonHessian((v) => v[0]! ** 2 * v[1]!, new Float64Array([1, 2]));
 */
export function richardsonHessian(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const k = x.length;
  const h0 = steps(x);
  const f0 = f(x);
  const H = new Float64Array(k * k);
  const at = (i: number, di: number, j: number, dj: number): number => {
    const v = Float64Array.from(x);
    v[i]! += di;
    v[j]! += dj;
    return f(v);
  };
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      const ests: Float64Array[] = [];
      for (let s = 0; s < RICH_R; s++) {
        const hi = h0[i]! / 2 ** s;
        const hj = h0[j]! / 2 ** s;
        let v: number;
        if (i === j) v = (at(i, hi, i, 0) - 2 * f0 + at(i, -hi, i, 0)) / (hi * hi);
        else
          v =
            (at(i, hi, j, hj) - at(i, hi, j, -hj) - at(i, -hi, j, hj) + at(i, -hi, j, -hj)) /
            (4 * hi * hj);
        ests.push(new Float64Array([v]));
      }
      const e = richardson(ests)[0]!;
      H[j * k + i] = e;
      H[i * k + j] = e;
    }
  }
  return H;
}

/**
 * Jacobian of a vector function by central differences with Richardson extrapolation; column
 * `i` is `d f / d x_i`.
 *
 * @example
 * const J = richardsonJacobian((v) => new Float64Array([v[0]! * v[1]!]), new Float64Array([1, 2]));
 */
export function richardsonJacobian(
  f: (x: Float64Array) => Float64Array,
  x: Float64Array,
): Float64Array[] {
  const h0 = steps(x);
  const out: Float64Array[] = [];
  for (let i = 0; i < x.length; i++) {
    const ests: Float64Array[] = [];
    for (let s = 0; s < RICH_R; s++) {
      const h = h0[i]! / 2 ** s;
      const xp = Float64Array.from(x);
      xp[i]! += h;
      const xm = Float64Array.from(x);
      xm[i]! -= h;
      const fp = f(xp);
      const fm = f(xm);
      const d = new Float64Array(fp.length);
      for (let t = 0; t < fp.length; t++) d[t] = (fp[t]! - fm[t]!) / (2 * h);
      ests.push(d);
    }
    out.push(richardson(ests));
  }
  return out;
}

/**
 * Compute the Satterthwaite state at the optimum `(theta, sigma)`.
 *
 * @example
 * const st = satterthwaiteState(sys, theta, sigma, true);
 */
export function satterthwaiteState(
  sys: LmmSystem,
  theta: Float64Array,
  sigma: number,
  reml: boolean,
): SatterthwaiteState {
  const k = theta.length + 1;
  const p = sys.p;
  const varpar = new Float64Array(k);
  varpar.set(theta);
  varpar[k - 1] = sigma;
  const warnings: StatWarning[] = [];
  const H = richardsonHessian((v) => devianceVarpar(sys, v, reml), varpar);
  const eig = eigenSymmetricDecreasing(H, k);
  const tol = 1e-8;
  const neg = Array.from(eig.values).filter((v) => v < -tol);
  const zero = Array.from(eig.values).filter((v) => v >= -tol && v <= tol);
  if (neg.length > 0)
    warnings.push({
      code: 'NOT_CONVERGED',
      message: `Hessian of the deviance has ${neg.length} negative eigenvalue(s): ${neg.map((v) => v.toExponential(1)).join(' ')}`,
    });
  if (zero.length > 0)
    warnings.push({
      code: 'NOT_CONVERGED',
      message: `Hessian of the deviance has ${zero.length} eigenvalue(s) close to zero`,
    });
  const V = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    const lam = eig.values[e]!;
    if (!(lam > tol)) continue;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        V[b * k + a]! += (2 * eig.vectors[e * k + a]! * eig.vectors[e * k + b]!) / lam;
  }
  const jacobian = richardsonJacobian((v) => {
    sys.evaluate(v.subarray(0, k - 1));
    const u = sys.unscaledVcov();
    const s2 = v[k - 1]! ** 2;
    for (let t = 0; t < u.length; t++) u[t]! *= s2;
    return u;
  }, varpar);
  sys.evaluate(theta);
  return { k, p, vcovVarpar: V, jacobian, warnings };
}

/**
 * Satterthwaite df of the contrast `L beta` (lmerTest's `contest1D`).
 *
 * @example
 * const df = satterthwaiteDf(st, e1, fit.vcov);
 */
export function satterthwaiteDf(
  st: SatterthwaiteState,
  L: Float64Array,
  vcovBeta: Float64Array,
): number {
  const p = st.p;
  const varCon = qform(L, vcovBeta, L, p);
  const g = new Float64Array(st.k);
  for (let i = 0; i < st.k; i++) g[i] = qform(L, st.jacobian[i]!, L, p);
  const denom = qform(g, st.vcovVarpar, g, st.k);
  return (2 * varCon * varCon) / denom;
}

/**
 * An F test of `L beta = 0`.
 *
 * @example
 * const { fValue, numDf, denDf } = satterthwaiteF(st, L, 4, beta, vcov);
 */
export interface FTestResult {
  fValue: number;
  numDf: number;
  denDf: number;
}

/**
 * Multi-df Satterthwaite F test of `L beta = 0` (lmerTest's `contestMD`): rotate to the
 * eigenvectors of `L V L'`, one Satterthwaite df per direction, combined as lmerTest's
 * `get_Fstat_ddf`. `L` is `r x p` column-major.
 *
 * @example
 * const t = satterthwaiteF(st, L, 4, beta, vcov);
 */
export function satterthwaiteF(
  st: SatterthwaiteState,
  L: Float64Array,
  r: number,
  beta: Float64Array,
  vcovBeta: Float64Array,
): FTestResult {
  const p = st.p;
  const VL = new Float64Array(r * r);
  const row = (i: number): Float64Array => {
    const v = new Float64Array(p);
    for (let c = 0; c < p; c++) v[c] = L[c * r + i]!;
    return v;
  };
  const rows = Array.from({ length: r }, (_, i) => row(i));
  for (let a = 0; a < r; a++)
    for (let b = 0; b < r; b++) VL[b * r + a] = qform(rows[a]!, vcovBeta, rows[b]!, p);
  const eig = eigenSymmetricDecreasing(VL, r);
  const tol = Math.max(Math.sqrt(2.220446049250313e-16) * eig.values[0]!, 0);
  let q = 0;
  for (let i = 0; i < r; i++) if (eig.values[i]! > tol) q++;
  const ptl: Float64Array[] = [];
  for (let m = 0; m < q; m++) {
    const v = new Float64Array(p);
    for (let i = 0; i < r; i++) {
      const w = eig.vectors[m * r + i]!;
      for (let c = 0; c < p; c++) v[c]! += w * rows[i]![c]!;
    }
    ptl.push(v);
  }
  if (q === 1) {
    const l = ptl[0]!;
    let est = 0;
    for (let c = 0; c < p; c++) est += l[c]! * beta[c]!;
    const t2 = (est * est) / qform(l, vcovBeta, l, p);
    return { fValue: t2, numDf: 1, denDf: satterthwaiteDf(st, l, vcovBeta) };
  }
  let f = 0;
  const nu: number[] = [];
  for (let m = 0; m < q; m++) {
    const l = ptl[m]!;
    let est = 0;
    for (let c = 0; c < p; c++) est += l[c]! * beta[c]!;
    f += (est * est) / eig.values[m]!;
    const g = new Float64Array(st.k);
    for (let i = 0; i < st.k; i++) g[i] = qform(l, st.jacobian[i]!, l, p);
    nu.push((2 * eig.values[m]! ** 2) / qform(g, st.vcovVarpar, g, st.k));
  }
  return { fValue: f / q, numDf: q, denDf: combineFDf(nu) };
}

/**
 * lmerTest's `get_Fstat_ddf`: the F denominator df implied by independent t statistics.
 *
 * @example
 * combineFDf([10, 12]); // about 10.9
 */
export function combineFDf(nu: number[]): number {
  if (nu.length === 1) return nu[0]!;
  let same = true;
  for (let i = 1; i < nu.length; i++) if (Math.abs(nu[i]! - nu[i - 1]!) >= 1e-8) same = false;
  if (same) return nu.reduce((a, b) => a + b, 0) / nu.length;
  if (nu.some((v) => v <= 2)) return 2;
  const E = nu.reduce((s, v) => s + v / (v - 2), 0);
  return (2 * E) / (E - nu.length);
}

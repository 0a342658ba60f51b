// The textbook wild cluster restricted (WCR) bootstrap, written with no shortcuts: per draw rebuild
// y*, refit OLS by the normal equations, take the CR1 variance. test/boot-wild.test.ts checks the
// fast kernel against it draw by draw; bench/wild-bootstrap.ts times it as the baseline.
import type { WildBootstrapDesign } from '../../src/stats/inference/wild-bootstrap.ts';

/**
 * Prepare the naive WCR t* of coefficient `j` under the null beta_j = `r`: the restricted fit is
 * done once, and the returned function refits the full model for one vector `v` of cluster
 * weights (indexed by cluster code) and returns t* = (beta*_j - r) / se_CR1.
 *
 * @example
 * const tStar = naiveWildT(design, 1, 0);
 * const t = tStar(Float64Array.from({ length: G }, () => (rng.next() < 0.5 ? -1 : 1)));
 */
export function naiveWildT(
  d: WildBootstrapDesign,
  j: number,
  r: number,
): (v: Float64Array) => number {
  const { x, y, n, p, cluster } = d;
  const others = [...Array(p).keys()].filter((a) => a !== j);
  const yr = Float64Array.from(y, (yi, i) => yi - r * x[j * n + i]!);
  const g0 = olsNormalEquations(x, yr, n, others);
  const all = [...Array(p).keys()];
  const G = new Set(cluster).size;
  const ystar = new Float64Array(n);
  return (v) => {
    for (let i = 0; i < n; i++) {
      let f = r * x[j * n + i]!;
      for (let k = 0; k < others.length; k++) f += x[others[k]! * n + i]! * g0.beta[k]!;
      ystar[i] = f + g0.resid[i]! * v[cluster[i]!]!;
    }
    const fit = olsNormalEquations(x, ystar, n, all);
    const scores = new Float64Array(G * p);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < p; a++) scores[cluster[i]! * p + a]! += x[a * n + i]! * fit.resid[i]!;
    let meat = 0;
    for (let h = 0; h < G; h++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += fit.inv[j * p + a]! * scores[h * p + a]!;
      meat += s * s;
    }
    const se = Math.sqrt(((G / (G - 1)) * (n - 1) * meat) / (n - p));
    return (fit.beta[j]! - r) / se;
  };
}

/**
 * One naive WCR t* (see {@link naiveWildT}).
 *
 * @example
 * const t = naiveTStar(design, 1, 0.1, v);
 */
export function naiveTStar(d: WildBootstrapDesign, j: number, r: number, v: Float64Array): number {
  return naiveWildT(d, j, r)(v);
}

/**
 * OLS of `y` on the columns `cols` of the column-major n-row `x` through the normal equations and a
 * Gauss-Jordan inverse with partial pivoting.
 *
 * @example
 * const { beta, resid, inv } = olsNormalEquations(x, y, n, [0, 1]);
 */
export function olsNormalEquations(
  x: Float64Array,
  y: Float64Array,
  n: number,
  cols: number[],
): { beta: Float64Array; resid: Float64Array; inv: Float64Array } {
  const k = cols.length;
  const a = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let u = 0; u < k; u++) {
    for (let i = 0; i < n; i++) rhs[u]! += x[cols[u]! * n + i]! * y[i]!;
    for (let w = 0; w < k; w++)
      for (let i = 0; i < n; i++) a[u * k + w]! += x[cols[u]! * n + i]! * x[cols[w]! * n + i]!;
  }
  const inv = gaussInverse(a, k);
  const beta = new Float64Array(k);
  for (let u = 0; u < k; u++) for (let w = 0; w < k; w++) beta[u]! += inv[u * k + w]! * rhs[w]!;
  const resid = Float64Array.from(y);
  for (let u = 0; u < k; u++)
    for (let i = 0; i < n; i++) resid[i]! -= x[cols[u]! * n + i]! * beta[u]!;
  return { beta, resid, inv };
}

function gaussInverse(m: Float64Array, k: number): Float64Array {
  const a = Float64Array.from(m);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++)
      if (Math.abs(a[r * k + c]!) > Math.abs(a[piv * k + c]!)) piv = r;
    for (let w = 0; w < k; w++) {
      [a[c * k + w], a[piv * k + w]] = [a[piv * k + w]!, a[c * k + w]!];
      [inv[c * k + w], inv[piv * k + w]] = [inv[piv * k + w]!, inv[c * k + w]!];
    }
    const d = a[c * k + c]!;
    for (let w = 0; w < k; w++) {
      a[c * k + w]! /= d;
      inv[c * k + w]! /= d;
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r * k + c]!;
      for (let w = 0; w < k; w++) {
        a[r * k + w]! -= f * a[c * k + w]!;
        inv[r * k + w]! -= f * inv[c * k + w]!;
      }
    }
  }
  return inv;
}

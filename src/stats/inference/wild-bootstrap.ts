/**
 * Restricted (null-imposed) wild cluster bootstrap of one OLS coefficient, the WCR-C bootstrap of
 * Stata's boottest and R's fwildclusterboot (Roodman, Nielsen, MacKinnon & Webb 2019, "Fast and
 * wild"), with their CR1 t-statistic: small-sample factor G/(G−1) · (N−1)/(N−k).
 *
 * Speed: everything that depends on rows is collapsed to cluster level once (cluster score
 * vectors X_g'ũ and the rows c'X_g'X_g), so one draw costs O(G·k), independent of N. Because the
 * null-imposed residuals are linear in the null value r, each draw is reduced to five numbers
 * (numerator and the three quadratic-form pieces of its variance as polynomials in r); the p-value
 * at any r is then O(B), which makes the confidence interval by test inversion cheap.
 */
import { type StatWarning, TiltakError } from '../errors.ts';
import { createRng } from '../random.ts';
import type { TidyRow } from '../tidy.ts';
import { drawWeights, enumerateSigns, type WildWeights } from './wild-bootstrap-weights.ts';

export type { WildWeights } from './wild-bootstrap-weights.ts';

/** A design matrix with outcome and cluster membership, as a model frame provides it. */
export interface WildBootstrapDesign {
  /** Column-major n × p design matrix (intercept included as a column if wanted). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Cluster code per row: any non-negative integers; they are relabelled 0..G−1. */
  readonly cluster: Int32Array;
  /** R's term names of the columns, used for `param` by name and in `tidy()`. */
  readonly colnames?: readonly string[];
}

/** Options of {@link wildClusterBootstrap}. */
export interface WildBootstrapOptions {
  /** Tested coefficient: column index or name. */
  readonly param: number | string;
  /** Bootstrap draws B (default 9999). Rademacher with 2^G ≤ B enumerates all 2^G sign vectors. */
  readonly reps?: number;
  /** Weight distribution (default 'rademacher'). */
  readonly weights?: WildWeights;
  /** Seed of the generator (default 1). */
  readonly seed?: number;
  /** Confidence level of the inverted interval (default 0.95). */
  readonly level?: number;
  /** Null value r of H0: beta_param = r (default 0). */
  readonly nullValue?: number;
  /** Compute the confidence interval by test inversion (default true). */
  readonly confInt?: boolean;
}

/** Result of {@link wildClusterBootstrap}. */
export interface WildBootstrapResult {
  readonly term: string;
  /** OLS estimate of the tested coefficient. */
  readonly estimate: number;
  /** Its CR1 standard error (factor G/(G−1) · (N−1)/(N−k)). */
  readonly stdError: number;
  /** Observed t = (estimate − nullValue) / stdError. */
  readonly statistic: number;
  /** Symmetric two-sided bootstrap p-value: share of draws with |t*| > |t|. */
  readonly pValue: number;
  readonly confLow: number;
  readonly confHigh: number;
  readonly level: number;
  readonly nullValue: number;
  /** Draws used (2^G under full enumeration). */
  readonly reps: number;
  /** True when all 2^G Rademacher sign vectors were used: the p-value is then exact. */
  readonly enumerated: boolean;
  readonly weights: WildWeights;
  readonly seed: number;
  readonly nObs: number;
  readonly nClusters: number;
  /** The CR1 factor G/(G−1) · (N−1)/(N−k). */
  readonly smallSampleFactor: number;
  /** Bootstrap t-statistics under the null value, in draw order. */
  readonly tBoot: Float64Array;
  readonly warnings: StatWarning[];
  /** Bootstrap p-value of H0: beta = r for any r, with the same draws. */
  pValueAt(r: number): number;
  /** One broom-style row; `df` is NaN because no t reference distribution is used. */
  tidy(): TidyRow[];
}

const MAX_REPS = 2_000_000;

/**
 * Restricted wild cluster bootstrap test and confidence interval for one coefficient of an OLS
 * fit of `y` on `x`, clustered by `cluster`.
 *
 * @example
 * const res = wildClusterBootstrap(
 *   { x, y, n, p: 3, cluster, colnames: ['(Intercept)', 'treat', 'x1'] },
 *   { param: 'treat', reps: 9999, weights: 'webb', seed: 42 },
 * );
 * res.pValue; res.confLow; res.confHigh;
 */
export function wildClusterBootstrap(
  design: WildBootstrapDesign,
  options: WildBootstrapOptions,
): WildBootstrapResult {
  const { x, y, n, p } = design;
  const names = design.colnames ?? Array.from({ length: p }, (_, j) => `x${j + 1}`);
  const j = resolveParam(options.param, names, p);
  const reps = options.reps ?? 9999;
  const kind = options.weights ?? 'rademacher';
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.95;
  const nullValue = options.nullValue ?? 0;
  if (!Number.isInteger(reps) || reps < 1 || reps > MAX_REPS) {
    throw new TiltakError('BAD_ARGUMENT', `reps must be an integer in 1..${MAX_REPS}, got ${reps}`);
  }
  if (kind !== 'rademacher' && kind !== 'webb' && kind !== 'mammen') {
    throw new TiltakError('BAD_ARGUMENT', `unknown weights '${String(kind)}'`);
  }
  if (!Number.isFinite(seed)) throw new TiltakError('BAD_ARGUMENT', `seed must be finite`);
  if (!(level > 0 && level < 1)) {
    throw new TiltakError('BAD_ARGUMENT', `level must be in (0, 1), got ${level}`);
  }
  if (!Number.isFinite(nullValue)) {
    throw new TiltakError('BAD_ARGUMENT', `null value must be finite, got ${nullValue}`);
  }
  validateDesign(design, names);
  const { codes, g: G } = relabel(design.cluster);
  if (G < 2) throw new TiltakError('TOO_FEW_CLUSTERS', `need at least 2 clusters, got ${G}`);
  if (n <= p) throw new TiltakError('TOO_FEW_ROWS', `need more rows (${n}) than columns (${p})`);

  const warnings: StatWarning[] = [];
  const xtxInv = invertSpd(crossprod(x, n, p, null), p, names);
  const beta = solveWith(xtxInv, xty(x, y, n, p, null), p);
  const c = new Float64Array(p);
  for (let a = 0; a < p; a++) c[a] = xtxInv[a * p + j]!;
  const ssc = ((G / (G - 1)) * (n - 1)) / (n - p);

  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let a = 0; a < p; a++) f += x[a * n + i]! * beta[a]!;
    resid[i] = y[i]! - f;
  }
  const scoreObs = clusterScores(x, resid, codes, n, p, G);
  let meat = 0;
  for (let h = 0; h < G; h++) {
    let s = 0;
    for (let a = 0; a < p; a++) s += c[a]! * scoreObs[h * p + a]!;
    meat += s * s;
  }
  const se = Math.sqrt(ssc * meat);
  const est = beta[j]!;

  // Null-imposed residuals ũ(r) = M0 y − r M0 x_j, M0 the annihilator of the other columns.
  const others: number[] = [];
  for (let a = 0; a < p; a++) if (a !== j) others.push(a);
  const ry = annihilate(x, y, n, p, others, names);
  const xj = x.subarray(j * n, (j + 1) * n);
  const rx = annihilate(x, xj, n, p, others, names);
  const sY = clusterScores(x, ry, codes, n, p, G);
  const sX = clusterScores(x, rx, codes, n, p, G);
  const bY = new Float64Array(G * p);
  const bX = new Float64Array(G * p);
  for (let h = 0; h < G; h++) {
    for (let a = 0; a < p; a++) {
      let u = 0;
      let w = 0;
      for (let b = 0; b < p; b++) {
        u += xtxInv[b * p + a]! * sY[h * p + b]!;
        w += xtxInv[b * p + a]! * sX[h * p + b]!;
      }
      bY[h * p + a] = u;
      bX[h * p + a] = w;
    }
  }
  // D_h = c'X_h'X_h, the leverage of cluster h on the tested coefficient's score.
  const d = new Float64Array(G * p);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let a = 0; a < p; a++) z += x[a * n + i]! * c[a]!;
    const off = codes[i]! * p;
    for (let a = 0; a < p; a++) d[off + a]! += x[a * n + i]! * z;
  }

  const enumerated = kind === 'rademacher' && G <= 30 && 2 ** G <= reps;
  const B = enumerated ? 2 ** G : reps;
  const nY = new Float64Array(B);
  const nX = new Float64Array(B);
  const pp = new Float64Array(B);
  const pq = new Float64Array(B);
  const qq = new Float64Array(B);
  const v = new Float64Array(G);
  const wY = new Float64Array(p);
  const wX = new Float64Array(p);
  const rng = createRng(seed);
  for (let b = 0; b < B; b++) {
    if (enumerated) enumerateSigns(b, v);
    else drawWeights(kind, rng, v);
    wY.fill(0);
    wX.fill(0);
    for (let h = 0; h < G; h++) {
      const vh = v[h]!;
      const off = h * p;
      for (let a = 0; a < p; a++) {
        wY[a]! += vh * bY[off + a]!;
        wX[a]! += vh * bX[off + a]!;
      }
    }
    let sPP = 0;
    let sPQ = 0;
    let sQQ = 0;
    for (let h = 0; h < G; h++) {
      const off = h * p;
      let dy = 0;
      let dx = 0;
      for (let a = 0; a < p; a++) {
        dy += d[off + a]! * wY[a]!;
        dx += d[off + a]! * wX[a]!;
      }
      const P = v[h]! * bY[off + j]! - dy;
      const Q = v[h]! * bX[off + j]! - dx;
      sPP += P * P;
      sPQ += P * Q;
      sQQ += Q * Q;
    }
    nY[b] = wY[j]!;
    nX[b] = wX[j]!;
    pp[b] = sPP;
    pq[b] = sPQ;
    qq[b] = sQQ;
  }

  const tStarAt = (r: number, b: number): number => {
    const den = ssc * (pp[b]! - 2 * r * pq[b]! + r * r * qq[b]!);
    return (nY[b]! - r * nX[b]!) / Math.sqrt(Math.max(den, 0));
  };
  const pValueAt = (r: number): number => {
    // Exact ties are real: the all-ones draw reproduces the data, so |t*| = |t| up to rounding.
    // fwildclusterboot counts |t*| > |t| strictly; a relative margin makes that exact-arithmetic
    // rule survive rounding (otherwise the p-value would depend on row order).
    const t = Math.abs((est - r) / se) * (1 + 1e-9);
    let count = 0;
    for (let b = 0; b < B; b++) if (Math.abs(tStarAt(r, b)) > t) count++;
    return count / B;
  };

  const tBoot = new Float64Array(B);
  let degenerate = 0;
  for (let b = 0; b < B; b++) {
    tBoot[b] = tStarAt(nullValue, b);
    if (!Number.isFinite(tBoot[b]!)) degenerate++;
  }
  if (degenerate > 0) {
    warnings.push({
      code: 'DEGENERATE_DRAWS',
      message: `${degenerate} of ${B} bootstrap draws had a zero standard error`,
    });
  }
  if (kind === 'rademacher' && G <= 11) {
    warnings.push({
      code: 'FEW_CLUSTERS',
      message: `only ${2 ** G} distinct Rademacher draws with ${G} clusters; consider --weights webb`,
    });
  }
  const pValue = pValueAt(nullValue);
  let confLow = Number.NaN;
  let confHigh = Number.NaN;
  if (options.confInt !== false) {
    const alpha = 1 - level;
    confLow = invert(pValueAt, est, -se, alpha, warnings);
    confHigh = invert(pValueAt, est, se, alpha, warnings);
  }
  const statistic = (est - nullValue) / se;
  const term = names[j]!;
  return {
    term,
    estimate: est,
    stdError: se,
    statistic,
    pValue,
    confLow,
    confHigh,
    level,
    nullValue,
    reps: B,
    enumerated,
    weights: kind,
    seed,
    nObs: n,
    nClusters: G,
    smallSampleFactor: ssc,
    tBoot,
    warnings,
    pValueAt,
    tidy: () => [
      {
        term,
        estimate: est,
        std_error: se,
        statistic,
        df: Number.NaN,
        p_value: pValue,
        conf_low: confLow,
        conf_high: confHigh,
      },
    ],
  };
}

/**
 * One end of the test-inversion interval: walk from the estimate in direction `step` until the
 * bootstrap p-value drops to alpha, then bisect. p(r) is a step function, so bisection (not a
 * secant method) is the safe root finder; 60 halvings reach machine resolution of the bracket.
 */
function invert(
  pAt: (r: number) => number,
  est: number,
  step: number,
  alpha: number,
  warnings: StatWarning[],
): number {
  let inside = est;
  let outside = est + step;
  let k = 0;
  while (pAt(outside) > alpha) {
    inside = outside;
    outside = est + step * 2 ** ++k;
    if (k > 40) {
      warnings.push({
        code: 'UNBOUNDED_INTERVAL',
        message: `bootstrap confidence set is unbounded ${step < 0 ? 'below' : 'above'}`,
      });
      return step < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
  }
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (inside + outside);
    if (mid === inside || mid === outside) break;
    if (pAt(mid) > alpha) inside = mid;
    else outside = mid;
  }
  return 0.5 * (inside + outside);
}

function resolveParam(param: number | string, names: readonly string[], p: number): number {
  if (typeof param === 'number') {
    if (!Number.isInteger(param) || param < 0 || param >= p) {
      throw new TiltakError('UNKNOWN_TERM', `parameter index ${param} is outside 0..${p - 1}`);
    }
    return param;
  }
  const j = names.indexOf(param);
  if (j < 0) {
    throw new TiltakError(
      'UNKNOWN_TERM',
      `unknown term '${param}'; the model has: ${names.join(', ')}`,
      { term: param },
    );
  }
  return j;
}

function validateDesign(d: WildBootstrapDesign, names: readonly string[]): void {
  const { x, y, n, p, cluster } = d;
  if (x.length !== n * p || y.length !== n || cluster.length !== n || names.length !== p) {
    throw new TiltakError(
      'BAD_DESIGN',
      `design sizes disagree: x ${x.length} (n·p = ${n * p}), y ${y.length}, cluster ${cluster.length}, names ${names.length}`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new TiltakError('NON_FINITE', `outcome is ${y[i]} at row ${i + 1}`, { row: i + 1 });
    }
    if (cluster[i]! < 0) {
      throw new TiltakError('BAD_CLUSTER', `cluster code ${cluster[i]} at row ${i + 1}`, {
        row: i + 1,
      });
    }
    for (let a = 0; a < p; a++) {
      if (!Number.isFinite(x[a * n + i]!)) {
        throw new TiltakError(
          'NON_FINITE',
          `column '${names[a]}' is ${x[a * n + i]} at row ${i + 1}`,
          {
            row: i + 1,
            column: names[a],
          },
        );
      }
    }
  }
}

function relabel(cluster: Int32Array): { codes: Int32Array; g: number } {
  const map = new Map<number, number>();
  const codes = new Int32Array(cluster.length);
  for (let i = 0; i < cluster.length; i++) {
    let k = map.get(cluster[i]!);
    if (k === undefined) {
      k = map.size;
      map.set(cluster[i]!, k);
    }
    codes[i] = k;
  }
  return { codes, g: map.size };
}

function crossprod(x: Float64Array, n: number, p: number, cols: number[] | null): Float64Array {
  const idx = cols ?? Array.from({ length: p }, (_, a) => a);
  const k = idx.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    const xa = x.subarray(idx[a]! * n, idx[a]! * n + n);
    for (let b = 0; b <= a; b++) {
      const xb = x.subarray(idx[b]! * n, idx[b]! * n + n);
      let s = 0;
      for (let i = 0; i < n; i++) s += xa[i]! * xb[i]!;
      out[a * k + b] = s;
      out[b * k + a] = s;
    }
  }
  return out;
}

function xty(
  x: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  cols: number[] | null,
): Float64Array {
  const idx = cols ?? Array.from({ length: p }, (_, a) => a);
  const out = new Float64Array(idx.length);
  for (let a = 0; a < idx.length; a++) {
    const off = idx[a]! * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[off + i]! * y[i]!;
    out[a] = s;
  }
  return out;
}

function solveWith(inv: Float64Array, rhs: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let b = 0; b < k; b++) s += inv[a * k + b]! * rhs[b]!;
    out[a] = s;
  }
  return out;
}

/** Inverse of a symmetric positive definite k × k matrix by Cholesky; collinearity is misuse. */
function invertSpd(m: Float64Array, k: number, names: readonly string[]): Float64Array {
  const l = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let s = m[a * k + b]!;
      for (let q = 0; q < b; q++) s -= l[a * k + q]! * l[b * k + q]!;
      if (a === b) {
        // Relative pivot test: a column that is (nearly) a combination of earlier ones.
        if (!(s > 1e-10 * Math.max(m[a * k + a]!, Number.MIN_VALUE))) {
          throw new TiltakError(
            'RANK_DEFICIENT',
            `column '${names[a] ?? a}' is collinear with earlier columns; drop it before bootstrapping`,
            { column: names[a] },
          );
        }
        l[a * k + a] = Math.sqrt(s);
      } else {
        l[a * k + b] = s / l[b * k + b]!;
      }
    }
  }
  const inv = new Float64Array(k * k);
  const col = new Float64Array(k);
  for (let e = 0; e < k; e++) {
    col.fill(0);
    col[e] = 1;
    for (let a = 0; a < k; a++) {
      let s = col[a]!;
      for (let q = 0; q < a; q++) s -= l[a * k + q]! * col[q]!;
      col[a] = s / l[a * k + a]!;
    }
    for (let a = k - 1; a >= 0; a--) {
      let s = col[a]!;
      for (let q = a + 1; q < k; q++) s -= l[q * k + a]! * col[q]!;
      col[a] = s / l[a * k + a]!;
    }
    for (let a = 0; a < k; a++) inv[a * k + e] = col[a]!;
  }
  return inv;
}

/** Residuals of regressing `v` on the columns `cols` of x (v itself when cols is empty). */
function annihilate(
  x: Float64Array,
  v: Float64Array,
  n: number,
  p: number,
  cols: number[],
  names: readonly string[],
): Float64Array {
  const out = Float64Array.from(v);
  if (cols.length === 0) return out;
  const k = cols.length;
  const inv = invertSpd(
    crossprod(x, n, p, cols),
    k,
    cols.map((a) => names[a]!),
  );
  const coef = solveWith(inv, xty(x, v, n, p, cols), k);
  for (let a = 0; a < k; a++) {
    const off = cols[a]! * n;
    const ca = coef[a]!;
    for (let i = 0; i < n; i++) out[i]! -= x[off + i]! * ca;
  }
  return out;
}

/** Cluster score vectors X_g'u_g, stored cluster-major (G × p). */
function clusterScores(
  x: Float64Array,
  u: Float64Array,
  codes: Int32Array,
  n: number,
  p: number,
  g: number,
): Float64Array {
  const out = new Float64Array(g * p);
  for (let a = 0; a < p; a++) {
    const off = a * n;
    for (let i = 0; i < n; i++) out[codes[i]! * p + a]! += x[off + i]! * u[i]!;
  }
  return out;
}

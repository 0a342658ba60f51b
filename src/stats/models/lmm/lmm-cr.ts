/**
 * Cluster-robust covariance of the fixed effects of a linear mixed model, as
 * `clubSandwich::vcovCR` for `lmer` fits: working covariance `Theta_g = Z_g Lambda Lambda' Z_g' + I`
 * of each top-level cluster, weights `W_g = Theta_g^{-1}`, marginal residuals `y - X beta`, bread
 * `(X' W X)^{-1}`. The model is expressed in the shared sandwich engine's whitened coordinates
 * (`x~ = L_g^{-1} X_g` with `L_g L_g' = Theta_g`), so CR0/CR1/CR1S/CR2/CR3 are the engine's.
 *
 * Cost: one dense Cholesky of `Theta_g` per cluster (O(n_g^3)); CR2 adds an `n_g x n_g`
 * eigen-decomposition per cluster, as clubSandwich does.
 */
import { TiltakError } from '../../errors.ts';
import { cholInPlace, forwardSolve } from '../../linalg/dense.ts';
import { clusterIndex, type SandwichModel } from '../../vcov/sandwich.ts';
import type { CrType } from '../../vcov/types.ts';
import { type VcovDetail, vcovDetailed } from '../../vcov/vcov.ts';
import { type PreparedTerm, thetaToFactors } from './system.ts';

/**
 * The pieces of a fit the CR computation needs.
 *
 * @example
 * const { detail } = vcovCrLmmDetail({ terms, x, y, n, p, theta, beta, sigma, vcov }, 'CR2');
 */
export interface LmmCrParts {
  terms: PreparedTerm[];
  x: Float64Array;
  y: Float64Array;
  n: number;
  p: number;
  theta: Float64Array;
  beta: Float64Array;
  sigma: number;
  vcov: Float64Array;
}

/**
 * clubSandwich's default cluster for an lmer fit: the grouping factor with the fewest levels
 * (lme4 orders terms by decreasing levels, so the last term). Returns its level codes.
 *
 * @example
 * const office = outerGroup(terms);
 */
export function outerGroup(terms: PreparedTerm[]): { group: string; codes: Int32Array } {
  const t = terms[terms.length - 1]!;
  return { group: t.group, codes: t.codes };
}

/**
 * The cluster-robust covariance (`p x p`, column-major, in `detail.vcov`) of the fixed effects,
 * clustered on `cluster` or the outer grouping factor, with the per-cluster components and the bread `(X' W X)^{-1}`
 * that clubSandwich's Satterthwaite df and HTZ tests are computed from (in the whitened
 * coordinates the working model is the identity, so the OLS formulas apply unchanged).
 *
 * @example
 * const { detail, bread } = vcovCrLmmDetail(parts, 'CR2');
 * satterthwaiteDf(detail.components!, bread, [e1]);
 */
export function vcovCrLmmDetail(
  parts: LmmCrParts,
  type: CrType,
  cluster?: Int32Array,
): { detail: VcovDetail; bread: Float64Array } {
  const { terms, x, y, n, p, theta, beta, vcov, sigma } = parts;
  const codes = cluster ?? outerGroup(terms).codes;
  const idx = clusterIndex(codes, n);
  const G = idx.G;
  const clusterOfRow = new Int32Array(n);
  idx.rows.forEach((rows, g) => {
    for (const i of rows) clusterOfRow[i] = g;
  });
  // Random effects must nest within clusters for Theta to be block-diagonal by cluster.
  for (const t of terms) {
    const owner = new Int32Array(t.nlev).fill(-1);
    for (let i = 0; i < n; i++) {
      const l = t.codes[i]!;
      const g = clusterOfRow[i]!;
      if (owner[l] === -1) owner[l] = g;
      else if (owner[l] !== g)
        throw new TiltakError(
          'NOT_NESTED',
          `level '${t.levels[l]}' of '${t.group}' occurs in more than one cluster; cluster-robust variance needs random effects nested in clusters`,
          { group: t.group, level: t.levels[l] },
        );
    }
  }
  const T = thetaToFactors(terms, theta);
  const resid = Float64Array.from(y);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) resid[i]! -= x[j * n + i]! * beta[j]!;
  const xw = new Float64Array(n * p);
  const rw = new Float64Array(n);
  const nBlocks: Float64Array[] = [];
  const localSlot = terms.map((t) => new Int32Array(t.nlev).fill(-1));
  for (let g = 0; g < G; g++) {
    const rows = idx.rows[g]!;
    const m = rows.length;
    // Local random effects of this cluster: U = Z_g Lambda (m x Qg).
    const offs: number[][] = terms.map(() => []);
    let Qg = 0;
    for (const i of rows)
      terms.forEach((t, k) => {
        const l = t.codes[i]!;
        if (localSlot[k]![l] === -1) {
          localSlot[k]![l] = Qg;
          offs[k]!.push(l);
          Qg += t.q;
        }
      });
    const U = new Float64Array(m * Qg);
    rows.forEach((i, r) => {
      terms.forEach((t, k) => {
        const o = localSlot[k]![t.codes[i]!]!;
        const Tk = T[k]!;
        for (let b = 0; b < t.q; b++) {
          let s = 0;
          for (let a = b; a < t.q; a++) s += t.z[a * n + i]! * Tk[b * t.q + a]!;
          U[(o + b) * m + r] = s;
        }
      });
    });
    terms.forEach((_, k) => {
      for (const l of offs[k]!) localSlot[k]![l] = -1;
    });
    const L = new Float64Array(m * m);
    for (let c = 0; c < m; c++) {
      for (let r = c; r < m; r++) {
        let s = r === c ? 1 : 0;
        for (let a = 0; a < Qg; a++) s += U[a * m + r]! * U[a * m + c]!;
        L[c * m + r] = s;
      }
    }
    if (!cholInPlace(L, 0, m))
      throw new TiltakError(
        'NOT_POSITIVE_DEFINITE',
        'working covariance of a cluster is not positive definite',
      );
    const xg = new Float64Array(m * p);
    const rg = new Float64Array(m);
    rows.forEach((i, r) => {
      for (let j = 0; j < p; j++) xg[j * m + r] = x[j * n + i]!;
      rg[r] = resid[i]!;
    });
    forwardSolve(L, 0, m, xg, 0, p);
    forwardSolve(L, 0, m, rg, 0, 1);
    rows.forEach((i, r) => {
      for (let j = 0; j < p; j++) xw[j * n + i] = xg[j * m + r]!;
      rw[i] = rg[r]!;
    });
    if (type === 'CR2' || type === 'CR3') {
      // N = a a' with a = L' (R's upper chol): N = L' L.
      const N = new Float64Array(m * m);
      for (let c = 0; c < m; c++)
        for (let r = c; r < m; r++) {
          let s = 0;
          for (let t = r; t < m; t++) s += L[r * m + t]! * L[c * m + t]!;
          N[c * m + r] = s;
          N[r * m + c] = s;
        }
      nBlocks.push(N);
    }
  }
  const s2 = sigma * sigma;
  const bread = vcov.map((v) => v / s2);
  const model: SandwichModel = {
    n,
    k: p,
    coef: beta,
    xw,
    rw,
    bread,
    classical: vcov,
    dfResidual: n - p,
    cr: {
      xw,
      rw,
      mAdj: bread,
      nDiag: null,
      ...(nBlocks.length > 0 ? { nBlocks } : {}),
    },
  };
  return { detail: vcovDetailed(model, { type, cluster: codes }), bread };
}

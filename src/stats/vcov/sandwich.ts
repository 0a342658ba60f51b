/**
 * The one sandwich engine behind every robust variance type.
 *
 * A fitted model hands the engine a {@link SandwichModel}: its estimable design and residuals in
 * WHITENED coordinates (x~ = L^{-1} x, r~ = L^{-1} r, where L L' is the working covariance), the
 * bread M = (X~'X~)^{-1}, and for clustered types the working model clubSandwich uses. In those
 * coordinates OLS, logistic regression (IRLS weights) and, later, mixed models (block working
 * covariances) all look alike, so each variance type is a small function (see `types.ts`).
 *
 * Cluster-robust types are computed per cluster from p x p and n_g x p blocks: no n x n matrix is
 * ever formed. For cluster g the engine returns e_g = E_g r_g, F_g = E_g X_g and
 * Omega_g = E_g Theta_g E_g' (clubSandwich's estimating matrices E_g after the CR adjustment),
 * from which both the variance and the Satterthwaite / HTZ degrees of freedom follow.
 *
 * Extension point for mixed models: supply `cr.nBlocks[g]` = a a' where a = chol(Theta_g) (upper,
 * R's `chol`) of the cluster's working covariance Theta_g = V_g, with `cr.xw` = a'^{-1} X_g and
 * `cr.rw` = a'^{-1} r_g stacked in the original row order, and `cr.mAdj` = (sum_g X~_g'X~_g)^{-1}.
 * CR2 then uses the dense per-cluster kernel; every other type needs only x~ and r~.
 */

import { TiltakError } from '../errors.ts';
import { choleskyLower, crossprod, matmul } from '../linalg/dense.ts';
import { eigenSymmetric, symmetricFunctionApply } from '../linalg/eigen.ts';
import { type CrType, crAdjustment } from './types.ts';

/**
 * What a fitted model exposes to the sandwich engine. All matrices are column-major.
 *
 * @example
 * const model: SandwichModel = fitOls(input).sandwich;
 * const v = vcovOf({ sandwich: model }, { type: 'HC2' });
 */
export interface SandwichModel {
  /** Rows. */
  readonly n: number;
  /** Estimable coefficients. */
  readonly k: number;
  /** Estimable coefficients, in original column order. */
  readonly coef: Float64Array;
  /** Whitened estimable design for HC types (n x k). */
  readonly xw: Float64Array;
  /** Whitened residuals for HC types (sandwich's estfun / x). */
  readonly rw: Float64Array;
  /** Bread M (k x k), e.g. (X'X)^{-1} or glm's `cov.unscaled`. */
  readonly bread: Float64Array;
  /** Model-based covariance (k x k). */
  readonly classical: Float64Array;
  /** Residual degrees of freedom n - k. */
  readonly dfResidual: number;
  /** clubSandwich's working model for CR types. */
  readonly cr: CrWorkingModel;
}

/**
 * clubSandwich's working model in whitened coordinates; see the module comment.
 *
 * @example
 * // A mixed model with per-cluster working covariances V_g (see the module comment):
 * const cr: CrWorkingModel = { xw, rw, mAdj, nDiag: null, nBlocks };
 */
export interface CrWorkingModel {
  /** Whitened estimable design (n x k). */
  readonly xw: Float64Array;
  /** Whitened residuals. */
  readonly rw: Float64Array;
  /** (X~'X~)^{-1}, used inside the CR2 / CR3 adjustments. */
  readonly mAdj: Float64Array;
  /** Diagonal of N = a a' when the working covariance is diagonal (logistic: mu (1 - mu)). */
  readonly nDiag: Float64Array | null;
  /** Per-cluster N_g blocks (n_g x n_g, rows in original order) for block working covariances. */
  readonly nBlocks?: ReadonlyArray<Float64Array>;
}

/**
 * Rows of each cluster, in order of first appearance of its code.
 *
 * @example
 * const { G, rows } = clusterIndex(codes, n);
 */
export interface ClusterIndex {
  readonly G: number;
  readonly rows: ReadonlyArray<Int32Array>;
}

/**
 * Group rows by 0-based cluster codes (codes need not be contiguous: unused codes are dropped
 * as R's `droplevels` does). Throws `BAD_CLUSTER` on a length mismatch or a bad code.
 *
 * @example
 * clusterIndex(new Int32Array([0, 0, 1]), 3).G; // 2
 */
export function clusterIndex(cluster: Int32Array, n: number): ClusterIndex {
  if (cluster.length !== n) {
    throw new TiltakError(
      'BAD_CLUSTER',
      `cluster has ${cluster.length} values but the model has ${n} rows`,
    );
  }
  const slot = new Map<number, number>();
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cluster[i]!;
    if (!(c >= 0)) {
      throw new TiltakError('BAD_CLUSTER', `cluster code ${c} at row ${i + 1} is negative`, {
        row: i + 1,
        value: c,
      });
    }
    let s = slot.get(c);
    if (s === undefined) {
      s = counts.length;
      slot.set(c, s);
      counts.push(0);
    }
    counts[s]!++;
  }
  const rows = counts.map((m) => new Int32Array(m));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < n; i++) {
    const s = slot.get(cluster[i]!)!;
    rows[s]![fill[s]!++] = i;
  }
  if (rows.length < 2) {
    throw new TiltakError(
      'TOO_FEW_CLUSTERS',
      'cluster-robust variance needs at least two clusters, the data have one',
    );
  }
  return { G: rows.length, rows };
}

/**
 * Per-cluster pieces of a cluster-robust sandwich; blocks are stored cluster after cluster.
 *
 * @example
 * const comp: CrComponents = crComponents(model, clusterIndex(codes, model.n), 'CR2');
 */
export interface CrComponents {
  readonly G: number;
  readonly k: number;
  /** G x k: e_g = E_g r_g (after the type's adjustment). */
  readonly e: Float64Array;
  /** G blocks of k x k: F_g = E_g X_g. */
  readonly f: Float64Array;
  /** G blocks of k x k: Omega_g = E_g Theta_g E_g'. */
  readonly omega: Float64Array;
}

function gather(src: Float64Array, n: number, k: number, rows: Int32Array): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    const sj = j * n;
    const oj = j * m;
    for (let i = 0; i < m; i++) out[oj + i] = src[sj + rows[i]!]!;
  }
  return out;
}

function gatherVec(src: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]!]!;
  return out;
}

/**
 * Compute e_g, F_g and Omega_g for every cluster under variance type `type`.
 *
 * @example
 * const comp = crComponents(fit.sandwich, clusterIndex(codes, fit.n), 'CR2');
 */
export function crComponents(model: SandwichModel, idx: ClusterIndex, type: CrType): CrComponents {
  const { n, k, cr } = model;
  const { G } = idx;
  const adj = crAdjustment(type, G, n, k);
  const e = new Float64Array(G * k);
  const f = new Float64Array(G * k * k);
  const omega = new Float64Array(G * k * k);
  const lAdj = adj.kind === 'none' ? null : choleskyLower(cr.mAdj, k);
  for (let g = 0; g < G; g++) {
    const rows = idx.rows[g]!;
    const xg = gather(cr.xw, n, k, rows);
    const rg = gatherVec(cr.rw, rows);
    const m = rows.length;
    const block = cr.nBlocks?.[g];
    const nDiag = cr.nDiag === null ? null : gatherVec(cr.nDiag, rows);
    const dense =
      adj.kind === 'invsqrt' && (block !== undefined || (nDiag !== null && !isConstant(nDiag)));
    if (dense) {
      denseCr2(xg, rg, m, k, cr.mAdj, block ?? null, nDiag, e, f, omega, g);
    } else {
      lowRankCluster(xg, rg, m, k, adj.kind, lAdj, e, f, omega, g);
    }
    const c = Math.sqrt(adj.scale);
    if (c !== 1) {
      for (let i = 0; i < k; i++) e[g * k + i]! *= c;
      for (let i = 0; i < k * k; i++) {
        f[g * k * k + i]! *= c;
        omega[g * k * k + i]! *= c * c;
      }
    }
  }
  return { G, k, e, f, omega };
}

function isConstant(v: Float64Array): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return false;
  return true;
}

/**
 * A = phi(H_gg) with H_gg = X~_g M X~_g' of rank <= k. Writing Z = X~_g L (M = L L') and
 * L'B L = E diag(lambda) E', phi(H) = I + Z E diag((phi(lambda) - 1) / lambda) E' Z', so every
 * product with X~_g collapses to k x k algebra with B = X~_g'X~_g.
 */
function lowRankCluster(
  xg: Float64Array,
  rg: Float64Array,
  m: number,
  k: number,
  kind: 'none' | 'invsqrt' | 'inverse',
  lAdj: Float64Array | null,
  e: Float64Array,
  f: Float64Array,
  omega: Float64Array,
  g: number,
): void {
  const b = crossprod(xg, xg, m, k, k);
  const u = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += xg[j * m + i]! * rg[i]!;
    u[j] = s;
  }
  const off = g * k * k;
  if (kind === 'none' || lAdj === null) {
    e.set(u, g * k);
    f.set(b, off);
    omega.set(b, off);
    return;
  }
  // bl = B L; s = L' B L.
  const bl = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = j; l < k; l++) s += b[l * k + i]! * lAdj[j * k + l]!;
      bl[j * k + i] = s;
    }
  }
  const sm = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = i; l < k; l++) s += lAdj[i * k + l]! * bl[j * k + l]!;
      sm[j * k + i] = s;
    }
  }
  const { values, vectors } = eigenSymmetric(sm, k);
  const g1 = new Float64Array(k);
  const g2 = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    const lam = values[t]!;
    const one = 1 - lam;
    if (kind === 'invsqrt') {
      // clubSandwich's matrix_power drops eigenvalues of I - H below 1e-12 (phi = 0 there).
      if (one > 1e-12) {
        const r = Math.sqrt(one);
        g1[t] = 1 / (r * (1 + r));
        g2[t] = 1 / one;
      } else {
        g1[t] = -1 / lam;
        g2[t] = -1 / lam;
      }
    } else {
      g1[t] = 1 / one;
      g2[t] = (2 - lam) / (one * one);
    }
  }
  // w = bl * E (k x k): columns are B L e_t.
  const w = new Float64Array(k * k);
  for (let t = 0; t < k; t++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += bl[l * k + i]! * vectors[t * k + l]!;
      w[t * k + i] = s;
    }
  }
  // X~' phi(H) r~ = u + W diag(g1) E' L' u, with W = B L E.
  const lu = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let l = i; l < k; l++) s += lAdj[i * k + l]! * u[l]!;
    lu[i] = s;
  }
  const elu = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    let s = 0;
    for (let l = 0; l < k; l++) s += vectors[t * k + l]! * lu[l]!;
    elu[t] = s * g1[t]!;
  }
  for (let i = 0; i < k; i++) {
    let s = u[i]!;
    for (let t = 0; t < k; t++) s += w[t * k + i]! * elu[t]!;
    e[g * k + i] = s;
  }
  for (let j = 0; j < k; j++) {
    for (let i = j; i < k; i++) {
      let s1 = b[j * k + i]!;
      let s2 = s1;
      for (let t = 0; t < k; t++) {
        const ww = w[t * k + i]! * w[t * k + j]!;
        s1 += ww * g1[t]!;
        s2 += ww * g2[t]!;
      }
      f[off + j * k + i] = s1;
      f[off + i * k + j] = s1;
      omega[off + j * k + i] = s2;
      omega[off + i * k + j] = s2;
    }
  }
}

/**
 * CR2 when the working covariance is not a multiple of I within the cluster:
 * G = N (I - H) N, A~ = G^{-1/2}, e = X~' A~ N r~, F = X~' A~ N X~, Omega = (N A~ X~)'(N A~ X~).
 */
function denseCr2(
  xg: Float64Array,
  rg: Float64Array,
  m: number,
  k: number,
  mAdj: Float64Array,
  block: Float64Array | null,
  nDiag: Float64Array | null,
  e: Float64Array,
  f: Float64Array,
  omega: Float64Array,
  g: number,
): void {
  // xm = X~ M (m x k); h = xm X~' (m x m).
  const xm = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    for (let l = 0; l < k; l++) {
      const c = mAdj[j * k + l]!;
      if (c === 0) continue;
      for (let i = 0; i < m; i++) xm[j * m + i]! += xg[l * m + i]! * c;
    }
  }
  const ih = new Float64Array(m * m);
  for (let c = 0; c < m; c++) {
    for (let r = c; r < m; r++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += xm[l * m + r]! * xg[l * m + c]!;
      const v = (r === c ? 1 : 0) - s;
      ih[c * m + r] = v;
      ih[r * m + c] = v;
    }
  }
  let gm: Float64Array;
  if (block !== null) {
    const t = matmul(block, ih, m, m, m);
    gm = matmul(t, block, m, m, m);
  } else {
    gm = ih;
    const d = nDiag!;
    for (let c = 0; c < m; c++) for (let r = 0; r < m; r++) gm[c * m + r]! *= d[r]! * d[c]!;
  }
  // sx = G^{-1/2} X~, eigenvalues at or below 1e-12 dropped as clubSandwich's matrix_power does.
  const sx = symmetricFunctionApply(gm, m, xg, k, (lam) => (lam > 1e-12 ? 1 / Math.sqrt(lam) : 0));
  let q: Float64Array;
  if (block !== null) q = matmul(block, sx, m, m, k);
  else {
    q = sx;
    const d = nDiag!;
    for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) q[j * m + i]! *= d[i]!;
  }
  const off = g * k * k;
  for (let j = 0; j < k; j++) {
    let se = 0;
    for (let i = 0; i < m; i++) se += q[j * m + i]! * rg[i]!;
    e[g * k + j] = se;
    for (let i = 0; i < k; i++) {
      let sf = 0;
      let so = 0;
      for (let r = 0; r < m; r++) {
        sf += q[i * m + r]! * xg[j * m + r]!;
        so += q[j * m + r]! * q[i * m + r]!;
      }
      // F[i, j] = x_i' S N x_j = (N S x_i)' x_j = q_i . x_j, since S and N are symmetric.
      f[off + j * k + i] = sf;
      omega[off + j * k + i] = so;
    }
  }
}

/**
 * The sandwich M (sum_g e_g e_g') M from per-cluster components.
 *
 * @example
 * const v = crVcov(fit.sandwich.bread, crComponents(fit.sandwich, idx, 'CR2'));
 */
export function crVcov(bread: Float64Array, comp: CrComponents): Float64Array {
  const { G, k, e } = comp;
  const meat = new Float64Array(k * k);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < k; j++) {
      const ej = e[g * k + j]!;
      for (let i = 0; i < k; i++) meat[j * k + i]! += e[g * k + i]! * ej;
    }
  }
  return sandwichProduct(bread, meat, k);
}

/**
 * M A M for symmetric k x k M and A.
 *
 * @example
 * sandwichProduct(new Float64Array([2]), new Float64Array([3]), 1); // [12]
 */
export function sandwichProduct(m: Float64Array, a: Float64Array, k: number): Float64Array {
  const t = new Float64Array(k * k);
  for (let j = 0; j < k; j++)
    for (let l = 0; l < k; l++) {
      const c = m[j * k + l]!;
      for (let i = 0; i < k; i++) t[j * k + i]! += a[l * k + i]! * c;
    }
  const out = new Float64Array(k * k);
  for (let j = 0; j < k; j++)
    for (let l = 0; l < k; l++) {
      const c = t[j * k + l]!;
      for (let i = 0; i < k; i++) out[j * k + i]! += m[l * k + i]! * c;
    }
  for (let j = 0; j < k; j++)
    for (let i = j + 1; i < k; i++) {
      const v = 0.5 * (out[j * k + i]! + out[i * k + j]!);
      out[j * k + i] = v;
      out[i * k + j] = v;
    }
  return out;
}

/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method.
 *
 * Reliability works on item correlation matrices of a handful to a few dozen items, where Jacobi is
 * simple, needs no pivoting choices, and gives eigenvectors orthogonal to machine precision — which
 * is what psych's `Pinv` (via `svd`) relies on when it inverts a correlation matrix.
 */

/**
 * Eigenvalues in decreasing order and the matching unit eigenvectors (column-major p × p).
 *
 * @example
 * const { values, vectors } = symEigen(r, k);
 * const first = vectors.subarray(0, k); // eigenvector of values[0]
 */
export interface SymEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * Decompose the symmetric p × p matrix `a` (column-major; only symmetry is assumed, not
 * definiteness). The input is not modified.
 *
 * @example
 * const { values } = symEigen(new Float64Array([2, 1, 1, 2]), 2); // values ≈ [3, 1]
 */
export function symEigen(a: Float64Array, p: number): SymEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let j = 0; j < p; j++) {
      diag += m[j * p + j]! ** 2;
      for (let i = 0; i < j; i++) off += m[j * p + i]! ** 2;
    }
    // Off-diagonal mass below 1e-32 of the diagonal is rounding noise; further sweeps change nothing.
    if (off <= 1e-32 * diag || off === 0) break;
    for (let q = 1; q < p; q++) {
      for (let r = 0; r < q; r++) {
        const apq = m[q * p + r]!;
        if (apq === 0) continue;
        const app = m[r * p + r]!;
        const aqq = m[q * p + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const akr = m[r * p + k]!;
          const akq = m[q * p + k]!;
          m[r * p + k] = c * akr - s * akq;
          m[q * p + k] = s * akr + c * akq;
        }
        for (let k = 0; k < p; k++) {
          const ark = m[k * p + r]!;
          const aqk = m[k * p + q]!;
          m[k * p + r] = c * ark - s * aqk;
          m[k * p + q] = s * ark + c * aqk;
        }
        for (let k = 0; k < p; k++) {
          const vkr = v[r * p + k]!;
          const vkq = v[q * p + k]!;
          v[r * p + k] = c * vkr - s * vkq;
          v[q * p + k] = s * vkr + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort(
    (x, y) => m[y * p + y]! - m[x * p + x]!,
  );
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = m[src * p + src]!;
    vectors.set(v.subarray(src * p, src * p + p), dst * p);
  });
  return { values, vectors };
}

/**
 * Squared multiple correlations of each variable on the others, as `psych::smc` computes them for
 * a complete correlation matrix: `1 - 1 / diag(Pinv(R))`, where the pseudo-inverse drops
 * eigenvalues below `sqrt(.Machine$double.eps)` times the largest, then clipped to [0, 1].
 *
 * @example
 * smc(new Float64Array([1, 0.5, 0.5, 1]), 2); // [0.25, 0.25]
 */
export function smc(r: Float64Array, p: number): Float64Array {
  const { values, vectors } = symEigen(r, p);
  const maxAbs = Math.max(...Array.from(values, Math.abs));
  const tol = Math.sqrt(2 ** -52) * maxAbs;
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let d = 0;
    for (let e = 0; e < p; e++) {
      const lam = values[e]!;
      if (Math.abs(lam) > tol) d += vectors[e * p + j]! ** 2 / lam;
    }
    const s = 1 - 1 / d;
    out[j] = Number.isNaN(s) ? 1 : Math.min(1, Math.max(0, s));
  }
  return out;
}

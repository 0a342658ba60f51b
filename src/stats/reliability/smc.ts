/**
 * Squared multiple correlations from the eigen-decomposition of a correlation matrix, as psych
 * computes them through its pseudo-inverse `Pinv`.
 */
import { eigenSymmetricDecreasing } from '../linalg/eigen.ts';

/**
 * Squared multiple correlations of each variable on the others, as `psych::smc` computes them for
 * a complete correlation matrix: `1 - 1 / diag(Pinv(R))`, where the pseudo-inverse drops
 * eigenvalues below `sqrt(.Machine$double.eps)` times the largest, then clipped to [0, 1].
 *
 * @example
 * smc(new Float64Array([1, 0.5, 0.5, 1]), 2); // [0.25, 0.25]
 */
export function smc(r: Float64Array, p: number): Float64Array {
  const { values, vectors } = eigenSymmetricDecreasing(r, p);
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

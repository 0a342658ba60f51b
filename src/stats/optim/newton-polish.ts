/**
 * Finite-difference Newton refinement inside a box. A simplex search stalls where differences of
 * the objective fall to rounding level (about 1e-6 in the parameters for a deviance of 1e4);
 * central-difference gradients with a moderate step resolve the stationary point two to three
 * orders of magnitude more precisely, which the variance components need.
 */
import { invPositivePivots } from '../linalg/dense.ts';

/**
 * Polish a minimiser `x` of `f` within `[lower, upper]` by projected Newton steps using
 * central-difference derivatives; coordinates on a bound whose gradient points outward are held.
 * Returns the refined point and value (never worse than the input).
 *
 * @example
 * const r = newtonPolish((x) => (x[0]! - 1) ** 2, new Float64Array([0.999]), [0], [Infinity]);
 * r.x[0]; // 1
 */
export function newtonPolish(
  f: (x: Float64Array) => number,
  x: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  maxIter = 8,
): { x: Float64Array; value: number } {
  const k = x.length;
  let cur = Float64Array.from(x);
  let fcur = f(cur);
  for (let it = 0; it < maxIter; it++) {
    const h = new Float64Array(k);
    for (let i = 0; i < k; i++) h[i] = 1e-4 * Math.max(Math.abs(cur[i]!), 0.1);
    const g = new Float64Array(k);
    const H = new Float64Array(k * k);
    const free: number[] = [];
    const at = (d: Float64Array): number => f(d);
    for (let i = 0; i < k; i++) {
      const xp = Float64Array.from(cur);
      const xm = Float64Array.from(cur);
      xp[i] = cur[i]! + h[i]!;
      xm[i] = cur[i]! - h[i]!;
      const fp = at(xp);
      const fm = at(xm);
      g[i] = (fp - fm) / (2 * h[i]!);
      H[i * k + i] = (fp - 2 * fcur + fm) / (h[i]! * h[i]!);
      const onLower = cur[i]! <= lower[i]! && g[i]! > 0;
      const onUpper = cur[i]! >= upper[i]! && g[i]! < 0;
      if (!onLower && !onUpper) free.push(i);
    }
    if (free.length === 0) break;
    for (let a = 0; a < free.length; a++) {
      for (let b = 0; b < a; b++) {
        const i = free[a]!;
        const j = free[b]!;
        const pp = Float64Array.from(cur);
        pp[i]! += h[i]!;
        pp[j]! += h[j]!;
        const pm = Float64Array.from(cur);
        pm[i]! += h[i]!;
        pm[j]! -= h[j]!;
        const mp = Float64Array.from(cur);
        mp[i]! -= h[i]!;
        mp[j]! += h[j]!;
        const mm = Float64Array.from(cur);
        mm[i]! -= h[i]!;
        mm[j]! -= h[j]!;
        const v = (at(pp) - at(pm) - at(mp) + at(mm)) / (4 * h[i]! * h[j]!);
        H[j * k + i] = v;
        H[i * k + j] = v;
      }
    }
    const m = free.length;
    const Hf = new Float64Array(m * m);
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) Hf[b * m + a] = H[free[b]! * k + free[a]!]!;
    const inv = invPositivePivots(Hf, m);
    if (inv === null) break;
    const next = Float64Array.from(cur);
    let stepNorm = 0;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let b = 0; b < m; b++) s += inv[b * m + a]! * g[free[b]!]!;
      const i = free[a]!;
      next[i] = Math.min(upper[i]!, Math.max(lower[i]!, cur[i]! - s));
      stepNorm = Math.max(stepNorm, Math.abs(next[i]! - cur[i]!));
    }
    const fnext = f(next);
    if (!(fnext <= fcur)) break;
    cur = next;
    fcur = fnext;
    if (stepNorm < 1e-12 * (1 + Math.abs(cur[0]!))) break;
  }
  return { x: cur, value: fcur };
}

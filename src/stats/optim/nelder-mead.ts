/**
 * Bounded Nelder–Mead minimiser for smooth low-dimensional objectives (the relative covariance
 * parameters of a mixed model). Trial points are projected onto the box, and the search restarts
 * from the best vertex with a fresh simplex until a restart no longer improves the value, which
 * guards against the simplex collapsing onto a face of the box before the optimum.
 */

/**
 * Options for {@link minimizeBoundedNM}.
 *
 * @example
 * minimizeBoundedNM(f, [1, 1], { lower: [0, 0], ftolAbs: 1e-12 });
 */
export interface NelderMeadOptions {
  /** Lower bounds (use `-Infinity` for none). */
  lower?: ArrayLike<number>;
  /** Upper bounds (use `Infinity` for none). */
  upper?: ArrayLike<number>;
  /** Initial step per coordinate. Default 0.25 (lme4's Nelder_Mead uses a similar scale). */
  step?: number;
  /** Absolute tolerance on the spread of function values in the simplex. Default 1e-12. */
  ftolAbs?: number;
  /** Tolerance on the simplex diameter. Default 1e-10. */
  xtol?: number;
  /** Maximum number of function evaluations. Default 20000. */
  maxEval?: number;
}

/**
 * Result of a bounded minimisation.
 *
 * @example
 * const { x, value, converged } = minimizeBoundedNM(f, [1]);
 */
export interface OptimResult {
  x: Float64Array;
  value: number;
  evaluations: number;
  converged: boolean;
}

/**
 * Minimise `f` over a box starting from `x0`.
 *
 * @example
 * const r = minimizeBoundedNM((x) => (x[0]! - 1) ** 2 + (x[1]! + 2) ** 2, [0, 0], { lower: [0, 0] });
 * r.x; // close to [1, 0]
 */
export function minimizeBoundedNM(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): OptimResult {
  const k = x0.length;
  const lower = Float64Array.from(options.lower ?? new Array<number>(k).fill(-Infinity));
  const upper = Float64Array.from(options.upper ?? new Array<number>(k).fill(Infinity));
  const ftol = options.ftolAbs ?? 1e-12;
  const xtol = options.xtol ?? 1e-10;
  const maxEval = options.maxEval ?? 20000;
  let evals = 0;
  const clamp = (x: Float64Array): Float64Array => {
    for (let i = 0; i < k; i++) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
    return x;
  };
  const feval = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = clamp(Float64Array.from(x0));
  let bestVal = feval(best);
  let step = options.step ?? 0.25;
  let converged = false;
  for (let restart = 0; restart < 50 && evals < maxEval; restart++) {
    const r = runSimplex(best, bestVal, step);
    const improved = bestVal - r.value;
    best = r.x;
    bestVal = r.value;
    if (r.converged && improved <= ftol * 10 && restart > 0) {
      converged = true;
      break;
    }
    step = Math.max(step * 0.1, 1e-4);
  }
  return { x: best, value: bestVal, evaluations: evals, converged };

  function runSimplex(
    start: Float64Array,
    startVal: number,
    st: number,
  ): { x: Float64Array; value: number; converged: boolean } {
    const pts: Float64Array[] = [Float64Array.from(start)];
    const vals: number[] = [startVal];
    for (let i = 0; i < k; i++) {
      const p = Float64Array.from(start);
      const s = Math.max(st, st * Math.abs(start[i]!));
      p[i] = start[i]! + s <= upper[i]! ? start[i]! + s : start[i]! - s;
      clamp(p);
      if (p[i] === start[i]) p[i] = start[i]! + s * 1e-3;
      pts.push(p);
      vals.push(feval(p));
    }
    const idx = Array.from({ length: k + 1 }, (_, i) => i);
    const centroid = new Float64Array(k);
    const trial = (alpha: number, worst: Float64Array): Float64Array => {
      const p = new Float64Array(k);
      for (let i = 0; i < k; i++) p[i] = centroid[i]! + alpha * (worst[i]! - centroid[i]!);
      return clamp(p);
    };
    let ok = false;
    while (evals < maxEval) {
      idx.sort((a, b) => vals[a]! - vals[b]!);
      const b0 = idx[0]!;
      const w = idx[k]!;
      let diam = 0;
      for (let j = 1; j <= k; j++) {
        const pj = pts[idx[j]!]!;
        for (let i = 0; i < k; i++) diam = Math.max(diam, Math.abs(pj[i]! - pts[b0]![i]!));
      }
      if (vals[w]! - vals[b0]! <= ftol && diam <= xtol * (1 + maxAbs(pts[b0]!))) {
        ok = true;
        break;
      }
      if (diam <= 1e-15) {
        ok = true;
        break;
      }
      centroid.fill(0);
      for (let j = 0; j < k; j++) {
        const pj = pts[idx[j]!]!;
        for (let i = 0; i < k; i++) centroid[i]! += pj[i]! / k;
      }
      const worst = pts[w]!;
      const xr = trial(-1, worst);
      const fr = feval(xr);
      const second = vals[idx[k - 1]!]!;
      if (fr < vals[b0]!) {
        const xe = trial(-2, worst);
        const fe = feval(xe);
        if (fe < fr) {
          pts[w] = xe;
          vals[w] = fe;
        } else {
          pts[w] = xr;
          vals[w] = fr;
        }
      } else if (fr < second) {
        pts[w] = xr;
        vals[w] = fr;
      } else {
        const outside = fr < vals[w]!;
        const xc = trial(outside ? -0.5 : 0.5, worst);
        const fc = feval(xc);
        if (fc < (outside ? fr : vals[w]!)) {
          pts[w] = xc;
          vals[w] = fc;
        } else {
          const pb = pts[b0]!;
          for (let j = 1; j <= k; j++) {
            const id = idx[j]!;
            const pj = pts[id]!;
            for (let i = 0; i < k; i++) pj[i] = pb[i]! + 0.5 * (pj[i]! - pb[i]!);
            clamp(pj);
            vals[id] = feval(pj);
          }
        }
      }
    }
    let bi = 0;
    for (let j = 1; j <= k; j++) if (vals[j]! < vals[bi]!) bi = j;
    return { x: pts[bi]!, value: vals[bi]!, converged: ok };
  }
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

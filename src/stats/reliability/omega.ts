import { type StatWarning, TiltakError } from '../errors.ts';
import { eigenSymmetricDecreasing } from '../linalg/eigen.ts';
import { estimateRow, type TidyRow } from '../tidy.ts';
import { pairwiseCor } from './pairwise-cov.ts';
import { type KeyOptions, prepareItems } from './prepare.ts';
import { smc } from './smc.ts';

/**
 * A one-factor solution: loadings and how the fit ended.
 *
 * @example
 * const { loadings, converged } = oneFactorUls(r, k);
 */
export interface OneFactorFit {
  /** Loadings, signed so that they sum to a positive number. */
  readonly loadings: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Euclidean norm of the gradient of the off-diagonal residual sum of squares at the solution. */
  readonly gradientNorm: number;
}

/**
 * One-factor unweighted-least-squares (minres) fit to a k × k correlation matrix (column-major):
 * the loadings λ minimising Σ_{i≠j} (r_ij − λ_i λ_j)², which is what `psych::fa(r, 1, fm = "minres")`
 * aims at. Iterated principal axes from squared multiple correlations get close; Newton steps on
 * the exact gradient and Hessian then finish to machine precision, because psych's own optimiser
 * stops some 1e-7 short and we want a well-defined target.
 *
 * @example
 * const r = new Float64Array([1, 0.42, 0.35, 0.42, 1, 0.3, 0.35, 0.3, 1]);
 * oneFactorUls(r, 3).loadings; // [0.7, 0.6, 0.5] — this r is exactly λλ' off the diagonal
 */
export function oneFactorUls(r: Float64Array, k: number): OneFactorFit {
  if (k < 3) {
    throw new TiltakError(
      'TOO_FEW_ITEMS',
      `a one-factor model needs at least 3 items to be identified, got ${k}`,
    );
  }
  let lambda = new Float64Array(k);
  let h2 = smc(r, k);
  const rs = Float64Array.from(r);
  let iterations = 0;
  for (let it = 0; it < 1000; it++) {
    iterations++;
    for (let j = 0; j < k; j++) rs[j * k + j] = h2[j]!;
    const { values, vectors } = eigenSymmetricDecreasing(rs, k);
    const s = Math.sqrt(Math.max(values[0]!, 0));
    for (let j = 0; j < k; j++) lambda[j] = vectors[j]! * s;
    let change = 0;
    const next = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      next[j] = lambda[j]! ** 2;
      change = Math.max(change, Math.abs(next[j]! - h2[j]!));
    }
    h2 = next;
    // Principal axes converge linearly; Newton takes over once in its basin.
    if (change < 1e-6) break;
  }

  let f = objective(r, k, lambda);
  for (let it = 0; it < 100; it++) {
    iterations++;
    const g = gradient(r, k, lambda);
    const h = hessian(r, k, lambda);
    const step = solve(
      h,
      g.map((v) => -v),
      k,
    );
    if (step === null) break;
    let t = 1;
    let accepted = false;
    for (let half = 0; half < 30; half++) {
      const trial = lambda.map((v, j) => v + t * step[j]!);
      const ft = objective(r, k, trial);
      if (ft <= f) {
        lambda = trial;
        f = ft;
        accepted = true;
        break;
      }
      t /= 2;
    }
    const size = Math.max(...Array.from(step, Math.abs)) * t;
    if (!accepted || size < 1e-15) break;
  }
  let sum = 0;
  for (const v of lambda) sum += v;
  if (sum < 0) lambda = lambda.map((v) => -v);
  const g = gradient(r, k, lambda);
  const gradientNorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  // The gradient scales with the loadings (O(1)); 1e-10 is far below anything that moves omega.
  return { loadings: lambda, iterations, converged: gradientNorm < 1e-10, gradientNorm };
}

function objective(r: Float64Array, k: number, l: Float64Array): number {
  let s = 0;
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) if (i !== j) s += (r[j * k + i]! - l[i]! * l[j]!) ** 2;
  }
  return s;
}

function gradient(r: Float64Array, k: number, l: Float64Array): Float64Array {
  const g = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) if (i !== j) s += (r[j * k + i]! - l[i]! * l[j]!) * l[i]!;
    g[j] = -4 * s;
  }
  return g;
}

function hessian(r: Float64Array, k: number, l: Float64Array): Float64Array {
  const h = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = 0;
    for (let i = 0; i < k; i++) {
      if (i === j) continue;
      d += l[i]! ** 2;
      h[j * k + i] = -4 * (r[j * k + i]! - 2 * l[i]! * l[j]!);
    }
    h[j * k + j] = 4 * d;
  }
  return h;
}

/** Gaussian elimination with partial pivoting on a small dense system; null when singular. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let row = col + 1; row < k; row++) {
      if (Math.abs(m[col * k + row]!) > Math.abs(m[col * k + piv]!)) piv = row;
    }
    const p = m[col * k + piv]!;
    if (!(Math.abs(p) > 1e-300)) return null;
    if (piv !== col) {
      for (let c = 0; c < k; c++) {
        const t = m[c * k + col]!;
        m[c * k + col] = m[c * k + piv]!;
        m[c * k + piv] = t;
      }
      const t = x[col]!;
      x[col] = x[piv]!;
      x[piv] = t;
    }
    for (let row = col + 1; row < k; row++) {
      const f = m[col * k + row]! / p;
      if (f === 0) continue;
      for (let c = col; c < k; c++) m[c * k + row]! -= f * m[c * k + col]!;
      x[row]! -= f * x[col]!;
    }
  }
  for (let row = k - 1; row >= 0; row--) {
    let s = x[row]!;
    for (let c = row + 1; c < k; c++) s -= m[c * k + row]! * x[c]!;
    x[row] = s / m[row * k + row]!;
  }
  return x;
}

/**
 * One item of {@link OmegaResult}.
 *
 * @example
 * om.items.map((it) => `${it.name}: λ = ${it.loading.toFixed(2)}`);
 */
export interface OmegaItem {
  readonly name: string;
  readonly key: number;
  readonly loading: number;
  /** λ², psych's `h2`. */
  readonly communality: number;
  /** 1 − λ², psych's `u2`. */
  readonly uniqueness: number;
}

/**
 * The result of {@link omegaTotal}.
 *
 * @example
 * const om: OmegaResult = omegaTotal(x, n, k, names, { keys: ['A1'] });
 * om.omegaTotal;
 */
export interface OmegaResult {
  readonly nObs: number;
  readonly nItems: number;
  /** (ΣR − Σu²) / ΣR, psych's `omega.tot` for a one-factor model. */
  readonly omegaTotal: number;
  /** (Σλ)² / ΣR, psych's `omega_h` for a one-factor model. */
  readonly omegaGeneral: number;
  readonly items: readonly OmegaItem[];
  readonly fit: OneFactorFit;
  readonly warnings: readonly StatWarning[];
  /** `omega_total` and `omega_general` as broom-style rows (no standard errors). */
  tidy(): TidyRow[];
}

/**
 * McDonald's omega total from a one-factor model, as `psych::omega(x, nfactors = 1, key = keys)`
 * defines it: pairwise-complete correlations `cor(x, use = "pairwise")` (after reverse-keying), a
 * one-factor minres fit,
 * and ω_t = (ΣR − Σ(1 − λ²)) / ΣR. This is not psych's default omega (three group factors with a
 * Schmid–Leiman general factor); with one factor psych's ω_h is (Σλ)² / ΣR, reported here as
 * `omegaGeneral`. The fit is taken to the exact least-squares optimum (see {@link oneFactorUls});
 * psych's own optimiser stops short, so the two agree to about 1e-8 in ω_t and 1e-6 in loadings.
 *
 * Without `keys`, items that load negatively are reversed before ω is computed, as psych's default
 * `flip = TRUE` does (warning `ITEMS_FLIPPED`); with `keys` (even an empty list) they are used as
 * given. Other warnings: `HEYWOOD_CASE` when a communality reaches 1, `NO_CONVERGENCE` when the fit
 * did not converge.
 *
 * @param items column-major n × k responses; NaN marks a missing answer.
 * @example
 * const om = omegaTotal(x, n, 5, ['A1', 'A2', 'A3', 'A4', 'A5'], { keys: ['A1'] });
 * om.omegaTotal; // 0.7229 for psych's bfi A1–A5 (pairwise missing)
 */
export function omegaTotal(
  items: Float64Array,
  n: number,
  k: number,
  names: readonly string[],
  options: KeyOptions = {},
): OmegaResult {
  const { x, keys } = prepareItems(items, n, k, names, options);
  // psych::omega correlates with cor(use = "pairwise"), where each pair also has its own standard
  // deviations — unlike psych::alpha's cov2cor of pairwise covariances. With missing data the two
  // differ in the third decimal, so omega must not reuse alpha's matrix.
  const r = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    r[j * k + j] = 1;
    for (let i = 0; i < j; i++) {
      const v = pairwiseCor(x.subarray(i * n, i * n + n), x.subarray(j * n, j * n + n));
      r[j * k + i] = v;
      r[i * k + j] = v;
    }
  }
  const fit = oneFactorUls(r, k);
  const warnings: StatWarning[] = [];
  // Without keys psych::omega (flip = TRUE) reverses items that load negatively and reports omega
  // of that scale; with keys it trusts them. The fit itself is unchanged by a sign flip.
  const flip = new Int8Array(k).fill(1);
  if (options.keys === undefined) {
    const flipped: string[] = [];
    for (let j = 0; j < k; j++) {
      if (fit.loadings[j]! < 0) {
        flip[j] = -1;
        flipped.push(`'${names[j]}'`);
      }
    }
    if (flipped.length > 0) {
      warnings.push({
        code: 'ITEMS_FLIPPED',
        message: `no keys given: ${flipped.join(', ')} loaded negatively and were reversed for omega, as psych::omega does`,
      });
    }
  }
  let vt = 0;
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) vt += flip[i]! * flip[j]! * r[j * k + i]!;
  }
  let uniq = 0;
  let sumL = 0;
  const rows: OmegaItem[] = names.map((name, j) => {
    const l = flip[j]! * fit.loadings[j]!;
    uniq += 1 - l * l;
    sumL += l;
    return {
      name,
      key: keys[j]! * flip[j]!,
      loading: l,
      communality: l * l,
      uniqueness: 1 - l * l,
    };
  });
  const heywood = rows.filter((it) => it.communality >= 1);
  if (heywood.length > 0) {
    warnings.push({
      code: 'HEYWOOD_CASE',
      message: `communality of ${heywood.map((it) => `'${it.name}'`).join(', ')} is 1 or more; omega total is not trustworthy`,
    });
  }
  if (!fit.converged) {
    warnings.push({
      code: 'NO_CONVERGENCE',
      message: `one-factor fit stopped with gradient norm ${fit.gradientNorm.toExponential(2)}`,
    });
  }
  const omegaT = (vt - uniq) / vt;
  const omegaG = (sumL * sumL) / vt;
  return {
    nObs: n,
    nItems: k,
    omegaTotal: omegaT,
    omegaGeneral: omegaG,
    items: rows,
    fit,
    warnings,
    tidy: () => [estimateRow('omega_total', omegaT), estimateRow('omega_general', omegaG)],
  };
}

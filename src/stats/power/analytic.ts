/**
 * Analytic power of a two-arm parallel cluster-randomised trial, as clusterPower's `cpa.normal`
 * (continuous) and `cpa.binary` (binary) compute it:
 *
 *   power = P(T' > t_{1−α/2, df}),  T' ~ noncentral t(df, ncp),  df = 2(k − 1),
 *   ncp = √(k·m / (2·DE)) · |d| / √σ²,
 *
 * with k clusters per arm, mean size m, design effect DE (see `design-effect.ts`), difference d and
 * total variance σ². Only the upper rejection region counts, exactly as clusterPower does (the lower
 * one adds at most α/2 at tiny ncp). Binary outcomes use d = |p1 − p2| and σ² = (p1q1 + p2q2)/2, or
 * p̄(1 − p̄) with `pooled`, which is algebraically cpa.binary. With baseline adjustment one more
 * degree of freedom is spent: df = 2(k − 1) − 1.
 *
 * Solving for clusters, cluster size or effect finds the root of power − target by bracketing and
 * bisection to 1e-12 relative (clusterPower uses uniroot with tol 1.2e-4); non-integer solutions are
 * returned as such, with the integer ceiling and its power alongside for clusters and size.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { noncentralTCdf } from '../distributions/noncentral-t.ts';
import { type StatWarning, TiltakError } from '../errors.ts';
import { designEffect, type UnequalSizeMethod } from './design-effect.ts';

/** What to solve for. */
export type PowerTarget = 'power' | 'nClusters' | 'clusterSize' | 'effect';

/** Inputs of {@link clusterTrialPower}; give every quantity except the one solved for. */
export interface PowerInput {
  readonly solveFor: PowerTarget;
  readonly outcome?: 'continuous' | 'binary';
  /** Two-sided significance level (default 0.05). */
  readonly alpha?: number;
  /** Target power when solving for something else. */
  readonly power?: number;
  /** Clusters per arm. */
  readonly nClusters?: number;
  /** Mean cluster size. */
  readonly clusterSize?: number;
  /** Cluster sizes of one arm (sets nClusters, clusterSize and cv as cpa.normal does). */
  readonly clusterSizes?: readonly number[];
  /** Continuous outcome: difference in means. */
  readonly effect?: number;
  /** Continuous outcome: total variance σ² = σ²_b + σ²_w (default 1, i.e. d is standardised). */
  readonly totalVariance?: number;
  /** Binary outcome: proportion in the control arm. */
  readonly p1?: number;
  /** Binary outcome: proportion in the intervention arm (solved for when solveFor = 'effect'). */
  readonly p2?: number;
  /** Binary outcome, solving for p2: look below p1 instead of above. */
  readonly decrease?: boolean;
  /** Binary outcome: pooled variance p̄(1 − p̄) as cpa.binary(pooled = TRUE). */
  readonly pooled?: boolean;
  readonly icc: number;
  readonly cv?: number;
  /** Default 'taylor' for continuous (cpa.normal), 'eldridge' for binary (cpa.binary). */
  readonly unequalMethod?: UnequalSizeMethod;
  readonly baseline?: boolean;
  readonly waves?: number;
  readonly clusterAutocorr?: number;
  readonly individualAutocorr?: number;
}

/** Result of {@link clusterTrialPower}: all quantities, the solved one filled in. */
export interface PowerResult {
  readonly solvedFor: PowerTarget;
  readonly outcome: 'continuous' | 'binary';
  readonly alpha: number;
  readonly power: number;
  readonly nClusters: number;
  readonly clusterSize: number;
  /** Difference in means, or p2 − p1 for binary outcomes. */
  readonly effect: number;
  readonly p1: number | null;
  readonly p2: number | null;
  readonly totalVariance: number;
  readonly icc: number;
  readonly cv: number;
  readonly unequalMethod: UnequalSizeMethod;
  readonly designEffect: number;
  readonly df: number;
  readonly ncp: number;
  readonly criticalValue: number;
  /** Ceiling of a non-integer solution for clusters or size, and the power it gives. */
  readonly ceiling: { readonly value: number; readonly power: number } | null;
  readonly warnings: StatWarning[];
}

interface Filled {
  alpha: number;
  power: number;
  k: number;
  m: number;
  d: number;
  p1: number;
  p2: number;
}

/**
 * Power, clusters per arm, mean cluster size or detectable effect of a parallel cluster trial.
 *
 * @example
 * // clusterPower: cpa.normal(power = NA, nclusters = 16, nsubjects = 10, d = 1, ICC = .1, vart = 5)
 * clusterTrialPower({ solveFor: 'power', nClusters: 16, clusterSize: 10, effect: 1, icc: 0.1,
 *   totalVariance: 5 }).power; // 0.801766
 * clusterTrialPower({ solveFor: 'nClusters', power: 0.8, clusterSize: 21, effect: 0.3, icc: 0.05 });
 * clusterTrialPower({ solveFor: 'effect', outcome: 'binary', power: 0.8, nClusters: 15,
 *   clusterSize: 20, p1: 0.3, icc: 0.05 }).p2;
 */
export function clusterTrialPower(input: PowerInput): PowerResult {
  const outcome = input.outcome ?? 'continuous';
  const binary = outcome === 'binary';
  const method: UnequalSizeMethod = input.unequalMethod ?? (binary ? 'eldridge' : 'taylor');
  const alpha = input.alpha ?? 0.05;
  const target = input.solveFor;
  const warnings: StatWarning[] = [];
  if (!['power', 'nClusters', 'clusterSize', 'effect'].includes(target)) {
    throw new TiltakError('BAD_ARGUMENT', `cannot solve for '${String(target)}'`);
  }
  if (!(alpha > 0 && alpha < 1))
    throw new TiltakError('BAD_ARGUMENT', `alpha must be in (0, 1), got ${alpha}`);
  const sizes = input.clusterSizes;
  let k = input.nClusters ?? Number.NaN;
  let m = input.clusterSize ?? Number.NaN;
  if (sizes !== undefined) {
    if (target === 'nClusters' || target === 'clusterSize') {
      throw new TiltakError(
        'BAD_ARGUMENT',
        `cluster sizes fix the design; cannot solve for ${target}`,
      );
    }
    k = sizes.length;
    m = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  }
  const need = (name: string, v: number | undefined, ok: (x: number) => boolean, what: string) => {
    if (v === undefined || !ok(v)) {
      throw new TiltakError(
        'BAD_ARGUMENT',
        `${name} ${v === undefined ? 'is missing' : `= ${v}`}: ${what}`,
      );
    }
    return v;
  };
  const f: Filled = {
    alpha,
    power: Number.NaN,
    k,
    m,
    d: Number.NaN,
    p1: Number.NaN,
    p2: Number.NaN,
  };
  if (target !== 'power')
    f.power = need(
      'power',
      input.power,
      (v) => v > alpha / 2 && v < 1,
      `target power must be in (alpha/2, 1)`,
    );
  if (target !== 'nClusters') f.k = need('clusters per arm', k, (v) => v > 1, 'must be > 1');
  if (target !== 'clusterSize') f.m = need('cluster size', m, (v) => v > 0, 'must be > 0');
  need('icc', input.icc, (v) => v >= 0 && v < 1, 'must be in [0, 1)');
  if (binary) {
    f.p1 = need('p1', input.p1, (v) => v > 0 && v < 1, 'must be in (0, 1)');
    if (target !== 'effect')
      f.p2 = need('p2', input.p2, (v) => v > 0 && v < 1, 'must be in (0, 1)');
  } else if (target !== 'effect') {
    f.d = need('effect', input.effect, Number.isFinite, 'must be a number');
  }
  const vart = binary
    ? Number.NaN
    : need('total variance', input.totalVariance ?? 1, (v) => v > 0, 'must be > 0');
  const baseline = input.baseline === true;

  const evaluate = (x: Filled) => {
    const de = designEffect({
      clusterSize: x.m,
      icc: input.icc,
      method,
      ...(sizes !== undefined ? { clusterSizes: sizes } : { cv: input.cv ?? 0 }),
      ...(input.waves !== undefined ? { waves: input.waves } : {}),
      baseline,
      ...(input.clusterAutocorr !== undefined ? { clusterAutocorr: input.clusterAutocorr } : {}),
      ...(input.individualAutocorr !== undefined
        ? { individualAutocorr: input.individualAutocorr }
        : {}),
    }).designEffect;
    let d = x.d;
    let variance = vart;
    if (binary) {
      d = x.p2 - x.p1;
      if (input.pooled === true) {
        const pb = (x.p1 + x.p2) / 2;
        variance = pb * (1 - pb);
      } else {
        variance = (x.p1 * (1 - x.p1) + x.p2 * (1 - x.p2)) / 2;
      }
    }
    const df = 2 * (x.k - 1) - (baseline ? 1 : 0);
    if (!(df > 0))
      throw new TiltakError('BAD_ARGUMENT', `too few clusters per arm (${x.k}) for a t test`);
    const crit = tQuantile(1 - x.alpha / 2, df);
    const ncp = (Math.sqrt((x.k * x.m) / (2 * de)) * Math.abs(d)) / Math.sqrt(variance);
    return { power: noncentralTCdf(crit, df, ncp, false), de, df, ncp, crit, d, variance };
  };

  let ceiling: PowerResult['ceiling'] = null;
  if (target === 'nClusters') {
    f.k = solveIncreasing(
      (v) => evaluate({ ...f, k: v }).power - f.power,
      2 + 1e-10,
      'clusters per arm',
    );
    const c = Math.ceil(f.k - 1e-9);
    ceiling = { value: c, power: evaluate({ ...f, k: c }).power };
  } else if (target === 'clusterSize') {
    const lo = 2 + 1e-10;
    if (evaluate({ ...f, m: lo }).power >= f.power) {
      warnings.push({
        code: 'TARGET_MET',
        message: `clusters of size 2 already give the target power`,
      });
      f.m = lo;
    } else {
      const limit = evaluate({ ...f, m: 1e9 }).power;
      if (limit < f.power) {
        throw new TiltakError(
          'UNATTAINABLE',
          `power ${f.power} cannot be reached with ${f.k} clusters per arm at any cluster size (limit ${limit.toFixed(4)})`,
        );
      }
      f.m = solveIncreasing((v) => evaluate({ ...f, m: v }).power - f.power, lo, 'cluster size');
    }
    const c = Math.ceil(f.m - 1e-9);
    ceiling = { value: c, power: evaluate({ ...f, m: c }).power };
  } else if (target === 'effect') {
    if (binary) {
      const down = input.decrease === true;
      const lo = down ? 1e-7 : f.p1 + 1e-7;
      const hi = down ? f.p1 - 1e-7 : 1 - 1e-7;
      const g = (p2: number) => evaluate({ ...f, p2 }).power - f.power;
      f.p2 = bisect(g, lo, hi, down, 'p2');
    } else {
      f.d = solveIncreasing((v) => evaluate({ ...f, d: v }).power - f.power, 1e-7, 'effect');
    }
  }
  const ev = evaluate(f);
  if (target === 'power') f.power = ev.power;
  return {
    solvedFor: target,
    outcome,
    alpha,
    power: f.power,
    nClusters: f.k,
    clusterSize: f.m,
    effect: binary ? f.p2 - f.p1 : f.d,
    p1: binary ? f.p1 : null,
    p2: binary ? f.p2 : null,
    totalVariance: ev.variance,
    icc: input.icc,
    cv: sizes !== undefined ? sampleCv(sizes) : (input.cv ?? 0),
    unequalMethod: method,
    designEffect: ev.de,
    df: ev.df,
    ncp: ev.ncp,
    criticalValue: ev.crit,
    ceiling,
    warnings,
  };
}

function sampleCv(sizes: readonly number[]): number {
  const m = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  return Math.sqrt(sizes.reduce((a, b) => a + (b - m) ** 2, 0) / (sizes.length - 1)) / m;
}

/** Root of an increasing function on [lo, ∞): double the upper end until the sign changes. */
function solveIncreasing(g: (x: number) => number, lo: number, what: string): number {
  if (g(lo) >= 0) return lo;
  let below = lo;
  let hi = Math.max(2 * lo, 1);
  for (let i = 0; g(hi) < 0; i++) {
    below = hi;
    hi *= 2;
    if (i > 60) throw new TiltakError('UNATTAINABLE', `no ${what} reaches the target power`);
  }
  return bisect(g, below, hi, false, what);
}

/** Bisection on [lo, hi] for a monotone g (decreasing when `decreasing`), to 1e-12 relative. */
function bisect(
  g: (x: number) => number,
  lo: number,
  hi: number,
  decreasing: boolean,
  what: string,
): number {
  const sLo = g(lo);
  const sHi = g(hi);
  if (sLo === 0) return lo;
  if (sHi === 0) return hi;
  if (Math.sign(sLo) === Math.sign(sHi)) {
    throw new TiltakError('UNATTAINABLE', `no ${what} in [${lo}, ${hi}] reaches the target power`);
  }
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b - a > 1e-12 * Math.max(1, Math.abs(a)); i++) {
    const mid = 0.5 * (a + b);
    const s = g(mid);
    if (s < 0 !== decreasing) a = mid;
    else b = mid;
  }
  return 0.5 * (a + b);
}

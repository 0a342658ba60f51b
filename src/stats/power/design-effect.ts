/**
 * Design effects of parallel cluster-randomised trials: the factor by which clustering inflates the
 * variance of the arm difference relative to individual randomisation of the same number of people.
 *
 * Unequal cluster sizes (mean m, coefficient of variation CV), two choices:
 * - `'eldridge'` — Eldridge, Ashby & Kerry (2006): DE = 1 + ((1 + CV²)m − 1)ρ. Conservative; it is
 *   exact for cluster-size-weighted analysis. clusterPower calls this method "weighted" and uses it
 *   for binary outcomes.
 * - `'taylor'` — van Breukelen, Candel & Berger (2007): DE = (1 + (m − 1)ρ) / RE with the Taylor
 *   approximation of the relative efficiency RE = 1 − CV² λ(1 − λ), λ = mρ / (1 + (m − 1)ρ), for
 *   the (more efficient) mixed-model analysis. clusterPower's default for continuous outcomes.
 *   With the actual cluster sizes n_1..n_k the exact RE is used instead:
 *   1/RE = ((m + a)/m) · mean(n_j / (n_j + a)), a = (1 − ρ)/ρ.
 *
 * Baseline adjustment and repeated waves, under the nested exchangeable model
 * Y_ijt = μ + C_j + CT_jt + S_ij + e_ijt with ICC ρ, cluster autocorrelation ρ_c = var(C)/var(C + CT)
 * and individual autocorrelation ρ_s = var(S)/var(S + e):
 * - T post-measurement waves analysed as their average (or, equivalently for the arm effect, a
 *   model with a common effect over waves): DE_T = mρ(ρ_c + (1 − ρ_c)/T) + (1 − ρ)(ρ_s + (1 − ρ_s)/T),
 *   which is 1 + (m − 1)ρ at T = 1.
 * - ANCOVA on the baseline cluster mean: DE = DE_T (1 − r²), r = (mρρ_c + (1 − ρ)ρ_s) / √(DE_1 DE_T),
 *   the correlation of baseline and follow-up cluster means. At T = 1 this is Teerenstra, Eldridge,
 *   Graff, de Hoop & Borm (2012), Stat Med 31:2169, with r = (mρρ_c + (1 − ρ)ρ_s)/(1 + (m − 1)ρ).
 * - Unequal sizes combine multiplicatively: the equal-size DE above times the unequal-size factor
 *   (DE_unequal / DE_1) of the chosen method — an approximation, exact for T = 1 without baseline.
 */
import { TiltakError } from '../errors.ts';

/** How unequal cluster sizes inflate the design effect. */
export type UnequalSizeMethod = 'taylor' | 'eldridge';

/** Inputs of {@link designEffect}. */
export interface DesignEffectInput {
  /** Mean cluster size m (replaced by the mean of `clusterSizes` when those are given). */
  readonly clusterSize: number;
  /** Intraclass correlation ρ in [0, 1). */
  readonly icc: number;
  /** Coefficient of variation of cluster sizes (default 0). */
  readonly cv?: number;
  /** Actual cluster sizes of one arm; overrides `cv` with the exact relative efficiency. */
  readonly clusterSizes?: readonly number[];
  readonly method?: UnequalSizeMethod;
  /** Number of post-randomisation waves averaged (default 1). */
  readonly waves?: number;
  /** Adjust for the baseline cluster mean (ANCOVA). */
  readonly baseline?: boolean;
  /** Cluster autocorrelation ρ_c (default 0). */
  readonly clusterAutocorr?: number;
  /** Individual autocorrelation ρ_s (default 0). */
  readonly individualAutocorr?: number;
}

/** The parts of a design effect, for reports. */
export interface DesignEffectParts {
  /** Total design effect used in the power formula. */
  readonly designEffect: number;
  /** 1 + (m − 1)ρ. */
  readonly equalSize: number;
  /** Factor for unequal sizes (1 when all equal). */
  readonly unequalFactor: number;
  /** Factor for T waves: DE_T / DE_1. */
  readonly wavesFactor: number;
  /** 1 − r² with baseline adjustment, else 1. */
  readonly baselineFactor: number;
  /** Correlation r of baseline and follow-up cluster means (NaN without baseline). */
  readonly baselineCorrelation: number;
}

/**
 * Design effect of a parallel cluster trial, see the module notes for the formulas.
 *
 * @example
 * designEffect({ clusterSize: 21, icc: 0.05 }).designEffect;                    // 2
 * designEffect({ clusterSize: 21, icc: 0.05, cv: 0.6, method: 'eldridge' });   // 1 + (1.36·21 − 1)·0.05
 * designEffect({ clusterSize: 21, icc: 0.05, baseline: true, clusterAutocorr: 0.8, individualAutocorr: 0.5 });
 */
export function designEffect(input: DesignEffectInput): DesignEffectParts {
  const sizes = input.clusterSizes;
  let m = input.clusterSize;
  let cv = input.cv ?? 0;
  if (sizes !== undefined) {
    // As cpa.normal: the mean and the sample CV of the given sizes replace clusterSize and cv.
    if (sizes.length < 2 || sizes.some((v) => !(v > 0))) {
      throw new TiltakError('BAD_ARGUMENT', `cluster sizes must be at least two positive numbers`);
    }
    m = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const ss = sizes.reduce((a, b) => a + (b - m) ** 2, 0);
    cv = Math.sqrt(ss / (sizes.length - 1)) / m;
  }
  const rho = input.icc;
  const method = input.method ?? 'taylor';
  const waves = input.waves ?? 1;
  const rc = input.clusterAutocorr ?? 0;
  const rs = input.individualAutocorr ?? 0;
  if (!(m > 0)) throw new TiltakError('BAD_ARGUMENT', `cluster size must be > 0, got ${m}`);
  if (!(rho >= 0 && rho < 1))
    throw new TiltakError('BAD_ARGUMENT', `icc must be in [0, 1), got ${rho}`);
  if (!(cv >= 0)) throw new TiltakError('BAD_ARGUMENT', `cv must be >= 0, got ${cv}`);
  if (!(Number.isInteger(waves) && waves >= 1)) {
    throw new TiltakError('BAD_ARGUMENT', `waves must be a positive integer, got ${waves}`);
  }
  for (const [name, v] of [
    ['cluster autocorrelation', rc],
    ['individual autocorrelation', rs],
  ] as const) {
    if (!(v >= 0 && v <= 1))
      throw new TiltakError('BAD_ARGUMENT', `${name} must be in [0, 1], got ${v}`);
  }
  const de1 = 1 + (m - 1) * rho;
  let unequal = 1;
  if (sizes !== undefined && method === 'taylor') {
    if (rho === 0) unequal = 1;
    else {
      const a = (1 - rho) / rho;
      let s = 0;
      for (const nj of sizes) s += nj / (nj + a);
      unequal = ((m + a) / m) * (s / sizes.length);
    }
  } else if (method === 'taylor') {
    const lambda = (m * rho) / de1;
    const re = 1 - cv * cv * lambda * (1 - lambda);
    if (!(re > 0)) {
      throw new TiltakError('BAD_ARGUMENT', `cv ${cv} is too large for the Taylor approximation`);
    }
    unequal = 1 / re;
  } else {
    unequal = (1 + ((cv * cv + 1) * m - 1) * rho) / de1;
  }
  const deT = m * rho * (rc + (1 - rc) / waves) + (1 - rho) * (rs + (1 - rs) / waves);
  let baselineFactor = 1;
  let r = Number.NaN;
  if (input.baseline === true) {
    r = (m * rho * rc + (1 - rho) * rs) / Math.sqrt(de1 * deT);
    baselineFactor = 1 - r * r;
  }
  return {
    designEffect: deT * baselineFactor * unequal,
    equalSize: de1,
    unequalFactor: unequal,
    wavesFactor: deT / de1,
    baselineFactor,
    baselineCorrelation: r,
  };
}

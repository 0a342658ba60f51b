/**
 * Simulation-based power: simulate whole trials from the same data-generating model the analytic
 * formulas assume, run the real analysis on each, and count rejections.
 *
 * Data-generating model (two arms, k clusters each):
 * - cluster sizes: all equal to m, or, with cv > 0, Gamma-distributed with mean m and coefficient
 *   of variation cv, rounded to an integer of at least 1;
 * - continuous: y = d·arm + b_j + e_ij with b_j ~ N(0, ρσ²), e_ij ~ N(0, (1 − ρ)σ²);
 * - binary: cluster probability π_j ~ Beta with mean p1 (control) or p2 (intervention) and
 *   1/(α + β + 1) = ρ, so the beta-binomial ICC is exactly ρ; y_ij ~ Bernoulli(π_j).
 *
 * The analysis is pluggable: any {@link TrialAnalysis} that returns a p-value for the arm effect.
 * The default, {@link clusterMeansTTest}, is the two-sample t test on unweighted cluster means
 * (df = 2k − 2), valid with few clusters. `olsCr2Analysis` (analyses.ts) runs individual-level OLS
 * with the CR2 sandwich and Satterthwaite df from `src/stats/vcov`; the mixed model can be plugged
 * in the same way (a function of the simulated trial returning estimate and p-value) without
 * changing this file. All randomness comes from one seeded generator, so a run is reproducible.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { type StatWarning, TiltakError } from '../errors.ts';
import { createRng, type Rng } from '../random.ts';

/** One simulated trial in long format (rows are individuals). */
export interface SimulatedTrial {
  /** The outcome: the mean over the post-randomisation waves when there are several. */
  readonly y: Float64Array;
  /**
   * With a baseline: each row's baseline measurement (the same individuals, a cohort). Analyses
   * adjust for the baseline cluster mean, as the analytic formula (Teerenstra 2012) assumes.
   */
  readonly baseline?: Float64Array;
  /** 0 = control, 1 = intervention, per row. */
  readonly arm: Int32Array;
  /** Cluster code 0..2k−1 per row; clusters 0..k−1 are control. */
  readonly cluster: Int32Array;
  /** Clusters in all (2k). */
  readonly nClusters: number;
}

/** The analysis run on each simulated trial. */
export type TrialAnalysis = (trial: SimulatedTrial) => { estimate: number; pValue: number };

/** Inputs of {@link simulatePower}. */
export interface SimulationPowerInput {
  readonly outcome?: 'continuous' | 'binary';
  /** Clusters per arm. */
  readonly nClusters: number;
  /** Mean cluster size. */
  readonly clusterSize: number;
  readonly cv?: number;
  readonly icc: number;
  /** Continuous: difference in means. */
  readonly effect?: number;
  /** Continuous: total variance (default 1). */
  readonly totalVariance?: number;
  readonly p1?: number;
  readonly p2?: number;
  readonly alpha?: number;
  /** Simulated trials (default 1000). */
  readonly reps?: number;
  readonly seed?: number;
  /** Analysis run on each trial (default {@link clusterMeansTTest}). */
  readonly analysis?: TrialAnalysis;
  /** Name of the analysis for the report (default 't-test on cluster means'). */
  readonly analysisName?: string;
  /** Called with (done, total) about a hundred times; the CLI drives a progress bar with it. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Continuous outcome: also measure a baseline before randomisation (default false). */
  readonly baseline?: boolean;
  /** Continuous outcome: post-randomisation waves, averaged per individual (default 1). */
  readonly waves?: number;
  /** Correlation between waves of a cluster's effect (exchangeable; default 0). */
  readonly clusterAutocorr?: number;
  /** Correlation between waves of an individual's deviation (exchangeable; default 0). */
  readonly individualAutocorr?: number;
}

/** Result of {@link simulatePower}. */
export interface SimulationPowerResult {
  readonly power: number;
  /** Monte Carlo standard error √(p(1 − p)/R). */
  readonly mcse: number;
  /** Wilson 95 % interval for the power. */
  readonly confLow: number;
  readonly confHigh: number;
  readonly reps: number;
  readonly rejections: number;
  /** Trials where the analysis failed (p-value not finite); they count as non-rejections. */
  readonly failures: number;
  readonly meanEstimate: number;
  readonly analysis: string;
  readonly seed: number;
  readonly warnings: StatWarning[];
}

/**
 * Power by simulation with a seeded generator.
 *
 * @example
 * const r = simulatePower({ nClusters: 15, clusterSize: 21, icc: 0.05, effect: 0.3, reps: 2000, seed: 1 });
 * r.power; r.mcse;
 */
export function simulatePower(input: SimulationPowerInput): SimulationPowerResult {
  const outcome = input.outcome ?? 'continuous';
  const k = input.nClusters;
  const m = input.clusterSize;
  const cv = input.cv ?? 0;
  const rho = input.icc;
  const alpha = input.alpha ?? 0.05;
  const reps = input.reps ?? 1000;
  const seed = input.seed ?? 1;
  if (!(Number.isInteger(k) && k >= 2))
    throw new TiltakError('BAD_ARGUMENT', `clusters per arm must be an integer >= 2, got ${k}`);
  if (!(m >= 1)) throw new TiltakError('BAD_ARGUMENT', `cluster size must be >= 1, got ${m}`);
  if (!(rho >= 0 && rho < 1))
    throw new TiltakError('BAD_ARGUMENT', `icc must be in [0, 1), got ${rho}`);
  if (!(cv >= 0)) throw new TiltakError('BAD_ARGUMENT', `cv must be >= 0, got ${cv}`);
  if (!(alpha > 0 && alpha < 1))
    throw new TiltakError('BAD_ARGUMENT', `alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(reps) && reps >= 1))
    throw new TiltakError('BAD_ARGUMENT', `reps must be a positive integer, got ${reps}`);
  const binary = outcome === 'binary';
  const d = input.effect ?? Number.NaN;
  const vart = input.totalVariance ?? 1;
  const p1 = input.p1 ?? Number.NaN;
  const p2 = input.p2 ?? Number.NaN;
  if (binary) {
    if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1)) {
      throw new TiltakError(
        'BAD_ARGUMENT',
        `binary outcome needs p1 and p2 in (0, 1), got ${p1}, ${p2}`,
      );
    }
  } else if (!Number.isFinite(d) || !(vart > 0)) {
    throw new TiltakError(
      'BAD_ARGUMENT',
      `continuous outcome needs an effect and a positive variance`,
    );
  }
  const withBaseline = input.baseline === true;
  const waves = input.waves ?? 1;
  const rhoC = input.clusterAutocorr ?? 0;
  const rhoS = input.individualAutocorr ?? 0;
  if (!(Number.isInteger(waves) && waves >= 1))
    throw new TiltakError('BAD_ARGUMENT', `waves must be a positive integer, got ${waves}`);
  if (!(rhoC >= 0 && rhoC <= 1 && rhoS >= 0 && rhoS <= 1))
    throw new TiltakError(
      'BAD_ARGUMENT',
      `autocorrelations must be in [0, 1] for simulation, got ${rhoC} and ${rhoS}`,
    );
  const repeated = withBaseline || waves > 1;
  if (binary && repeated)
    throw new TiltakError(
      'BAD_ARGUMENT',
      'baseline adjustment and repeated waves are simulated for continuous outcomes only',
    );
  const analysis = input.analysis ?? clusterMeansTTest;
  const rng = createRng(seed);
  const sizes = new Int32Array(2 * k);
  let rejections = 0;
  let failures = 0;
  let sumEst = 0;
  let nEst = 0;
  const step = Math.max(1, Math.floor(reps / 100));
  const sdB = Math.sqrt(rho * vart);
  const sdE = Math.sqrt((1 - rho) * vart);
  for (let r = 0; r < reps; r++) {
    let n = 0;
    for (let j = 0; j < 2 * k; j++) {
      sizes[j] =
        cv > 0 ? Math.max(1, Math.round(gamma(rng, 1 / (cv * cv)) * m * cv * cv)) : Math.round(m);
      n += sizes[j]!;
    }
    const y = new Float64Array(n);
    const arm = new Int32Array(n);
    const cluster = new Int32Array(n);
    const base = withBaseline ? new Float64Array(n) : undefined;
    let row = 0;
    for (let j = 0; j < 2 * k; j++) {
      const a = j < k ? 0 : 1;
      if (repeated) {
        // Exchangeable over waves: a shared part (ρ_c of the cluster variance, ρ_s of the
        // individual variance) plus an independent part per wave.
        const bShared = Math.sqrt(rhoC) * sdB * gauss(rng);
        const bWave = new Float64Array(waves + 1);
        for (let t = 0; t <= waves; t++)
          bWave[t] = bShared + Math.sqrt(1 - rhoC) * sdB * gauss(rng);
        for (let i = 0; i < sizes[j]!; i++, row++) {
          const eShared = Math.sqrt(rhoS) * sdE * gauss(rng);
          const at = (t: number) => bWave[t]! + eShared + Math.sqrt(1 - rhoS) * sdE * gauss(rng);
          if (base !== undefined) base[row] = at(0);
          let post = 0;
          for (let t = 1; t <= waves; t++) post += at(t);
          y[row] = post / waves + a * d;
          arm[row] = a;
          cluster[row] = j;
        }
      } else if (binary) {
        const p = a === 0 ? p1 : p2;
        const pi = rho > 0 ? beta(rng, (p * (1 - rho)) / rho, ((1 - p) * (1 - rho)) / rho) : p;
        for (let i = 0; i < sizes[j]!; i++, row++) {
          y[row] = rng.next() < pi ? 1 : 0;
          arm[row] = a;
          cluster[row] = j;
        }
      } else {
        const b = sdB * gauss(rng) + a * d;
        for (let i = 0; i < sizes[j]!; i++, row++) {
          y[row] = b + sdE * gauss(rng);
          arm[row] = a;
          cluster[row] = j;
        }
      }
    }
    const res = analysis({
      y,
      arm,
      cluster,
      nClusters: 2 * k,
      ...(base === undefined ? {} : { baseline: base }),
    });
    if (Number.isFinite(res.pValue)) {
      if (res.pValue < alpha) rejections++;
    } else failures++;
    if (Number.isFinite(res.estimate)) {
      sumEst += res.estimate;
      nEst++;
    }
    if (input.onProgress !== undefined && ((r + 1) % step === 0 || r + 1 === reps)) {
      input.onProgress(r + 1, reps);
    }
  }
  const power = rejections / reps;
  const z = 1.959963984540054;
  const denom = 1 + (z * z) / reps;
  const centre = (power + (z * z) / (2 * reps)) / denom;
  const half = (z * Math.sqrt((power * (1 - power)) / reps + (z * z) / (4 * reps * reps))) / denom;
  const warnings: StatWarning[] = [];
  if (failures > 0) {
    warnings.push({
      code: 'ANALYSIS_FAILED',
      message: `the analysis failed in ${failures} of ${reps} simulated trials`,
    });
  }
  return {
    power,
    mcse: Math.sqrt((power * (1 - power)) / reps),
    confLow: Math.max(0, centre - half),
    confHigh: Math.min(1, centre + half),
    reps,
    rejections,
    failures,
    meanEstimate: nEst > 0 ? sumEst / nEst : Number.NaN,
    analysis:
      input.analysisName ?? (input.analysis === undefined ? 't-test on cluster means' : 'custom'),
    seed,
    warnings,
  };
}

/**
 * Two-sample Student t test (pooled variance, df = G − 2) on unweighted cluster means: the
 * default analysis of {@link simulatePower}. Returns NaN p-value when an arm has < 1 cluster or
 * the means do not vary.
 *
 * @example
 * clusterMeansTTest(trial); // { estimate: 0.31, pValue: 0.04 }
 */
export function clusterMeansTTest(trial: SimulatedTrial): { estimate: number; pValue: number } {
  if (trial.baseline !== undefined) return clusterMeansAncova(trial, trial.baseline);
  const g = trial.nClusters;
  const { sum, cnt, armOf } = clusterSums(trial);
  const s = [0, 0];
  const ss = [0, 0];
  const nArm = [0, 0];
  for (let c = 0; c < g; c++) {
    const a = armOf[c]!;
    if (a < 0) continue;
    const mean = sum[c]! / cnt[c]!;
    s[a]! += mean;
    ss[a]! += mean * mean;
    nArm[a]! += 1;
  }
  const n0 = nArm[0]!;
  const n1 = nArm[1]!;
  if (n0 < 1 || n1 < 1 || n0 + n1 < 3) return { estimate: Number.NaN, pValue: Number.NaN };
  const m0 = s[0]! / n0;
  const m1 = s[1]! / n1;
  const rss = ss[0]! - n0 * m0 * m0 + ss[1]! - n1 * m1 * m1;
  const df = n0 + n1 - 2;
  const se = Math.sqrt((rss / df) * (1 / n0 + 1 / n1));
  const t = (m1 - m0) / se;
  if (!Number.isFinite(t)) return { estimate: m1 - m0, pValue: Number.NaN };
  return { estimate: m1 - m0, pValue: 2 * tCdf(-Math.abs(t), df) };
}

/**
 * ANCOVA on cluster means: the follow-up cluster mean on arm and the baseline cluster mean, by
 * OLS on the G clusters, t test of arm on G − 3 df (the analytic formula's df).
 */
function clusterMeansAncova(
  trial: SimulatedTrial,
  baseline: Float64Array,
): { estimate: number; pValue: number } {
  const { sum, pre, cnt, armOf } = clusterSums(trial, baseline);
  const rows: [number, number, number][] = [];
  for (let c = 0; c < trial.nClusters; c++)
    if (cnt[c]! > 0) rows.push([sum[c]! / cnt[c]!, armOf[c]!, pre[c]! / cnt[c]!]);
  const G = rows.length;
  if (G < 4) return { estimate: Number.NaN, pValue: Number.NaN };
  // Normal equations of y ~ 1 + arm + pre (3 x 3), solved by Cramer's rule on centred sums.
  let ma = 0;
  let mx = 0;
  let my = 0;
  for (const [yv, a, x] of rows) {
    my += yv / G;
    ma += a / G;
    mx += x / G;
  }
  let saa = 0;
  let sax = 0;
  let sxx = 0;
  let say = 0;
  let sxy = 0;
  for (const [yv, a, x] of rows) {
    saa += (a - ma) ** 2;
    sax += (a - ma) * (x - mx);
    sxx += (x - mx) ** 2;
    say += (a - ma) * (yv - my);
    sxy += (x - mx) * (yv - my);
  }
  const det = saa * sxx - sax * sax;
  if (!(det > 0)) return { estimate: Number.NaN, pValue: Number.NaN };
  const bA = (say * sxx - sxy * sax) / det;
  const bX = (sxy * saa - say * sax) / det;
  let rss = 0;
  for (const [yv, a, x] of rows) {
    const r = yv - my - bA * (a - ma) - bX * (x - mx);
    rss += r * r;
  }
  const df = G - 3;
  const se = Math.sqrt((rss / df) * (sxx / det));
  const t = bA / se;
  if (!Number.isFinite(t)) return { estimate: bA, pValue: Number.NaN };
  return { estimate: bA, pValue: 2 * tCdf(-Math.abs(t), df) };
}

function clusterSums(trial: SimulatedTrial, baseline?: Float64Array) {
  const g = trial.nClusters;
  const sum = new Float64Array(g);
  const pre = new Float64Array(g);
  const cnt = new Float64Array(g);
  const armOf = new Int32Array(g).fill(-1);
  for (let i = 0; i < trial.y.length; i++) {
    const c = trial.cluster[i]!;
    sum[c]! += trial.y[i]!;
    if (baseline !== undefined) pre[c]! += baseline[i]!;
    cnt[c]! += 1;
    armOf[c] = trial.arm[i]!;
  }
  return { sum, pre, cnt, armOf };
}

/**
 * Each row's baseline cluster mean: the covariate every analysis adjusts for with a baseline.
 *
 * @example
 * const x = baselineClusterMeans(trial); // length = rows
 */
export function baselineClusterMeans(trial: SimulatedTrial): Float64Array {
  const { pre, cnt } = clusterSums(trial, trial.baseline);
  const out = new Float64Array(trial.y.length);
  for (let i = 0; i < out.length; i++) {
    const c = trial.cluster[i]!;
    out[i] = pre[c]! / cnt[c]!;
  }
  return out;
}

/** Standard normal by the Marsaglia polar method. */
function gauss(rng: Rng): number {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const v = 2 * rng.next() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the u^(1/a) boost for shape < 1. */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gauss(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/**
 * Randomisation inference for cluster-randomised designs: the observed statistic, its two-sided
 * randomisation p-value over the allocations the design could have produced (exactly or from
 * seeded draws), and a confidence interval for a constant additive effect by test inversion.
 */
import { type StatWarning, TiltakError } from '../errors.ts';
import { createRng } from '../random.ts';
import {
  type AllocationSpace,
  type ClusterContrib,
  countExtreme,
  type ProgressFn,
  sampleAllocations,
  spaceClusters,
  spaceSize,
  statisticFor,
} from './randomization-kernel.ts';

/**
 * Test statistics. `diff-in-means`: mean of treated rows minus mean of control rows.
 * `cluster-means`: the same on cluster means (each cluster weighs one). `ipw`: the difference of
 * inverse-probability-weighted row means, each row weighted by 1 / P(its cluster gets the arm it
 * got) — ri2's default estimator, equal to `diff-in-means` when every cluster has the same
 * probability. It reproduces ri2's blocked-and-clustered vignette (estimate 2, p = 7/36), where
 * blocks treat 1 of 2, 2 of 3 and 2 of 4 clusters.
 *
 * @example
 * const statistic: RiStatistic = 'ipw';
 */
export type RiStatistic = 'diff-in-means' | 'cluster-means' | 'ipw';

/**
 * Input of {@link randomizationTest}. Rows carry the outcome and 0/1 treatment; `cluster` maps rows
 * to cluster codes 0…G−1 (the bit positions of an explicit allocation space).
 *
 * @example
 * const input: RiInput = { outcome, treatment, cluster, nClusters: 7 };
 */
export interface RiInput {
  readonly outcome: Float64Array;
  readonly treatment: ArrayLike<number>;
  readonly cluster: Int32Array;
  readonly nClusters: number;
  /** Block (stratum, pair) code 0…B−1 of each cluster: the design randomised within blocks. */
  readonly blockOfCluster?: Int32Array;
  /** Explicit space of allocations (e.g. the accepted space of a constrained design). */
  readonly space?: Extract<AllocationSpace, { kind: 'masks' }>;
  readonly statistic?: RiStatistic;
  /** Force exact enumeration (true) or sampling (false); default exact up to 1e8 allocations. */
  readonly exact?: boolean;
  /** Number of sampled allocations when not exact (default 10,000). */
  readonly draws?: number;
  readonly seed?: number;
  /** Confidence level for the test-inversion interval; omitted means no interval. */
  readonly ciLevel?: number;
  readonly onProgress?: ProgressFn;
}

/**
 * Result of {@link randomizationTest}.
 *
 * @example
 * const r = randomizationTest(input);
 * console.log(r.observed, r.pValue, r.exact);
 */
export interface RiResult {
  readonly statistic: RiStatistic;
  readonly design: 'complete' | 'blocked' | 'explicit';
  readonly observed: number;
  readonly pValue: number;
  /** Allocations with |T| ≥ |T_obs| (ties within 1e-10 relative count as extreme). */
  readonly extreme: number;
  readonly evaluated: number;
  readonly totalAllocations: number;
  readonly exact: boolean;
  readonly seed: number | null;
  readonly ci: { readonly level: number; readonly low: number; readonly high: number } | null;
  readonly warnings: StatWarning[];
}

/**
 * Relative tolerance under which |T| and |T_obs| count as tied: an allocation is extreme when
 * |T| ≥ |T_obs|·(1 − 1e-10), so rounding in the running sums cannot drop exact ties.
 *
 * @example
 * const extreme = Math.abs(t) >= Math.abs(obs) * (1 - TIE_TOLERANCE);
 */
export const TIE_TOLERANCE = 1e-10;
/**
 * Above this many allocations the default is to sample rather than enumerate.
 *
 * @example
 * const exact = spaceSize(space) <= EXACT_LIMIT;
 */
export const EXACT_LIMIT = 1e8;
/**
 * Forced exact enumeration stops here (minutes of work).
 *
 * @example
 * if (spaceSize(space) > EXACT_HARD_LIMIT) console.log('sample instead');
 */
export const EXACT_HARD_LIMIT = 2 ** 32;
/**
 * Default number of sampled allocations.
 *
 * @example
 * randomizationTest({ ...input, draws: DEFAULT_DRAWS });
 */
export const DEFAULT_DRAWS = 10_000;

interface Prepared {
  contrib: ClusterContrib;
  shift: ClusterContrib;
  zObs: Uint8Array;
  space: AllocationSpace;
  design: RiResult['design'];
  scale: number;
}

/**
 * Two-sided randomisation test of the sharp null of no effect (and, with `ciLevel`, the interval of
 * constant additive effects it does not reject).
 *
 * @example
 * const r = randomizationTest({ outcome: Float64Array.from([15, 15, 20, 20, 10, 15, 30]),
 *   treatment: [1, 0, 0, 0, 0, 0, 1], cluster: Int32Array.from([0, 1, 2, 3, 4, 5, 6]), nClusters: 7 });
 * r.observed; // 6.5
 * r.pValue;   // 8/21
 */
export function randomizationTest(input: RiInput): RiResult {
  const statistic = input.statistic ?? 'diff-in-means';
  const p = prepare(input, statistic);
  const total = spaceSize(p.space);
  const warnings: StatWarning[] = [];
  let exact: boolean;
  if (input.exact !== undefined) exact = input.exact;
  else exact = input.draws === undefined && total <= EXACT_LIMIT;
  if (exact && total > EXACT_HARD_LIMIT) {
    throw new TiltakError(
      'TOO_MANY_ALLOCATIONS',
      `${total} allocations are too many to enumerate (limit ${EXACT_HARD_LIMIT}); sample with draws`,
    );
  }
  const seed = input.seed ?? 1;
  let space = p.space;
  if (!exact) {
    const draws = input.draws ?? DEFAULT_DRAWS;
    if (!Number.isInteger(draws) || draws < 1) {
      throw new TiltakError('BAD_OPTION', `draws must be a positive integer, got ${draws}`);
    }
    const s = sampleAllocations(p.space, draws, createRng(seed));
    space = {
      kind: 'masks',
      n: spaceClusters(p.space),
      words: s.words,
      count: draws,
      masks: s.masks,
    };
  } else if (input.exact === undefined && total > EXACT_LIMIT) {
    warnings.push({ code: 'LARGE_ENUMERATION', message: `enumerating ${total} allocations` });
  }
  const evalAt = (tau: number, progress?: ProgressFn) => {
    const c = tau === 0 ? p.contrib : shifted(p.contrib, p.shift, tau);
    const obs = statisticFor(c, p.zObs);
    const thr = Math.abs(obs) * (1 - TIE_TOLERANCE);
    const { extreme, evaluated } = countExtreme(c, space, thr, progress);
    return { obs, extreme, evaluated, p: extreme / evaluated };
  };
  const at0 = evalAt(0, input.onProgress);
  if (!Number.isFinite(at0.obs)) {
    throw new TiltakError('DEGENERATE_STATISTIC', `the observed statistic is ${at0.obs}`);
  }
  let ci: RiResult['ci'] = null;
  if (input.ciLevel !== undefined) {
    const level = input.ciLevel;
    if (!(level > 0 && level < 1)) {
      throw new TiltakError('BAD_OPTION', `confidence level must be in (0, 1), got ${level}`);
    }
    const alpha = 1 - level;
    const rejects = (tau: number) => evalAt(tau).p <= alpha;
    const low = bound(at0.obs, -1, p.scale, rejects);
    const high = bound(at0.obs, 1, p.scale, rejects);
    if (!Number.isFinite(low) || !Number.isFinite(high)) {
      warnings.push({
        code: 'CI_UNBOUNDED',
        message: `no effect size is rejected at level ${alpha} on one side; the interval is unbounded`,
      });
    }
    ci = { level, low, high };
  }
  return {
    statistic,
    design: p.design,
    observed: at0.obs,
    pValue: at0.p,
    extreme: at0.extreme,
    evaluated: at0.evaluated,
    totalAllocations: total,
    exact,
    seed: exact ? null : seed,
    ci,
    warnings,
  };
}

/**
 * Bisection for one end of the test-inversion interval: step away from the estimate by doubling
 * until a shift is rejected, then halve the bracket until it is narrower than 1e-7 × scale. The
 * p-value is a step function of the shift, so the end is located to that tolerance.
 */
function bound(est: number, dir: -1 | 1, scale: number, rejects: (t: number) => boolean): number {
  let inside = est;
  let step = scale;
  let outside = Number.NaN;
  for (let i = 0; i < 60; i++) {
    const t = est + dir * step;
    if (rejects(t)) {
      outside = t;
      break;
    }
    inside = t;
    step *= 2;
  }
  if (Number.isNaN(outside)) return dir * Number.POSITIVE_INFINITY;
  const tol = 1e-7 * scale;
  while (Math.abs(outside - inside) > tol) {
    const mid = 0.5 * (inside + outside);
    if (rejects(mid)) outside = mid;
    else inside = mid;
  }
  return 0.5 * (inside + outside);
}

function shifted(c: ClusterContrib, s: ClusterContrib, tau: number): ClusterContrib {
  const n = c.aT.length;
  const aT = new Float64Array(n);
  const aC = new Float64Array(n);
  for (let g = 0; g < n; g++) {
    aT[g] = c.aT[g]! - tau * s.aT[g]!;
    aC[g] = c.aC[g]! - tau * s.aC[g]!;
  }
  return { aT, bT: c.bT, aC, bC: c.bC };
}

function prepare(input: RiInput, statistic: RiStatistic): Prepared {
  const { outcome, treatment, cluster, nClusters: G } = input;
  const n = outcome.length;
  if (treatment.length !== n || cluster.length !== n) {
    throw new TiltakError(
      'LENGTH_MISMATCH',
      `outcome has ${n} rows, treatment ${treatment.length}, cluster ${cluster.length}`,
    );
  }
  if (n === 0) throw new TiltakError('EMPTY_DATA', 'no rows to analyse');
  const sumY = new Float64Array(G);
  const count = new Float64Array(G);
  const z = new Int8Array(G).fill(-1);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const y = outcome[i]!;
    const g = cluster[i]!;
    const t = treatment[i]!;
    if (!Number.isFinite(y)) {
      throw new TiltakError('MISSING_VALUE', `outcome is missing or not finite at row ${i + 1}`, {
        row: i + 1,
      });
    }
    if (!(g >= 0 && g < G)) {
      throw new TiltakError('BAD_CLUSTER', `row ${i + 1}: cluster code ${g} outside 0..${G - 1}`);
    }
    if (t !== 0 && t !== 1) {
      throw new TiltakError(
        'BAD_TREATMENT',
        `treatment must be 0 or 1, got '${t}' at row ${i + 1}`,
        {
          row: i + 1,
          value: t,
        },
      );
    }
    if (z[g] === -1) z[g] = t;
    else if (z[g] !== t) {
      throw new TiltakError(
        'TREATMENT_VARIES_IN_CLUSTER',
        `treatment varies within cluster ${g + 1} (row ${i + 1})`,
        { row: i + 1 },
      );
    }
    sumY[g]! += y;
    count[g]!++;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  const zObs = new Uint8Array(G);
  let nT = 0;
  for (let g = 0; g < G; g++) {
    if (z[g] === -1) throw new TiltakError('EMPTY_CLUSTER', `cluster ${g + 1} has no rows`);
    zObs[g] = z[g]!;
    nT += z[g]!;
  }
  if (nT === 0 || nT === G) {
    throw new TiltakError(
      'NO_CONTRAST',
      `need treated and control clusters, got ${nT} of ${G} treated`,
    );
  }
  let space: AllocationSpace;
  let design: Prepared['design'];
  if (input.space !== undefined) {
    if (input.blockOfCluster !== undefined) {
      throw new TiltakError(
        'CONFLICTING_OPTIONS',
        'give either blocks or an explicit allocation space',
      );
    }
    if (input.space.n !== G) {
      throw new TiltakError(
        'DESIGN_MISMATCH',
        `the allocation space covers ${input.space.n} clusters, the data have ${G}`,
      );
    }
    space = input.space;
    design = 'explicit';
    if (!spaceContains(input.space, zObs)) {
      throw new TiltakError(
        'DESIGN_MISMATCH',
        'the observed allocation is not one of the allocations of the design',
      );
    }
  } else if (input.blockOfCluster !== undefined) {
    const blockOf = input.blockOfCluster;
    if (blockOf.length !== G) {
      throw new TiltakError(
        'LENGTH_MISMATCH',
        `blocks given for ${blockOf.length} of ${G} clusters`,
      );
    }
    let nb = 0;
    for (let g = 0; g < G; g++) nb = Math.max(nb, blockOf[g]! + 1);
    const k = new Int32Array(nb);
    for (let g = 0; g < G; g++) k[blockOf[g]!]! += zObs[g]!;
    // One block is a complete design; the streaming kernel handles it without listing subsets.
    space =
      nb === 1
        ? { kind: 'complete', n: G, k: nT }
        : { kind: 'blocked', blockOf, treatedPerBlock: k };
    design = 'blocked';
  } else {
    space = { kind: 'complete', n: G, k: nT };
    design = 'complete';
  }
  const prob = statistic === 'ipw' ? treatmentProbabilities(space, G) : null;
  const aT = new Float64Array(G);
  const bT = new Float64Array(G);
  const aC = new Float64Array(G);
  const bC = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    if (statistic === 'cluster-means') {
      aT[g] = aC[g] = sumY[g]! / count[g]!;
      bT[g] = bC[g] = 1;
    } else if (statistic === 'diff-in-means') {
      aT[g] = aC[g] = sumY[g]!;
      bT[g] = bC[g] = count[g]!;
    } else {
      const pg = prob![g]!;
      if (!(pg > 0 && pg < 1)) {
        throw new TiltakError(
          'DEGENERATE_DESIGN',
          `cluster ${g + 1} is ${pg === 0 ? 'never' : 'always'} treated; IPW is undefined`,
        );
      }
      aT[g] = sumY[g]! / pg;
      bT[g] = count[g]! / pg;
      aC[g] = sumY[g]! / (1 - pg);
      bC[g] = count[g]! / (1 - pg);
    }
  }
  // Shifting treated outcomes by tau moves each a by tau·z·b (see shifted()).
  const sT = new Float64Array(G);
  const sC = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    sT[g] = zObs[g]! * bT[g]!;
    sC[g] = zObs[g]! * bC[g]!;
  }
  const scale = hi > lo ? hi - lo : Math.max(Math.abs(hi), 1);
  return {
    contrib: { aT, bT, aC, bC },
    shift: { aT: sT, bT, aC: sC, bC },
    zObs,
    space,
    design,
    scale,
  };
}

/**
 * Probability that each cluster is treated under a design: k/n (complete), k_b/n_b (blocked), or
 * the share of allocations that treat it (explicit space).
 *
 * @example
 * treatmentProbabilities({ kind: 'complete', n: 4, k: 1 }, 4); // [0.25, 0.25, 0.25, 0.25]
 */
export function treatmentProbabilities(space: AllocationSpace, G: number): Float64Array {
  const p = new Float64Array(G);
  if (space.kind === 'complete') p.fill(space.k / space.n);
  else if (space.kind === 'blocked') {
    const size = new Float64Array(space.treatedPerBlock.length);
    for (let g = 0; g < G; g++) size[space.blockOf[g]!]!++;
    for (let g = 0; g < G; g++) {
      const b = space.blockOf[g]!;
      p[g] = space.treatedPerBlock[b]! / size[b]!;
    }
  } else {
    for (let r = 0; r < space.count; r++) {
      for (let g = 0; g < G; g++) {
        if ((space.masks[r * space.words + (g >>> 5)]! >>> (g & 31)) & 1) p[g]!++;
      }
    }
    for (let g = 0; g < G; g++) p[g] = p[g]! / space.count;
  }
  return p;
}

function spaceContains(space: Extract<AllocationSpace, { kind: 'masks' }>, z: Uint8Array): boolean {
  const target = new Uint32Array(space.words);
  for (let g = 0; g < z.length; g++) if (z[g]) target[g >>> 5]! |= 1 << (g & 31);
  for (let r = 0; r < space.count; r++) {
    let same = true;
    for (let w = 0; w < space.words; w++) {
      if (space.masks[r * space.words + w] !== target[w]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/**
 * Covariate-constrained randomisation: score every allocation of K treated among n clusters with
 * the balance metric, keep the best-balanced share, and report the score distribution.
 *
 * Up to `maxEnumerate` allocations (default 1e8) are enumerated in revolving-door order, so each
 * step moves one cluster in and one out and updates the per-covariate treated sums in O(p). The
 * lowest share is found without holding every score in memory: pass 1 finds the range, mean and SD
 * and builds a histogram over the floating-point bit patterns of the scores; pass 2 keeps
 * allocations below the boundary bin and collects the boundary bin (and the bins holding the
 * quartiles) for an exact sort. Beyond `maxEnumerate`,
 * `samples` distinct allocations are drawn with the seeded generator and treated as the space.
 *
 * Selection rule (cvcrand's): the m = max(1, ⌊cutoff·S⌋) lowest scores are accepted; among
 * allocations whose scores tie (within 1e-9 relative) at the boundary, those earlier in
 * lexicographic order of their treated sets — the order of R's `combn` — are kept, as cvcrand's
 * stable `order()` does. The accepted space is returned in that lexicographic order, which is the
 * order the final draw indexes.
 */

import {
  choose,
  revolvingDoorStart,
  revolvingDoorStep,
} from '../stats/combinatorics/revolving-door.ts';
import { TiltakError } from '../stats/errors.ts';
import type { Rng } from '../stats/random.ts';
import { type BalanceCovariates, type BalanceMetric, scoreWeights } from './balance.ts';

/**
 * Default limit on exhaustive enumeration.
 *
 * @example
 * constrainedSpace(cov, 15, { maxEnumerate: MAX_ENUMERATE }, rng);
 */
export const MAX_ENUMERATE = 1e8;
/**
 * Default number of distinct allocations sampled beyond {@link MAX_ENUMERATE}.
 *
 * @example
 * constrainedSpace(cov, 17, { samples: DEFAULT_SAMPLES }, rng);
 */
export const DEFAULT_SAMPLES = 100_000;

/**
 * Summary of the score over all schemes (or all sampled schemes). Quantiles are R's type 7.
 *
 * @example
 * const d: ScoreDistribution = space.distribution; d.median;
 */
export interface ScoreDistribution {
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly mean: number;
  readonly sd: number;
  /** Score of the last accepted scheme. */
  readonly cutoffScore: number;
}

/**
 * The accepted space of a constrained design, as packed bitmasks (cluster g = bit g & 31 of word
 * g >>> 5), in lexicographic order of treated sets.
 *
 * @example
 * const s = constrainedSpace(cov, 8, { cutoff: 0.1 }, createRng(1)); s.count; // 1287 for Dickinson
 */
export interface ConstrainedSpace {
  readonly n: number;
  readonly k: number;
  readonly words: number;
  readonly count: number;
  readonly masks: Uint32Array;
  /** C(n, k). */
  readonly totalSchemes: number;
  /** Number of schemes scored: all of them, or the sample. */
  readonly schemesScored: number;
  readonly enumerated: boolean;
  readonly distribution: ScoreDistribution;
}

/**
 * Options of {@link constrainedSpace}.
 *
 * @example
 * const o: ConstrainedOptions = { metric: 'l2', cutoff: 0.1 };
 */
export interface ConstrainedOptions {
  readonly metric?: BalanceMetric;
  readonly cutoff?: number;
  readonly maxEnumerate?: number;
  readonly samples?: number;
  /**
   * Randomise within strata: the clusters of each stratum (indices) and how many of them are
   * treated. The space is then every product of within-stratum allocations, scored on the
   * overall balance of the K = Σ treated clusters.
   */
  readonly strata?: {
    readonly members: readonly (readonly number[])[];
    readonly treated: readonly number[];
  };
}

/** Largest space scored in memory (scores and masks): stratified designs and more than 32 clusters. */
export const MAX_IN_MEMORY_ENUMERATE = 5e6;

/**
 * Compute the accepted space. `rng` is used only when sampling (more than `maxEnumerate` schemes).
 *
 * @example
 * const space = constrainedSpace(cov, 15, { cutoff: 0.1 }, createRng(20160101));
 */
export function constrainedSpace(
  cov: BalanceCovariates,
  k: number,
  options: ConstrainedOptions,
  rng: Rng,
): ConstrainedSpace {
  const n = cov.n;
  const metric = options.metric ?? 'l2';
  const cutoff = options.cutoff ?? 0.1;
  if (!Number.isInteger(k) || k < 1 || k >= n) {
    throw new TiltakError('BAD_TREATED', `treated count must be in 1..${n - 1}, got ${k}`);
  }
  if (!(cutoff > 0 && cutoff <= 1)) {
    throw new TiltakError('BAD_OPTION', `cutoff must be in (0, 1], got ${cutoff}`);
  }
  if (options.strata !== undefined)
    return stratifiedSpace(cov, k, metric, cutoff, options, options.strata, rng);
  const total = choose(n, k);
  const maxEnumerate = options.maxEnumerate ?? MAX_ENUMERATE;
  if (total <= maxEnumerate) {
    if (n > 32) {
      // Beyond 32 clusters only small or large k stay under the limit (C(33, 8) is already 1.4e7);
      // those spaces are small enough to score in memory with multi-word masks.
      return enumerateGeneric(cov, k, metric, cutoff, total);
    }
    return enumerateSpace(cov, k, metric, cutoff, total);
  }
  return sampleSpace(cov, k, metric, cutoff, total, options.samples ?? DEFAULT_SAMPLES, rng);
}

/**
 * Number of accepted schemes for S scored schemes: max(1, ⌊cutoff·S⌋), with a 1e-9 guard so that
 * 0.1 × 12,870 counts as 1,287 whatever the rounding of 0.1.
 *
 * @example
 * acceptedCount(12870, 0.1); // 1287
 */
export function acceptedCount(S: number, cutoff: number): number {
  return Math.max(1, Math.floor(cutoff * S + 1e-9));
}

/**
 * Histogram bins are the top bits of the IEEE-754 representation of the (non-negative) score:
 * sign, 11 exponent bits and the leading 9 mantissa bits. That order is the numeric order, so a bin
 * is a relative width of 2^-9 found with no pass for the range and no logarithm.
 */
const BIN_SHIFT = 11;
const NB = 1 << (32 - BIN_SHIFT);

function enumerateSpace(
  cov: BalanceCovariates,
  k: number,
  metric: BalanceMetric,
  cutoff: number,
  total: number,
): ConstrainedSpace {
  const n = cov.n;
  const m = acceptedCount(total, cutoff);
  const st: PassState = {
    mode: 0,
    moments: new Float64Array(5),
    hist: new Float64Array(NB),
    boundary: -1,
    accepted: new Uint32Array(0),
    nAcc: 0,
    candScore: new Float64Array(0),
    candMask: new Uint32Array(0),
    nCand: 0,
    wanted: new Int32Array(NB).fill(-1),
    slots: [],
    fill: new Int32Array(0),
  };
  // Pass 1: range, moments (shifted by the first score against cancellation) and histogram.
  walk(cov, k, metric, st);
  const [min, max, s1, s2, shift] = st.moments as unknown as [
    number,
    number,
    number,
    number,
    number,
  ];
  const mean = shift + s1 / total;
  const sd = total > 1 ? Math.sqrt(Math.max(0, (s2 - (s1 * s1) / total) / (total - 1))) : 0;
  const hist = st.hist;
  const cum = new Float64Array(NB + 1);
  for (let b = 0; b < NB; b++) cum[b + 1] = cum[b]! + hist[b]!;
  const binOfRank = (r: number) => {
    let lo = 0;
    let hi = NB - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid + 1]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const boundary = binOfRank(m - 1);
  const below = cum[boundary]!;
  const slotStart: number[] = [];
  for (const r of quantileRanks(total)) {
    const b = binOfRank(r);
    if (st.wanted[b] === -1) {
      st.wanted[b] = st.slots.length;
      st.slots.push(new Float64Array(hist[b]!));
      slotStart.push(cum[b]!);
    }
  }
  // Pass 2: collect the accepted schemes, the boundary bin and the quartile bins.
  st.mode = 1;
  st.boundary = boundary;
  st.accepted = new Uint32Array(m);
  st.fill = new Int32Array(st.slots.length);
  const nCand = hist[boundary]!;
  st.candScore = new Float64Array(nCand);
  st.candMask = new Uint32Array(nCand);
  walk(cov, k, metric, st);
  const { accepted, candScore, candMask, wanted, slots } = st;
  let nAcc = st.nAcc;
  const order = Array.from({ length: nCand }, (_, i) => i);
  order.sort((i, j) => compareScoreLex(candScore[i]!, candScore[j]!, candMask[i]!, candMask[j]!));
  const need = m - below;
  for (let i = 0; i < need; i++) accepted[nAcc++] = candMask[order[i]!]!;
  const cutoffScore = candScore[order[need - 1]!]!;
  for (const s of slots) s.sort();
  const valueAt = (r: number) => {
    const slot = wanted[binOfRank(r)]!;
    return slots[slot]![r - slotStart[slot]!]!;
  };
  const q = (prob: number) => type7(total, prob, valueAt);
  return {
    n,
    k,
    words: 1,
    count: m,
    masks: sortLex1(accepted),
    totalSchemes: total,
    schemesScored: total,
    enumerated: true,
    distribution: {
      min,
      q1: q(0.25),
      median: q(0.5),
      q3: q(0.75),
      max,
      mean,
      sd,
      cutoffScore,
    },
  };
}

/** 0-based ranks needed for R's type-7 quartiles. */
function quantileRanks(S: number): number[] {
  const r: number[] = [];
  for (const prob of [0.25, 0.5, 0.75]) {
    const h = (S - 1) * prob;
    const lo = Math.floor(h);
    r.push(lo, Math.min(lo + 1, S - 1));
  }
  return r;
}

function type7(S: number, prob: number, valueAt: (r: number) => number): number {
  const h = (S - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, S - 1);
  const a = valueAt(lo);
  return a + (h - lo) * (valueAt(hi) - a);
}

function compareScoreLex(sa: number, sb: number, ma: number, mb: number): number {
  const d = sa - sb;
  if (Math.abs(d) > 1e-9 * Math.max(Math.abs(sa), Math.abs(sb))) return d;
  return compareLex1(ma, mb);
}

/** Lexicographic order of treated sets: the set holding the smallest differing cluster first. */
function compareLex1(a: number, b: number): number {
  const x = (a ^ b) >>> 0;
  if (x === 0) return 0;
  const low = x & -x;
  return (a & low) !== 0 ? -1 : 1;
}

function reverse32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * Sort single-word masks in lexicographic order of their treated sets. With the bits reversed,
 * cluster 0 is the most significant bit, so lexicographic order is descending numeric order and a
 * native typed-array sort does the work.
 */
function sortLex1(masks: Uint32Array): Uint32Array {
  const keys = new Uint32Array(masks.length);
  for (let i = 0; i < masks.length; i++) keys[i] = reverse32(masks[i]!);
  keys.sort();
  const out = new Uint32Array(masks.length);
  for (let i = 0; i < keys.length; i++) out[keys.length - 1 - i] = reverse32(keys[i]!);
  return out;
}

/** What one enumeration pass does with each score; see {@link enumerateSpace}. */
interface PassState {
  mode: 0 | 1;
  /** Mode 0 output: min, max, Σ(s − s₀), Σ(s − s₀)², s₀. */
  moments: Float64Array;
  hist: Float64Array;
  boundary: number;
  accepted: Uint32Array;
  nAcc: number;
  candScore: Float64Array;
  candMask: Uint32Array;
  nCand: number;
  wanted: Int32Array;
  slots: Float64Array[];
  fill: Int32Array;
}

/**
 * Revolving-door walk over all allocations of k of cov.n ≤ 32 clusters (Knuth's Algorithm R,
 * inlined), starting at {0, …, k−1}. The per-score work is inlined by `mode` rather than passed
 * as a callback: a closure over mutable locals costs several times the arithmetic here.
 */
function walk(cov: BalanceCovariates, k: number, metric: BalanceMetric, st: PassState): void {
  const { n, p, x } = cov;
  const w = scoreWeights(cov, metric);
  const fT = 1 / k + 1 / (n - k);
  const fC = 1 / (n - k);
  const l2 = metric === 'l2';
  // Row-major, pre-scaled copy: with x' = x·fT·√w (l2) or x·fT·w (l1) and c = Σx·fC·(same), the
  // term for covariate j is (s'_j − c_j)² or |s'_j − c_j|, and one swap touches two contiguous
  // runs of p values.
  const xr = new Float64Array(n * p);
  const off = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const scale = l2 ? Math.sqrt(w[j]!) : w[j]!;
    let tot = 0;
    for (let g = 0; g < n; g++) {
      xr[g * p + j] = x[j * n + g]! * fT * scale;
      tot += x[j * n + g]!;
    }
    off[j] = tot * fC * scale;
  }
  const s = new Float64Array(p);
  let mask = 0;
  for (let g = 0; g < k; g++) {
    for (let j = 0; j < p; j++) s[j]! += xr[g * p + j]!;
    mask |= 1 << g;
  }
  const mode = st.mode;
  const mom = st.moments;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let s1 = 0;
  let s2 = 0;
  let s0 = Number.NaN;
  const { hist, boundary, accepted, candScore, candMask, wanted, slots, fill } = st;
  const bits = new Float64Array(1);
  const hiWord = new Uint32Array(bits.buffer);
  let nAcc = 0;
  let nCand = 0;
  const c = revolvingDoorStart(n, k);
  const swap = new Int32Array(2);
  let first = true;
  let steps = 0;
  for (;;) {
    if (!first) {
      if (!revolvingDoorStep(c, n, k, swap)) break;
      const out = swap[0]!;
      const into = swap[1]!;
      const oo = out * p;
      const ii = into * p;
      for (let j = 0; j < p; j++) s[j]! += xr[ii + j]! - xr[oo + j]!;
      mask ^= (1 << (out & 31)) | (1 << (into & 31));
      // Re-add the sums from scratch now and then: running updates over 10^8 swaps of
      // non-integer covariates would otherwise drift by ~1e-9 relative and break exact ties.
      if ((++steps & 0xffff) === 0) {
        s.fill(0);
        for (let g = 0; g < n; g++) {
          if ((mask >>> g) & 1) for (let j = 0; j < p; j++) s[j]! += xr[g * p + j]!;
        }
      }
    }
    first = false;
    let score = 0;
    if (l2) {
      for (let j = 0; j < p; j++) {
        const d = s[j]! - off[j]!;
        score += d * d;
      }
    } else {
      for (let j = 0; j < p; j++) score += Math.abs(s[j]! - off[j]!);
    }
    bits[0] = score;
    const b = hiWord[1]! >>> BIN_SHIFT;
    if (mode === 0) {
      if (Number.isNaN(s0)) s0 = score;
      const d = score - s0;
      s1 += d;
      s2 += d * d;
      if (score < min) min = score;
      if (score > max) max = score;
      hist[b]!++;
    } else {
      {
        if (b < boundary) accepted[nAcc++] = mask >>> 0;
        else if (b === boundary) {
          candScore[nCand] = score;
          candMask[nCand++] = mask >>> 0;
        }
        const slot = wanted[b]!;
        if (slot !== -1) slots[slot]![fill[slot]!++] = score;
      }
    }
  }
  mom[0] = min;
  mom[1] = max;
  mom[2] = s1;
  mom[3] = s2;
  mom[4] = s0;
  st.nAcc = nAcc;
  st.nCand = nCand;
}

/** Score of a packed multi-word mask, directly. */
function maskScore(
  cov: BalanceCovariates,
  w: Float64Array,
  k: number,
  metric: BalanceMetric,
  masks: Uint32Array,
  r: number,
  words: number,
): number {
  const { n, p, x } = cov;
  let b = 0;
  for (let j = 0; j < p; j++) {
    let sT = 0;
    let sAll = 0;
    for (let g = 0; g < n; g++) {
      const v = x[j * n + g]!;
      sAll += v;
      if ((masks[r * words + (g >>> 5)]! >>> (g & 31)) & 1) sT += v;
    }
    const d = sT / k - (sAll - sT) / (n - k);
    b += metric === 'l2' ? d * d * w[j]! : Math.abs(d) * w[j]!;
  }
  return b;
}

/** In-memory selection over an explicit list of scored schemes (sampled or small generic). */
function selectInMemory(
  cov: BalanceCovariates,
  k: number,
  cutoff: number,
  total: number,
  masks: Uint32Array,
  words: number,
  count: number,
  metric: BalanceMetric,
  enumerated: boolean,
): ConstrainedSpace {
  const w = scoreWeights(cov, metric);
  const scores = new Float64Array(count);
  for (let r = 0; r < count; r++) scores[r] = maskScore(cov, w, k, metric, masks, r, words);
  const lex = (i: number, j: number) => compareLexWords(masks, i, j, words);
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((i, j) => {
    const sa = scores[i]!;
    const sb = scores[j]!;
    const d = sa - sb;
    if (Math.abs(d) > 1e-9 * Math.max(Math.abs(sa), Math.abs(sb))) return d;
    return lex(i, j);
  });
  const m = acceptedCount(count, cutoff);
  const acc = order.slice(0, m).sort(lex);
  const out = new Uint32Array(m * words);
  acc.forEach((r, i) => {
    for (let v = 0; v < words; v++) out[i * words + v] = masks[r * words + v]!;
  });
  const sorted = Float64Array.from(order, (i) => scores[i]!);
  let mean = 0;
  for (let i = 0; i < count; i++) mean += sorted[i]!;
  mean /= count;
  let ss = 0;
  for (let i = 0; i < count; i++) ss += (sorted[i]! - mean) ** 2;
  const q = (prob: number) => type7(count, prob, (r) => sorted[r]!);
  return {
    n: cov.n,
    k,
    words,
    count: m,
    masks: out,
    totalSchemes: total,
    schemesScored: count,
    enumerated,
    distribution: {
      min: sorted[0]!,
      q1: q(0.25),
      median: q(0.5),
      q3: q(0.75),
      max: sorted[count - 1]!,
      mean,
      sd: count > 1 ? Math.sqrt(ss / (count - 1)) : 0,
      cutoffScore: sorted[m - 1]!,
    },
  };
}

function compareLexWords(masks: Uint32Array, i: number, j: number, words: number): number {
  for (let v = 0; v < words; v++) {
    const a = masks[i * words + v]!;
    const b = masks[j * words + v]!;
    const c = compareLex1(a, b);
    if (c !== 0) return c;
  }
  return 0;
}

/** Exhaustive enumeration for n > 32 (small k only), in memory. */
function enumerateGeneric(
  cov: BalanceCovariates,
  k: number,
  metric: BalanceMetric,
  cutoff: number,
  total: number,
): ConstrainedSpace {
  if (total > MAX_IN_MEMORY_ENUMERATE) {
    throw new TiltakError(
      'TOO_MANY_SCHEMES',
      `${total} schemes of more than 32 clusters are too many to hold; lower --max-enumerate to sample`,
    );
  }
  const words = Math.ceil(cov.n / 32);
  const masks = combinationMasks(
    Array.from({ length: cov.n }, (_, g) => g),
    k,
    words,
  );
  return selectInMemory(cov, k, cutoff, total, masks, words, total, metric, true);
}

function sampleSpace(
  cov: BalanceCovariates,
  k: number,
  metric: BalanceMetric,
  cutoff: number,
  total: number,
  samples: number,
  rng: Rng,
): ConstrainedSpace {
  const words = Math.ceil(cov.n / 32);
  const all = [Array.from({ length: cov.n }, (_, g) => g)];
  const masks = sampleMasks(all, [k], words, samples, rng);
  return selectInMemory(cov, k, cutoff, total, masks, words, samples, metric, false);
}

/**
 * `samples` distinct allocations drawn uniformly, each treating `treated[s]` of the clusters in
 * `members[s]` (one stratum: a plain k-subset). A repeat is discarded and drawn again.
 */
function sampleMasks(
  members: readonly (readonly number[])[],
  treated: readonly number[],
  words: number,
  samples: number,
  rng: Rng,
): Uint32Array {
  if (!Number.isInteger(samples) || samples < 1) {
    throw new TiltakError('BAD_OPTION', `samples must be a positive integer, got ${samples}`);
  }
  const masks = new Uint32Array(samples * words);
  const perms = members.map((m) => Int32Array.from(m));
  const seen = new Set<string>();
  const one = new Uint32Array(words);
  let count = 0;
  while (count < samples) {
    one.fill(0);
    perms.forEach((perm, s) => {
      for (let i = 0; i < treated[s]!; i++) {
        const j = i + rng.nextInt(perm.length - i);
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
        one[perm[i]! >>> 5]! |= 1 << (perm[i]! & 31);
      }
    });
    const key = one.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    masks.set(one, count * words);
    count++;
  }
  return masks;
}

/**
 * Constrained randomisation within strata. Up to {@link MAX_IN_MEMORY_ENUMERATE} schemes (and
 * `maxEnumerate`) every product of within-stratum allocations is scored; beyond, `samples`
 * distinct stratified allocations are drawn (each stratum as a uniform k_s-subset), as the
 * unstratified design samples.
 */
function stratifiedSpace(
  cov: BalanceCovariates,
  k: number,
  metric: BalanceMetric,
  cutoff: number,
  options: ConstrainedOptions,
  strata: NonNullable<ConstrainedOptions['strata']>,
  rng: Rng,
): ConstrainedSpace {
  const n = cov.n;
  const { members, treated } = strata;
  if (members.length !== treated.length || members.length === 0)
    throw new TiltakError('BAD_OPTION', 'strata need one treated count per stratum');
  const seenCluster = new Uint8Array(n);
  let sumK = 0;
  members.forEach((m, s) => {
    const ks = treated[s]!;
    if (!Number.isInteger(ks) || ks < 0 || ks > m.length)
      throw new TiltakError(
        'BAD_TREATED',
        `stratum ${s + 1} has ${m.length} clusters and cannot treat ${ks}`,
      );
    for (const g of m) {
      if (!(g >= 0 && g < n) || seenCluster[g])
        throw new TiltakError('BAD_OPTION', `cluster ${g} is in no stratum or in two`);
      seenCluster[g] = 1;
    }
    sumK += ks;
  });
  if (sumK !== k || seenCluster.some((v) => v === 0))
    throw new TiltakError(
      'BAD_OPTION',
      `strata must cover every cluster once and treat ${k} in all (they treat ${sumK})`,
    );
  const total = members.reduce((t, m, s) => t * choose(m.length, treated[s]!), 1);
  const words = Math.ceil(n / 32);
  const limit = Math.min(options.maxEnumerate ?? MAX_ENUMERATE, MAX_IN_MEMORY_ENUMERATE);
  if (total <= limit) {
    // Mixed-radix walk over the strata's combinations (each listed in lexicographic order).
    const combos = members.map((m, s) => combinationMasks(m, treated[s]!, words));
    const masks = new Uint32Array(total * words);
    const digit = new Int32Array(members.length);
    for (let r = 0; r < total; r++) {
      for (let s = 0; s < members.length; s++) {
        const c = combos[s]!;
        for (let v = 0; v < words; v++) masks[r * words + v]! |= c[digit[s]! * words + v]!;
      }
      for (let s = members.length - 1; s >= 0; s--) {
        digit[s]!++;
        if (digit[s]! < combos[s]!.length / words) break;
        digit[s] = 0;
      }
    }
    return selectInMemory(cov, k, cutoff, total, masks, words, total, metric, true);
  }
  const samples = options.samples ?? DEFAULT_SAMPLES;
  const masks = sampleMasks(members, treated, words, samples, rng);
  return selectInMemory(cov, k, cutoff, total, masks, words, samples, metric, false);
}

/** Packed masks of every k-subset of `clusters`, in lexicographic order of positions. */
function combinationMasks(clusters: readonly number[], k: number, words: number): Uint32Array {
  const m = clusters.length;
  const count = choose(m, k);
  const out = new Uint32Array(count * words);
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < k; i++) {
      const g = clusters[idx[i]!]!;
      out[r * words + (g >>> 5)]! |= 1 << (g & 31);
    }
    let i = k - 1;
    while (i >= 0 && idx[i] === m - k + i) i--;
    if (i < 0) break;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
  return out;
}

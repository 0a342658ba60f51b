/**
 * Cluster randomisation: complete, stratified, pair-matched and covariate-constrained schemes,
 * driven by a plain-data {@link DesignSpec} and a seed so that an allocation record can regenerate
 * the draw exactly.
 *
 * Order of random draws (part of the record's contract): complete — a partial Fisher–Yates over
 * the clusters in id order; stratified — the same within each stratum, strata in code-point order;
 * pairs — one `nextInt(2)` per pair, pairs in code-point order, picking the first (0) or second (1)
 * cluster of the pair in id order; constrained — the sampling of schemes (only beyond
 * `max_enumerate`), then one `nextInt(count)` into the accepted space in lexicographic order.
 */

import { choose } from '../stats/combinatorics/revolving-door.ts';
import { dataFrame } from '../stats/data-frame.ts';
import { type StatWarning, TiltakError } from '../stats/errors.ts';
import { createRng } from '../stats/random.ts';
import {
  type BalanceCovariates,
  type BalanceMetric,
  type BalanceRow,
  balanceCovariates,
  balanceScore,
  balanceTable,
} from './balance.ts';
import {
  type ConstrainedSpace,
  constrainedSpace,
  DEFAULT_SAMPLES,
  MAX_ENUMERATE,
} from './constrained.ts';
import { type PairValidity, pairValidity } from './validity.ts';

/**
 * Randomisation schemes.
 *
 * @example
 * const scheme: Scheme = 'constrained';
 */
export type Scheme = 'complete' | 'stratified' | 'pairs' | 'constrained';

/**
 * Everything that determines the allocation space, as plain JSON data (snake_case, since it is
 * stored verbatim in allocation records).
 *
 * @example
 * const spec: DesignSpec = { ids: ['a', 'b', 'c', 'd'], treated: 2, scheme: 'complete',
 *   strata: null, pairs: null, balance: null, metric: 'l2', cutoff: 0.1,
 *   max_enumerate: 1e8, samples: 100000 };
 */
export interface DesignSpec {
  ids: string[];
  treated: number;
  scheme: Scheme;
  /** Stratum of each cluster (stratified), else null. */
  strata: string[] | null;
  /** Pair of each cluster (pairs), else null. */
  pairs: string[] | null;
  /** Balance columns and their values per cluster (constrained), else null. */
  balance: { columns: string[]; values: (number | string | null)[][] } | null;
  metric: BalanceMetric;
  cutoff: number;
  max_enumerate: number;
  samples: number;
}

/**
 * Result of {@link randomize}.
 *
 * @example
 * const r = randomize(spec, 20160101);
 * r.treatedIds;
 */
export interface RandomizeResult {
  readonly spec: DesignSpec;
  readonly seed: number;
  /** 0/1 per cluster, in the order of `spec.ids`. */
  readonly treated: Uint8Array;
  readonly treatedIds: string[];
  readonly controlIds: string[];
  readonly totalSchemes: number;
  readonly acceptedSchemes: number;
  /** Constrained only: the accepted space, the chosen index in it and its score. */
  readonly space: ConstrainedSpace | null;
  readonly chosenIndex: number | null;
  readonly chosenScore: number | null;
  readonly covariates: BalanceCovariates | null;
  readonly balance: BalanceRow[] | null;
  readonly validity: PairValidity | null;
  /** Stratified only: clusters and treated count per stratum. */
  readonly strata: { stratum: string; clusters: number; treated: number }[] | null;
  readonly warnings: StatWarning[];
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Build a {@link DesignSpec} with defaults filled in and the scheme inferred: `pairs` when pairs
 * are given, `constrained` with balance columns (within strata when strata are given too),
 * `stratified` with strata only, else `complete`.
 *
 * @example
 * const spec = designSpec({ ids: ['a', 'b', 'c', 'd'], treated: 2 });
 */
export function designSpec(input: {
  ids: readonly string[];
  treated: number;
  strata?: readonly string[];
  pairs?: readonly string[];
  balance?: { columns: string[]; values: (number | string | null)[][] };
  metric?: BalanceMetric;
  cutoff?: number;
  maxEnumerate?: number;
  samples?: number;
}): DesignSpec {
  if (input.pairs !== undefined && (input.strata !== undefined || input.balance !== undefined)) {
    throw new TiltakError(
      'CONFLICTING_OPTIONS',
      'a pair-matched design cannot also have strata or balance columns',
    );
  }
  // Balance columns with strata: constrained randomisation within strata.
  const scheme: Scheme =
    input.pairs !== undefined
      ? 'pairs'
      : input.balance !== undefined
        ? 'constrained'
        : input.strata !== undefined
          ? 'stratified'
          : 'complete';
  return {
    ids: [...input.ids],
    treated: input.treated,
    scheme,
    strata: input.strata ? [...input.strata] : null,
    pairs: input.pairs ? [...input.pairs] : null,
    balance: input.balance ?? null,
    metric: input.metric ?? 'l2',
    cutoff: input.cutoff ?? 0.1,
    max_enumerate: input.maxEnumerate ?? MAX_ENUMERATE,
    samples: input.samples ?? DEFAULT_SAMPLES,
  };
}

/**
 * Largest-remainder (Hamilton) split of K treated clusters across strata proportionally to their
 * sizes: each stratum gets ⌊K·n_s/n⌋, and the remaining clusters go one each to the strata with
 * the largest remainders K·n_s/n − ⌊K·n_s/n⌋, ties to the stratum first in code-point order.
 *
 * @example
 * splitTreated([10, 10, 9], 15); // [5, 5, 5]
 */
export function splitTreated(sizes: readonly number[], k: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const quota = sizes.map((s) => (k * s) / n);
  const out = quota.map((q) => Math.floor(q + 1e-12));
  let left = k - out.reduce((a, b) => a + b, 0);
  const order = quota
    .map((q, i) => ({ i, r: q - out[i]! }))
    .sort((a, b) => (Math.abs(b.r - a.r) > 1e-12 ? b.r - a.r : a.i - b.i));
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/**
 * Randomise clusters according to `spec` with the given seed. Deterministic: the same spec and
 * seed give the same allocation (and, for constrained designs, the same accepted space).
 *
 * @example
 * const r = randomize(designSpec({ ids: ['a', 'b', 'c', 'd'], treated: 2 }), 7);
 * r.treatedIds.length; // 2
 * randomize(spec, 7, { validity: false }); // skip the pairwise validity check
 */
export function randomize(
  spec: DesignSpec,
  seed: number,
  options: { validity?: boolean } = {},
): RandomizeResult {
  validateSpec(spec);
  if (!Number.isSafeInteger(seed)) {
    throw new TiltakError('BAD_OPTION', `seed must be an integer, got ${seed}`);
  }
  const n = spec.ids.length;
  const K = spec.treated;
  const rng = createRng(seed);
  const treated = new Uint8Array(n);
  const warnings: StatWarning[] = [];
  let totalSchemes: number;
  let space: ConstrainedSpace | null = null;
  let chosenIndex: number | null = null;
  let chosenScore: number | null = null;
  let covariates: BalanceCovariates | null = null;
  let strataOut: RandomizeResult['strata'] = null;
  const drawWithin = (members: number[], k: number) => {
    const idx = Int32Array.from(members);
    for (let i = 0; i < k; i++) {
      const j = i + rng.nextInt(idx.length - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
      treated[idx[i]!] = 1;
    }
  };
  if (spec.scheme === 'complete') {
    totalSchemes = choose(n, K);
    drawWithin(
      Array.from({ length: n }, (_, i) => i),
      K,
    );
  } else if (spec.scheme === 'stratified') {
    const st = strataPlan(spec.strata!, K, warnings);
    strataOut = st.out;
    totalSchemes = 1;
    st.members.forEach((members, i) => {
      const k = st.treated[i]!;
      totalSchemes *= choose(members.length, k);
      drawWithin(members, k);
    });
  } else if (spec.scheme === 'pairs') {
    const groups = groupBy(spec.pairs!);
    const names = [...groups.keys()].sort(byCodePoint);
    for (const s of names) {
      const size = groups.get(s)!.length;
      if (size !== 2) {
        throw new TiltakError('BAD_PAIR', `pair '${s}' has ${size} clusters, expected 2`, {
          pair: s,
        });
      }
    }
    if (K !== names.length) {
      throw new TiltakError(
        'BAD_TREATED',
        `a pair-matched design treats one cluster per pair: ${names.length}, not ${K}`,
      );
    }
    totalSchemes = 2 ** names.length;
    for (const s of names) treated[groups.get(s)![rng.nextInt(2)]!] = 1;
  } else {
    const b = spec.balance!;
    const cols: Record<string, (number | null)[] | (string | null)[]> = {};
    b.columns.forEach((c, j) => {
      cols[c] = b.values[j]! as (number | null)[] | (string | null)[];
    });
    covariates = balanceCovariates(dataFrame(cols), b.columns);
    const st = spec.strata === null ? null : strataPlan(spec.strata, K, warnings);
    if (st !== null) strataOut = st.out;
    space = constrainedSpace(
      covariates,
      K,
      {
        metric: spec.metric,
        cutoff: spec.cutoff,
        maxEnumerate: spec.max_enumerate,
        samples: spec.samples,
        ...(st === null ? {} : { strata: { members: st.members, treated: st.treated } }),
      },
      rng,
    );
    totalSchemes = space.totalSchemes;
    chosenIndex = rng.nextInt(space.count);
    for (let g = 0; g < n; g++) {
      treated[g] = (space.masks[chosenIndex * space.words + (g >>> 5)]! >>> (g & 31)) & 1;
    }
    chosenScore = balanceScore(covariates, treated, spec.metric);
    if (!space.enumerated) {
      warnings.push({
        code: 'SAMPLED_SPACE',
        message: `${totalSchemes} schemes exceed ${spec.max_enumerate}; scored ${space.schemesScored} distinct sampled schemes`,
      });
    }
  }
  // The pairwise check is O(accepted · k²); regenerating a record's space does not need it.
  const validity = space && options.validity !== false ? pairValidity(space) : null;
  if (validity && (validity.alwaysTogether > 0 || validity.alwaysApart > 0)) {
    warnings.push({
      code: 'CONSTRAINED_TOO_TIGHTLY',
      message: `${validity.alwaysTogether} pairs of clusters are always together and ${validity.alwaysApart} always apart in the accepted space`,
    });
  }
  return {
    spec,
    seed,
    treated,
    treatedIds: spec.ids.filter((_, g) => treated[g] === 1),
    controlIds: spec.ids.filter((_, g) => treated[g] === 0),
    totalSchemes,
    acceptedSchemes: space ? space.count : totalSchemes,
    space,
    chosenIndex,
    chosenScore,
    covariates,
    balance: covariates ? balanceTable(covariates, treated) : null,
    validity,
    strata: strataOut,
    warnings,
  };
}

/**
 * The strata in code-point order, their clusters, and the treated count of each by the
 * largest-remainder split; refuses a stratum of one cluster and warns on one without randomness.
 */
function strataPlan(labels: readonly string[], K: number, warnings: StatWarning[]) {
  const groups = groupBy(labels);
  const names = [...groups.keys()].sort(byCodePoint);
  for (const s of names) {
    const size = groups.get(s)!.length;
    if (size < 2) {
      throw new TiltakError(
        'STRATUM_TOO_SMALL',
        `stratum '${s}' has ${size} cluster; each stratum needs at least 2 to randomise`,
        { stratum: s },
      );
    }
  }
  const members = names.map((s) => groups.get(s)!);
  const treated = splitTreated(
    members.map((m) => m.length),
    K,
  );
  names.forEach((s, i) => {
    const k = treated[i]!;
    if (k === 0 || k === members[i]!.length) {
      warnings.push({
        code: 'STRATUM_DETERMINISTIC',
        message: `stratum '${s}' gets ${k} of ${members[i]!.length} treated: no randomisation within it`,
      });
    }
  });
  const out = names.map((s, i) => ({
    stratum: s,
    clusters: members[i]!.length,
    treated: treated[i]!,
  }));
  return { members, treated, out };
}

function groupBy(labels: readonly string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const list = m.get(l);
    if (list) list.push(i);
    else m.set(l, [i]);
  });
  return m;
}

function validateSpec(spec: DesignSpec): void {
  const n = spec.ids.length;
  const seen = new Set<string>();
  spec.ids.forEach((id, i) => {
    if (id === '') throw new TiltakError('MISSING_VALUE', `cluster id is missing at row ${i + 1}`);
    if (seen.has(id)) {
      throw new TiltakError('DUPLICATE_ID', `cluster id '${id}' appears twice (row ${i + 1})`, {
        row: i + 1,
        value: id,
      });
    }
    seen.add(id);
  });
  if (!Number.isInteger(spec.treated) || spec.treated < 1 || spec.treated >= n) {
    throw new TiltakError(
      'BAD_TREATED',
      `number treated must be between 1 and ${n - 1} (there are ${n} clusters), got ${spec.treated}`,
      { value: spec.treated },
    );
  }
  for (const [name, v] of [
    ['strata', spec.strata],
    ['pairs', spec.pairs],
  ] as const) {
    if (v === null) continue;
    if (v.length !== n) {
      throw new TiltakError('LENGTH_MISMATCH', `${name} given for ${v.length} of ${n} clusters`);
    }
    v.forEach((s, i) => {
      if (s === '' || s === null) {
        throw new TiltakError('MISSING_VALUE', `${name} value is missing at row ${i + 1}`, {
          row: i + 1,
        });
      }
    });
  }
  if (spec.balance) {
    spec.balance.values.forEach((v, j) => {
      if (v.length !== n) {
        throw new TiltakError(
          'LENGTH_MISMATCH',
          `balance column '${spec.balance!.columns[j]}' has ${v.length} values for ${n} clusters`,
        );
      }
    });
  }
}

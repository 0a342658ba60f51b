/**
 * The randomisation distribution behind a plan's randomisation test, for the histogram. A plan run
 * records only the observed statistic and the p-value (`RiOutcome`), so the report redraws the
 * distribution from the data: the same statistic under seeded allocations of the design.
 */
import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import { createRng } from '../stats/random.ts';

/**
 * Options of {@link randomizationDistribution}.
 *
 * @example
 * const o: RandomizationDistributionOptions = { outcome: 'income', treatment: 'arm', treated: 'HOLF',
 *   cluster: 'office', statistic: 'cluster-means', draws: 20000, seed: 1 };
 */
export interface RandomizationDistributionOptions {
  outcome: string;
  treatment: string;
  treated: string;
  cluster: string;
  statistic: 'diff-in-means' | 'cluster-means';
  draws: number;
  seed: number;
}

/**
 * The test statistic (treated minus control; `cluster-means` weighs each cluster once) under the
 * observed allocation and `draws` allocations drawn by complete randomisation of the observed
 * number of treated clusters with the seeded generator — the design `runPlan` assumes when it is
 * given no allocation space. A constrained design's distribution needs its accepted allocations.
 *
 * @example
 * const { observed, statistics } = randomizationDistribution(t2, { outcome: 'income',
 *   treatment: 'arm', treated: 'HOLF', cluster: 'office', statistic: 'cluster-means',
 *   draws: 20000, seed: 20160101 });
 */
export function randomizationDistribution(
  data: DataFrame,
  o: RandomizationDistributionOptions,
): { observed: number; statistics: Float64Array } {
  const y = data.columns.get(o.outcome);
  const arm = data.columns.get(o.treatment);
  const cl = data.columns.get(o.cluster);
  if (y === undefined || y.kind !== 'numeric' || arm === undefined || cl === undefined) {
    throw new TiltakError(
      'UNKNOWN_COLUMN',
      `randomisation distribution needs numeric '${o.outcome}' and columns '${o.treatment}', '${o.cluster}'`,
    );
  }
  const index = new Map<string, number>();
  const sum: number[] = [];
  const n: number[] = [];
  const treated: number[] = [];
  for (let i = 0; i < data.nrow; i++) {
    const v = y.values[i]!;
    const g = cl.values[i];
    if (Number.isNaN(v) || g === null) continue;
    let c = index.get(String(g));
    if (c === undefined) {
      c = index.size;
      index.set(String(g), c);
      sum.push(0);
      n.push(0);
      treated.push(String(arm.values[i]) === o.treated ? 1 : 0);
    }
    sum[c]! += v;
    n[c]! += 1;
  }
  const G = index.size;
  const a = Float64Array.from({ length: G }, (_, g) =>
    o.statistic === 'cluster-means' ? sum[g]! / n[g]! : sum[g]!,
  );
  const b = Float64Array.from({ length: G }, (_, g) =>
    o.statistic === 'cluster-means' ? 1 : n[g]!,
  );
  const stat = (z: ArrayLike<number>) => {
    let sT = 0;
    let nT = 0;
    let sC = 0;
    let nC = 0;
    for (let g = 0; g < G; g++) {
      if (z[g]) {
        sT += a[g]!;
        nT += b[g]!;
      } else {
        sC += a[g]!;
        nC += b[g]!;
      }
    }
    return sT / nT - sC / nC;
  };
  const k = treated.reduce((s, t) => s + t, 0);
  if (k === 0 || k === G) {
    throw new TiltakError(
      'SINGLE_ARM',
      'every cluster is in one arm: no randomisation distribution',
    );
  }
  const rng = createRng(o.seed);
  const z = new Uint8Array(G);
  const perm = Int32Array.from({ length: G }, (_, g) => g);
  const statistics = new Float64Array(o.draws);
  for (let r = 0; r < o.draws; r++) {
    // Partial Fisher–Yates: the first k of a random permutation are the treated clusters.
    z.fill(0);
    for (let i = 0; i < k; i++) {
      const j = i + rng.nextInt(G - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
      z[perm[i]!] = 1;
    }
    statistics[r] = stat(z);
  }
  return { observed: stat(treated), statistics };
}

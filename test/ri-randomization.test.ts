import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { balanceCovariates } from '../src/design/balance.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { dataFrame } from '../src/stats/data-frame.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { type RiInput, randomizationTest } from '../src/stats/inference/randomization.ts';
import { adjustedResiduals } from '../src/stats/inference/randomization-adjusted.ts';
import {
  countExtreme,
  sampleAllocations,
  statisticFor,
} from '../src/stats/inference/randomization-kernel.ts';
import { createRng } from '../src/stats/random.ts';

const ref = JSON.parse(readFileSync('test/fixtures/r/design-ri.json', 'utf8')).ri;
const trial = readCsv('test/fixtures/data/design-trial.csv');
const num = (c: string) => (trial.columns.get(c) as { values: Float64Array }).values;
const chr = (c: string) => (trial.columns.get(c) as unknown as { values: string[] }).values;
const clusterIds = [...new Set(chr('cluster'))].sort();
const cluster = Int32Array.from(chr('cluster'), (c) => clusterIds.indexOf(c));
const blockOfCluster = new Int32Array(10);
chr('block').forEach((b, i) => {
  blockOfCluster[cluster[i]!] = b === 'A' ? 0 : 1;
});
const base: RiInput = { outcome: num('y'), treatment: num('treat'), cluster, nClusters: 10 };

// Closed forms over the same allocations: only summation order differs, so 1e-12 relative.
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.abs(b));

describe('randomizationTest against R brute force (test/fixtures/r/design-ri.R)', () => {
  it('complete design, difference in means and cluster means', () => {
    const d = randomizationTest(base);
    close(d.observed, ref.complete_diff.observed);
    expect([d.extreme, d.evaluated, d.exact]).toEqual([ref.complete_diff.extreme, 210, true]);
    const c = randomizationTest({ ...base, statistic: 'cluster-means' });
    close(c.observed, ref.complete_cluster.observed);
    expect([c.extreme, c.evaluated]).toEqual([ref.complete_cluster.extreme, 210]);
  });

  it('blocked design with unequal probabilities: difference in means and IPW', () => {
    const d = randomizationTest({ ...base, blockOfCluster });
    expect(d.design).toBe('blocked');
    expect([d.extreme, d.evaluated]).toEqual([ref.blocked_diff.extreme, ref.n_blocked]);
    const w = randomizationTest({ ...base, blockOfCluster, statistic: 'ipw' });
    close(w.observed, ref.blocked_ipw.observed);
    expect([w.extreme, w.evaluated]).toEqual([ref.blocked_ipw.extreme, 90]);
  });

  it('adjusted statistics: OLS and logistic residuals (cvcrand cptest)', () => {
    const x = num('x');
    const cov = balanceCovariates(dataFrame({ x }), ['x']);
    const ols = adjustedResiduals(num('y'), cov.x, 1, ['x']);
    expect(ols.family).toBe('gaussian');
    const a = randomizationTest({ ...base, outcome: ols.residuals, statistic: 'cluster-means' });
    expect(Math.abs(a.observed - ref.adjusted_ols.observed)).toBeLessThan(1e-10);
    expect(a.extreme).toBe(ref.adjusted_ols.extreme);
    const lg = adjustedResiduals(num('yb'), cov.x, 1, ['x']);
    expect(lg.family).toBe('binomial');
    const b = randomizationTest({ ...base, outcome: lg.residuals, statistic: 'cluster-means' });
    // IRLS converges to ~1e-8 relative deviance, so residuals agree to ~1e-8.
    expect(Math.abs(b.observed - ref.adjusted_logit.observed)).toBeLessThan(1e-7);
    expect(b.extreme).toBe(ref.adjusted_logit.extreme);
  });

  it('test-inversion interval matches the exact breakpoint solution', () => {
    const r = randomizationTest({ ...base, ciLevel: 0.95 });
    // Bisection stops at 1e-7 × the outcome range.
    expect(Math.abs(r.ci!.low - ref.ci_complete_diff_95.low)).toBeLessThan(1e-6);
    expect(Math.abs(r.ci!.high - ref.ci_complete_diff_95.high)).toBeLessThan(1e-6);
  });
});

describe('kernels against naive enumeration', () => {
  function naive(input: { n: number; k: number; y: number[] }): number[] {
    const stats: number[] = [];
    for (let m = 0; m < 1 << input.n; m++) {
      const z = Array.from({ length: input.n }, (_, g) => (m >>> g) & 1);
      if (z.reduce((a, b) => a + b, 0) !== input.k) continue;
      const t = input.y.filter((_, g) => z[g]);
      const c = input.y.filter((_, g) => !z[g]);
      stats.push(t.reduce((a, b) => a + b, 0) / t.length - c.reduce((a, b) => a + b, 0) / c.length);
    }
    return stats;
  }
  it('complete spaces of every size up to n = 12 give the naive counts', () => {
    const rng = createRng(3);
    for (let n = 2; n <= 12; n++) {
      for (let k = 1; k < n; k++) {
        const y = Array.from({ length: n }, () => Math.round(rng.next() * 20));
        const ones = new Float64Array(n).fill(1);
        const contrib = { aT: Float64Array.from(y), bT: ones, aC: Float64Array.from(y), bC: ones };
        const all = naive({ n, k, y });
        const thr = Math.abs(all[Math.floor(all.length / 3)]!);
        const want = all.filter((s) => Math.abs(s) >= thr * (1 - 1e-10)).length;
        const got = countExtreme(contrib, { kind: 'complete', n, k }, thr * (1 - 1e-10));
        expect([got.extreme, got.evaluated]).toEqual([want, all.length]);
      }
    }
  });

  it('draws allocations of the right sizes, reproducibly', () => {
    const s1 = sampleAllocations(
      { kind: 'blocked', blockOf: blockOfCluster, treatedPerBlock: Int32Array.from([2, 4]) },
      500,
      createRng(5),
    );
    const s2 = sampleAllocations(
      { kind: 'blocked', blockOf: blockOfCluster, treatedPerBlock: Int32Array.from([2, 4]) },
      500,
      createRng(5),
    );
    expect(s1.masks).toEqual(s2.masks);
    for (const m of s1.masks) {
      let inA = 0;
      let inB = 0;
      for (let g = 0; g < 10; g++) if ((m >>> g) & 1) blockOfCluster[g] === 0 ? inA++ : inB++;
      expect([inA, inB]).toEqual([2, 4]);
    }
  });

  it('statisticFor agrees with the enumeration', () => {
    const y = Float64Array.from([1, 5, 2, 8]);
    const n = Float64Array.from([1, 2, 1, 3]);
    const c = { aT: y, bT: n, aC: y, bC: n };
    expect(statisticFor(c, [1, 0, 1, 0])).toBeCloseTo(3 / 2 - 13 / 5, 14);
  });
});

describe('randomizationTest behaviour', () => {
  it('sampling is seeded, does not include the observed allocation, and approximates the exact p', () => {
    const a = randomizationTest({ ...base, draws: 4000, seed: 9 });
    const b = randomizationTest({ ...base, draws: 4000, seed: 9 });
    expect(a.exact).toBe(false);
    expect(a.pValue).toBe(b.pValue);
    const exact = ref.complete_diff.extreme / 210;
    expect(Math.abs(a.pValue - exact)).toBeLessThan(5 * Math.sqrt((exact * (1 - exact)) / 4000));
  });

  it('is invariant to row order', () => {
    const perm = Int32Array.from({ length: base.outcome.length }, (_, i) => i);
    const rng = createRng(2);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const shuffled: RiInput = {
      outcome: Float64Array.from(perm, (i) => base.outcome[i]!),
      treatment: Array.from(perm, (i) => base.treatment[i]!),
      cluster: Int32Array.from(perm, (i) => base.cluster[i]!),
      nClusters: 10,
    };
    const a = randomizationTest(base);
    const b = randomizationTest(shuffled);
    expect(b.extreme).toBe(a.extreme);
    close(b.observed, a.observed);
  });

  it('with singleton clusters, cluster means equal unit means', () => {
    const y = Float64Array.from([15, 15, 20, 20, 10, 15, 30]);
    const input: RiInput = {
      outcome: y,
      treatment: [1, 0, 0, 0, 0, 0, 1],
      cluster: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
      nClusters: 7,
    };
    const a = randomizationTest(input);
    const b = randomizationTest({ ...input, statistic: 'cluster-means' });
    expect([a.observed, a.extreme]).toEqual([b.observed, b.extreme]);
  });

  it('reports progress up to the total, and a single block equals the complete design', () => {
    const seen: number[] = [];
    const r = randomizationTest({ ...base, onProgress: (done, total) => seen.push(done, total) });
    expect(seen.slice(-2)).toEqual([210, 210]);
    const one = randomizationTest({ ...base, blockOfCluster: new Int32Array(10) });
    expect([one.extreme, one.evaluated]).toEqual([r.extreme, r.evaluated]);
  });

  it('refuses to enumerate astronomically many allocations', () => {
    const n = 70;
    const input: RiInput = {
      outcome: Float64Array.from({ length: n }, (_, i) => i),
      treatment: Array.from({ length: n }, (_, i) => (i < 35 ? 1 : 0)),
      cluster: Int32Array.from({ length: n }, (_, i) => i),
      nClusters: n,
    };
    let code = 'none';
    try {
      randomizationTest({ ...input, exact: true });
    } catch (e) {
      code = isTiltakError(e) ? e.code : 'other';
    }
    expect(code).toBe('TOO_MANY_ALLOCATIONS');
    const sampled = randomizationTest(input);
    expect([sampled.exact, sampled.evaluated]).toEqual([false, 10_000]);
  });

  it('rejects misuse with stable codes', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isTiltakError(e) ? e.code : 'other';
      }
      return 'none';
    };
    const t = Array.from(base.treatment);
    t[1] = 1 - t[1]!; // rows 1 and 2 are the same cluster
    expect(code(() => randomizationTest({ ...base, treatment: t }))).toBe(
      'TREATMENT_VARIES_IN_CLUSTER',
    );
    const y = Float64Array.from(base.outcome);
    y[3] = Number.NaN;
    expect(code(() => randomizationTest({ ...base, outcome: y }))).toBe('MISSING_VALUE');
    expect(code(() => randomizationTest({ ...base, treatment: t.map(() => 2) }))).toBe(
      'BAD_TREATMENT',
    );
    expect(
      code(() =>
        randomizationTest({
          ...base,
          treatment: Array.from(base.treatment, () => 0),
        }),
      ),
    ).toBe('NO_CONTRAST');
    expect(
      code(() =>
        randomizationTest({
          ...base,
          space: { kind: 'masks', n: 10, words: 1, count: 1, masks: Uint32Array.from([0b11111]) },
        }),
      ),
    ).toBe('DESIGN_MISMATCH');
  });
});

const anchors = '../shared/data/anchors';
describe.skipIf(!existsSync(`${anchors}/ri2_table2_2.csv`))(
  'ri2 and cvcrand anchors (skipped when ../shared/data/anchors is absent)',
  () => {
    const load = (f: string) => {
      const t = readCsv(`${anchors}/${f}`);
      const v = (c: string) => (t.columns.get(c) as { values: Float64Array }).values;
      return { t, v };
    };

    it('ri2 Table 2.2: difference 6.5, exact p = 8/21', () => {
      const { v } = load('ri2_table2_2.csv');
      const r = randomizationTest({
        outcome: v('Y'),
        treatment: v('Z'),
        cluster: Int32Array.from(v('cluster'), (c) => c - 1),
        nClusters: 7,
      });
      expect(r.observed).toBeCloseTo(6.5, 12);
      expect([r.extreme, r.evaluated]).toEqual([8, 21]);
    });

    it('ri2 blocked and clustered: 36 assignments, IPW estimate 2, exact p = 7/36', () => {
      const { v } = load('ri2_blocked_clustered.csv');
      const cl = Int32Array.from(v('cluster'), (c) => c - 1);
      const blocks = new Int32Array(9);
      v('block').forEach((b, i) => {
        blocks[cl[i]!] = b - 1;
      });
      const r = randomizationTest({
        outcome: v('Y'),
        treatment: v('Z'),
        cluster: cl,
        nClusters: 9,
        blockOfCluster: blocks,
        statistic: 'ipw',
      });
      expect(r.observed).toBeCloseTo(2, 12);
      expect([r.extreme, r.evaluated]).toEqual([7, 36]);
    });

    it('cvcrand Dickinson outcome: logistic-adjusted p = 54/1287 over the constrained space', () => {
      const { t, v } = load('dickinson_outcome.csv');
      const loc = (t.columns.get('location') as unknown as { values: string[] }).values;
      const df = dataFrame({
        location: loc,
        inciis: v('inciis'),
        uptodateonimmunizations: v('uptodateonimmunizations'),
        hispanic: v('hispanic'),
        incomecat: Array.from(v('incomecat'), String),
      });
      const names = ['location', 'inciis', 'uptodateonimmunizations', 'hispanic', 'incomecat'];
      const cov = balanceCovariates(df, names);
      const adj = adjustedResiduals(v('outcome'), cov.x, cov.p, cov.names);
      const lines = readFileSync(`${anchors}/dickinson_constrained.csv`, 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const masks = new Uint32Array(lines.length);
      let chosen = -1;
      lines.forEach((l, r) => {
        const bits = l.split(',').map(Number);
        if (bits[0] === 1) chosen = r;
        masks[r] = bits.slice(1).reduce((m, b, i) => m | (b << i), 0) >>> 0;
      });
      const cl = Int32Array.from(v('county'), (c) => c - 1);
      const r = randomizationTest({
        outcome: adj.residuals,
        treatment: Array.from(cl, (g) => (masks[chosen]! >>> g) & 1),
        cluster: cl,
        nClusters: 16,
        space: { kind: 'masks', n: 16, words: 1, count: masks.length, masks },
        statistic: 'cluster-means',
      });
      expect([r.extreme, r.evaluated]).toEqual([54, 1287]);
      expect(r.pValue).toBeCloseTo(0.042, 3);
    });
  },
);

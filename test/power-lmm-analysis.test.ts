import { describe, expect, it } from 'vitest';
import { lmmAnalysis } from '../src/stats/power/analyses.ts';
import { clusterMeansTTest, type SimulatedTrial } from '../src/stats/power/simulate.ts';
import { createRng } from '../src/stats/random.ts';

// With equal cluster sizes, the REML random-intercept estimate of the arm effect is the difference
// of arm means, and (when the between-cluster variance estimate is positive) its Satterthwaite and
// Kenward–Roger tests reduce exactly to the t test on cluster means with 2k - 2 df. Tolerance 1e-6:
// the mixed model is fitted by an optimiser.
function balancedTrial(seed: number, k: number, m: number, effect: number): SimulatedTrial {
  const rng = createRng(seed);
  const n = 2 * k * m;
  const y = new Float64Array(n);
  const arm = new Int32Array(n);
  const cluster = new Int32Array(n);
  const normal = () =>
    Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  for (let g = 0; g < 2 * k; g++) {
    const u = 0.6 * normal();
    for (let j = 0; j < m; j++) {
      const i = g * m + j;
      cluster[i] = g;
      arm[i] = g >= k ? 1 : 0;
      y[i] = u + effect * arm[i]! + normal();
    }
  }
  return { y, arm, cluster, nClusters: 2 * k };
}

describe('mixed-model analysis for simulation power', () => {
  for (const df of ['satterthwaite', 'kenward-roger'] as const) {
    it(`equals the cluster-means t test on balanced trials (${df})`, () => {
      for (const seed of [1, 2, 3]) {
        const trial = balancedTrial(seed, 8, 12, 0.4);
        const a = lmmAnalysis(df)(trial);
        const b = clusterMeansTTest(trial);
        expect(Math.abs(a.estimate - b.estimate)).toBeLessThan(1e-9);
        expect(Math.abs(a.pValue - b.pValue) / b.pValue).toBeLessThan(1e-6);
      }
    });
  }
});

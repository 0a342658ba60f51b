import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { olsCr2Analysis } from '../src/stats/power/analyses.ts';
import { clusterMeansTTest, simulatePower } from '../src/stats/power/simulate.ts';

const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/power-cr2.json', import.meta.url), 'utf8'),
);

describe('OLS + CR2 analysis for simulation power', () => {
  it('matches clubSandwich::coef_test(CR2, Satterthwaite) on unequal clusters', () => {
    const trial = {
      y: Float64Array.from(fx.y as number[]),
      arm: Int32Array.from(fx.arm as number[]),
      cluster: Int32Array.from(fx.cluster as number[]),
      nClusters: 12,
    };
    const r = olsCr2Analysis(trial);
    // Closed-form sandwich and Satterthwaite df on identical numbers: 1e-8 relative (across packages).
    expect(Math.abs(r.estimate / fx.estimate - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.pValue / fx.p_value - 1)).toBeLessThan(1e-8);
  });

  it('equals the cluster-means t test when clusters are equal in size', () => {
    let checked = 0;
    simulatePower({
      nClusters: 5,
      clusterSize: 6,
      icc: 0.1,
      effect: 0.4,
      reps: 20,
      seed: 8,
      analysis: (t) => {
        const a = olsCr2Analysis(t);
        const b = clusterMeansTTest(t);
        // Algebraic identity (CR2 t = pooled t, Satterthwaite df = 2k - 2 when balanced): 1e-9.
        expect(Math.abs(a.pValue - b.pValue)).toBeLessThan(1e-9);
        checked++;
        return a;
      },
    });
    expect(checked).toBe(20);
  });
});

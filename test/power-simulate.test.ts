import { describe, expect, it } from 'vitest';
import { noncentralTCdf } from '../src/stats/distributions/noncentral-t.ts';
import { clusterTrialPower } from '../src/stats/power/analytic.ts';
import { clusterMeansTTest, simulatePower } from '../src/stats/power/simulate.ts';

describe('simulation-based power', () => {
  it('equals the exact noncentral-t power of the cluster-means t test (equal sizes)', () => {
    // With equal sizes the cluster means are iid normal, so the t test on them has exactly a
    // noncentral t distribution with clusterPower's df and ncp. Two-sided exact power adds the
    // lower tail. 4000 trials: MCSE ~0.0078; we allow 4 MCSE (a wrong variance or ICC would
    // shift power by > 0.1 here).
    const input = { nClusters: 8, clusterSize: 15, icc: 0.08, effect: 0.45, totalVariance: 1 };
    const a = clusterTrialPower({ solveFor: 'power', ...input });
    const exact = a.power + noncentralTCdf(-a.criticalValue, a.df, a.ncp);
    const sim = simulatePower({ ...input, reps: 4000, seed: 20160101 });
    expect(Math.abs(sim.power - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 4000));
    expect(sim.confLow).toBeLessThan(sim.power);
    expect(sim.confHigh).toBeGreaterThan(sim.power);
    // Mean estimate is unbiased for d: its SD is ~0.12/sqrt(4000) ~ 0.002; allow 0.01.
    expect(Math.abs(sim.meanEstimate - 0.45)).toBeLessThan(0.01);
  });

  it('holds the type I error at alpha under the null (continuous and binary)', () => {
    const c = simulatePower({
      nClusters: 6,
      clusterSize: 10,
      icc: 0.1,
      effect: 0,
      reps: 3000,
      seed: 2,
    });
    // alpha = 0.05, MCSE 0.004: 4 MCSE.
    expect(Math.abs(c.power - 0.05)).toBeLessThan(0.016);
    const b = simulatePower({
      outcome: 'binary',
      nClusters: 10,
      clusterSize: 20,
      icc: 0.05,
      p1: 0.3,
      p2: 0.3,
      reps: 2000,
      seed: 3,
    });
    // Cluster-mean t test with binary data is near nominal with 20 clusters: 0.05 +- 0.02.
    expect(Math.abs(b.power - 0.05)).toBeLessThan(0.02);
  });

  it('binary power is near the Eldridge formula (cpa.binary) and unequal sizes lose power', () => {
    const input = { nClusters: 15, clusterSize: 25, icc: 0.05, p1: 0.3, p2: 0.45 };
    const a = clusterTrialPower({ solveFor: 'power', outcome: 'binary', ...input }).power;
    const sim = simulatePower({ outcome: 'binary', ...input, reps: 2000, seed: 4 });
    // The analytic formula is an approximation for binary data (and the unweighted cluster-mean
    // test is not the analysis it models exactly): within 0.05.
    expect(Math.abs(sim.power - a)).toBeLessThan(0.05);
    const eq = simulatePower({
      nClusters: 10,
      clusterSize: 20,
      icc: 0.1,
      effect: 0.4,
      reps: 2000,
      seed: 5,
    });
    const uneq = simulatePower({
      nClusters: 10,
      clusterSize: 20,
      cv: 0.9,
      icc: 0.1,
      effect: 0.4,
      reps: 2000,
      seed: 5,
    });
    expect(uneq.power).toBeLessThan(eq.power);
  });

  it('is reproducible, reports progress, and accepts a plugged-in analysis', () => {
    const calls: number[] = [];
    const a = simulatePower({
      nClusters: 5,
      clusterSize: 8,
      icc: 0.1,
      effect: 0.5,
      reps: 300,
      seed: 9,
      onProgress: (d) => calls.push(d),
    });
    const b = simulatePower({
      nClusters: 5,
      clusterSize: 8,
      icc: 0.1,
      effect: 0.5,
      reps: 300,
      seed: 9,
    });
    expect(a.rejections).toBe(b.rejections);
    expect(calls.at(-1)).toBe(300);
    expect(calls.length).toBe(100);
    let seen = 0;
    const custom = simulatePower({
      nClusters: 5,
      clusterSize: 8,
      icc: 0.1,
      effect: 0.5,
      reps: 300,
      seed: 9,
      analysis: (t) => {
        seen++;
        return clusterMeansTTest(t);
      },
      analysisName: 'wrapped',
    });
    expect(seen).toBe(300);
    expect(custom.rejections).toBe(a.rejections);
    expect(custom.analysis).toBe('wrapped');
  });

  it('clusterMeansTTest matches a hand computation', () => {
    // Cluster means: control 1, 3 ; intervention 4, 6 -> diff 3, pooled var 2, se = sqrt(2), t = 2.1213,
    // df 2, p = 2 * pt(-2.1213, 2) = 0.16794 (R: 2*pt(-3/sqrt(2), 2) = 0.1679497).
    const trial = {
      y: Float64Array.from([0, 2, 3, 4, 6]),
      arm: Int32Array.from([0, 0, 0, 1, 1]),
      cluster: Int32Array.from([0, 0, 1, 2, 3]),
      nClusters: 4,
    };
    const r = clusterMeansTTest(trial);
    expect(r.estimate).toBeCloseTo(3, 12);
    expect(r.pValue).toBeCloseTo(0.1679497, 6);
  });

  it('rejects bad input with a named parameter', () => {
    expect(() => simulatePower({ nClusters: 1, clusterSize: 8, icc: 0.1, effect: 0.5 })).toThrow(
      /clusters per arm/,
    );
    expect(() =>
      simulatePower({ outcome: 'binary', nClusters: 4, clusterSize: 8, icc: 0.1, p1: 0.2 }),
    ).toThrow(/p1 and p2/);
  });
});

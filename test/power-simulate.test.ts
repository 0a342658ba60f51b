import { describe, expect, it } from 'vitest';
import { noncentralTCdf } from '../src/stats/distributions/noncentral-t.ts';
import { lmmAnalysis, olsCr2Analysis } from '../src/stats/power/analyses.ts';
import { clusterTrialPower } from '../src/stats/power/analytic.ts';
import { designEffect } from '../src/stats/power/design-effect.ts';
import {
  baselineClusterMeans,
  clusterMeansTTest,
  type SimulatedTrial,
  simulatePower,
} from '../src/stats/power/simulate.ts';

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

describe('simulation with repeated waves and a baseline', () => {
  it('averaging T waves matches the exact noncentral-t power of the analytic design effect', () => {
    // With equal sizes and exchangeable correlations the averaged cluster means are iid normal
    // with the variance DE_T assumes, so the cluster-means t test is exact: 4000 trials, 4 MCSE.
    const input = {
      nClusters: 10,
      clusterSize: 15,
      icc: 0.08,
      effect: 0.3,
      totalVariance: 1,
      waves: 3,
      clusterAutocorr: 0.6,
      individualAutocorr: 0.4,
    };
    const a = clusterTrialPower({ solveFor: 'power', ...input });
    const exact = a.power + noncentralTCdf(-a.criticalValue, a.df, a.ncp);
    const sim = simulatePower({ ...input, reps: 4000, seed: 11 });
    expect(Math.abs(sim.power - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 4000));
  });

  it('generates baseline and follow-up cluster means with the analytic correlation r, and the ANCOVA is exact', () => {
    const k = 12;
    const m = 20;
    const icc = 0.05;
    const rhoC = 0.7;
    const rhoS = 0.5;
    const de = designEffect({
      clusterSize: m,
      icc,
      baseline: true,
      clusterAutocorr: rhoC,
      individualAutocorr: rhoS,
    });
    const pre: number[] = [];
    const post: number[] = [];
    const estimates: number[] = [];
    const record = (trial: SimulatedTrial) => {
      const res = clusterMeansTTest(trial);
      estimates.push(res.estimate);
      const x = baselineClusterMeans(trial);
      // One value per control cluster (arm 0: no effect added), from the first row of each.
      const seen = new Set<number>();
      for (let i = 0; i < trial.y.length; i++) {
        const c = trial.cluster[i]!;
        if (trial.arm[i] !== 0 || seen.has(c)) continue;
        seen.add(c);
        let s = 0;
        let n = 0;
        for (let j = 0; j < trial.y.length; j++)
          if (trial.cluster[j] === c) {
            s += trial.y[j]!;
            n++;
          }
        pre.push(x[i]!);
        post.push(s / n);
      }
      return res;
    };
    const reps = 3000;
    const sim = simulatePower({
      nClusters: k,
      clusterSize: m,
      icc,
      effect: 0,
      baseline: true,
      clusterAutocorr: rhoC,
      individualAutocorr: rhoS,
      reps,
      seed: 5,
      analysis: record,
    });
    // r over 36,000 cluster pairs: SE ~ (1 - r²)/√n ≈ 0.003; allow 0.015.
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mp = mean(pre);
    const mq = mean(post);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    pre.forEach((x, i) => {
      sxy += (x - mp) * (post[i]! - mq);
      sxx += (x - mp) ** 2;
      syy += (post[i]! - mq) ** 2;
    });
    expect(Math.abs(sxy / Math.sqrt(sxx * syy) - de.baselineCorrelation)).toBeLessThan(0.015);
    // Under the null the conditional t is exact: type I error at alpha (MCSE 0.004, 4 MCSE).
    expect(Math.abs(sim.power - 0.05)).toBeLessThan(0.016);
    // Var(b_arm) = σ² DE_1 (1 − r²)/m · (4/G)(G − 3)/(G − 4): the last factor is E[1/(1 − r²_ax)]
    // for a normal covariate (1 − r²_ax ~ Beta((G − 2)/2, 1/2)). Relative SE of a variance from
    // 3000 draws ≈ 2.6 %; allow 10 %.
    const G = 2 * k;
    const want =
      (((1 + (m - 1) * icc) * (1 - de.baselineCorrelation ** 2)) / m) *
      (4 / G) *
      ((G - 3) / (G - 4));
    const me = mean(estimates);
    const got = estimates.reduce((a, b) => a + (b - me) ** 2, 0) / (estimates.length - 1);
    expect(Math.abs(got / want - 1)).toBeLessThan(0.1);
  });

  it('runs the OLS-CR2 and mixed-model analyses with the baseline cluster mean as covariate', () => {
    for (const analysis of [olsCr2Analysis, lmmAnalysis('satterthwaite')]) {
      const r = simulatePower({
        nClusters: 8,
        clusterSize: 10,
        icc: 0.1,
        effect: 0.5,
        baseline: true,
        clusterAutocorr: 0.8,
        individualAutocorr: 0.5,
        reps: 150,
        seed: 3,
        analysis,
      });
      expect(r.failures).toBe(0);
      // Unbiased for d: SD of the estimate ~0.15, over 150 trials ~0.012; allow 0.06.
      expect(Math.abs(r.meanEstimate - 0.5)).toBeLessThan(0.06);
    }
  });

  it('refuses repeated designs for a binary outcome and autocorrelations outside [0, 1]', () => {
    expect(() =>
      simulatePower({
        outcome: 'binary',
        nClusters: 5,
        clusterSize: 10,
        icc: 0.05,
        p1: 0.3,
        p2: 0.4,
        baseline: true,
      }),
    ).toThrow(/continuous outcomes only/);
    expect(() =>
      simulatePower({
        nClusters: 5,
        clusterSize: 10,
        icc: 0.05,
        effect: 0.3,
        waves: 2,
        clusterAutocorr: -0.2,
      }),
    ).toThrow(/autocorrelations/);
  });
});

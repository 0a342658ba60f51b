import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterTrialPower, type PowerTarget } from '../src/stats/power/analytic.ts';
import { designEffect } from '../src/stats/power/design-effect.ts';

const fx = JSON.parse(readFileSync(new URL('./fixtures/r/power.json', import.meta.url), 'utf8'));

const SOLVE: Record<string, PowerTarget> = {
  power: 'power',
  nclusters: 'nClusters',
  nsubjects: 'clusterSize',
  d: 'effect',
  p2: 'effect',
};
const pick = (r: ReturnType<typeof clusterTrialPower>, solve: string) =>
  solve === 'power'
    ? r.power
    : solve === 'nclusters'
      ? r.nClusters
      : solve === 'nsubjects'
        ? r.clusterSize
        : solve === 'p2'
          ? r.p2!
          : r.effect;
const num = (v: unknown) => (v === null || v === undefined ? undefined : (v as number));

describe('cpa.normal re-implemented verbatim in R (test/fixtures/r/power.R)', () => {
  it('power, clusters, cluster size and detectable difference, both unequal-size methods', () => {
    // Same formula, same AS 243 noncentral t; roots to 1e-12 on both sides. The brief's 1e-6
    // relative is the bound; the measured error is far smaller.
    let worst = 0;
    for (const c of fx.normal) {
      const r = clusterTrialPower({
        solveFor: SOLVE[c.solve]!,
        ...(c.solve !== 'power' ? { power: c.power } : {}),
        ...(num(c.nclusters) !== undefined ? { nClusters: c.nclusters } : {}),
        ...(num(c.nsubjects) !== undefined ? { clusterSize: c.nsubjects } : {}),
        ...(num(c.d) !== undefined ? { effect: c.d } : {}),
        icc: c.ICC,
        totalVariance: c.vart,
        cv: c.CV,
        unequalMethod: c.method === 'weighted' ? 'eldridge' : 'taylor',
      });
      worst = Math.max(worst, Math.abs(pick(r, c.solve) - c.value) / Math.abs(c.value));
    }
    expect(fx.normal.length).toBe(30);
    expect(worst).toBeLessThan(1e-6);
  });

  it('a vector of cluster sizes uses the exact relative efficiency', () => {
    for (const c of fx.nvec) {
      const r = clusterTrialPower({
        solveFor: 'power',
        clusterSizes: c.sizes,
        effect: c.d,
        icc: c.ICC,
        totalVariance: c.vart,
      });
      expect(Math.abs(r.power - c.value) / c.value).toBeLessThan(1e-9);
    }
  });

  it("reproduces clusterPower's published examples to their printed digits", () => {
    const p = fx.published;
    const a = clusterTrialPower({
      solveFor: 'power',
      nClusters: 16,
      clusterSize: 10,
      effect: 1,
      icc: 0.1,
      totalVariance: 5,
    });
    expect(a.power).toBeCloseTo(0.801766, 6); // documented 0.801766
    expect(Math.abs(a.power - p.normal_power_16)).toBeLessThan(1e-12);
    const b = clusterTrialPower({
      solveFor: 'power',
      clusterSizes: [100, 50, 25, 100, 100],
      effect: 0.2,
      icc: 0.1,
      totalVariance: 1,
    });
    expect(b.power).toBeCloseTo(0.13315, 5); // documented 0.13315
    const c = clusterTrialPower({
      solveFor: 'power',
      nClusters: 20,
      clusterSize: 100,
      cv: 0.5,
      effect: 0.2,
      icc: 0.1,
      totalVariance: 1,
    });
    expect(c.power).toBeCloseTo(0.4559881, 7); // documented 0.4559881
    const d = clusterTrialPower({
      solveFor: 'nClusters',
      power: 0.8,
      clusterSize: 10,
      effect: 1,
      icc: 0.1,
      totalVariance: 5,
    });
    // documented "greater than 15, suggests 16"; clusterPower's uniroot tol is 1.2e-4.
    expect(Math.abs(d.nClusters - p.normal_nclusters)).toBeLessThan(2e-4);
    expect(d.ceiling?.value).toBe(16);
  });
});

describe('cpa.binary re-implemented verbatim in R', () => {
  it('power, clusters, detectable p2 and cluster size, pooled and unpooled', () => {
    let worst = 0;
    for (const c of fx.binary) {
      const r = clusterTrialPower({
        outcome: 'binary',
        solveFor: SOLVE[c.solve]!,
        ...(c.solve !== 'power' ? { power: c.power } : {}),
        ...(num(c.nclusters) !== undefined ? { nClusters: c.nclusters } : {}),
        ...(num(c.nsubjects) !== undefined ? { clusterSize: c.nsubjects } : {}),
        p1: c.p1,
        ...(num(c.p2) !== undefined ? { p2: c.p2 } : {}),
        icc: c.ICC,
        cv: c.CV,
        pooled: c.pooled,
      });
      worst = Math.max(worst, Math.abs(pick(r, c.solve) - c.value) / Math.abs(c.value));
    }
    expect(fx.binary.length).toBe(16);
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('baseline adjustment and repeated waves', () => {
  it('power agrees with the formula recomputed in R', () => {
    for (const c of fx.extension) {
      const r = clusterTrialPower({
        solveFor: 'power',
        nClusters: c.k,
        clusterSize: c.m,
        effect: c.d,
        icc: c.icc,
        totalVariance: c.vart,
        waves: c.waves,
        baseline: c.baseline,
        clusterAutocorr: c.rc,
        individualAutocorr: c.rs,
        cv: c.CV,
      });
      expect(Math.abs(r.designEffect - c.design_effect) / c.design_effect).toBeLessThan(1e-12);
      expect(Math.abs(r.power - c.power) / c.power).toBeLessThan(1e-9);
    }
  });

  it('the waves and baseline factors equal brute-force variances from the covariance matrix', () => {
    // Nested exchangeable model, m subjects × T waves (+ a baseline wave) in one cluster; build the
    // covariance of all observations and compute the variances of cluster means directly.
    const m = 7;
    const T = 3;
    const rho = 0.08;
    const rc = 0.6;
    const rs = 0.45;
    const vC = rho * rc;
    const vCT = rho * (1 - rc);
    const vS = (1 - rho) * rs;
    const vE = (1 - rho) * (1 - rs);
    const waves = T + 1; // wave 0 is the baseline
    const cov = (i: number, t: number, j: number, s: number) =>
      vC + (t === s ? vCT : 0) + (i === j ? vS : 0) + (i === j && t === s ? vE : 0);
    const mean = (wa: number[], wb: number[]) => {
      let acc = 0;
      for (const t of wa)
        for (const s of wb)
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) acc += cov(i, t, j, s);
      return acc / (m * wa.length * m * wb.length);
    };
    const post = Array.from({ length: T }, (_, t) => t + 1);
    const varPost = mean(post, post);
    const varBase = mean([0], [0]);
    const covBP = mean([0], post);
    const adjusted = varPost - (covBP * covBP) / varBase;
    const deWaves = designEffect({
      clusterSize: m,
      icc: rho,
      waves: T,
      clusterAutocorr: rc,
      individualAutocorr: rs,
    });
    const deBoth = designEffect({
      clusterSize: m,
      icc: rho,
      waves: T,
      baseline: true,
      clusterAutocorr: rc,
      individualAutocorr: rs,
    });
    // Design effect = m · variance of the cluster mean (total variance 1). Closed forms: 1e-12.
    expect(deWaves.designEffect).toBeCloseTo(m * varPost, 12);
    expect(deBoth.designEffect).toBeCloseTo(m * adjusted, 12);
    expect(waves).toBe(4);
  });

  it('Teerenstra: no autocorrelation gives no gain, full autocorrelation with rho_s = 1 removes all', () => {
    const none = designEffect({ clusterSize: 20, icc: 0.05, baseline: true });
    expect(none.designEffect).toBeCloseTo(1 + 19 * 0.05, 12);
    const full = designEffect({
      clusterSize: 20,
      icc: 0.05,
      baseline: true,
      clusterAutocorr: 1,
      individualAutocorr: 1,
    });
    expect(full.designEffect).toBeLessThan(1e-12);
  });
});

describe('misuse and properties', () => {
  it('names the missing or impossible input', () => {
    expect(() =>
      clusterTrialPower({ solveFor: 'power', nClusters: 10, clusterSize: 20, icc: 0.05 }),
    ).toThrow(/effect is missing/);
    expect(() =>
      clusterTrialPower({
        solveFor: 'power',
        nClusters: 10,
        clusterSize: 20,
        effect: 0.3,
        icc: 1.2,
      }),
    ).toThrow(/icc = 1.2/);
    expect(() =>
      clusterTrialPower({
        solveFor: 'clusterSize',
        power: 0.9,
        nClusters: 3,
        effect: 0.2,
        icc: 0.2,
      }),
    ).toThrow(/cannot be reached with 3 clusters/);
  });

  it('power increases with clusters and the solved size gives the target power', () => {
    const base = { clusterSize: 21, effect: 0.3, icc: 0.05 } as const;
    const p10 = clusterTrialPower({ solveFor: 'power', nClusters: 10, ...base }).power;
    const p20 = clusterTrialPower({ solveFor: 'power', nClusters: 20, ...base }).power;
    expect(p20).toBeGreaterThan(p10);
    const k = clusterTrialPower({ solveFor: 'nClusters', power: 0.8, ...base });
    const back = clusterTrialPower({ solveFor: 'power', nClusters: k.nClusters, ...base });
    expect(back.power).toBeCloseTo(0.8, 10);
    expect(k.ceiling!.power).toBeGreaterThanOrEqual(0.8);
  });

  it('solves small and large detectable effects (root bracketing on both sides of 1)', () => {
    for (const nClusters of [4, 30, 400]) {
      const d = clusterTrialPower({
        solveFor: 'effect',
        power: 0.9,
        nClusters,
        clusterSize: 20,
        icc: 0.05,
      });
      const back = clusterTrialPower({
        solveFor: 'power',
        nClusters,
        clusterSize: 20,
        icc: 0.05,
        effect: d.effect,
      });
      // Bisection to 1e-12 relative in d: power recovered to 1e-9.
      expect(Math.abs(back.power - 0.9)).toBeLessThan(1e-9);
    }
  });
});

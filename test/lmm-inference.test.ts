import { describe, expect, it } from 'vitest';
import { quantileT } from '../src/stats/inference/distributions.ts';
import { fitLmm } from '../src/stats/models/lmm/index.ts';
import { arr, expectRel, FIX, fitOf, list, load } from './helpers/lmm-fixtures.ts';

/** p-values far in the tail amplify the error of t by about t^2, so they are compared on the
 * log scale: |log p - log p_ref| <= tol * max(1, |log p_ref|). */
function expectP(got: ArrayLike<number>, want: number | number[], tol: number, what: string): void {
  const w = arr(want);
  for (let i = 0; i < w.length; i++) {
    // Below 1e-290 both sides are at double underflow; only require that ours is too.
    if (w[i]! < 1e-290) {
      expect(got[i]!).toBeLessThan(1e-290);
      continue;
    }
    const lg = Math.log(got[i]!);
    const lw = Math.log(w[i]!);
    if (!(Math.abs(lg - lw) <= tol * Math.max(1, Math.abs(lw))))
      throw new Error(`${what}[${i}]: got ${got[i]}, want ${w[i]}`);
  }
}

// Satterthwaite: lmerTest differentiates numerically (numDeriv, Richardson) and so do we, each to
// about 1e-7; the brief's bar is 1e-4 relative. Kenward-Roger is closed form given the fit, so its
// df and adjusted covariance are held to 1e-5 (limited by theta agreeing to ~1e-6).
describe('Satterthwaite df agree with lmerTest', () => {
  for (const name of [
    'achievement',
    'trial',
    'sleepstudy',
    'penicillin',
    'crossedslopes',
    'threelevel',
  ]) {
    it(`${name}: df, t and p per coefficient`, () => {
      const ref = FIX[name].fit.satt;
      const rows = fitOf(name).tidy({ df: 'satterthwaite' });
      expectRel(
        rows.map((r) => r.df),
        ref.df,
        1e-4,
        `${name} df`,
      );
      expectRel(
        rows.map((r) => r.statistic),
        ref.t,
        1e-5,
        `${name} t`,
      );
      expectP(
        rows.map((r) => r.p_value),
        ref.p,
        1e-4,
        `${name} p`,
      );
    });
  }

  it('F test of arm:wave (contestMD) and anova row', () => {
    const spec = FIX.trial;
    const fit = fitOf('trial');
    const rows = fit.anova({ df: 'satterthwaite' });
    const aw = rows.find((r) => r.term === 'arm:wave')!;
    expect(aw.numDf).toBe(spec.arm_wave.satt.ndf);
    expectRel([aw.fValue], spec.arm_wave.satt.F, 1e-5, 'F');
    expectRel([aw.denDf], spec.arm_wave.satt.ddf, 1e-4, 'ddf');
    expectRel([aw.pValue], spec.arm_wave.satt.p, 1e-4, 'p');
    // lmerTest's anova(type = 3) row for arm:wave (the term is not marginal to another one).
    const i = list<string>(spec.anova_satt.terms).indexOf('arm:wave');
    expectRel([aw.fValue], list<number>(spec.anova_satt.F)[i]!, 1e-5, 'anova F');
    expectRel([aw.denDf], list<number>(spec.anova_satt.ddf)[i]!, 1e-4, 'anova ddf');
  });
});

describe('Kenward-Roger agrees with pbkrtest', () => {
  for (const name of [
    'achievement2001',
    'trial',
    'sleepstudy',
    'penicillin',
    'crossedslopes',
    'threelevel',
  ]) {
    it(`${name}: vcovAdj, SEs and df per coefficient (lmerTest ddf = "Kenward-Roger")`, () => {
      const ref = FIX[name].kr;
      const fit = fitOf(name);
      const rows = fit.tidy({ df: 'kenward-roger' });
      expectRel(
        rows.map((r) => r.std_error),
        ref.se,
        1e-5,
        `${name} KR se`,
      );
      expectRel(
        rows.map((r) => r.df),
        ref.df,
        1e-5,
        `${name} KR df`,
      );
      expectP(
        rows.map((r) => r.p_value),
        ref.p,
        1e-4,
        `${name} KR p`,
      );
    });
  }

  it('refuses KR on an ML fit, as lmerTest', () => {
    const ml = fitLmm(load('sleepstudy'), { reml: false });
    expect(() => ml.tidy({ df: 'kenward-roger' })).toThrow(/REML/);
  });

  it('KRmodcomp F test of arm:wave', () => {
    const spec = FIX.trial.arm_wave.kr;
    const aw = fitOf('trial')
      .anova({ df: 'kenward-roger' })
      .find((r) => r.term === 'arm:wave')!;
    expect(aw.numDf).toBe(spec.ndf);
    expectRel([aw.fValue], spec.F, 1e-5, 'KR F');
    expectRel([aw.denDf], spec.ddf, 1e-5, 'KR ddf');
    expectRel([aw.pValue], spec.p, 1e-4, 'KR p');
  });
});

describe('ICC with delta-method CI', () => {
  // Reference: the same delta method on logit(ICC) in R with lmerTest's vcov_varpar.
  for (const name of ['achievement', 'trial', 'sleepstudy', 'penicillin']) {
    it(name, () => {
      const refs = list<{ group: string; icc: number; low: number; high: number }>(FIX[name].icc);
      const got = fitOf(name).icc(0.95);
      expect(got.map((g) => g.group)).toEqual(refs.map((r) => r.group));
      refs.forEach((r, i) => {
        expectRel([got[i]!.icc], r.icc, 1e-5, `${name} icc`);
        expectRel([got[i]!.confLow, got[i]!.confHigh], [r.low, r.high], 1e-4, `${name} icc ci`);
      });
    });
  }
});

describe('cluster-robust covariance agrees with clubSandwich::vcovCR on lmer fits', () => {
  // CR matrices are smooth functions of theta and beta: 1e-5 relative on every element, relative
  // to the largest diagonal element (off-diagonal elements can be near zero).
  // CR2 needs an n_g x n_g eigen-decomposition per cluster (as clubSandwich); the 3,821-row
  // data set is checked on CR0/CR1 only to keep this file fast.
  const cases = [
    ['trial', ['CR0', 'CR1', 'CR2']],
    ['sleepstudy', ['CR0', 'CR1', 'CR2']],
    ['achievement2001', ['CR0', 'CR1']],
  ] as const;
  for (const [name, types] of cases) {
    it(`${name}: ${types.join(', ')} clustered on the outer grouping factor`, () => {
      const fit = fitOf(name);
      for (const type of types) {
        const want = list<number>(FIX[name].cr[type]);
        const got = fit.vcovCR(type);
        const p = fit.colnames.length;
        let scale = 0;
        for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(want[j * p + j]!));
        for (let i = 0; i < want.length; i++) {
          const e = Math.abs(got[i]! - want[i]!) / scale;
          if (!(e < 1e-5)) throw new Error(`${name} ${type}[${i}]: ${got[i]} vs ${want[i]}`);
        }
      }
    });
  }
});

describe('cluster-robust Satterthwaite df agree with clubSandwich::coef_test on lmer fits', () => {
  // The df are ratios of traces built from the same CR components, smooth in theta and beta:
  // 1e-5 relative, as the CR matrices. Every type is tested with Satterthwaite (clubSandwich's
  // coef_test offers it for all), although tidyCR defaults to G - 1 for CR0/CR1.
  const cases = [
    ['trial', ['CR0', 'CR1', 'CR2']],
    ['sleepstudy', ['CR0', 'CR1', 'CR2']],
    ['achievement2001', ['CR0', 'CR1']],
  ] as const;
  for (const [name, types] of cases) {
    it(`${name}: ${types.join(', ')}`, () => {
      const fit = fitOf(name);
      for (const type of types) {
        const want = list<number>(FIX[name].cr[`${type}_df`]);
        const rows = fit.tidyCR(type, { df: 'satterthwaite' });
        rows.forEach((r, j) => {
          const e = Math.abs(r.df - want[j]!) / want[j]!;
          if (!(e < 1e-5)) throw new Error(`${name} ${type} ${r.term}: df ${r.df} vs ${want[j]}`);
        });
        const v = fit.vcovCR(type);
        expect(rows[0]!.std_error).toBeCloseTo(Math.sqrt(v[0]!), 12);
      }
    });
  }

  it("tests the arm:wave term with clubSandwich's HTZ under CR2 (trial)", () => {
    // HTZ's denominator df is a trace ratio like the Satterthwaite df: 1e-5 relative; F 1e-5.
    const want = FIX.trial.cr.htz_arm_wave;
    const row = fitOf('trial')
      .anovaCR('CR2')
      .find((r) => r.term === 'arm:wave')!;
    expect(row.numDf).toBe(want.df_num);
    expect(Math.abs(row.denDf - want.df_denom) / want.df_denom).toBeLessThan(1e-5);
    expect(Math.abs(row.fValue - want.F) / want.F).toBeLessThan(1e-5);
    expect(Math.abs(row.pValue - want.p)).toBeLessThan(1e-8);
  });

  it('defaults to Satterthwaite for CR2 and G - 1 for CR1, and checks the level', () => {
    const fit = fitOf('sleepstudy');
    expect(fit.tidyCR('CR1').map((r) => r.df)).toEqual([17, 17]);
    const cr2 = fit.tidyCR('CR2', { level: 0.9 });
    const want = list<number>(FIX.sleepstudy.cr.CR2_df);
    expect(Math.abs(cr2[1]!.df - want[1]!) / want[1]!).toBeLessThan(1e-5);
    expect(cr2[1]!.conf_high - cr2[1]!.estimate).toBeCloseTo(
      cr2[1]!.std_error * quantileT(0.95, cr2[1]!.df),
      10,
    );
    expect(() => fit.tidyCR('CR2', { level: 1 })).toThrow(/level/);
  });
});

describe('summary()', () => {
  it('returns the common FitSummary for model lmm', () => {
    const fit = fitOf('sleepstudy');
    const s = fit.summary({ df: 'kenward-roger', level: 0.9 });
    expect(s.model).toBe('lmm');
    expect(s.reml).toBe(true);
    expect(s.dfMethod).toBe('kenward-roger');
    expect(s.groups).toEqual({ Subject: 18 });
    expect(s.varianceComponents?.map((v) => v.term)).toEqual(['(Intercept)', 'Days', '']);
    expect(Math.abs(s.loglik - FIX.sleepstudy.fit.loglik)).toBeLessThan(1e-6);
    const row = s.coefficients[1]!;
    // 90% interval from the KR t quantile: symmetric about the estimate.
    expect(row.conf_high - row.estimate).toBeCloseTo(row.estimate - row.conf_low, 10);
    expect(row.conf_high - row.conf_low).toBeLessThan(
      fit.tidy({ df: 'kenward-roger', level: 0.95 })[1]!.conf_high -
        fit.tidy({ df: 'kenward-roger', level: 0.95 })[1]!.conf_low,
    );
  });
});

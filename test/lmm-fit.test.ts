import { describe, expect, it } from 'vitest';
import { isTiltakError } from '../src/stats/errors.ts';
import { fitLmm, type LmmInput, lrtLmm } from '../src/stats/models/lmm/index.ts';
import { arr, expectRel, FIX, fitOf, list, load, type RandomSpec } from './helpers/lmm-fixtures.ts';

/** Estimates 1e-6 and SEs/variances 1e-5 relative (optimised fits; both optimisers stop within
 * ~1e-7 of the optimum in theta); log-likelihood 1e-6 absolute. */
function checkFit(name: string, reml: boolean): void {
  const spec = FIX[name];
  const ref = reml ? spec.fit : spec.ml;
  const fit = fitOf(name, reml);
  expectRel(fit.fixef, ref.fixef, 1e-6, `${name} fixef`);
  expectRel(
    fit.colnames.map((_, j) => Math.sqrt(fit.vcov[j * fit.colnames.length + j]!)),
    ref.se ??
      arr(ref.vcov)
        .filter((_, i) => i % (fit.colnames.length + 1) === 0)
        .map(Math.sqrt),
    1e-5,
    `${name} se`,
  );
  expectRel(fit.vcov, ref.vcov, 1e-5, `${name} vcov`);
  expectRel([fit.sigma], ref.sigma, 1e-5, `${name} sigma`);
  // Variance components in VarCorr order: variances then correlations per term, residual last.
  const vc = ref.varcorr;
  const grp = arr(vc.grp as never);
  const v2 = arr(vc.var2 as never) as unknown as string[];
  const vcov = arr(vc.vcov);
  const sdcor = arr(vc.sdcor);
  for (let i = 0; i < grp.length; i++) {
    const g = grp[i] as unknown as string;
    const v1 = (arr(vc.var1 as never) as unknown as string[])[i]!;
    if (v2[i] !== '') {
      const c = fit.correlations.find((r) => r.group === g && r.term1 === v1 && r.term2 === v2[i]);
      expect(c, `${name} correlation ${g}`).toBeDefined();
      expectRel([c!.correlation], sdcor[i]!, 1e-5, `${name} corr ${g}`);
      continue;
    }
    const comp = fit.varianceComponents.find((c) =>
      g === 'Residual' ? c.group === 'Residual' : c.group === g && c.term === v1,
    );
    expect(comp, `${name} component ${g} ${v1}`).toBeDefined();
    expectRel([comp!.variance], vcov[i]!, 1e-5, `${name} variance ${g} ${v1}`);
    expectRel([comp!.std_dev], sdcor[i]!, 1e-5, `${name} sd ${g} ${v1}`);
  }
  expect(Math.abs(fit.loglik - ref.loglik)).toBeLessThan(1e-6);
  expect(Math.abs(fit.criterion - ref.crit)).toBeLessThan(2e-6);
  expect(Math.abs(fit.aic - ref.aic)).toBeLessThan(2e-6);
  expect(Math.abs(fit.bic - ref.bic)).toBeLessThan(2e-6);
  expect(fit.npar).toBe(ref.df);
  for (const [g, k] of Object.entries(ref.ngrps as Record<string, number>))
    expect(fit.ngrps[g]).toBe(k);
  expect(fit.warnings.some((w) => w.code === 'SINGULAR_FIT')).toBe(ref.singular);
  expect(fit.groups).toEqual(list<RandomSpec>(spec.random).map((r) => r.group));
}

describe('fitLmm agrees with lme4', () => {
  it('random intercept, AchievementAwardsRCT (16,526 students, 40 schools), REML', () => {
    checkFit('achievement', true);
  });
  it('nested (1 | office/family), simulated 3-level trial, REML and ML', () => {
    checkFit('trial', true);
    checkFit('trial', false);
  });
  it('correlated random slopes (Days | Subject), sleepstudy, REML and ML', () => {
    checkFit('sleepstudy', true);
    checkFit('sleepstudy', false);
  });
  it('crossed (1 | plate) + (1 | sample), Penicillin, REML and ML', () => {
    checkFit('penicillin', true);
    checkFit('penicillin', false);
  });

  it('crossed with correlated slopes on the leading factor, (x | subject) + (1 | item)', () => {
    checkFit('crossedslopes', true);
  });
  it('three-level nesting (1 | region/office/family)', () => {
    checkFit('threelevel', true);
  });

  it('conditional modes match ranef() (1e-5 relative: BLUPs scale with theta)', () => {
    for (const name of ['trial', 'sleepstudy', 'penicillin', 'crossedslopes', 'threelevel']) {
      const fit = fitOf(name);
      const refs = list<{ group: string; levels: string[]; values: number[] }>(FIX[name].fit.ranef);
      for (const r0 of refs) {
        const r = { ...r0, levels: list(r0.levels), values: list(r0.values) };
        const tab = fit.ranef().find((t) => t.group === r.group)!;
        const nl = r.levels.length;
        expect(tab.levels).toEqual(r.levels);
        const scale = Math.max(...r.values.map(Math.abs));
        for (let i = 0; i < r.values.length; i++) {
          const e = Math.abs(tab.values[i]! - r.values[i]!) / scale;
          if (!(e < 1e-5))
            throw new Error(
              `${name} ranef ${r.group}[${i % nl}]: ${tab.values[i]} vs ${r.values[i]}`,
            );
        }
      }
    }
  });

  it('likelihood-ratio test of arm:wave matches anova(m0, m1) with ML refits', () => {
    const spec = FIX.trial;
    const m1 = fitOf('trial');
    const m0 = fitLmm(load('trial', spec.ml0.cols));
    const t = lrtLmm(m1, m0);
    expect(t.refitted).toBe(true);
    expect(Math.abs(t.loglik[0] - spec.lrt.loglik[0])).toBeLessThan(1e-6);
    expect(Math.abs(t.loglik[1] - spec.lrt.loglik[1])).toBeLessThan(1e-6);
    expect(t.df).toBe(spec.lrt.df);
    // chisq is a difference of log-likelihoods: 2e-6 absolute.
    expect(Math.abs(t.chisq - spec.lrt.chisq)).toBeLessThan(2e-6);
    expectRel([t.pValue], spec.lrt.p, 1e-4, 'lrt p');
    expectRel(t.aic, spec.lrt.aic, 1e-9, 'lrt aic');
  });
});

describe('fitLmm invariances and bad input', () => {
  it('is invariant to row order', () => {
    const inp = load('sleepstudy');
    const n = inp.n;
    const perm = Array.from({ length: n }, (_, i) => (i * 37) % n);
    const pick = (v: Float64Array, k: number): Float64Array => {
      const out = new Float64Array(v.length);
      for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) out[c * n + i] = v[c * n + perm[i]!]!;
      return out;
    };
    const shuffled: LmmInput = {
      ...inp,
      y: pick(inp.y, 1),
      x: pick(inp.x, inp.p),
      random: inp.random.map((r) => ({
        ...r,
        codes: Int32Array.from(perm, (i) => r.codes[i]!),
        z: pick(r.z, r.q),
      })),
    };
    const a = fitLmm(inp);
    const b = fitLmm(shuffled);
    expectRel(b.fixef, Array.from(a.fixef), 1e-7, 'fixef');
    expect(Math.abs(a.loglik - b.loglik)).toBeLessThan(1e-7);
  });

  it('scales with the response: beta, sigma by c, theta unchanged, REML loglik by -(n-p) log c', () => {
    const inp = load('penicillin');
    const c = 7.5;
    const a = fitLmm(inp);
    const b = fitLmm({ ...inp, y: inp.y.map((v) => v * c) });
    expectRel(
      b.fixef,
      Array.from(a.fixef, (v) => v * c),
      1e-7,
      'fixef',
    );
    expectRel(b.theta, Array.from(a.theta), 1e-5, 'theta');
    expectRel([b.sigma], a.sigma * c, 1e-6, 'sigma');
    const p = a.colnames.length;
    expect(Math.abs(b.loglik - (a.loglik - (a.n - p) * Math.log(c)))).toBeLessThan(1e-6);
  });

  it('drops a collinear column with RANK_DEFICIENT, as lme4', () => {
    const inp = load('sleepstudy');
    const n = inp.n;
    const x = new Float64Array(n * 3);
    x.set(inp.x);
    for (let i = 0; i < n; i++) x[2 * n + i] = 2 * inp.x[n + i]!;
    const fit = fitLmm({ ...inp, x, p: 3, colnames: [...inp.colnames, 'Days2'] });
    expect(fit.dropped).toEqual(['Days2']);
    expect(fit.warnings.find((w) => w.code === 'RANK_DEFICIENT')?.message).toContain('Days2');
    expectRel(fit.fixef, FIX.sleepstudy.fit.fixef, 1e-6, 'fixef');
  });

  it('rejects a single-level grouping factor and too many random effects', () => {
    const inp = load('sleepstudy');
    const one = { ...inp.random[0]!, codes: new Int32Array(inp.n) };
    let err: unknown;
    try {
      fitLmm({ ...inp, random: [one] });
    } catch (e) {
      err = e;
    }
    expect(isTiltakError(err, 'SINGLE_GROUP')).toBe(true);
    const perRow = {
      group: 'row',
      codes: Int32Array.from({ length: inp.n }, (_, i) => i),
      levels: Array.from({ length: inp.n }, (_, i) => `r${i}`),
      z: new Float64Array(inp.n).fill(1),
      q: 1,
      termNames: ['(Intercept)'],
    };
    try {
      fitLmm({ ...inp, random: [perRow] });
      err = null;
    } catch (e) {
      err = e;
    }
    expect(isTiltakError(err, 'TOO_MANY_RANDOM_EFFECTS')).toBe(true);
    const badY = Float64Array.from(inp.y);
    badY[4] = Number.NaN;
    expect(() => fitLmm({ ...inp, y: badY })).toThrow(/row 5/);
  });

  it('warns NOT_CONVERGED when the optimiser runs out of evaluations', () => {
    const fit = fitLmm(load('sleepstudy'), { maxEvaluations: 20 });
    expect(fit.warnings.map((w) => w.code)).toContain('NOT_CONVERGED');
  });

  it('flags a boundary fit as SINGULAR_FIT', () => {
    // Every subject has the same ten values (one per day), so the subject means are identical
    // and the between-subject variance is estimated at zero.
    const inp = load('sleepstudy');
    const y = new Float64Array(inp.n);
    for (let i = 0; i < inp.n; i++) y[i] = ((i % 10) * 7) % 10;
    const ri = {
      ...inp.random[0]!,
      q: 1,
      z: new Float64Array(inp.n).fill(1),
      termNames: ['(Intercept)'],
    };
    const fit = fitLmm({
      ...inp,
      x: inp.x.subarray(0, inp.n),
      p: 1,
      colnames: ['(Intercept)'],
      y,
      random: [ri],
    });
    expect(fit.warnings.map((w) => w.code)).toContain('SINGULAR_FIT');
    expect(fit.theta[0]).toBeLessThan(1e-4);
  });
});

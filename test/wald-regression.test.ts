// Joint Wald tests against R: chi-square and F computed from R's vcov / vcovHC / vcovCR (F uses
// n - k df for classical and HC, G - 1 for CR as clubSandwich's Naive-F), and
// clubSandwich::Wald_test(test = "HTZ") for CR1 and CR2. Tolerances: statistics 1e-8 relative
// (across packages), HTZ denominator df 1e-6 relative (Satterthwaite-type moment match), p-values
// 1e-8 absolute plus 1e-6 relative so that tiny p-values are checked too (upper tails come
// straight from the incomplete beta / gamma functions, never 1 - cdf).
import { describe, expect, it } from 'vitest';
import { waldTest } from '../src/stats/inference/wald.ts';
import { fitLogit } from '../src/stats/models/glm.ts';
import { fitOls } from '../src/stats/models/ols.ts';
import type { VcovType } from '../src/stats/tidy.ts';
import { expectRel, loadDesign, num, regressionFixtures } from './helpers/regression-fixtures.ts';

const fixtures = regressionFixtures<RModel>();

interface RTest {
  statistic: number;
  df1: number;
  df2: number | string;
  p_value: number;
}
interface RModel {
  wald_cols: number[] | number;
  wald: Record<string, Record<string, RTest>>;
}

const MODELS: Array<[string, string, boolean]> = [
  ['sim_ols', 'sim-ols', false],
  ['sim_alias_ols', 'sim-alias-ols', false],
  ['single_ols', 'single-ols', false],
  ['aa_ols', 'aa-ols', false],
  ['sim_logit', 'sim-logit', true],
  ['sim_alias_logit', 'sim-alias-logit', true],
  ['aa_logit', 'aa-logit', true],
];

describe.each(MODELS)('Wald tests for %s agree with R', (key, file, logit) => {
  const r = fixtures[key]!;
  const design = loadDesign(file);
  const fit = logit ? fitLogit(design) : fitOls(design);
  const columns = [r.wald_cols].flat();
  const cases = Object.entries(r.wald).flatMap(([type, tests]) =>
    (['chisq', 'F', 'HTZ'] as const)
      .filter((t) => tests[t] !== undefined)
      .map((t) => [type as VcovType, t, tests[t]!] as const),
  );
  it.each(cases)('%s %s', (type, test, rt) => {
    const w = waldTest(fit, { type, cluster: design.cluster, columns, test });
    expect(w.test).toBe(test);
    expect(w.df1).toBe(rt.df1);
    expectRel(w.statistic, rt.statistic, 1e-8, 'statistic');
    expectRel(w.df2, num(rt.df2), test === 'HTZ' ? 1e-6 : 1e-12, 'df2');
    expect(Math.abs(w.p_value - rt.p_value)).toBeLessThanOrEqual(1e-8);
    expectRel(w.p_value, rt.p_value, 1e-6, 'p-value');
  });
});

describe('Wald test misuse', () => {
  const design = loadDesign('sim-alias-ols');
  const fit = fitOls(design);
  it('refuses aliased, repeated or out-of-range coefficients, and HTZ without clusters', () => {
    expect(() => waldTest(fit, { type: 'HC1', columns: [5], test: 'F' })).toThrow(
      /'baseline' is aliased/,
    );
    expect(() => waldTest(fit, { type: 'HC1', columns: [1, 1], test: 'F' })).toThrow(/twice/);
    expect(() => waldTest(fit, { type: 'HC1', columns: [9], test: 'F' })).toThrow(/outside/);
    expect(() => waldTest(fit, { type: 'HC1', columns: [1], test: 'HTZ' })).toThrow(/HTZ needs/);
  });
});

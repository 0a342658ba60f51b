// OLS against R's lm / sandwich::vcovHC / clubSandwich::vcovCR + coef_test, reading the values
// that test/fixtures/r/regression.R wrote. Tolerances: coefficients, SEs, vcov and CIs 1e-8
// relative (across packages; R works through different but equally stable algebra, and the
// JSON keeps 15 significant digits); Satterthwaite df 1e-6 relative; p-values 1e-8 absolute;
// closed-form fit statistics (R squared, logLik, AIC, BIC) 1e-10 relative.
import { describe, expect, it } from 'vitest';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import { fitOls } from '../src/stats/models/ols.ts';
import { vcovOf } from '../src/stats/vcov/vcov.ts';
import {
  expectRel,
  expectRowsMatch,
  expectSatterthwaiteRowsMatch,
  expectVcovMatches,
  loadDesign,
  num,
  type RType,
  regressionFixtures,
  VCOV_TYPES,
} from './helpers/regression-fixtures.ts';

const fixtures = regressionFixtures<RModel>();

interface RModel {
  colnames: string[];
  rank: number;
  coef: Array<number | string | null>;
  aliased: string[] | string;
  loglik: number;
  aic: number;
  bic: number;
  r_squared: number;
  adj_r_squared: number;
  sigma: number;
  types: Record<string, RType>;
}

const MODELS: Array<[string, string]> = [
  ['sim_ols', 'sim-ols'],
  ['sim_alias_ols', 'sim-alias-ols'],
  ['single_ols', 'single-ols'],
  ['aa_ols', 'aa-ols'],
];

describe.each(MODELS)('OLS %s agrees with R', (key, file) => {
  const r = fixtures[key]!;
  const design = loadDesign(file);
  const fit = fitOls(design);

  it('matches lm coefficients, aliasing and fit statistics', () => {
    expect(fit.colnames).toEqual(r.colnames);
    expect(fit.rank).toBe(r.rank);
    r.coef.forEach((b, j) => {
      if (Number.isNaN(num(b))) expect(Number.isNaN(fit.coefficients[j]!)).toBe(true);
      else expectRel(fit.coefficients[j]!, num(b), 1e-8, `coef ${r.colnames[j]}`);
    });
    expect(fit.aliased).toEqual([r.aliased].flat());
    expectRel(fit.rSquared!, r.r_squared, 1e-10, 'R squared');
    expectRel(fit.adjRSquared!, r.adj_r_squared, 1e-10, 'adjusted R squared');
    expectRel(fit.sigma, r.sigma, 1e-10, 'sigma');
    expectRel(fit.loglik, r.loglik, 1e-10, 'logLik');
    expectRel(fit.aic, r.aic, 1e-10, 'AIC');
    expectRel(fit.bic, r.bic, 1e-10, 'BIC');
  });

  it.each(VCOV_TYPES)('matches %s: vcov, SE, df, p-values and CIs', (type) => {
    const rt = r.types[type]!;
    const k = fit.rank;
    expectVcovMatches(vcovOf(fit, { type, cluster: design.cluster }), rt, k);
    const rows = coefTest(fit, { type, cluster: design.cluster }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expect(rows.length).toBe(k);
    expectRowsMatch(rows, rt, type, 't');
  });

  it.each(['CR0', 'CR1', 'CR1S'] as const)('%s with Satterthwaite df on request', (type) => {
    const rt = r.types[type]!;
    const rows = coefTest(fit, { type, cluster: design.cluster, df: 'satterthwaite' }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expectSatterthwaiteRowsMatch(rows, rt, type);
  });
});

describe('OLS rank deficiency', () => {
  const design = loadDesign('sim-alias-ols');
  const fit = fitOls(design);
  it('aliases the later collinear column as R does, with a RANK_DEFICIENT warning', () => {
    expect(fit.aliased).toEqual(['baseline']);
    const w = fit.warnings.find((x) => x.code === 'RANK_DEFICIENT');
    expect(w?.message).toContain('baseline');
  });
  it('gives NaN tidy fields for the aliased term and keeps its name', () => {
    const rows = fit.tidy({ type: 'CR2', cluster: design.cluster });
    const row = rows.find((x) => x.term === 'baseline')!;
    expect(Number.isNaN(row.estimate) && Number.isNaN(row.std_error)).toBe(true);
    expect(Number.isNaN(row.p_value) && Number.isNaN(row.conf_low)).toBe(true);
    expect(rows.map((x) => x.term)).toEqual(design.colnames);
  });
});

describe('OLS summary and misuse', () => {
  const design = loadDesign('sim-ols');
  const fit = fitOls(design);
  it('builds the common summary', () => {
    const s = fit.summary({ type: 'CR2', cluster: design.cluster, formula: 'y ~ treat + age' });
    expect(s.model).toBe('ols');
    expect(s.dfMethod).toBe('satterthwaite');
    expect(s.nObs).toBe(design.n);
    expect(s.coefficients[1]!.term).toBe('treat');
    expect(s.rSquared).toBe(fit.rSquared);
    expect(fit.summary({ type: 'classical' }).dfMethod).toBe('residual');
  });
  it('rejects a CR type without a cluster, and a cluster of the wrong length', () => {
    expect(() => fit.tidy({ type: 'CR2' })).toThrow(/needs a cluster/);
    expect(() => fit.tidy({ type: 'CR1', cluster: new Int32Array(3) })).toThrow(/3 values/);
  });
  it('names the column and row of a non-finite design value', () => {
    const x = Float64Array.from(design.x);
    x[2 * design.n + 4] = Number.NaN;
    expect(() => fitOls({ ...design, x })).toThrow(/column 'age'.*row 5/);
  });
});

// OLS against R's lm / sandwich::vcovHC / clubSandwich::vcovCR + coef_test, reading the values
// that test/fixtures/r/regression.R wrote. Tolerances: coefficients, SEs, vcov and CIs 1e-8
// relative (across packages; R works through different but equally stable algebra, and the
// JSON keeps 15 significant digits); Satterthwaite df 1e-6 relative; p-values 1e-8 absolute;
// closed-form fit statistics (R squared, logLik, AIC, BIC) 1e-10 relative.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import type { DesignInput } from '../src/stats/models/design.ts';
import { fitOls } from '../src/stats/models/ols.ts';
import type { VcovType } from '../src/stats/tidy.ts';
import { vcovOf } from '../src/stats/vcov/vcov.ts';

const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/r/regression.json', import.meta.url), 'utf8'),
) as Record<string, RModel>;

interface RType {
  vcov: number[];
  se: number[];
  statistic: number[];
  df: Array<number | string>;
  p_value: number[];
  conf_low: number[];
  conf_high: number[];
  df_satterthwaite?: number[];
  p_satterthwaite?: number[];
}
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

function num(v: number | string | null): number {
  if (v === 'Inf') return Number.POSITIVE_INFINITY;
  return v === null || v === 'NA' ? Number.NaN : Number(v);
}

function loadDesign(name: string): DesignInput & { cluster: Int32Array } {
  const path = fileURLToPath(new URL(`./fixtures/data/regression-${name}.csv`, import.meta.url));
  const t = readCsv(path);
  const cols = t.names.filter((c) => c !== '.y' && c !== '.cluster');
  const n = t.nrow;
  const x = new Float64Array(n * cols.length);
  cols.forEach((c, j) => {
    x.set(t.columns.get(c)!.values as Float64Array, j * n);
  });
  return {
    x,
    n,
    p: cols.length,
    colnames: cols,
    y: t.columns.get('.y')!.values as Float64Array,
    cluster: Int32Array.from(t.columns.get('.cluster')!.values as Float64Array),
  };
}

function expectRel(actual: number, expected: number, tol: number, what: string): void {
  // Equal infinities (z tests, chi-square df) count as agreement.
  if (actual === expected) return;
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  expect(err, `${what}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tol);
}

const TYPES: VcovType[] = [
  'classical',
  'HC0',
  'HC1',
  'HC2',
  'HC3',
  'CR0',
  'CR1',
  'CR1S',
  'CR2',
  'CR3',
];
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

  it.each(TYPES)('matches %s: vcov, SE, df, p-values and CIs', (type) => {
    const rt = r.types[type]!;
    const k = fit.rank;
    const v = vcovOf(fit, { type, cluster: design.cluster });
    for (let j = 0; j < k; j++)
      for (let i = 0; i < k; i++) {
        // Off-diagonal entries relative to the scale sqrt(v_ii v_jj) (they can be ~0).
        const scale = Math.sqrt(rt.vcov[i * k + i]! * rt.vcov[j * k + j]!);
        expect(Math.abs(v[j * k + i]! - rt.vcov[j * k + i]!) / scale).toBeLessThanOrEqual(1e-8);
      }
    const rows = coefTest(fit, { type, cluster: design.cluster }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expect(rows.length).toBe(k);
    rows.forEach((row, j) => {
      expectRel(row.std_error, rt.se[j]!, 1e-8, `${type} SE ${row.term}`);
      expectRel(row.statistic, rt.statistic[j]!, 1e-8, `${type} t ${row.term}`);
      expectRel(row.df, num(rt.df[j]!), 1e-6, `${type} df ${row.term}`);
      expect(Math.abs(row.p_value - rt.p_value[j]!)).toBeLessThanOrEqual(1e-8);
      const scale = (b: number) => Math.max(Math.abs(b), row.std_error);
      expect(Math.abs(row.conf_low - rt.conf_low[j]!) / scale(rt.conf_low[j]!)).toBeLessThan(1e-8);
      expect(Math.abs(row.conf_high - rt.conf_high[j]!) / scale(rt.conf_high[j]!)).toBeLessThan(
        1e-8,
      );
    });
  });

  it.each(['CR0', 'CR1', 'CR1S'] as const)('%s with Satterthwaite df on request', (type) => {
    const rt = r.types[type]!;
    const rows = coefTest(fit, { type, cluster: design.cluster, df: 'satterthwaite' }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    rows.forEach((row, j) => {
      expectRel(row.df, rt.df_satterthwaite![j]!, 1e-6, `${type} Satterthwaite df ${row.term}`);
      expect(Math.abs(row.p_value - rt.p_satterthwaite![j]!)).toBeLessThanOrEqual(1e-8);
    });
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

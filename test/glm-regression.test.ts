// Logistic regression against R's glm (binomial), sandwich::vcovHC and clubSandwich::vcovCR +
// coef_test, from test/fixtures/r/regression.R. Tolerances: coefficients, SEs, vcov and CIs 1e-8
// relative (across packages; both sides run the same IRLS to the same stopping point, the JSON
// keeps 15 significant digits); Satterthwaite df 1e-6 relative; p-values 1e-8 absolute;
// deviance, logLik, AIC and BIC 1e-10 relative (closed forms of the same fitted values).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import type { DesignInput } from '../src/stats/models/design.ts';
import { fitLogit } from '../src/stats/models/glm.ts';
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
  deviance: number;
  iter: number;
  converged: boolean;
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
  ['sim_logit', 'sim-logit'],
  ['sim_alias_logit', 'sim-alias-logit'],
  ['aa_logit', 'aa-logit'],
];

describe.each(MODELS)('logistic %s agrees with R', (key, file) => {
  const r = fixtures[key]!;
  const design = loadDesign(file);
  const fit = fitLogit(design);

  it('matches glm coefficients, iterations, deviance and information criteria', () => {
    expect(fit.colnames).toEqual(r.colnames);
    expect(fit.rank).toBe(r.rank);
    expect(fit.iterations).toBe(r.iter);
    expect(fit.converged).toBe(r.converged);
    r.coef.forEach((b, j) => {
      if (Number.isNaN(num(b))) expect(Number.isNaN(fit.coefficients[j]!)).toBe(true);
      else expectRel(fit.coefficients[j]!, num(b), 1e-8, `coef ${r.colnames[j]}`);
    });
    expect(fit.aliased).toEqual([r.aliased].flat());
    expect(fit.rSquared).toBeNull();
    expectRel(fit.deviance, r.deviance, 1e-10, 'deviance');
    expectRel(fit.loglik, r.loglik, 1e-10, 'logLik');
    expectRel(fit.aic, r.aic, 1e-10, 'AIC');
    expectRel(fit.bic, r.bic, 1e-10, 'BIC');
  });

  it.each(TYPES)('matches %s: vcov, SE, df, p-values and CIs', (type) => {
    const rt = r.types[type]!;
    const k = fit.rank;
    const rows = coefTest(fit, { type, cluster: design.cluster }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expect(rows.length).toBe(k);
    rows.forEach((row, j) => {
      expectRel(row.std_error, rt.se[j]!, 1e-8, `${type} SE ${row.term}`);
      expectRel(row.statistic, rt.statistic[j]!, 1e-8, `${type} z/t ${row.term}`);
      // summary.glm reports z: df Infinity for classical and HC.
      expectRel(row.df, num(rt.df[j]!), 1e-6, `${type} df ${row.term}`);
      expect(Math.abs(row.p_value - rt.p_value[j]!)).toBeLessThanOrEqual(1e-8);
      const scale = (b: number) => Math.max(Math.abs(b), row.std_error);
      expect(Math.abs(row.conf_low - rt.conf_low[j]!) / scale(rt.conf_low[j]!)).toBeLessThan(1e-8);
      expect(Math.abs(row.conf_high - rt.conf_high[j]!) / scale(rt.conf_high[j]!)).toBeLessThan(
        1e-8,
      );
    });
    if (key !== 'aa_logit') {
      const v = vcovOf(fit, { type, cluster: design.cluster });
      for (let j = 0; j < k; j++)
        for (let i = 0; i < k; i++) {
          const scale = Math.sqrt(rt.vcov[i * k + i]! * rt.vcov[j * k + j]!);
          expect(Math.abs(v[j * k + i]! - rt.vcov[j * k + i]!) / scale).toBeLessThanOrEqual(1e-8);
        }
    }
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

interface RWarn {
  x?: number[];
  y?: number[];
  n?: number;
  p?: number;
  colnames?: string[];
  coef: number[];
  iter: number;
  converged: boolean;
  deviance: number;
  warnings: string[];
  se: number[];
}

describe('logistic IRLS warnings agree with R', () => {
  const raw = fixtures as unknown as Record<string, RWarn>;
  it('flags complete separation as R does', () => {
    const r = raw.glm_separation!;
    const fit = fitLogit({
      x: Float64Array.from(r.x!),
      n: r.n!,
      p: r.p!,
      colnames: r.colnames!,
      y: Float64Array.from(r.y!),
    });
    expect(r.warnings).toContain('glm.fit: fitted probabilities numerically 0 or 1 occurred');
    expect(fit.warnings.map((w) => w.code)).toContain('SEPARATION');
    expect(fit.warnings.some((w) => w.code === 'NOT_CONVERGED')).toBe(
      r.warnings.includes('glm.fit: algorithm did not converge'),
    );
    expect(fit.iterations).toBe(r.iter);
    // Coefficients diverge under separation; after the same number of identical IRLS steps they
    // still agree closely, though each step amplifies rounding, hence 1e-6.
    for (const [j, b] of r.coef.entries())
      expectRel(fit.coefficients[j]!, b, 1e-6, `separated coef ${j}`);
  });

  it('stops at maxit with NOT_CONVERGED and the same coefficients as R', () => {
    const r = raw.glm_maxit2!;
    const design = loadDesign('sim-logit');
    const fit = fitLogit(design, { maxit: 2 });
    expect(r.warnings).toContain('glm.fit: algorithm did not converge');
    expect(fit.converged).toBe(false);
    expect(fit.warnings.map((w) => w.code)).toContain('NOT_CONVERGED');
    for (const [j, b] of r.coef.entries())
      expectRel(fit.coefficients[j]!, b, 1e-8, `maxit=2 coef ${j}`);
    const se = coefTest(fit, { type: 'classical' }).map((row) => row.std_error);
    for (const [j, s] of r.se.entries()) expectRel(se[j]!, s, 1e-8, `maxit=2 SE ${j}`);
    expectRel(fit.deviance, r.deviance, 1e-10, 'maxit=2 deviance');
  });

  it('rejects an outcome that is not 0/1, naming the row', () => {
    const design = loadDesign('sim-logit');
    const y = Float64Array.from(design.y);
    y[6] = 2;
    expect(() => fitLogit({ ...design, y })).toThrow(/got 2 at row 7/);
  });

  it('reports z statistics in its summary', () => {
    const design = loadDesign('sim-logit');
    const s = fitLogit(design).summary({ type: 'HC1' });
    expect(s.dfMethod).toBe('normal');
    expect(s.coefficients.every((c) => c.df === Number.POSITIVE_INFINITY)).toBe(true);
  });
});

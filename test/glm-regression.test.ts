// Logistic regression against R's glm (binomial), sandwich::vcovHC and clubSandwich::vcovCR +
// coef_test, from test/fixtures/r/regression.R. Tolerances: coefficients, SEs, vcov and CIs 1e-8
// relative (across packages; both sides run the same IRLS to the same stopping point, the JSON
// keeps 15 significant digits); Satterthwaite df 1e-6 relative; p-values 1e-8 absolute;
// deviance, logLik, AIC and BIC 1e-10 relative (closed forms of the same fitted values).
import { describe, expect, it } from 'vitest';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import { fitLogit } from '../src/stats/models/glm.ts';
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
  deviance: number;
  iter: number;
  converged: boolean;
  types: Record<string, RType>;
}

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

  it.each(VCOV_TYPES)('matches %s: vcov, SE, df, p-values and CIs', (type) => {
    const rt = r.types[type]!;
    const k = fit.rank;
    const rows = coefTest(fit, { type, cluster: design.cluster }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expect(rows.length).toBe(k);
    // summary.glm reports z: df Infinity for classical and HC.
    expectRowsMatch(rows, rt, type, 'z/t');
    if (key !== 'aa_logit')
      expectVcovMatches(vcovOf(fit, { type, cluster: design.cluster }), rt, k);
  });

  it.each(['CR0', 'CR1', 'CR1S'] as const)('%s with Satterthwaite df on request', (type) => {
    const rt = r.types[type]!;
    const rows = coefTest(fit, { type, cluster: design.cluster, df: 'satterthwaite' }).filter(
      (row) => !Number.isNaN(row.estimate),
    );
    expectSatterthwaiteRowsMatch(rows, rt, type);
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

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitModel } from '../src/analysis/fit-model.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { termsOf } from '../src/stats/formula/index.ts';

const ref = JSON.parse(readFileSync('test/fixtures/r/lmm-double-bar.json', 'utf8'));
const data = readCsv('test/fixtures/data/sleepstudy.csv');

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("lme4's double bar: (Days || Subject) = (1 | Subject) + (0 + Days | Subject)", () => {
  it('expands into one uncorrelated term per left-hand term', () => {
    const r = termsOf('y ~ x + (1 + x + z || g)').random;
    expect(r.map((t) => [t.group, t.lhs.intercept, t.lhs.termLabels])).toEqual([
      ['g', true, []],
      ['g', false, ['x']],
      ['g', false, ['z']],
    ]);
    expect(termsOf('y ~ (0 + x || g/h)').random.map((t) => t.group)).toEqual(['h:g', 'g']);
  });

  // Optimised on both sides (bobyqa at 1e-12 in R): estimates 1e-6, SEs and variances 1e-5,
  // Satterthwaite df 1e-4 relative; logLik 1e-6 absolute.
  for (const [key, ml] of [
    ['double', false],
    ['double_ml', true],
  ] as const) {
    it(`agrees with lmer ${ml ? '(ML)' : '(REML)'}`, () => {
      const want = ref[key];
      const s = fitModel(data, {
        formula: 'Reaction ~ Days + (Days || Subject)',
        level: 0.95,
        ml,
      }).summary;
      s.coefficients.forEach((c, j) => {
        expect(c.term).toBe(want.term[j]);
        expect(rel(c.estimate, want.estimate[j])).toBeLessThan(1e-6);
        expect(rel(c.std_error, want.std_error[j])).toBeLessThan(1e-5);
        expect(rel(c.df, want.df[j])).toBeLessThan(1e-4);
      });
      const vc = s.varianceComponents!;
      expect(vc.map((v) => v.group)).toEqual(want.grp);
      expect(vc.map((v) => v.term)).toEqual(want.var1);
      vc.forEach((v, i) => {
        expect(rel(v.variance, want.variance[i])).toBeLessThan(1e-5);
      });
      expect(Math.abs(s.loglik! - want.loglik)).toBeLessThan(1e-6);
      expect(s.groups).toEqual(want.ngrps);
    });
  }

  it('(0 + Days || Subject) is the same model as (0 + Days | Subject)', () => {
    const a = fitModel(data, { formula: 'Reaction ~ Days + (0 + Days || Subject)', level: 0.95 });
    const b = fitModel(data, { formula: 'Reaction ~ Days + (0 + Days | Subject)', level: 0.95 });
    expect(a.summary.loglik).toBeCloseTo(b.summary.loglik!, 10);
    expect(a.summary.coefficients[1]!.std_error).toBeCloseTo(
      b.summary.coefficients[1]!.std_error,
      10,
    );
  });

  it("refuses '||' inside another term, naming its position", () => {
    let err: unknown = null;
    try {
      termsOf('y ~ a * (x || g)');
    } catch (e) {
      err = e;
    }
    expect(isTiltakError(err)).toBe(true);
    expect((err as Error).message).toMatch(/random-effect term/);
  });
});

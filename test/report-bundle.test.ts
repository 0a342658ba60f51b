import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { rFormula } from '../src/report/analysis-r.ts';
import { assertNoPersonalIds, exportAnalysisBundle, toCsv } from '../src/report/bundle.ts';
import { dataFrame } from '../src/stats/data-frame.ts';
import { expectClose } from './helpers/compare.ts';

const plan = AnalysisPlan.parse(
  JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8')),
);
const data = readCsv('test/fixtures/data/holf-demo.csv');
const results = runPlan(plan, data);
const dir = mkdtempSync(join(tmpdir(), 'tiltak-bundle-'));
const files = exportAnalysisBundle(dir, { data, plan, results });
const hasR = spawnSync('Rscript', ['--version']).status === 0;

describe('analysis bundle', () => {
  it('writes data, codebook, plan, results and the R script', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'data.csv',
      'codebook.csv',
      'plan.json',
      'results.json',
      'analysis.R',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'))).toEqual(plan);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).planHash).toBe(
      results.planHash,
    );
  });

  it('data.csv reads back to the same table', () => {
    const back = readCsv(join(dir, 'data.csv'));
    expect([...back.columns.keys()]).toEqual([...data.columns.keys()]);
    for (const [name, col] of data.columns) {
      const values = (c: { values: ArrayLike<unknown> }) => Array.from(c.values);
      expect(values(back.columns.get(name)!), name).toEqual(values(col));
    }
    expect(toCsv(dataFrame({ y: [1.5, null], g: ['a,b', 'say "hi"'] }))).toBe(
      'y,g\n1.5,"a,b"\nNA,"say ""hi"""\n',
    );
  });

  it('codebook has one row per variable with type and levels or units', () => {
    const cb = readCsv(join(dir, 'codebook.csv'));
    expect(cb.columns.get('variable')!.values).toEqual([...data.columns.keys()]);
    const row = (v: string) => {
      const i = (cb.columns.get('variable')!.values as string[]).indexOf(v);
      return {
        type: cb.columns.get('type')!.values[i],
        levels: cb.columns.get('levels_or_units')!.values[i] as string,
      };
    };
    expect(row('arm')).toEqual({ type: 'character', levels: '2 levels: control; HOLF' });
    expect(row('employed').type).toBe('binary (0/1)');
    expect(row('income').levels).toMatch(/^NOK per month; range -?\d+ to \d+$/);
    expect(row('office').levels).toMatch(/^29 levels: /);
  });

  it('refuses anything that looks like a personal id, writing nothing', () => {
    const bad = dataFrame({ family: ['F1', 'F2'], id: ['F1', '010170 12345'] });
    expect(() => assertNoPersonalIds(bad)).toThrow(/column 'id', row 2.*personal id/);
    expect(() => assertNoPersonalIds(dataFrame({ x: [1, 1017012345] }))).not.toThrow();
    expect(() => assertNoPersonalIds(dataFrame({ x: [1, 10170123456] }))).toThrow(/column 'x'/);
    expect(() => assertNoPersonalIds(dataFrame({ fnr: ['a'] }))).toThrow(/named like/);
    const target = join(dir, 'refused');
    expect(() => exportAnalysisBundle(target, { data: bad, plan, results })).toThrow(
      /PERSONAL|personal id/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('writes only formula syntax into R code', () => {
    expect(rFormula('y ~ arm * wave + factor(year) + (1 | office/family)')).toContain('factor');
    expect(() => rFormula('y ~ system(x)')).toThrow(/system/);
    expect(() => rFormula('y ~ x; q()')).toThrow(/characters/);
    expect(() => rFormula('y ~ "x"')).toThrow(/characters/);
  });
});

describe.skipIf(!hasR)('analysis.R re-runs the plan in R (skipped: Rscript not found)', () => {
  // Tolerances as the plan's R tests: mixed-model estimates 1e-6 relative to max(|est|, SE), SEs
  // 1e-5 and df 1e-4 relative (both sides stop an optimiser near the optimum), p-values 1e-5
  // absolute; the CR2 sensitivity models are closed forms: 1e-8.
  it('gives Tiltak’s effects, F tests, CR2 sensitivity models and adjusted p-values', () => {
    const run = spawnSync('Rscript', [join(dir, 'analysis.R'), dir], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/outcome\s+term\s+estimate/);
    const r = JSON.parse(readFileSync(join(dir, 'results-r.json'), 'utf8'));
    for (const o of results.outcomes) {
      const got = r[o.id];
      expect(got.effect.term).toBe(o.effect.term);
      expect(got.n).toBe(o.summary.nObs);
      expectClose(
        got.effect.estimate,
        o.effect.estimate,
        1e-6,
        `${o.id} estimate`,
        o.effect.std_error,
      );
      expectClose(got.effect.std_error, o.effect.std_error, 1e-5, `${o.id} SE`);
      expectClose(got.effect.df, o.effect.df, 1e-4, `${o.id} df`);
      expect(Math.abs(got.effect.p_value - o.effect.p_value)).toBeLessThan(1e-5);
      if (o.pAdjusted === null) expect(got.p_adjusted).toBeUndefined();
      else expect(Math.abs(got.p_adjusted - o.pAdjusted)).toBeLessThan(1e-5);
      for (const t of o.termTests) {
        const rt = got.terms.find((x: { term: string }) => x.term === t.term);
        expect(rt.num_df).toBe(t.numDf);
        expectClose(rt.F, t.fValue, 1e-5, `${o.id} ${t.term} F`);
        expectClose(rt.den_df, t.denDf, 1e-4, `${o.id} ${t.term} den df`);
      }
      const models = o.sensitivity.filter((s) => s.kind === 'model');
      models.forEach((s, i) => {
        const rs = got.sensitivity[i];
        expectClose(rs.estimate, s.effect!.estimate, 1e-8, `${o.id} CR2 estimate`, 1e-6);
        expectClose(rs.std_error, s.effect!.std_error, 1e-8, `${o.id} CR2 SE`);
        expectClose(rs.df, s.effect!.df, 1e-6, `${o.id} CR2 df`);
      });
    }
  });
});

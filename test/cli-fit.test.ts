import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareMixedModels, fitModel } from '../src/analysis/fit-model.ts';
import { runFit } from '../src/cli/commands/fit.ts';
import { toJsonSummary } from '../src/cli/json-summary.ts';
import { readCsv } from '../src/io/read-csv.ts';
import type { TidyRow } from '../src/stats/tidy.ts';
import { expectClose } from './helpers/compare.ts';

// End-to-end: raw CSV with factor columns -> formula parser -> model -> variance -> tests, against
// lm/glm + sandwich + clubSandwich (test/fixtures/r/cli-fit.R). Tolerances: estimates and SEs 1e-8
// relative (both sides solve the same least-squares / IRLS problem in double precision); df 1e-6
// relative; p-values 1e-8 absolute.
const ref = JSON.parse(readFileSync('test/fixtures/r/cli-fit.json', 'utf8'));
const data = readCsv('test/fixtures/data/cli-achievement.csv');

interface RFit {
  term: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  df: number[];
  p_value: number[];
  conf_low: number[];
  conf_high: number[];
}

function compare(rows: TidyRow[], r: RFit, label: string): void {
  expect(rows.map((x) => x.term)).toEqual(r.term);
  rows.forEach((row, i) => {
    const what = `${label} ${row.term}`;
    expectClose(row.estimate, r.estimate[i]!, 1e-8, `${what} estimate`, 1e-12);
    expectClose(row.std_error, r.std_error[i]!, 1e-8, `${what} SE`, 1e-12);
    expectClose(row.statistic, r.statistic[i]!, 1e-8, `${what} statistic`, 1e-12);
    if (r.df[i] === null || !Number.isFinite(r.df[i]!)) expect(Number.isFinite(row.df)).toBe(false);
    else expectClose(row.df, r.df[i]!, 1e-6, `${what} df`);
    expect(Math.abs(row.p_value - r.p_value[i]!), `${what} p`).toBeLessThan(1e-8);
    expectClose(row.conf_low, r.conf_low[i]!, 1e-8, `${what} CI low`, 1e-12);
    expectClose(row.conf_high, r.conf_high[i]!, 1e-8, `${what} CI high`, 1e-12);
  });
}

describe('tiltak fit agrees with R end to end (AchievementAwardsRCT, raw columns)', () => {
  for (const type of ['classical', 'HC1', 'CR1', 'CR2'] as const) {
    it(`OLS with ${type}`, () => {
      const s = runFit(data, {
        formula: ref.ols.formula,
        vcov: type,
        ...(type.startsWith('CR') ? { cluster: 'school_id' } : {}),
        level: 0.95,
      });
      expect(s.nObs).toBe(ref.ols.n_obs);
      expect(s.nDropped).toBe(ref.ols.n_dropped);
      expectClose(s.rSquared!, ref.ols.r_squared, 1e-10, 'R2');
      expectClose(s.adjRSquared!, ref.ols.adj_r_squared, 1e-10, 'adj R2');
      expectClose(s.loglik, ref.ols.loglik, 1e-10, 'logLik');
      expectClose(s.aic, ref.ols.aic, 1e-10, 'AIC');
      expectClose(s.bic, ref.ols.bic, 1e-10, 'BIC');
      compare(s.coefficients, ref.ols.fits[type], `ols/${type}`);
      if (type.startsWith('CR')) expect(Object.values(s.groups)[0]).toBeGreaterThan(30);
    });
  }
  for (const type of ['classical', 'HC0', 'CR1S', 'CR2'] as const) {
    it(`logistic with ${type} (interaction term named as R names it)`, () => {
      const s = runFit(data, {
        formula: ref.logit.formula,
        model: 'logit',
        vcov: type,
        ...(type.startsWith('CR') ? { cluster: 'school_id' } : {}),
        level: 0.95,
      });
      expect(s.nObs).toBe(ref.logit.n_obs);
      expectClose(s.loglik, ref.logit.loglik, 1e-9, 'logLik');
      expectClose(s.aic, ref.logit.aic, 1e-9, 'AIC');
      compare(s.coefficients, ref.logit.fits[type], `logit/${type}`);
    });
  }
  it('JSON output has the documented keys and no NaN', () => {
    const s = runFit(data, { formula: ref.ols.formula, cluster: 'school_id', level: 0.9 });
    const j = toJsonSummary(s);
    expect(Object.keys(j)).toEqual([
      'model',
      'formula',
      'n_obs',
      'n_dropped',
      'groups',
      'vcov',
      'df_method',
      'coefficients',
      'r_squared',
      'adj_r_squared',
      'loglik',
      'aic',
      'bic',
      'warnings',
    ]);
    expect(j.vcov).toBe('CR2');
    expect(j.df_method).toBe('satterthwaite');
    expect(JSON.stringify(j)).not.toMatch(/NaN|Infinity/);
  });
});

function tiltak(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/tiltak.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tiltak fit: bad input is a one-line error with a non-zero exit code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-fit-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const good = file(
    'good.csv',
    'y,arm,office,x\n1,A,o1,1\n2,B,o2,3\n3,A,o3,2\n5,B,o4,4\n4,A,o1,5\n6,B,o2,7\n',
  );
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown column', [good, '--formula', 'y ~ arm + ofice'], /UNKNOWN_COLUMN.*ofice/],
    [
      'a non-numeric value in a numeric column',
      [
        file(
          'nonnum.csv',
          `y,x\n${Array.from({ length: 12 }, (_, i) => `${i},${i === 2 ? 'abc' : i * 2}`).join('\n')}\n`,
        ),
        '--formula',
        'y ~ x',
      ],
      /NON_NUMERIC_VALUE.*row 3.*abc/,
    ],
    [
      'a constant treatment',
      [file('const.csv', 'y,arm\n1,A\n2,A\n3,A\n4,A\n'), '--formula', 'y ~ arm'],
      /SINGLE_LEVEL_FACTOR.*arm/,
    ],
    [
      'a single cluster',
      [
        file('onecl.csv', 'y,x,office\n1,1,o1\n2,3,o1\n3,2,o1\n5,4,o1\n'),
        '--formula',
        'y ~ x',
        '--cluster',
        'office',
      ],
      /SINGLE_CLUSTER/,
    ],
    [
      'missing values in the cluster column',
      [
        file('miscl.csv', 'y,x,office\n1,1,o1\n2,3,NA\n3,2,o2\n5,4,o2\n'),
        '--formula',
        'y ~ x',
        '--cluster',
        'office',
      ],
      /MISSING_CLUSTER.*row 2/,
    ],
    ['an empty file', [file('empty.csv', ''), '--formula', 'y ~ x'], /EMPTY_FILE/],
    ['a formula syntax error', [good, '--formula', 'y ~ arm +'], /FORMULA_SYNTAX.*position/],
    [
      'a CR variance without a cluster',
      [good, '--formula', 'y ~ arm', '--vcov', 'CR2'],
      /needs --cluster/,
    ],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const r = tiltak(['fit', ...args]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    });
  }
  it('prints exactly one JSON object on success', () => {
    const r = tiltak([
      'fit',
      good,
      '--formula',
      'y ~ x',
      '--cluster',
      'office',
      '--vcov',
      'CR1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.coefficients.map((c: { term: string }) => c.term)).toEqual(['(Intercept)', 'x']);
    expect(j.groups).toEqual({ office: 4 });
  });
});

describe('tiltak fit --model lmm agrees with lmerTest, pbkrtest and clubSandwich end to end', () => {
  // Mixed-model tolerances: estimates 1e-6 relative, SEs 1e-5, df 1e-4 (the optimisers on both
  // sides stop near, not at, the optimum); CR2 SEs 1e-5 (closed form given the fitted variances).
  const r = ref.lmm;
  const compareLmm = (
    rows: TidyRow[],
    want: {
      term: string[];
      estimate: number[];
      std_error: number[];
      df: number[];
      p_value: number[];
    },
    label: string,
  ) => {
    expect(rows.map((x) => x.term)).toEqual(want.term);
    rows.forEach((row, i) => {
      expectClose(
        row.estimate,
        want.estimate[i]!,
        1e-6,
        `${label} ${row.term} estimate`,
        want.std_error[i]!,
      );
      expectClose(row.std_error, want.std_error[i]!, 1e-5, `${label} ${row.term} SE`);
      expectClose(row.df, want.df[i]!, 1e-4, `${label} ${row.term} df`);
      expect(Math.abs(row.p_value - want.p_value[i]!)).toBeLessThan(1e-5);
    });
  };
  it('Satterthwaite (default) and Kenward-Roger', () => {
    const s = fitModel(data, { formula: r.formula, level: 0.95 });
    expect(s.summary.nObs).toBe(r.n_obs);
    expect(s.summary.reml).toBe(true);
    compareLmm(s.summary.coefficients, r.satterthwaite, 'Satterthwaite');
    expectClose(s.summary.loglik, r.loglik, 1e-8, 'REML log-likelihood');
    expectClose(s.icc![0]!.icc, r.icc, 1e-5, 'ICC');
    const kr = fitModel(data, { formula: r.formula, df: 'kenward-roger', level: 0.95 });
    compareLmm(kr.summary.coefficients, r.kenward_roger, 'KR');
  });
  it('CR2 (clubSandwich vcovCR and coef_test on the lmer fit) with Satterthwaite df', () => {
    const s = fitModel(data, {
      formula: r.formula,
      vcov: 'CR2',
      cluster: 'school_id',
      level: 0.95,
    });
    expect(s.summary.dfMethod).toBe('satterthwaite');
    // SEs and df are smooth in the fitted variances (optimised on both sides): 1e-5 relative;
    // p-values 1e-6 absolute.
    s.summary.coefficients.forEach((row, i) => {
      expectClose(row.std_error, r.cr2_se[i], 1e-5, `CR2 ${row.term}`);
      expectClose(row.df, r.cr2_df[i], 1e-5, `CR2 df ${row.term}`);
      expect(Math.abs(row.p_value - r.cr2_p[i])).toBeLessThan(1e-6);
    });
    const cr1 = fitModel(data, {
      formula: r.formula,
      vcov: 'CR1',
      cluster: 'school_id',
      level: 0.95,
    });
    expect(cr1.summary.dfMethod).toBe('cluster');
    for (const row of cr1.summary.coefficients) expect(row.df).toBe(r.G - 1);
    expect(() =>
      fitModel(data, {
        formula: r.formula,
        vcov: 'CR2',
        cluster: 'school_id',
        df: 'kenward-roger',
        level: 0.95,
      }),
    ).toThrow(/does not apply/);
  });
  it('likelihood-ratio test between nested ML fits', () => {
    const t = compareMixedModels(data, r.formula.replace('treated + ', ''), r.formula);
    expectClose(t.chisq, r.lrt.chisq, 1e-5, 'LRT chi-square');
    expect(t.df).toBe(r.lrt.df);
    expect(Math.abs(t.pValue - r.lrt.p)).toBeLessThan(1e-6);
  });
  it('prints ICCs, term tests and BLUPs as JSON', () => {
    const out = tiltak([
      'fit',
      'test/fixtures/data/cli-achievement.csv',
      '--formula',
      r.formula,
      '--ranef',
      '--json',
    ]);
    expect(out.code).toBe(0);
    const j = JSON.parse(out.stdout);
    expect(j.model).toBe('lmm');
    expect(j.variance_components.map((v: { group: string }) => v.group)).toEqual([
      'school_id',
      'Residual',
    ]);
    expect(j.icc[0].group).toBe('school_id');
    expect(j.term_tests.map((t: { term: string }) => t.term)).toEqual([
      'treated',
      'factor(year)',
      'sex',
      'lagscore',
    ]);
    expect(j.ranef.length).toBe(r.G);
  });
});

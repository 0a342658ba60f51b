import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMunicipalityTable } from '../src/analysis/municipality/read.ts';
import { spendingModel } from '../src/analysis/municipality/spending-model.ts';
import { parseCsv, readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import type { TidyRow } from '../src/stats/tidy.ts';
import { expectClose } from './helpers/compare.ts';

// Reference: test/fixtures/r/municipality.R (lm + sandwich::vcovHC + clubSandwich::coef_test).
// Tolerances: estimates, SEs, standardised coefficients and VIFs 1e-8 relative (the same
// least-squares problem in double precision), Satterthwaite df 1e-6 relative, p 1e-8 absolute.
const ref = JSON.parse(readFileSync('test/fixtures/r/municipality.json', 'utf8'));
const rows = parseMunicipalityTable(readCsv('test/fixtures/data/municipality-panel.csv'));

interface RTable {
  term: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  df: number[];
  p_value: number[];
}

function compare(got: TidyRow[], r: RTable, label: string): void {
  expect(got.map((g) => g.term)).toEqual(r.term);
  got.forEach((g, i) => {
    expectClose(g.estimate, r.estimate[i]!, 1e-8, `${label} ${g.term} estimate`, 1e-12);
    expectClose(g.std_error, r.std_error[i]!, 1e-8, `${label} ${g.term} SE`, 1e-12);
    expectClose(g.df, r.df[i]!, 1e-6, `${label} ${g.term} df`);
    expect(Math.abs(g.p_value - r.p_value[i]!)).toBeLessThan(1e-8);
  });
}

describe('municipality spending model agrees with R', () => {
  it('one year with HC1 (default) and HC3, slopes by size, standardised betas and VIFs', () => {
    const r = spendingModel(rows, { year: 2012 });
    expect(r.summary.nObs).toBe(ref.cross_section.n);
    expect(r.small).toBe(ref.cross_section.small);
    expect(r.summary.vcov).toBe('HC1');
    compare(r.summary.coefficients, ref.cross_section.hc1, 'HC1');
    compare(r.slopes, sliceLast(ref.cross_section.slopes_hc1, 2), 'slopes');
    expectClose(r.summary.rSquared!, ref.cross_section.r_squared, 1e-10, 'R2');
    expect(r.standardized.map((s) => s.term)).toEqual(ref.cross_section.standardized.term);
    r.standardized.forEach((s, i) => {
      expectClose(s.beta, ref.cross_section.standardized.beta[i], 1e-8, `beta ${s.term}`, 1e-12);
    });
    expect(r.vif.map((v) => v.term)).toEqual(ref.cross_section.vif.term);
    for (const [i, v] of r.vif.entries()) {
      expectClose(v.vif, ref.cross_section.vif.vif[i], 1e-8, `VIF ${v.term}`);
    }
    compare(
      spendingModel(rows, { year: 2012, vcov: 'HC3' }).summary.coefficients,
      ref.cross_section.hc3,
      'HC3',
    );
  });

  it('panel with year fixed effects and CR2 by municipality (Satterthwaite df)', () => {
    const r = spendingModel(rows, { panel: true });
    expect(r.kind).toBe('panel');
    expect(r.summary.nObs).toBe(ref.panel.n);
    expect(r.summary.groups).toEqual({ municipality: ref.panel.municipalities });
    // Counts are of municipalities, not municipality-years (642 rows are 214 municipalities).
    expect(r.municipalities).toBe(ref.panel.municipalities);
    expect(r.small).toBe(ref.panel.small_municipalities);
    expect(r.observations).toBe(ref.panel.n);
    expect(r.smallObservations).toBe(ref.panel.small_observations);
    compare(r.summary.coefficients, ref.panel.cr2, 'panel CR2');
    compare(r.slopes, sliceLast(ref.panel.slopes_cr2, 2), 'panel slopes');
    for (const [i, v] of r.vif.entries())
      expectClose(v.vif, ref.panel.vif.vif[i], 1e-8, `panel VIF ${v.term}`);
  });

  it('is invariant to row order', () => {
    const a = spendingModel(rows, { panel: true });
    const b = spendingModel([...rows].reverse(), { panel: true });
    a.summary.coefficients.forEach((c, i) => {
      expectClose(b.summary.coefficients[i]!.estimate, c.estimate, 1e-9, c.term, 1e-9);
      expectClose(b.summary.coefficients[i]!.std_error, c.std_error, 1e-9, c.term, 1e-9);
    });
  });
});

describe('municipality table validation', () => {
  it('rejects the whole file and reports every bad row', () => {
    const header = readFileSync('test/fixtures/data/municipality-panel.csv', 'utf8').split('\n')[0];
    const text = [
      header,
      '0101,2011,12771,2266.4,0.1207,144,8.28,9.47,2.92,3.089',
      '0102,2011,-5,2266.4,0.1207,144,8.28,9.47,2.92,3.089',
      '0103,2011,4000,2266.4,0.1207,144,8.28,130,2.92,3.089',
      '0101,2011,12771,2266.4,0.1207,144,8.28,9.47,2.92,3.089',
      '0104,2011,4000,NA,0.1207,144,8.28,9.4,2.92,3.089',
    ].join('\n');
    try {
      parseMunicipalityTable(parseCsv(text, 'kostra.csv'));
      expect.unreachable('a bad table must be rejected');
    } catch (e) {
      expect(isTiltakError(e, 'INVALID_ROWS')).toBe(true);
      const problems = (e as { details: { problems: Array<{ row: number; column: string }> } })
        .details.problems;
      expect(problems.map((p) => [p.row, p.column])).toEqual([
        [2, 'population'],
        [3, 'share_divorced'],
        [4, 'municipality'],
        [5, 'sa_expenses_per_inhabitant'],
      ]);
      expect((e as Error).message).toMatch(/4 problems, nothing imported/);
    }
  });
  it('names missing columns', () => {
    expect(() =>
      parseMunicipalityTable(parseCsv('municipality,year\n0301,2011\n', 'x.csv')),
    ).toThrow(/missing columns population, sa_expenses_per_inhabitant/);
  });
});

function sliceLast(t: RTable, k: number): RTable {
  const s = <T>(a: T[]) => a.slice(a.length - k);
  return {
    term: s(t.term),
    estimate: s(t.estimate),
    std_error: s(t.std_error),
    statistic: s(t.statistic),
    df: s(t.df),
    p_value: s(t.p_value),
  };
}

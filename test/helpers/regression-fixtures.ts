// Shared readers and checks for the OLS / logistic fixtures that test/fixtures/r/regression.R
// writes (regression.json and fixtures/data/regression-*.csv). The tolerances stay with the
// callers' header comments: 1e-8 relative across packages, 1e-6 for Satterthwaite df.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readCsv } from '../../src/io/read-csv.ts';
import type { DesignInput } from '../../src/stats/models/design.ts';
import type { TidyRow, VcovType } from '../../src/stats/tidy.ts';

export { VCOV_TYPES } from '../../src/stats/tidy.ts';

/**
 * R's coefficient table for one variance type (coef_test / lmtest::coeftest columns).
 *
 * @example
 * const rt: RType = regressionFixtures<RModel>().sim_ols!.types.CR2!;
 */
export interface RType {
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

/**
 * regression.json keyed by model name, typed as the caller's view of one model.
 *
 * @example
 * const fixtures = regressionFixtures<{ rank: number }>();
 */
export function regressionFixtures<T>(): Record<string, T> {
  return JSON.parse(
    readFileSync(new URL('../fixtures/r/regression.json', import.meta.url), 'utf8'),
  ) as Record<string, T>;
}

/**
 * A fixture number as R's jsonlite wrote it: 'Inf' for infinity, null or 'NA' for NaN.
 *
 * @example
 * num('Inf'); // Infinity
 */
export function num(v: number | string | null): number {
  if (v === 'Inf') return Number.POSITIVE_INFINITY;
  return v === null || v === 'NA' ? Number.NaN : Number(v);
}

/**
 * Read fixtures/data/regression-<name>.csv as a design: every column but `.y` and `.cluster` is a
 * model-matrix column, in file order.
 *
 * @example
 * const design = loadDesign('sim-ols');
 */
export function loadDesign(name: string): DesignInput & { cluster: Int32Array } {
  const path = fileURLToPath(new URL(`../fixtures/data/regression-${name}.csv`, import.meta.url));
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

/**
 * Assert a relative error of at most `tol`; equal values (also equal infinities, as in z tests
 * and chi-square df) count as agreement.
 *
 * @example
 * expectRel(fit.aic, r.aic, 1e-10, 'AIC');
 */
export function expectRel(actual: number, expected: number, tol: number, what: string): void {
  if (actual === expected) return;
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  expect(err, `${what}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tol);
}

/**
 * Compare a k x k covariance with R's, entry by entry relative to sqrt(v_ii v_jj) (off-diagonal
 * entries can be ~0), within 1e-8.
 *
 * @example
 * expectVcovMatches(vcovOf(fit, { type }), rt, fit.rank);
 */
export function expectVcovMatches(v: Float64Array, rt: RType, k: number): void {
  for (let j = 0; j < k; j++)
    for (let i = 0; i < k; i++) {
      const scale = Math.sqrt(rt.vcov[i * k + i]! * rt.vcov[j * k + j]!);
      expect(Math.abs(v[j * k + i]! - rt.vcov[j * k + i]!) / scale).toBeLessThanOrEqual(1e-8);
    }
}

/**
 * Compare the non-aliased coefficient rows with R's table for `type`: SE and statistic 1e-8
 * relative, df 1e-6 relative, p-value 1e-8 absolute, CI limits 1e-8 relative to max(|limit|, SE).
 *
 * @example
 * expectRowsMatch(rows, r.types.HC1!, 'HC1', 't');
 */
export function expectRowsMatch(
  rows: readonly TidyRow[],
  rt: RType,
  type: VcovType,
  statName: string,
): void {
  rows.forEach((row, j) => {
    expectRel(row.std_error, rt.se[j]!, 1e-8, `${type} SE ${row.term}`);
    expectRel(row.statistic, rt.statistic[j]!, 1e-8, `${type} ${statName} ${row.term}`);
    expectRel(row.df, num(rt.df[j]!), 1e-6, `${type} df ${row.term}`);
    expect(Math.abs(row.p_value - rt.p_value[j]!)).toBeLessThanOrEqual(1e-8);
    const scale = (b: number) => Math.max(Math.abs(b), row.std_error);
    expect(Math.abs(row.conf_low - rt.conf_low[j]!) / scale(rt.conf_low[j]!)).toBeLessThan(1e-8);
    expect(Math.abs(row.conf_high - rt.conf_high[j]!) / scale(rt.conf_high[j]!)).toBeLessThan(1e-8);
  });
}

/**
 * Compare CR0/CR1/CR1S rows computed with `df: 'satterthwaite'` with R's: df 1e-6 relative,
 * p-value 1e-8 absolute.
 *
 * @example
 * expectSatterthwaiteRowsMatch(rows, r.types.CR1!, 'CR1');
 */
export function expectSatterthwaiteRowsMatch(
  rows: readonly TidyRow[],
  rt: RType,
  type: VcovType,
): void {
  rows.forEach((row, j) => {
    expectRel(row.df, rt.df_satterthwaite![j]!, 1e-6, `${type} Satterthwaite df ${row.term}`);
    expect(Math.abs(row.p_value - rt.p_satterthwaite![j]!)).toBeLessThanOrEqual(1e-8);
  });
}

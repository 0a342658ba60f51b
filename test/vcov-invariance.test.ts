// Invariances of the sandwich engine that must hold whatever R says: row order, cluster coding,
// covariate scaling, and CR collapsing to HC when every cluster is a single row. Tolerance
// 1e-9 relative: the same algebra in a different summation order.
import { describe, expect, it } from 'vitest';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import type { DesignInput } from '../src/stats/models/design.ts';
import { fitLogit } from '../src/stats/models/glm.ts';
import { fitOls } from '../src/stats/models/ols.ts';
import { createRng, shuffleInPlace } from '../src/stats/random.ts';
import type { VcovType } from '../src/stats/tidy.ts';
import type { SandwichModel } from '../src/stats/vcov/sandwich.ts';
import { vcovOf } from '../src/stats/vcov/vcov.ts';
import { loadDesign, VCOV_TYPES } from './helpers/regression-fixtures.ts';

function permuteRows<T extends DesignInput & { cluster: Int32Array }>(d: T, order: Int32Array): T {
  const { n, p } = d;
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) x[j * n + i] = d.x[j * n + order[i]!]!;
  return {
    ...d,
    x,
    y: Float64Array.from(order, (i) => d.y[i]!),
    cluster: Int32Array.from(order, (i) => d.cluster[i]!),
  };
}

function close(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
}

const ols = loadDesign('sim-ols');
const logit = loadDesign('sim-logit');

describe.each([
  ['OLS', ols, fitOls],
  ['logistic', logit, (d: DesignInput) => fitLogit(d)],
] as const)('%s invariances', (_label, design, fitFn) => {
  const base = fitFn(design);

  it('does not depend on row order (rows shuffled with a seeded generator)', () => {
    const order = Int32Array.from({ length: design.n }, (_, i) => i);
    shuffleInPlace(order, createRng(20260423));
    const d2 = permuteRows(design, order);
    const moved = fitFn(d2);
    for (const type of VCOV_TYPES) {
      const a = coefTest(base, { type, cluster: design.cluster });
      const b = coefTest(moved, { type, cluster: d2.cluster });
      a.forEach((row, j) => {
        expect(close(row.estimate, b[j]!.estimate, 1e-9), `${type} estimate`).toBe(true);
        expect(close(row.std_error, b[j]!.std_error, 1e-9), `${type} SE`).toBe(true);
        expect(close(row.df, b[j]!.df, 1e-9), `${type} df`).toBe(true);
      });
    }
  });

  it('does not depend on how clusters are coded', () => {
    const recoded = Int32Array.from(design.cluster, (c) => 1000 - 7 * c);
    for (const type of ['CR1', 'CR2', 'CR3'] as const) {
      const a = coefTest(base, { type, cluster: design.cluster });
      const b = coefTest(base, { type, cluster: recoded });
      a.forEach((row, j) => {
        expect(close(row.std_error, b[j]!.std_error, 1e-12)).toBe(true);
        expect(close(row.df, b[j]!.df, 1e-12)).toBe(true);
      });
    }
  });

  it('scales the coefficient and SE of a rescaled covariate and leaves tests unchanged', () => {
    const j = design.colnames.indexOf('age');
    const x = Float64Array.from(design.x);
    for (let i = 0; i < design.n; i++) x[j * design.n + i]! *= 12;
    const scaled = fitFn({ ...design, x });
    for (const type of VCOV_TYPES) {
      const a = coefTest(base, { type, cluster: design.cluster });
      const b = coefTest(scaled, { type, cluster: design.cluster });
      expect(close(b[j]!.estimate * 12, a[j]!.estimate, 1e-9), `${type} estimate`).toBe(true);
      expect(close(b[j]!.std_error * 12, a[j]!.std_error, 1e-9), `${type} SE`).toBe(true);
      a.forEach((row, i) => {
        expect(close(row.statistic, b[i]!.statistic, 1e-8), `${type} statistic ${i}`).toBe(true);
        expect(close(row.df, b[i]!.df, 1e-8), `${type} df ${i}`).toBe(true);
      });
    }
  });

  it('refuses a single cluster', () => {
    expect(() => coefTest(base, { type: 'CR2', cluster: new Int32Array(design.n) })).toThrow(
      /at least two clusters/,
    );
  });
});

describe('CR equals HC with one row per cluster', () => {
  const singletons = Int32Array.from({ length: ols.n }, (_, i) => i);
  const n = ols.n;
  // Largest entry-wise difference relative to sqrt(v_ii v_jj), since covariances can be ~0.
  const maxRel = (a: Float64Array, b: Float64Array, factor = 1) => {
    const k = Math.round(Math.sqrt(b.length));
    let worst = 0;
    for (let j = 0; j < k; j++)
      for (let i = 0; i < k; i++) {
        const scale = Math.sqrt(b[i * k + i]! * b[j * k + j]!) * factor;
        worst = Math.max(worst, Math.abs(a[j * k + i]! - b[j * k + i]! * factor) / scale);
      }
    return worst;
  };

  it('OLS: CR0 = HC0, CR1S = HC1, CR2 = HC2, CR3 = HC3, CR1 = HC0 n/(n-1)', () => {
    const fit = fitOls(ols);
    const v = (type: VcovType) => vcovOf(fit, { type, cluster: singletons });
    expect(maxRel(v('CR0'), v('HC0'))).toBeLessThan(1e-9);
    expect(maxRel(v('CR1S'), v('HC1'))).toBeLessThan(1e-9);
    expect(maxRel(v('CR2'), v('HC2'))).toBeLessThan(1e-9);
    expect(maxRel(v('CR3'), v('HC3'))).toBeLessThan(1e-9);
    expect(maxRel(v('CR1'), v('HC0'), n / (n - 1))).toBeLessThan(1e-9);
  });

  it('logistic: the same identities hold up to the IRLS stopping point', () => {
    // sandwich uses the working weights of the last IRLS step, clubSandwich the final fitted
    // values; a tight epsilon makes them agree to about 1e-7.
    const fit = fitLogit(logit, { epsilon: 1e-14, maxit: 50 });
    const v = (type: VcovType) => vcovOf(fit, { type, cluster: singletons });
    expect(maxRel(v('CR0'), v('HC0'))).toBeLessThan(1e-6);
    expect(maxRel(v('CR2'), v('HC2'))).toBeLessThan(1e-6);
    expect(maxRel(v('CR3'), v('HC3'))).toBeLessThan(1e-6);
    expect(maxRel(v('CR1S'), v('HC1'))).toBeLessThan(1e-6);
  });
});

describe('block working covariances (the mixed-model extension point)', () => {
  // Passing the working covariance as dense per-cluster blocks must reproduce the diagonal and
  // identity paths exactly (same algebra through the dense CR2 kernel).
  function withBlocks(model: SandwichModel, cluster: Int32Array, diag: Float64Array | null) {
    const groups = new Map<number, number[]>();
    cluster.forEach((c, i) => {
      const g = groups.get(c) ?? [];
      g.push(i);
      groups.set(c, g);
    });
    const nBlocks = [...groups.values()].map((rows) => {
      const m = rows.length;
      const b = new Float64Array(m * m);
      rows.forEach((r, i) => {
        b[i * m + i] = diag === null ? 1 : diag[r]!;
      });
      return b;
    });
    return { ...model, cr: { ...model.cr, nBlocks } };
  }
  const scaleMax = (a: Float64Array, b: Float64Array) => {
    const k = Math.round(Math.sqrt(b.length));
    let worst = 0;
    for (let j = 0; j < k; j++)
      for (let i = 0; i < k; i++)
        worst = Math.max(
          worst,
          Math.abs(a[j * k + i]! - b[j * k + i]!) / Math.sqrt(b[i * k + i]! * b[j * k + j]!),
        );
    return worst;
  };

  it('OLS: identity blocks give the low-rank CR2 result', () => {
    const fit = fitOls(ols);
    const blocked = withBlocks(fit.sandwich, ols.cluster, null);
    const a = vcovOf({ sandwich: blocked }, { type: 'CR2', cluster: ols.cluster });
    const b = vcovOf(fit, { type: 'CR2', cluster: ols.cluster });
    expect(scaleMax(a, b)).toBeLessThan(1e-10);
  });

  it('logistic: diagonal blocks of mu(1 - mu) give the diagonal CR2 result', () => {
    const fit = fitLogit(logit);
    const blocked = withBlocks(fit.sandwich, logit.cluster, fit.sandwich.cr.nDiag);
    const a = vcovOf({ sandwich: blocked }, { type: 'CR2', cluster: logit.cluster });
    const b = vcovOf(fit, { type: 'CR2', cluster: logit.cluster });
    expect(scaleMax(a, b)).toBeLessThan(1e-10);
  });
});

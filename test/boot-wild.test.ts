import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import {
  type WildBootstrapDesign,
  wildClusterBootstrap,
} from '../src/stats/inference/wild-bootstrap.ts';
import { drawWeights, type WildWeights } from '../src/stats/inference/wild-bootstrap-weights.ts';
import { createRng } from '../src/stats/random.ts';
import { naiveTStar } from './helpers/naive-wild-bootstrap.ts';

interface Observed {
  estimate: number[];
  std_error: number[];
  t: number[];
  terms: string[];
}
interface Enum {
  term: string;
  null: number;
  t_obs: number;
  p_value: number;
  p_value_exact: number;
  tstar_sorted: number[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/r/boot.json', import.meta.url), 'utf8')) as {
  small: Observed;
  large: Observed;
  enum_treat_0: Enum;
  enum_treat_r: Enum;
  enum_x1_0: Enum;
};

const NAMES = ['(Intercept)', 'treat', 'x1'];

function load(name: string): WildBootstrapDesign {
  const t = readCsv(new URL(`./fixtures/data/${name}.csv`, import.meta.url).pathname);
  const col = (k: string) => {
    const c = t.columns.get(k)!;
    if (c.kind !== 'numeric') throw new Error(k);
    return c.values;
  };
  const office = t.columns.get('office')!.values as ReadonlyArray<string>;
  const n = t.nrow;
  const x = new Float64Array(3 * n);
  x.fill(1, 0, n);
  x.set(col('treat'), n);
  x.set(col('x1'), 2 * n);
  const ids = new Map<string, number>();
  const cluster = Int32Array.from(office, (o) => {
    if (!ids.has(o)) ids.set(o, ids.size);
    return ids.get(o)!;
  });
  return { x, y: col('y'), n, p: 3, cluster, colnames: NAMES };
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

const small = load('boot-small');
const large = load('boot-large');

describe('observed CR1 t-statistic against sandwich::vcovCL(type = "HC1", cadjust = TRUE)', () => {
  it.each([
    ['small', small, fx.small],
    ['large', large, fx.large],
  ] as const)('%s data: estimate, CR1 SE and t for every term', (_l, d, ref) => {
    // Closed form on the same CSV numbers; only summation order differs from R: 1e-10 relative.
    for (let j = 0; j < 3; j++) {
      const r = wildClusterBootstrap(d, { param: j, reps: 9, confInt: false, weights: 'webb' });
      expect(r.term).toBe(ref.terms[j]);
      expect(relErr(r.estimate, ref.estimate[j]!)).toBeLessThan(1e-10);
      expect(relErr(r.stdError, ref.std_error[j]!)).toBeLessThan(1e-10);
      expect(relErr(r.statistic, ref.t[j]!)).toBeLessThan(1e-10);
    }
  });
});

describe('full Rademacher enumeration against a naive refit-per-draw bootstrap in R', () => {
  it.each([
    ['treat, r = 0', fx.enum_treat_0],
    ['treat, r = 0.9', fx.enum_treat_r],
    ['x1, r = 0', fx.enum_x1_0],
  ] as const)('%s: exact p-value and the whole t* distribution', (_l, ref) => {
    const r = wildClusterBootstrap(small, {
      param: ref.term,
      reps: 9999,
      nullValue: ref.null,
      confInt: false,
    });
    expect(r.enumerated).toBe(true);
    expect(r.reps).toBe(1024);
    // A count over the same 1024 sign vectors, so it must agree exactly. The draws v = ±1 give
    // |t*| = |t| in exact arithmetic; R's strict count of those two ties is rounding luck, so
    // we match the tie-aware count and lie within 2/1024 of R's strict one.
    expect(r.pValue).toBe(ref.p_value_exact);
    expect(Math.abs(r.pValue - ref.p_value)).toBeLessThanOrEqual(2 / 1024);
    expect(relErr(r.statistic, ref.t_obs)).toBeLessThan(1e-10);
    const sorted = Float64Array.from(r.tBoot).sort();
    let worst = 0;
    sorted.forEach((t, i) => {
      worst = Math.max(worst, Math.abs(t - ref.tstar_sorted[i]!) / Math.max(1, Math.abs(t)));
    });
    // Algebraically identical to refitting; the collapsed formulas reorder sums: 1e-9.
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('collapsed kernel equals refitting OLS for every draw (TypeScript brute force)', () => {
  it.each(['rademacher', 'webb', 'mammen'] as const)(
    '%s weights, draw by draw',
    (kind: WildWeights) => {
      const reps = 200;
      const r = wildClusterBootstrap(large, {
        param: 'treat',
        reps,
        weights: kind,
        seed: 7,
        nullValue: 0.1,
        confInt: false,
      });
      expect(r.enumerated).toBe(false);
      const rng = createRng(7);
      const v = new Float64Array(29);
      let worst = 0;
      let exceed = 0;
      for (let b = 0; b < reps; b++) {
        drawWeights(kind, rng, v);
        const t = naiveTStar(large, 1, 0.1, v);
        worst = Math.max(worst, Math.abs(t - r.tBoot[b]!) / Math.max(1, Math.abs(t)));
        if (Math.abs(t) > Math.abs(r.statistic)) exceed++;
      }
      // Same draws, same algebra, different summation order: 1e-9.
      expect(worst).toBeLessThan(1e-9);
      expect(r.pValue).toBe(exceed / reps);
    },
  );
});

describe('more than 32 clusters and a single-column model', () => {
  it('Rademacher weights spanning two 32-bit words still equal the refit, and p = 1 works', () => {
    const rng = createRng(99);
    const G = 45;
    const n = 400;
    const x = new Float64Array(2 * n);
    const y = new Float64Array(n);
    const cluster = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      cluster[i] = i % G;
      x[i] = 1;
      x[n + i] = rng.next();
      y[i] = 0.3 * x[n + i]! + (cluster[i]! % 7) * 0.1 + rng.next();
    }
    const d: WildBootstrapDesign = { x, y, n, p: 2, cluster };
    const r = wildClusterBootstrap(d, { param: 1, reps: 100, seed: 4, confInt: false });
    const w = createRng(4);
    const v = new Float64Array(G);
    for (let b = 0; b < 100; b++) {
      drawWeights('rademacher', w, v);
      // Same draws and algebra as the refit: 1e-9.
      expect(Math.abs(naiveTStar(d, 1, 0, v) - r.tBoot[b]!)).toBeLessThan(
        1e-9 * Math.max(1, Math.abs(r.tBoot[b]!)),
      );
    }
    const only: WildBootstrapDesign = { x: x.subarray(n), y, n, p: 1, cluster };
    const r1 = wildClusterBootstrap(only, { param: 0, reps: 50, seed: 4, confInt: false });
    const w1 = createRng(4);
    drawWeights('rademacher', w1, v);
    expect(Math.abs(naiveTStar(only, 0, 0, v) - r1.tBoot[0]!)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(r1.tBoot[0]!)),
    );
  });
});

describe('bootstrap distribution and interval', () => {
  it('enumerated t* are symmetric: v and -v give t and -t', () => {
    const r = wildClusterBootstrap(small, { param: 'treat', reps: 4096, confInt: false });
    const s = Float64Array.from(r.tBoot).sort();
    for (let i = 0; i < s.length; i++) expect(s[i]!).toBeCloseTo(-s[s.length - 1 - i]!, 10);
  });

  it('Webb t* under the null is centred with spread near 1 (29 clusters)', () => {
    const r = wildClusterBootstrap(large, {
      param: 'treat',
      reps: 4000,
      weights: 'webb',
      seed: 3,
      confInt: false,
    });
    const t = r.tBoot;
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / (t.length - 1));
    // Monte Carlo SE of the mean is ~0.016 with 4000 draws; the spread of a CR1 t with 29
    // clusters is close to, not exactly, 1: loose bounds that still catch a wrong scale.
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(sd).toBeGreaterThan(0.8);
    expect(sd).toBeLessThan(1.3);
  });

  it('the interval contains the estimate and its ends are where the p-value crosses alpha', () => {
    const r = wildClusterBootstrap(large, { param: 'treat', reps: 999, weights: 'webb', seed: 11 });
    expect(r.confLow).toBeLessThan(r.estimate);
    expect(r.confHigh).toBeGreaterThan(r.estimate);
    const eps = 1e-6 * r.stdError;
    expect(r.pValueAt(r.confLow - eps)).toBeLessThanOrEqual(0.05);
    expect(r.pValueAt(r.confLow + eps)).toBeGreaterThan(0.05);
    expect(r.pValueAt(r.confHigh + eps)).toBeLessThanOrEqual(0.05);
    expect(r.pValueAt(r.confHigh - eps)).toBeGreaterThan(0.05);
    // Bootstrap-t intervals with 29 clusters are near the CR1 Wald interval: within 40 %.
    const wald = 2 * 2.048 * r.stdError;
    expect((r.confHigh - r.confLow) / wald).toBeGreaterThan(0.6);
    expect((r.confHigh - r.confLow) / wald).toBeLessThan(1.4);
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const a = wildClusterBootstrap(large, {
      param: 'x1',
      reps: 500,
      weights: 'mammen',
      seed: 5,
      confInt: false,
    });
    const b = wildClusterBootstrap(large, {
      param: 'x1',
      reps: 500,
      weights: 'mammen',
      seed: 5,
      confInt: false,
    });
    const c = wildClusterBootstrap(large, {
      param: 'x1',
      reps: 500,
      weights: 'mammen',
      seed: 6,
      confInt: false,
    });
    expect(Array.from(a.tBoot)).toEqual(Array.from(b.tBoot));
    expect(Array.from(a.tBoot)).not.toEqual(Array.from(c.tBoot));
  });

  it('does not depend on row order or cluster labels', () => {
    const n = small.n;
    const perm = [...Array(n).keys()].reverse();
    const x = new Float64Array(3 * n);
    for (let a = 0; a < 3; a++) {
      perm.forEach((src, i) => {
        x[a * n + i] = small.x[a * n + src]!;
      });
    }
    const y = Float64Array.from(perm, (src) => small.y[src]!);
    const cluster = Int32Array.from(perm, (src) => 100 + 3 * small.cluster[src]!);
    const a = wildClusterBootstrap(small, { param: 'treat', reps: 2000 });
    const b = wildClusterBootstrap({ ...small, x, y, cluster }, { param: 'treat', reps: 2000 });
    expect(b.pValue).toBe(a.pValue);
    expect(b.confLow).toBeCloseTo(a.confLow, 8);
  });
});

describe('misuse', () => {
  it('names the unknown term, the bad row and collinear columns', () => {
    expect(() => wildClusterBootstrap(small, { param: 'arm' })).toThrow(/unknown term 'arm'/);
    const y = Float64Array.from(small.y);
    y[4] = Number.NaN;
    expect(() => wildClusterBootstrap({ ...small, y }, { param: 1 })).toThrow(/row 5/);
    const x = Float64Array.from(small.x);
    x.set(small.x.subarray(0, small.n), 2 * small.n);
    expect(() => wildClusterBootstrap({ ...small, x }, { param: 1 })).toThrow(/x1' is collinear/);
    const one = new Int32Array(small.n);
    expect(() => wildClusterBootstrap({ ...small, cluster: one }, { param: 1 })).toThrow(
      /2 clusters/,
    );
    expect(() => wildClusterBootstrap(small, { param: 1, reps: 0 })).toThrow(/reps/);
  });
});

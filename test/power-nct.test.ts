import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noncentralTCdf, noncentralTQuantile } from '../src/stats/distributions/noncentral-t.ts';

interface Case {
  q: number;
  df: number;
  ncp: number;
  lower: number;
  upper: number;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/power-nct.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('noncentralTCdf against R pt(q, df, ncp)', () => {
  it('matches R on a grid of q, df, ncp', () => {
    // Same algorithm (AS 243, error bound 1e-12) with the same guards as R's pnt.c; the fixture
    // holds 15 significant digits, so 1e-11 absolute leaves room only for summation-order noise.
    let worst = 0;
    for (const c of fx.cases) {
      const lo = noncentralTCdf(c.q, c.df, c.ncp);
      const up = noncentralTCdf(c.q, c.df, c.ncp, false);
      worst = Math.max(worst, Math.abs(lo - c.lower), Math.abs(up - c.upper));
    }
    expect(fx.cases.length).toBeGreaterThan(300);
    expect(worst).toBeLessThan(1e-11);
  });

  it('reduces to the central t at ncp = 0 and to the normal for huge df', () => {
    // The central t with 1 df is the Cauchy distribution: closed form, 1e-12.
    expect(noncentralTCdf(1.3, 1, 0)).toBeCloseTo(0.5 + Math.atan(1.3) / Math.PI, 12);
    expect(noncentralTCdf(Number.POSITIVE_INFINITY, 5, 2)).toBe(1);
    expect(noncentralTCdf(Number.NEGATIVE_INFINITY, 5, 2)).toBe(0);
  });

  it('quantile inverts the CDF', () => {
    for (const [p, df, ncp] of [
      [0.05, 10, 1],
      [0.5, 28, 2.5],
      [0.975, 4, -1],
    ] as const) {
      const q = noncentralTQuantile(p, df, ncp);
      // Bisection to 1e-13 relative in t; the CDF slope is O(1), so p is recovered to ~1e-12.
      expect(Math.abs(noncentralTCdf(q, df, ncp) - p)).toBeLessThan(1e-11);
    }
  });

  it('rejects df <= 0', () => {
    expect(() => noncentralTCdf(1, 0, 1)).toThrow(/df > 0/);
  });
});

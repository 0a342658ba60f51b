import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { omegaTotal, oneFactorUls } from '../src/stats/reliability/omega.ts';

interface OmegaCase {
  label: string;
  items: string[];
  keys: number[];
  psych_omega_tot: number;
  psych_omega_h: number;
  psych_loadings: number[];
  uls_loadings: number[];
  uls_omega_tot: number;
  uls_omega_h: number;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/reliability.json', import.meta.url), 'utf8'),
) as { omega: OmegaCase[] };

function dataFor(c: OmegaCase) {
  const file = c.label.startsWith('bfi')
    ? 'reliability-bfi.csv'
    : c.label.includes('missing')
      ? 'reliability-sim12-missing.csv'
      : 'reliability-sim12.csv';
  const t = readCsv(new URL(`./fixtures/data/${file}`, import.meta.url).pathname);
  const cols = c.items.map((nm) => {
    const col = t.columns.get(nm);
    if (col === undefined || col.kind !== 'numeric') throw new Error(`no numeric column ${nm}`);
    return col.values;
  });
  const complete = c.label.includes('complete cases');
  const keep: number[] = [];
  for (let i = 0; i < t.nrow; i++) {
    if (!complete || cols.every((col) => !Number.isNaN(col[i]!))) keep.push(i);
  }
  const n = keep.length;
  const x = new Float64Array(n * c.items.length);
  cols.forEach((col, j) => {
    keep.forEach((src, i) => {
      x[j * n + i] = col[src]!;
    });
  });
  return { x, n };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('omegaTotal (one-factor) against R', () => {
  for (const c of fx.omega) {
    it(c.label, () => {
      const { x, n } = dataFor(c);
      const reversed = c.items.filter((_, j) => c.keys[j] === -1);
      const unkeyed = c.label.includes('no keys');
      const om = omegaTotal(x, n, c.items.length, c.items, unkeyed ? {} : { keys: reversed });
      expect(om.fit.converged).toBe(true);
      expect(om.warnings.map((w) => w.code)).toEqual(unkeyed ? ['ITEMS_FLIPPED'] : []);
      expect(om.items.map((it) => it.key)).toEqual(c.keys);
      // Against the exact least-squares optimum found in R (principal axes to 1e-15, then BFGS with
      // reltol 1e-16; gradient norm there <= 1.3e-10): both sides sit on the same optimum, so the
      // loadings agree to the optimisers' precision. 1e-8 absolute on loadings, 1e-10 relative on
      // the omegas (they depend on λ² only through a sum, so are better determined).
      om.items.forEach((it, j) => {
        expect(Math.abs(it.loading - c.uls_loadings[j]!), it.name).toBeLessThan(1e-8);
      });
      expect(rel(om.omegaTotal, c.uls_omega_tot)).toBeLessThan(1e-10);
      expect(rel(om.omegaGeneral, c.uls_omega_h)).toBeLessThan(1e-10);
      // Against psych::omega(x, nfactors = 1, key = keys) itself: psych's optim stops short of the
      // optimum (in these fixtures loadings are off by up to 1.7e-6, omega.tot by 2.6e-8 and omega_h,
      // linear in the loadings, by 1.4e-7 relative), so the tolerances are 5e-6 absolute on
      // loadings, 1e-7 relative on omega_t and 5e-7 relative on omega_h.
      om.items.forEach((it, j) => {
        expect(Math.abs(it.loading - c.psych_loadings[j]!), it.name).toBeLessThan(5e-6);
      });
      expect(rel(om.omegaTotal, c.psych_omega_tot)).toBeLessThan(1e-7);
      expect(rel(om.omegaGeneral, c.psych_omega_h)).toBeLessThan(5e-7);
    });
  }
});

describe('oneFactorUls', () => {
  it('recovers loadings exactly when the correlations are exactly one-factor', () => {
    const l = [0.8, 0.7, 0.6, 0.5, 0.3];
    const k = l.length;
    const r = new Float64Array(k * k);
    for (let j = 0; j < k; j++)
      for (let i = 0; i < k; i++) r[j * k + i] = i === j ? 1 : l[i]! * l[j]!;
    const fit = oneFactorUls(r, k);
    // Exact fit: zero residual, so the only error is rounding in the Newton steps.
    fit.loadings.forEach((v, j) => {
      expect(Math.abs(v - l[j]!)).toBeLessThan(1e-12);
    });
  });

  it('flags a Heywood case and refuses fewer than three items', () => {
    const r = new Float64Array([1, 0.9, 0.9, 0.9, 1, 0.85, 0.9, 0.85, 1]);
    const fit = oneFactorUls(r, 3);
    // Closed form for three items: λ1² = r12 r13 / r23 = 0.81 / 0.85 < 1, so no Heywood here...
    expect(Math.abs(fit.loadings[0]! ** 2 - 0.81 / 0.85)).toBeLessThan(1e-12);
    // ...but r12 r13 / r23 = 0.72 / 0.6 > 1 is one.
    const h = new Float64Array([1, 0.9, 0.8, 0.9, 1, 0.6, 0.8, 0.6, 1]);
    expect(oneFactorUls(h, 3).loadings[0]! ** 2).toBeGreaterThan(1);
    try {
      oneFactorUls(new Float64Array([1, 0.5, 0.5, 1]), 2);
      expect.unreachable();
    } catch (e) {
      expect(isTiltakError(e, 'TOO_FEW_ITEMS')).toBe(true);
    }
  });

  it('omegaTotal warns on a Heywood case', () => {
    // Sample correlations r_ab = 13/14, r_ac = 1/6, r_bc = 1/7, so λ_a² = r_ab r_ac / r_bc = 13/12
    // (three items fit exactly): a communality above 1.
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [1, 3, 2, 4, 6, 5, 8, 7];
    const c = [8, 1, 4, 3, 5, 2, 6, 7];
    const om = omegaTotal(new Float64Array([...a, ...b, ...c]), 8, 3, ['a', 'b', 'c']);
    expect(Math.abs(om.items[0]!.communality - 13 / 12)).toBeLessThan(1e-12);
    expect(om.warnings.map((w) => w.code)).toEqual(['HEYWOOD_CASE']);
    expect(om.warnings[0]!.message).toContain("'a'");
  });
});

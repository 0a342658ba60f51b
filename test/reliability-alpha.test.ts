import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { eigenSymmetricDecreasing } from '../src/stats/linalg/eigen.ts';
import { cronbachAlpha } from '../src/stats/reliability/cronbach-alpha.ts';
import { smc } from '../src/stats/reliability/smc.ts';

type Num = number | 'NA';
interface Case {
  label: string;
  items: string[];
  keys: number[];
  nrow: number;
  total: Record<string, Num>;
  alpha_drop: Record<string, Num[]>;
  item_stats: Record<string, Num[]>;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/reliability.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const num = (v: Num): number => (v === 'NA' ? Number.NaN : v);
const fixtureFile = (f: string): string =>
  new URL(`./fixtures/data/${f}`, import.meta.url).pathname;

function matrixFrom(file: string, items: readonly string[], completeOnly: boolean) {
  const t = readCsv(fixtureFile(file));
  const cols = items.map((nm) => {
    const c = t.columns.get(nm);
    if (c === undefined || c.kind !== 'numeric') throw new Error(`no numeric column ${nm}`);
    return c.values;
  });
  const keep: number[] = [];
  for (let i = 0; i < t.nrow; i++) {
    if (!completeOnly || cols.every((c) => !Number.isNaN(c[i]!))) keep.push(i);
  }
  const n = keep.length;
  const x = new Float64Array(n * items.length);
  cols.forEach((c, j) => {
    keep.forEach((src, i) => {
      x[j * n + i] = c[src]!;
    });
  });
  return { x, n };
}

function dataFor(c: Case) {
  const file = c.label.startsWith('bfi')
    ? 'reliability-bfi.csv'
    : c.label.includes('missing')
      ? 'reliability-sim12-missing.csv'
      : 'reliability-sim12.csv';
  return matrixFrom(file, c.items, c.label.includes('complete cases'));
}

function relErr(got: number, want: number): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Number.POSITIVE_INFINITY;
  if (want === 0) return Math.abs(got);
  return Math.abs(got - want) / Math.abs(want);
}

// Everything here is a closed form of the same covariance matrix psych builds; the only differences
// are summation order and R's long-double accumulation in cov() (observed worst 1.2e-13), so 1e-10
// relative (the guide's closed-form tolerance, tighter than 1e-8) still catches any formula slip. The
// Feldt bounds go through stdlib's F quantile rather than R's qf and agree to ~1e-14.
const TOL = 1e-10;

describe('cronbachAlpha against psych::alpha', () => {
  for (const c of fx.cases) {
    it(c.label, () => {
      const { x, n } = dataFor(c);
      expect(n).toBe(c.nrow);
      const reversed = c.items.filter((_, j) => c.keys[j] === -1);
      const a = cronbachAlpha(
        x,
        n,
        c.items.length,
        c.items,
        reversed.length > 0 ? { keys: reversed } : {},
      );
      const t = a.total;
      const totals: [number, Num][] = [
        [t.rawAlpha, c.total.raw_alpha!],
        [t.stdAlpha, c.total.std_alpha!],
        [t.g6, c.total.g6!],
        [t.averageR, c.total.average_r!],
        [t.signalNoise, c.total.s_n!],
        [t.ase, c.total.ase!],
        [t.mean, c.total.mean!],
        [t.sd, c.total.sd!],
        [t.medianR, c.total.median_r!],
        [t.varR, c.total.var_r!],
        [t.feldtLower, c.total.feldt_lower!],
        [t.feldtUpper, c.total.feldt_upper!],
      ];
      totals.forEach(([got, want], i) => {
        expect(relErr(got, num(want)), `total[${i}]`).toBeLessThan(TOL);
      });
      const d = c.alpha_drop;
      const s = c.item_stats;
      a.items.forEach((item, j) => {
        expect(item.name).toBe(c.items[j]);
        expect(item.key).toBe(c.keys[j]);
        expect(item.n).toBe(s.n![j]);
        const pairs: [string, number, Num | undefined][] = [
          ['raw_r', item.rawR, s.raw_r![j]],
          ['std_r', item.stdR, s.std_r![j]],
          ['r_cor', item.rCor, s.r_cor![j]],
          ['r_drop', item.rDrop, s.r_drop![j]],
          ['mean', item.mean, s.mean![j]],
          ['sd', item.sd, s.sd![j]],
          ['drop raw_alpha', item.dropped.rawAlpha, d.raw_alpha![j]],
          ['drop std_alpha', item.dropped.stdAlpha, d.std_alpha![j]],
          ['drop g6', item.dropped.g6, d.g6![j]],
          ['drop average_r', item.dropped.averageR, d.average_r![j]],
          ['drop s_n', item.dropped.signalNoise, d.s_n![j]],
          ['drop alpha_se', item.dropped.alphaSe, d.alpha_se?.[j]],
          ['drop var_r', item.dropped.varR, d.var_r![j]],
          ['drop med_r', item.dropped.medR, d.med_r![j]],
        ];
        for (const [label, got, want] of pairs) {
          if (want === undefined) continue;
          expect(relErr(got, num(want)), `${item.name} ${label}`).toBeLessThan(TOL);
        }
      });
      if (reversed.length > 0) expect(a.warnings).toEqual([]);
    });
  }

  it('warns, as psych does, when unkeyed items load negatively', () => {
    const c = fx.cases.find((x) => x.label === 'sim12 4% missing, no keys')!;
    const { x, n } = dataFor(c);
    const a = cronbachAlpha(x, n, 12, c.items);
    expect(a.warnings.map((w) => w.code)).toEqual(['NEGATIVE_ITEM']);
    expect(a.warnings[0]!.message).toContain("'q04', 'q09'");
  });
});

describe('cronbachAlpha invariances and misuse', () => {
  const c = fx.cases.find((x) => x.label.startsWith('sim12 4% missing, q04'))!;
  const { x, n } = dataFor(c);
  const k = c.items.length;
  const base = cronbachAlpha(x, n, k, c.items, { keys: ['q04', 'q09'] });

  it('numeric keys, named keys and an explicit 1..5 range agree', () => {
    const byPos = cronbachAlpha(x, n, k, c.items, { keys: c.keys });
    const byRange = cronbachAlpha(x, n, k, c.items, {
      keys: ['-q04', 'q09'],
      reverseRange: { min: 1, max: 5 },
    });
    for (const other of [byPos, byRange]) {
      // Same arithmetic in the same order: identical to the last bit.
      expect(other.total.rawAlpha).toBe(base.total.rawAlpha);
      expect(other.items.map((it) => it.rDrop)).toEqual(base.items.map((it) => it.rDrop));
    }
  });

  it('does not depend on row order', () => {
    const perm = new Float64Array(x.length);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < n; i++) perm[j * n + i] = x[j * n + (n - 1 - i)]!;
    }
    const a = cronbachAlpha(perm, n, k, c.items, { keys: ['q04', 'q09'] });
    // Only summation order changes.
    expect(relErr(a.total.rawAlpha, base.total.rawAlpha)).toBeLessThan(1e-12);
    expect(relErr(a.items[3]!.dropped.rawAlpha, base.items[3]!.dropped.rawAlpha)).toBeLessThan(
      1e-12,
    );
  });

  it('raw alpha is unchanged by a common rescaling; standardised alpha by item-wise rescaling', () => {
    const scaled = x.map((v) => 10 * v + 3);
    const a = cronbachAlpha(scaled, n, k, c.items, { keys: ['q04', 'q09'] });
    expect(relErr(a.total.rawAlpha, base.total.rawAlpha)).toBeLessThan(1e-12);
    const itemwise = Float64Array.from(x);
    for (let i = 0; i < n; i++) itemwise[i] = 7 * x[i]!;
    const b = cronbachAlpha(itemwise, n, k, c.items, { keys: ['q04', 'q09'] });
    expect(relErr(b.total.stdAlpha, base.total.stdAlpha)).toBeLessThan(1e-12);
    expect(Math.abs(b.total.rawAlpha - base.total.rawAlpha)).toBeGreaterThan(1e-3);
  });

  it('tidy() gives raw alpha with ase and the Feldt interval', () => {
    const [raw, std] = base.tidy();
    expect(raw!.term).toBe('raw_alpha');
    expect(raw!.estimate).toBe(base.total.rawAlpha);
    expect(raw!.conf_low).toBeLessThan(raw!.estimate);
    expect(raw!.conf_high).toBeGreaterThan(raw!.estimate);
    expect(std!.term).toBe('std_alpha');
  });

  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (isTiltakError(e)) return e.code;
      throw e;
    }
    return undefined;
  };

  it('rejects misuse with named errors', () => {
    expect(code(() => cronbachAlpha(x.subarray(0, n), n, 1, ['q01']))).toBe('TOO_FEW_ITEMS');
    expect(code(() => cronbachAlpha(x, n, k, c.items, { keys: ['q99'] }))).toBe('UNKNOWN_COLUMN');
    expect(code(() => cronbachAlpha(x, n, k, c.items, { keys: [1, 2] }))).toBe('BAD_KEYS');
    const constant = Float64Array.from(x);
    constant.fill(3, 2 * n, 3 * n);
    expect(() => cronbachAlpha(constant, n, k, c.items)).toThrow(/item 'q03' has no variance/);
    const inf = Float64Array.from(x);
    inf[n + 4] = Number.POSITIVE_INFINITY;
    expect(() => cronbachAlpha(inf, n, k, c.items)).toThrow(/item 'q02' row 5 is Infinity/);
    const disjoint = new Float64Array([1, 2, 3, Number.NaN, Number.NaN, Number.NaN, 4, 5, 1]);
    expect(code(() => cronbachAlpha(disjoint, 3, 3, ['a', 'b', 'c']))).toBe('CONSTANT_ITEM');
    const noOverlap = new Float64Array([1, 2, NaN, NaN, NaN, NaN, 3, 1, 1, 5, 2, 4]);
    expect(code(() => cronbachAlpha(noOverlap, 4, 3, ['a', 'b', 'c']))).toBe('TOO_FEW_PAIRS');
  });
});

describe('eigenSymmetricDecreasing and smc', () => {
  it('reconstructs a symmetric matrix and gives SMCs from its inverse', () => {
    const a = new Float64Array([1, 0.5, 0.3, 0.5, 1, 0.4, 0.3, 0.4, 1]);
    const { values, vectors } = eigenSymmetricDecreasing(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let e = 0; e < 3; e++) s += values[e]! * vectors[e * 3 + i]! * vectors[e * 3 + j]!;
        expect(Math.abs(s - a[j * 3 + i]!)).toBeLessThan(1e-14);
      }
    }
    expect(values[0]!).toBeGreaterThan(values[1]!);
    // smc of variable 1 = r' R22^{-1} r with R22 = [[1, .4], [.4, 1]], r = (.5, .3):
    // (0.25 + 0.09 - 2 * 0.4 * 0.15) / 0.84 = 0.22 / 0.84.
    expect(Math.abs(smc(a, 3)[0]! - 0.22 / 0.84)).toBeLessThan(1e-14);
  });
});

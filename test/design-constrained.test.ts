import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { balanceCovariates, balanceScore } from '../src/design/balance.ts';
import { acceptedCount, constrainedSpace } from '../src/design/constrained.ts';
import { pairValidity } from '../src/design/validity.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { dataFrame } from '../src/stats/data-frame.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { createRng } from '../src/stats/random.ts';

const ref = JSON.parse(readFileSync('test/fixtures/r/design-ri.json', 'utf8'));
const offices = readCsv('test/fixtures/data/design-offices.csv');
const cov = balanceCovariates(offices, ['caseload', 'urban', 'income']);

const setsOf = (space: { n: number; count: number; words: number; masks: Uint32Array }) =>
  Array.from({ length: space.count }, (_, r) => {
    const s: number[] = [];
    for (let g = 0; g < space.n; g++) {
      if ((space.masks[r * space.words + (g >>> 5)]! >>> (g & 31)) & 1) s.push(g);
    }
    return s.join(',');
  });

describe('constrainedSpace against R (combn brute force, test/fixtures/r/design-ri.R)', () => {
  // Tolerance 1e-10 relative: the same closed-form score, summed in a different order.
  for (const [key, metric, cutoff] of [
    ['constrained_l2', 'l2', 0.1],
    ['constrained_l1', 'l1', 0.1],
  ] as const) {
    it(`${metric} metric, cutoff ${cutoff}: counts, distribution and the accepted set`, () => {
      const r = ref[key];
      const s = constrainedSpace(cov, 6, { metric, cutoff }, createRng(1));
      expect(s.totalSchemes).toBe(r.total);
      expect(s.count).toBe(r.accepted);
      expectDistribution(s.distribution, r);
      // R lists the accepted sets in score order; ours come in lexicographic order.
      const rSets = (r.accepted_sets as number[][]).map((v) => v.join(','));
      expect(setsOf(s)).toEqual([...rSets].sort((a, b) => cmpLex(a, b)));
    });
  }

  it('cutoff 0.25 and the pairwise validity summary', () => {
    const s = constrainedSpace(cov, 6, { cutoff: 0.25 }, createRng(1));
    expect(s.count).toBe(ref.constrained_l2_c25.accepted);
    expect(s.distribution.cutoffScore).toBeCloseTo(ref.constrained_l2_c25.cutoff_score, 10);
    const v = pairValidity(constrainedSpace(cov, 6, { cutoff: 0.1 }, createRng(1)));
    expect(v.alwaysTogether).toBe(ref.constrained_l2.always_together);
    expect(v.alwaysApart).toBe(ref.constrained_l2.always_apart);
    expect(v.minShare).toBeCloseTo(ref.constrained_l2.min_share, 12);
    expect(v.maxShare).toBeCloseTo(ref.constrained_l2.max_share, 12);
  });
});

/** The score distribution against R's, 1e-10 relative (the same closed form summed in another order). */
function expectDistribution(
  d: ReturnType<typeof constrainedSpace>['distribution'],
  r: Record<string, number>,
) {
  for (const [mine, theirs] of [
    [d.min, r.min!],
    [d.q1, r.q1!],
    [d.median, r.median!],
    [d.q3, r.q3!],
    [d.max, r.max!],
    [d.mean, r.mean!],
    [d.sd, r.sd!],
    [d.cutoffScore, r.cutoff_score!],
  ]) {
    expect(Math.abs(mine! - theirs)).toBeLessThan(1e-10 * Math.abs(theirs));
  }
}

function cmpLex(a: string, b: string): number {
  const x = a.split(',').map(Number);
  const y = b.split(',').map(Number);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

describe('constrainedSpace, brute-force invariants', () => {
  it('every accepted scheme scores at most the cutoff and every rejected one at least it', () => {
    const s = constrainedSpace(cov, 5, { cutoff: 0.15 }, createRng(1));
    const accepted = new Set(setsOf(s));
    const z = new Uint8Array(12);
    let maxAcc = 0;
    let minRej = Number.POSITIVE_INFINITY;
    let total = 0;
    for (let m = 0; m < 1 << 12; m++) {
      let pop = 0;
      for (let g = 0; g < 12; g++) pop += z[g] = (m >>> g) & 1;
      if (pop !== 5) continue;
      total++;
      const b = balanceScore(cov, z, 'l2');
      const key = Array.from(z.keys())
        .filter((g) => z[g])
        .join(',');
      if (accepted.has(key)) maxAcc = Math.max(maxAcc, b);
      else minRej = Math.min(minRej, b);
    }
    expect(total).toBe(792);
    expect(s.count).toBe(acceptedCount(792, 0.15));
    expect(maxAcc).toBeLessThanOrEqual(minRej + 1e-12);
    expect(Math.abs(s.distribution.cutoffScore - maxAcc)).toBeLessThan(1e-12);
  });

  it('is invariant to rescaling a covariate (scores are standardised)', () => {
    const scaled = dataFrame({
      caseload: Float64Array.from(
        (offices.columns.get('caseload') as { values: Float64Array }).values,
        (v) => v * 1000,
      ),
      urban: (offices.columns.get('urban') as unknown as { values: (string | null)[] }).values,
      income: (offices.columns.get('income') as { values: Float64Array }).values,
    });
    const a = constrainedSpace(cov, 6, {}, createRng(1));
    const b = constrainedSpace(
      balanceCovariates(scaled, ['caseload', 'urban', 'income']),
      6,
      {},
      createRng(1),
    );
    expect(setsOf(b)).toEqual(setsOf(a));
  });

  it('samples a deterministic set of distinct schemes beyond maxEnumerate', () => {
    const a = constrainedSpace(cov, 6, { maxEnumerate: 100, samples: 300 }, createRng(9));
    const b = constrainedSpace(cov, 6, { maxEnumerate: 100, samples: 300 }, createRng(9));
    expect(a.enumerated).toBe(false);
    expect(a.schemesScored).toBe(300);
    expect(a.count).toBe(30);
    expect(setsOf(a)).toEqual(setsOf(b));
    const c = constrainedSpace(cov, 6, { maxEnumerate: 100, samples: 300 }, createRng(10));
    expect(setsOf(c)).not.toEqual(setsOf(a));
  });

  it('handles more than 32 clusters through multi-word masks', () => {
    const n = 40;
    const x = Float64Array.from({ length: n }, (_, i) => (i * 37) % 11);
    const big = balanceCovariates(dataFrame({ x }), ['x']);
    const s = constrainedSpace(big, 2, { cutoff: 0.05 }, createRng(1));
    expect(s.words).toBe(2);
    expect(s.totalSchemes).toBe(780);
    expect(s.count).toBe(39);
    const v = pairValidity(s);
    expect(v.n).toBe(40);
  });
});

describe('balance covariate errors', () => {
  it('names missing, constant and unknown columns', () => {
    const bad = dataFrame({ a: [1, Number.NaN, 3], b: [2, 2, 2], c: ['x', 'x', 'x'] });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isTiltakError(e) ? `${e.code}: ${e.message}` : 'other';
      }
      return 'none';
    };
    expect(code(() => balanceCovariates(bad, ['a']))).toMatch(/^MISSING_VALUE: .*'a'.*row 2/);
    expect(code(() => balanceCovariates(bad, ['b']))).toMatch(/^CONSTANT_COLUMN: .*'b'/);
    expect(code(() => balanceCovariates(bad, ['c']))).toMatch(/^CONSTANT_COLUMN: .*'c'/);
    expect(code(() => balanceCovariates(bad, ['zz']))).toMatch(/^UNKNOWN_COLUMN: .*'zz'/);
  });
});

const anchors = '../shared/data/anchors';
describe.skipIf(!existsSync(`${anchors}/dickinson_design.csv`))(
  'cvcrand Dickinson anchor (skipped when ../shared/data/anchors is absent)',
  () => {
    it('12,870 schemes, 1,287 accepted, cvcrand-scale scores and the accepted set', () => {
      const t = readCsv(`${anchors}/dickinson_design.csv`);
      const c = balanceCovariates(t, [
        'location',
        'inciis',
        'uptodateonimmunizations',
        'hispanic',
        'incomecat',
      ]);
      const s = constrainedSpace(c, 8, { metric: 'l2', cutoff: 0.1 }, createRng(1));
      expect(s.totalSchemes).toBe(12_870);
      expect(s.count).toBe(1_287);
      // cvcrand prints 3 decimals of (nT·nC/n)² · B = 16 B.
      const d = s.distribution;
      expect(16 * d.min).toBeCloseTo(1.161, 3);
      expect(16 * d.median).toBeCloseTo(20.578, 3);
      expect(16 * d.mean).toBeCloseTo(24.0, 3);
      expect(16 * d.sd).toBeCloseTo(15.775, 3);
      expect(16 * d.max).toBeCloseTo(116.656, 3);
      expect(16 * d.cutoffScore).toBeCloseTo(7.638, 3);
      const lines = readFileSync(`${anchors}/dickinson_constrained.csv`, 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const theirs = new Set(
        lines.map((l) =>
          l
            .split(',')
            .slice(1)
            .map(Number)
            .flatMap((b, i) => (b ? [i] : []))
            .join(','),
        ),
      );
      expect(theirs.size).toBe(1_287);
      const mine = setsOf(s);
      expect(mine.every((m) => theirs.has(m))).toBe(true);
      // The tie at ranks 1,287/1,288 is resolved as cvcrand does: the set with county 1 stays.
      expect(theirs.has('0,4,6,7,8,10,11,15')).toBe(true);
    });
  },
);

describe('constrained randomisation within strata against R (expand.grid of combn by region)', () => {
  // Region: Nord = clusters 0–2, Vest = 3–6, Øst = 7–11; 6 treated split 2/2/2.
  const members = [
    [0, 1, 2],
    [3, 4, 5, 6],
    [7, 8, 9, 10, 11],
  ];
  it('scores every product of within-stratum allocations: counts, distribution, accepted set', () => {
    const r = ref.constrained_strata_l2;
    const s = constrainedSpace(
      cov,
      6,
      { cutoff: 0.1, strata: { members, treated: [2, 2, 2] } },
      createRng(1),
    );
    expect(s.enumerated).toBe(true);
    expect(s.totalSchemes).toBe(r.total);
    expect(s.count).toBe(r.accepted);
    expectDistribution(s.distribution, r);
    const rSets = (r.accepted_sets as number[][]).map((v) => v.join(','));
    expect(setsOf(s)).toEqual([...rSets].sort((a, b) => cmpLex(a, b)));
  });

  it('samples stratified allocations beyond the enumeration limit, each with its strata counts', () => {
    const s = constrainedSpace(
      cov,
      6,
      { cutoff: 0.2, maxEnumerate: 100, samples: 150, strata: { members, treated: [2, 2, 2] } },
      createRng(9),
    );
    expect(s.enumerated).toBe(false);
    expect(s.schemesScored).toBe(150);
    expect(s.count).toBe(30);
    for (const set of setsOf(s)) {
      const g = set.split(',').map(Number);
      expect(members.map((m) => g.filter((x) => m.includes(x)).length)).toEqual([2, 2, 2]);
    }
  });

  it('refuses strata that do not cover the clusters or do not add up to k', () => {
    const bad = (strata: { members: number[][]; treated: number[] }) => {
      try {
        constrainedSpace(cov, 6, { strata }, createRng(1));
      } catch (e) {
        return isTiltakError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(bad({ members: members.slice(0, 2), treated: [2, 2] })).toBe('BAD_OPTION');
    expect(bad({ members, treated: [2, 2, 1] })).toBe('BAD_OPTION');
    expect(bad({ members, treated: [4, 1, 1] })).toBe('BAD_TREATED');
  });
});

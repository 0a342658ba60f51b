import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { drawFamilies } from '../src/design/families.ts';
import { designSpec, randomize, splitTreated } from '../src/design/randomize.ts';
import {
  allocationRecord,
  canonicalJson,
  recordSpace,
  verifyAllocationRecord,
} from '../src/design/record.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { createRng } from '../src/stats/random.ts';

const offices = readCsv('test/fixtures/data/design-offices.csv');
const col = (name: string) => {
  const c = offices.columns.get(name)!;
  return Array.from({ length: offices.nrow }, (_, i) => String(c.values[i]));
};
const ids = col('office');

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isTiltakError(e) ? e.code : `not a TiltakError: ${String(e)}`;
  }
  return 'no error';
}

describe('splitTreated (largest remainder)', () => {
  it('splits proportionally and gives remainders to the largest fractions, ties to the first', () => {
    expect(splitTreated([10, 10, 9], 15)).toEqual([5, 5, 5]);
    expect(splitTreated([3, 4, 5], 6)).toEqual([2, 2, 2]); // quotas 1.5, 2, 2.5: tie to the first
    expect(splitTreated([5, 5], 5)).toEqual([3, 2]);
    for (const [sizes, k] of [
      [[2, 7, 3, 9], 10],
      [[4, 4, 4], 7],
    ] as const) {
      const s = splitTreated(sizes, k);
      expect(s.reduce((a, b) => a + b, 0)).toBe(k);
      s.forEach((v, i) => {
        expect(Math.abs(v - (k * sizes[i]!) / sizes.reduce((a, b) => a + b, 0))).toBeLessThan(1);
      });
    }
  });
});

describe('randomize', () => {
  it('complete: K treated, reproducible by seed, uniform over clusters', () => {
    const spec = designSpec({ ids, treated: 6 });
    const a = randomize(spec, 42);
    expect(a.treatedIds).toHaveLength(6);
    expect(randomize(spec, 42).treatedIds).toEqual(a.treatedIds);
    expect(a.totalSchemes).toBe(924);
    // Each cluster is treated with probability 1/2: over 2,000 seeds every share is within 5 SE.
    const count = new Float64Array(12);
    for (let s = 0; s < 2000; s++) {
      const t = randomize(spec, s).treated;
      for (let g = 0; g < 12; g++) count[g]! += t[g]!;
    }
    for (const c of count)
      expect(Math.abs(c / 2000 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 2000));
  });

  it('stratified: the largest-remainder split within each region', () => {
    const r = randomize(designSpec({ ids, treated: 6, strata: col('region') }), 3);
    expect(r.strata).toEqual([
      { stratum: 'Nord', clusters: 3, treated: 2 },
      { stratum: 'Vest', clusters: 4, treated: 2 },
      { stratum: 'Øst', clusters: 5, treated: 2 },
    ]);
    const region = col('region');
    const perStratum = new Map<string, number>();
    r.treated.forEach((v, g) => {
      perStratum.set(region[g]!, (perStratum.get(region[g]!) ?? 0) + v);
    });
    expect(Object.fromEntries(perStratum)).toEqual({ Nord: 2, Vest: 2, Øst: 2 });
    expect(r.totalSchemes).toBe(3 * 6 * 10);
  });

  it('pairs: exactly one of each pair treated', () => {
    const pairs = col('pair');
    const r = randomize(designSpec({ ids, treated: 6, pairs }), 5);
    const perPair = new Map<string, number>();
    r.treated.forEach((v, g) => {
      perPair.set(pairs[g]!, (perPair.get(pairs[g]!) ?? 0) + v);
    });
    expect([...perPair.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.totalSchemes).toBe(64);
  });

  it('constrained: the chosen scheme is in the accepted space and scores below the cutoff', () => {
    const values = ['caseload', 'urban', 'income'].map((c) =>
      Array.from(offices.columns.get(c)!.values as ArrayLike<number | string | null>),
    );
    const spec = designSpec({
      ids,
      treated: 6,
      balance: { columns: ['caseload', 'urban', 'income'], values },
    });
    const r = randomize(spec, 11);
    expect(r.acceptedSchemes).toBe(92);
    expect(r.chosenScore!).toBeLessThanOrEqual(r.space!.distribution.cutoffScore + 1e-12);
    expect(r.balance!.map((b) => b.term)).toEqual(['caseload', 'urbanland', 'urbantett', 'income']);
    expect(r.validity!.alwaysTogether).toBe(0);
  });

  it('rejects bad designs with stable codes', () => {
    expect(errorCode(() => randomize(designSpec({ ids, treated: 13 }), 1))).toBe('BAD_TREATED');
    expect(errorCode(() => randomize(designSpec({ ids, treated: 0 }), 1))).toBe('BAD_TREATED');
    const strata = [...col('region')];
    strata[0] = 'Sør';
    expect(errorCode(() => randomize(designSpec({ ids, treated: 6, strata }), 1))).toBe(
      'STRATUM_TOO_SMALL',
    );
    expect(errorCode(() => randomize(designSpec({ ids, treated: 5, pairs: col('pair') }), 1))).toBe(
      'BAD_TREATED',
    );
    const dup = [...ids];
    dup[3] = dup[2]!;
    expect(errorCode(() => randomize(designSpec({ ids: dup, treated: 6 }), 1))).toBe(
      'DUPLICATE_ID',
    );
    const constant = { columns: ['k'], values: [ids.map(() => 3)] };
    expect(errorCode(() => randomize(designSpec({ ids, treated: 6, balance: constant }), 1))).toBe(
      'CONSTANT_COLUMN',
    );
    const missing = { columns: ['k'], values: [ids.map((_, i) => (i === 4 ? null : i))] };
    expect(errorCode(() => randomize(designSpec({ ids, treated: 6, balance: missing }), 1))).toBe(
      'MISSING_VALUE',
    );
  });
});

describe('constrained randomisation within strata', () => {
  const values = ['caseload', 'urban', 'income'].map((c) =>
    Array.from(offices.columns.get(c)!.values as ArrayLike<number | string | null>),
  );
  const balance = { columns: ['caseload', 'urban', 'income'], values };
  const spec = designSpec({ ids, treated: 6, strata: col('region'), balance });

  it('draws from the accepted product space, keeps the strata counts and records a verifiable space', () => {
    expect(spec.scheme).toBe('constrained');
    const r = randomize(spec, 11);
    expect(r.strata).toEqual([
      { stratum: 'Nord', clusters: 3, treated: 2 },
      { stratum: 'Vest', clusters: 4, treated: 2 },
      { stratum: 'Øst', clusters: 5, treated: 2 },
    ]);
    expect(r.totalSchemes).toBe(180);
    expect(r.acceptedSchemes).toBe(18);
    const region = col('region');
    for (const s of ['Nord', 'Vest', 'Øst'])
      expect(r.treatedIds.filter((id) => region[ids.indexOf(id)] === s)).toHaveLength(2);
    expect(r.chosenScore!).toBeLessThanOrEqual(r.space!.distribution.cutoffScore + 1e-12);
    const rec = allocationRecord(r);
    const parsed = JSON.parse(JSON.stringify(rec));
    expect(verifyAllocationRecord(parsed, { regenerate: true }).sha256).toBe(rec.sha256);
    const space = recordSpace(parsed);
    expect(space.kind === 'masks' && space.count).toBe(18);
    // The same seed gives the same allocation.
    expect(randomize(spec, 11).treatedIds).toEqual(r.treatedIds);
  });

  it('refuses pairs together with strata or balance columns', () => {
    expect(errorCode(() => designSpec({ ids, treated: 6, pairs: col('pair'), balance }))).toBe(
      'CONFLICTING_OPTIONS',
    );
    expect(
      errorCode(() => designSpec({ ids, treated: 6, pairs: col('pair'), strata: col('region') })),
    ).toBe('CONFLICTING_OPTIONS');
  });
});

describe('allocation records', () => {
  const values = ['caseload', 'urban'].map((c) =>
    Array.from(offices.columns.get(c)!.values as ArrayLike<number | string | null>),
  );
  const spec = designSpec({ ids, treated: 6, balance: { columns: ['caseload', 'urban'], values } });
  const rec = allocationRecord(randomize(spec, 2024));

  it('round-trips through JSON, verifies, and regenerates the space and the draw', () => {
    const parsed = JSON.parse(JSON.stringify(rec, null, 2));
    expect(verifyAllocationRecord(parsed, { regenerate: true }).sha256).toBe(rec.sha256);
    const space = recordSpace(parsed);
    expect(space.kind).toBe('masks');
    if (space.kind === 'masks') expect(space.count).toBe(92);
  });

  it('throws HASH_MISMATCH when any content changes', () => {
    const tampered = JSON.parse(JSON.stringify(rec));
    tampered.allocation.treated_ids[0] = ids.find((i) => !rec.allocation.treated_ids.includes(i));
    expect(errorCode(() => verifyAllocationRecord(tampered))).toBe('HASH_MISMATCH');
    const seed = JSON.parse(JSON.stringify(rec));
    seed.seed = 2025;
    expect(errorCode(() => verifyAllocationRecord(seed))).toBe('HASH_MISMATCH');
    expect(errorCode(() => verifyAllocationRecord({ format: 'x' }))).toBe('BAD_RECORD');
  });

  it('detects a record whose hash was recomputed over a draw the seed does not give', () => {
    const forged = JSON.parse(JSON.stringify(rec));
    forged.allocation.index = (forged.allocation.index + 1) % 92;
    const { sha256: _drop, ...content } = forged;
    forged.sha256 = sha(content);
    expect(verifyAllocationRecord(forged).sha256).toBe(forged.sha256);
    expect(errorCode(() => verifyAllocationRecord(forged, { regenerate: true }))).toBe(
      'HASH_MISMATCH',
    );
  });

  it('serialises canonically: key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });
});

function sha(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

describe('drawFamilies', () => {
  const eligible = new Map([
    ['NAV Bodø', Array.from({ length: 30 }, (_, i) => `b${i}`)],
    ['NAV Alta', Array.from({ length: 10 }, (_, i) => `a${i}`)],
  ]);

  it('draws k per office, keeps the rest as comparison, reproducibly', () => {
    const d = drawFamilies(eligible, 6, createRng(1));
    for (const [office, list] of eligible) {
      const r = d.get(office)!;
      expect(r.drawn).toHaveLength(6);
      expect(new Set([...r.drawn, ...r.comparison])).toEqual(new Set(list));
      expect(r.comparison).toHaveLength(list.length - 6);
    }
    const reordered = new Map([...eligible].reverse());
    expect(drawFamilies(reordered, 6, createRng(1))).toEqual(d);
  });

  it('gives each family the same chance', () => {
    const hits = new Float64Array(10);
    const one = new Map([['NAV Alta', eligible.get('NAV Alta')!]]);
    const rng = createRng(7);
    for (let s = 0; s < 3000; s++) {
      for (const f of drawFamilies(one, 3, rng).get('NAV Alta')!.drawn) hits[Number(f.slice(1))]!++;
    }
    for (const h of hits) expect(Math.abs(h / 3000 - 0.3)).toBeLessThan(5 * Math.sqrt(0.21 / 3000));
  });

  it('rejects offices with too few eligible families or duplicates', () => {
    expect(errorCode(() => drawFamilies(eligible, 11, createRng(1)))).toBe('TOO_FEW_ELIGIBLE');
    expect(errorCode(() => drawFamilies(new Map([['x', ['a', 'a']]]), 1, createRng(1)))).toBe(
      'DUPLICATE_ID',
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { loadBuiltinInstrument, loadInstrument } from '../src/trial/instruments/load.ts';
import { scoreResponse } from '../src/trial/instruments/score.ts';

type Num = number | 'NA';
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/reliability.json', import.meta.url), 'utf8'),
) as { wai_scores: Record<string, Num[]>; psych_score_items: Num[] };
const num = (v: Num): number | null => (v === 'NA' ? null : v);
const csv = (f: string) => readCsv(new URL(`./fixtures/data/${f}`, import.meta.url).pathname);

function rowAnswers(t: ReturnType<typeof csv>, i: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const nm of t.names) {
    const c = t.columns.get(nm)!;
    if (c.kind !== 'numeric') throw new Error(`column ${nm} is not numeric`);
    const v = c.values[i]!;
    out[nm] = Number.isNaN(v) ? null : v;
  }
  return out;
}

const expectScore = (got: number | null, want: number | null, label: string) => {
  if (want === null) {
    expect(got, label).toBeNull();
    return;
  }
  // Mean of at most 12 small integers: the only difference from R is the order of a few
  // additions, so 1e-13 relative is already loose.
  expect(got, label).not.toBeNull();
  expect(Math.abs(got! - want) / Math.abs(want), label).toBeLessThan(1e-13);
};

describe('WAI-SR scoring against R', () => {
  const wai = loadBuiltinInstrument('wai-sr');
  const t = csv('reliability-wai-responses.csv');

  it('has the published structure', () => {
    expect(wai.items.map((i) => i.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `wai${String(i + 1).padStart(2, '0')}`),
    );
    const sub = Object.fromEntries(wai.subscales.map((s) => [s.id, s.items]));
    expect(sub).toEqual({
      task: ['wai01', 'wai02', 'wai10', 'wai12'],
      bond: ['wai03', 'wai05', 'wai07', 'wai09'],
      goal: ['wai04', 'wai06', 'wai08', 'wai11'],
    });
    expect(wai.reverseKeyed).toEqual([]);
    expect(wai.responseScale).toMatchObject({ min: 1, max: 5 });
    expect(wai.items.every((i) => i.text === undefined)).toBe(true);
    expect(wai.missingCodes.map((m) => [m.code, m.nb, m.en])).toEqual([
      [8, 'Vet ikke', "Don't know"],
      [9, 'Ikke besvart', 'Not answered'],
    ]);
  });

  it('gives the subscale and total means R gives, with codes 8 and 9 as missing', () => {
    expect(t.nrow).toBe(200);
    let withNull = 0;
    for (let i = 0; i < t.nrow; i++) {
      const s = scoreResponse(wai, rowAnswers(t, i));
      expect(s.answered).toBe(fx.wai_scores.answered![i]);
      for (const sub of s.subscales) {
        expectScore(sub.score, num(fx.wai_scores[sub.id]![i]!), `row ${i + 1} ${sub.id}`);
      }
      expectScore(s.total!.score, num(fx.wai_scores.total![i]!), `row ${i + 1} total`);
      if (s.total!.score === null) withNull++;
    }
    // The fixture must exercise the minimum-answered rule, not only complete rows.
    expect(withNull).toBeGreaterThan(10);
  });

  it('records which items were missing and with which code', () => {
    const s = scoreResponse(wai, { wai01: 4, wai02: 8, wai03: 9, wai04: null });
    expect(s.missing.slice(0, 3)).toEqual([
      { item: 'wai02', code: 8 },
      { item: 'wai03', code: 9 },
      { item: 'wai04', code: null },
    ]);
    expect(s.answered).toBe(1);
    expect(s.total!.score).toBeNull();
  });
});

describe('reverse-keyed scoring against psych::scoreItems', () => {
  const ins = loadInstrument({
    id: 'sim12',
    name: { nb: 'Simulert', en: 'Simulated' },
    version: '1',
    source: 'test',
    copyright: 'test',
    items: Array.from({ length: 12 }, (_, i) => ({
      id: `q${String(i + 1).padStart(2, '0')}`,
      textKey: `sim.q${i + 1}`,
    })),
    responseScale: {
      min: 1,
      max: 5,
      labels: [1, 2, 3, 4, 5].map((v) => ({ value: v, nb: String(v), en: String(v) })),
    },
    reverseKeyed: ['q04', 'q09'],
    subscales: [],
    missingCodes: [],
    scoring: { method: 'mean', total: { minAnswered: 1 } },
  });

  it('matches psych::scoreItems(min = 1, max = 5, impute = "none")', () => {
    const t = csv('reliability-sim12-missing.csv');
    for (let i = 0; i < t.nrow; i++) {
      const s = scoreResponse(ins, rowAnswers(t, i));
      expectScore(s.total!.score, num(fx.psych_score_items[i]!), `row ${i + 1}`);
    }
  });

  it('reverses within the instrument bounds, not the observed ones', () => {
    const s = scoreResponse(ins, { q04: 1, q09: 2, q01: 5 });
    expect(s.itemValues.q04).toBe(5);
    expect(s.itemValues.q09).toBe(4);
    expect(s.total!.score).toBeCloseTo(14 / 3, 14);
  });
});

describe('scoring rules', () => {
  const base = {
    id: 'tiny',
    name: { nb: 'Liten', en: 'Tiny' },
    version: '1',
    source: 'test',
    copyright: 'test',
    items: [
      { id: 'a', textKey: 't.a' },
      { id: 'b', textKey: 't.b' },
      { id: 'c', textKey: 't.c' },
    ],
    responseScale: {
      min: 0,
      max: 3,
      labels: [0, 1, 2, 3].map((v) => ({ value: v, nb: String(v), en: String(v) })),
    },
    reverseKeyed: [],
    subscales: [{ id: 'ab', name: { nb: 'AB', en: 'AB' }, items: ['a', 'b'], minAnswered: 1 }],
    missingCodes: [{ code: 9, nb: 'Ikke besvart', en: 'Not answered' }],
  };

  it('sum needs every item; prorated sum scales the mean up to all items', () => {
    const sum = loadInstrument({
      ...base,
      subscales: [{ ...base.subscales[0]!, minAnswered: 2 }],
      scoring: { method: 'sum', total: { minAnswered: 3 } },
    });
    expect(scoreResponse(sum, { a: 1, b: 2, c: 3 }).total!.score).toBe(6);
    expect(scoreResponse(sum, { a: 1, b: 2, c: 9 }).total!.score).toBeNull();
    const pro = loadInstrument({
      ...base,
      scoring: { method: 'prorated_sum', total: { minAnswered: 2 } },
    });
    const s = scoreResponse(pro, { a: 1, b: 9, c: 3 });
    expect(s.total!.score).toBe(6);
    expect(s.subscales[0]!.score).toBe(2);
  });

  it('rejects answers off the scale, naming item and value', () => {
    const ins = loadInstrument({ ...base, scoring: { method: 'mean', total: null } });
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (isTiltakError(e)) return `${e.code}: ${e.message}`;
        throw e;
      }
      return 'no error';
    };
    expect(codeOf(() => scoreResponse(ins, { a: 4 }))).toBe(
      "OUT_OF_RANGE: item 'a' of 'tiny' has answer 4; expected a whole number 0–3 or a missing code (9)",
    );
    expect(codeOf(() => scoreResponse(ins, { b: 1.5 }))).toMatch(/^OUT_OF_RANGE: item 'b' .* 1\.5/);
    expect(codeOf(() => scoreResponse(ins, { z: 1 }))).toBe(
      "UNKNOWN_ITEM: instrument 'tiny' has no item 'z'",
    );
    expect(scoreResponse(ins, { a: 1 }).total).toBeNull();
  });
});

describe('loadInstrument', () => {
  it('loads both shipped instruments', () => {
    const pc = loadBuiltinInstrument('professional-competence');
    expect(pc.items).toHaveLength(6);
    expect(pc.items.every((i) => i.text !== undefined)).toBe(true);
    expect(pc.scoring).toEqual({ method: 'mean', total: { minAnswered: 5 } });
    const s = scoreResponse(pc, { pc01: 4, pc02: 5, pc03: 3, pc04: 4, pc05: 8, pc06: 4 });
    expect(s.total!.score).toBe(4);
  });

  it('lists every problem with its path', () => {
    const wai = JSON.parse(
      readFileSync(new URL('../src/trial/instruments/wai-sr.json', import.meta.url), 'utf8'),
    );
    const bad = {
      ...wai,
      reverseKeyed: ['wai13'],
      missingCodes: [{ code: 3, nb: 'x', en: 'x' }],
      subscales: [{ ...wai.subscales[0], items: ['wai01', 'wai01', 'waiXX'], minAnswered: 4 }],
    };
    try {
      loadInstrument(bad, 'bad.json');
      expect.unreachable();
    } catch (e) {
      expect(isTiltakError(e, 'BAD_INSTRUMENT')).toBe(true);
      const msg = (e as Error).message;
      expect(msg).toMatch(/^bad\.json: /);
      expect(msg).toContain(
        'missingCodes.0.code: missing code 3 lies inside the response scale 1–5',
      );
      expect(msg).toContain("reverseKeyed.0: reverse-keyed item 'wai13' is not an item");
      expect(msg).toContain("subscale 'task' lists item 'wai01' twice");
      expect(msg).toContain("subscale 'task' names unknown item 'waiXX'");
      expect(msg).not.toContain('\n');
    }
    expect(() => loadInstrument('{ not json', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() => loadInstrument({ ...wai, extra: 1 })).toThrow(/extra/);
    expect(() =>
      loadInstrument({ ...wai, scoring: { method: 'sum', total: { minAnswered: 9 } } }),
    ).toThrow(/scoring 'sum' of the total needs all 12 items answered/);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/io/read-csv.ts';
import {
  deparse,
  formatRNumber,
  LEVEL_COLLATOR,
  modelFrame,
  parseFormula,
} from '../src/stats/formula/index.ts';

// Reference values from test/fixtures/r/formula.R (R 4.2.2, lme4) on test/fixtures/data/formula-main.csv.
interface FixedCase {
  formula: string;
  colnames: string[];
  x: number[];
  assign: number[];
  term_labels: string[] | Record<string, never>;
  intercept: boolean;
  n: number;
  row_index: number[];
  y: number[];
}
interface BinaryCase {
  formula: string;
  y: number[];
  row_index: number[];
  colnames: string[];
  x: number[];
}
interface RandomCase {
  formula: string;
  colnames: string[];
  x: number[];
  n: number;
  row_index: number[];
  terms: {
    bar: string;
    group: string;
    term_names: string[] | string;
    levels: string[];
    zt: number[];
  }[];
}
interface Fixture {
  collation: string;
  fixed: FixedCase[];
  binary: BinaryCase[];
  random: RandomCase[];
  formats: { values: number[]; text: string[]; deparse: string[] };
  sorted: string[];
  words: string[];
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const fx = JSON.parse(readFileSync(here('./fixtures/r/formula.json'), 'utf8')) as Fixture;
const data = readCsv(here('./fixtures/data/formula-main.csv'));
// jsonlite writes a length-one character vector as a scalar and an empty one as {}.
const arr = <T>(v: T[] | T | Record<string, never>): T[] =>
  Array.isArray(v)
    ? v
    : typeof v === 'object' && v !== null && Object.keys(v).length === 0
      ? []
      : [v as T];

// Model-matrix entries are the same floating-point operations as R's (products of data values and
// libm's log/exp/sqrt), so only the last bit or so can differ: 1e-12 relative.
const TOL = 1e-12;
function expectClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const rel = Math.abs(actual[i]! - e) / Math.max(1, Math.abs(e));
    if (rel > worst) worst = rel;
  }
  expect(worst, what).toBeLessThanOrEqual(TOL);
}

describe('model frame agrees with R model.frame + model.matrix', () => {
  it.each(fx.fixed.map((c) => [c.formula, c] as const))('%s', (_f, c) => {
    const mf = modelFrame(c.formula, data);
    expect(mf.colnames).toEqual(arr(c.colnames));
    expect(mf.termLabels).toEqual(arr(c.term_labels));
    expect(Array.from(mf.assign)).toEqual(arr(c.assign));
    expect(mf.hasIntercept).toBe(c.intercept);
    expect(mf.n).toBe(c.n);
    expect(Array.from(mf.rowIndex)).toEqual(arr(c.row_index));
    expect(mf.nDropped).toBe(data.nrow - c.n);
    expect(mf.p).toBe(arr(c.colnames).length);
    expectClose(mf.x, arr(c.x), 'X');
    expectClose(mf.y, arr(c.y), 'y');
  });
});

describe('binary responses are coded as glm codes them', () => {
  it.each(fx.binary.map((c) => [c.formula, c] as const))('%s', (_f, c) => {
    const mf = modelFrame(c.formula, data, { response: 'binary' });
    expect(Array.from(mf.rowIndex)).toEqual(c.row_index);
    expect(Array.from(mf.y)).toEqual(c.y);
    expect(mf.colnames).toEqual(c.colnames);
    expectClose(mf.x, c.x, 'X');
  });
});

describe('random-effect terms agree with lme4 lFormula', () => {
  it.each(fx.random.map((c) => [c.formula, c] as const))('%s', (_f, c) => {
    const mf = modelFrame(c.formula, data);
    expect(mf.colnames).toEqual(arr(c.colnames));
    expect(Array.from(mf.rowIndex)).toEqual(c.row_index);
    expectClose(mf.x, c.x, 'X');
    // lme4 reorders terms by number of levels; we keep formula order, so match by group and columns.
    expect(mf.random.map((r) => r.group).sort()).toEqual(c.terms.map((t) => t.group).sort());
    for (const t of c.terms) {
      const names = arr(t.term_names);
      const ours = mf.random.find(
        (r) => r.group === t.group && r.termNames.join() === names.join(),
      );
      expect(ours, `${t.bar}`).toBeDefined();
      const r = ours!;
      expect(r.levels).toEqual(arr(t.levels));
      expect(r.q).toBe(names.length);
      // Rebuild lme4's dense Zt (levels*q x n, row = level*q + column) from codes and z.
      const rows = r.levels.length * r.q;
      const zt = new Float64Array(rows * mf.n);
      for (let i = 0; i < mf.n; i++) {
        for (let k = 0; k < r.q; k++) zt[i * rows + r.codes[i]! * r.q + k] = r.z[k * mf.n + i]!;
      }
      expectClose(zt, t.zt, `Zt ${t.bar}`);
    }
  });
});

describe('R text conventions', () => {
  it(`sorts levels as R does (R collation: ${fx.collation}, ICU)`, () => {
    expect([...fx.words].sort(LEVEL_COLLATOR.compare)).toEqual(fx.sorted);
  });
  it('formats numbers as as.character() and deparse() do', () => {
    expect(fx.formats.values.map(formatRNumber)).toEqual(fx.formats.text);
    expect(
      fx.formats.values.map((v) => deparse(parseFormula(`~ ${formatRNumber(v)}`).rhs)),
    ).toEqual(fx.formats.deparse.map((s) => s));
  });
});

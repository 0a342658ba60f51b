import { describe, expect, it } from 'vitest';
import { dataFrame } from '../src/stats/data-frame.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { modelFrame } from '../src/stats/formula/index.ts';

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isTiltakError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a TiltakError');
}

const n = 20;
const seq = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const income: (string | null)[] = seq((i) => 1000 + 37 * i).map(String);
income[16] = 'abc';
const base = {
  y: seq((i) => (i * 7) % 11),
  yb: seq((i) => i % 2),
  x: seq((i) => i / 3),
  z: seq((i) => i - 5),
  treat: seq(() => 1),
  income,
  arm: seq((i) => i % 2).map((v) => (v ? 'HOLF' : 'local')),
  office: seq((i) => i % 4).map((v) => `o${v}`),
  answer: seq((i) => i % 3).map((v) => ['ja', 'nei', 'vet ikke'][v]!),
  flag: seq((i) => i % 2).map((v) => (v ? 'TRUE' : 'FALSE')),
};
const df = dataFrame(base);

describe('modelFrame errors name the column, row and value', () => {
  it('UNKNOWN_COLUMN gives the position and the closest name', () => {
    expect(failure(() => modelFrame('y ~ arm + ofice', df))).toEqual({
      code: 'UNKNOWN_COLUMN',
      message:
        "unknown column 'ofice' at position 11 in formula 'y ~ arm + ofice'; did you mean 'office'?",
    });
    expect(failure(() => modelFrame('y ~ x + (1 | qqqqq)', df)).message).toBe(
      "unknown column 'qqqqq' at position 14 in formula 'y ~ x + (1 | qqqqq)'",
    );
    expect(failure(() => modelFrame('Y ~ x', df)).message).toMatch(/did you mean 'y'\?$/);
  });

  it("'.' is refused inside a function or a random-effect term, and when it stands for nothing", () => {
    expect(failure(() => modelFrame('y ~ log(.)', df)).message).toBe(
      "formula syntax error at position 9: '.' cannot be used inside log()",
    );
    expect(failure(() => modelFrame('y ~ x + (. | office)', df)).message).toMatch(
      /inside a random-effect term/,
    );
    const one = dataFrame({ y: base.y });
    expect(failure(() => modelFrame('y ~ .', one)).code).toBe('EMPTY_DOT');
    // `.` excludes every column the left-hand side uses, and only those.
    const some = dataFrame({
      y: base.y,
      yb: base.yb,
      x: base.x,
      z: base.z,
      arm: base.arm,
      office: base.office,
    });
    expect(modelFrame('log(y + 1) ~ .', some).colnames).toEqual([
      '(Intercept)',
      'yb',
      'x',
      'z',
      'armlocal',
      'officeo1',
      'officeo2',
      'officeo3',
    ]);
  });

  it('NON_NUMERIC_VALUE for a stray text cell in a numeric column', () => {
    const msg = "column 'income' row 17: 'abc' is not a number";
    expect(failure(() => modelFrame('y ~ income', df))).toEqual({
      code: 'NON_NUMERIC_VALUE',
      message: msg,
    });
    expect(failure(() => modelFrame('y ~ log(income)', df)).message).toBe(msg);
    expect(failure(() => modelFrame('income ~ x', df)).message).toBe(msg);
    expect(failure(() => modelFrame('y ~ I(arm^2)', df)).message).toBe(
      "column 'arm' row 1: 'local' is not a number",
    );
    expect(failure(() => modelFrame('arm ~ x', df)).code).toBe('NON_NUMERIC_VALUE');
  });

  it('a text column that is mostly text stays a factor; factor() makes a numeric-looking one a factor', () => {
    expect(modelFrame('y ~ arm', df).colnames).toEqual(['(Intercept)', 'armlocal']);
    const codes = dataFrame({ y: [1, 2, 3, 4], kode: ['0301', '1103', '0301', '1103'] });
    expect(modelFrame('y ~ kode', codes).colnames).toEqual(['(Intercept)', 'kode1103']);
  });

  it('SINGLE_LEVEL_FACTOR for a constant treatment among the kept rows', () => {
    const y = base.y.map((v, i) => (base.arm[i] === 'local' ? null : v));
    const d = dataFrame({ ...base, y });
    expect(failure(() => modelFrame('y ~ x + arm', d))).toEqual({
      code: 'SINGLE_LEVEL_FACTOR',
      message:
        "column 'arm' has a single level 'HOLF' in the rows used; a factor needs at least two",
    });
    const f = dataFrame({
      ...base,
      y,
      flag: base.arm.map((a) => (a === 'HOLF' ? 'TRUE' : 'FALSE')),
    });
    expect(failure(() => modelFrame('y ~ flag', f)).message).toBe(
      "column 'flag' has a single level 'TRUE' in the rows used; a factor needs at least two",
    );
    expect(failure(() => modelFrame('y ~ x + (1 | arm)', d))).toEqual({
      code: 'SINGLE_LEVEL_FACTOR',
      message:
        "grouping factor 'arm' has a single level 'HOLF' in the rows used; a grouping factor needs at least two",
    });
  });

  it('CONSTANT_PREDICTOR only next to an intercept', () => {
    expect(failure(() => modelFrame('y ~ x + treat', df))).toEqual({
      code: 'CONSTANT_PREDICTOR',
      message: "column 'treat' is constant (every used row is 1)",
    });
    expect(failure(() => modelFrame('y ~ I(treat * 2.5)', df)).message).toBe(
      "term 'I(treat * 2.5)' is constant (every used row is 2.5)",
    );
    expect(modelFrame('y ~ 0 + treat', df).colnames).toEqual(['treat']);
  });

  it('BAD_RESPONSE for a binary response that is not binary', () => {
    expect(failure(() => modelFrame('y ~ x', df, { response: 'binary' }))).toEqual({
      code: 'BAD_RESPONSE',
      message:
        "response 'y' has the value 7 in row 2; a binary response must be 0/1, TRUE/FALSE or have two levels",
    });
    expect(failure(() => modelFrame('answer ~ x', df, { response: 'binary' })).message).toBe(
      "response 'answer' has 3 levels ('ja', 'nei', 'vet ikke'); a binary response must be 0/1, TRUE/FALSE or have two levels",
    );
    const one = dataFrame({ ...base, answer: base.answer.map(() => 'ja') });
    expect(failure(() => modelFrame('answer ~ x', one, { response: 'binary' })).code).toBe(
      'BAD_RESPONSE',
    );
    expect(Array.from(modelFrame('flag ~ x', df, { response: 'binary' }).y.slice(0, 4))).toEqual([
      0, 1, 0, 1,
    ]);
    expect(Array.from(modelFrame('arm ~ x', df, { response: 'binary' }).y.slice(0, 4))).toEqual([
      1, 0, 1, 0,
    ]);
  });

  it('RESPONSE_IN_PREDICTORS where R would silently drop the term', () => {
    expect(failure(() => modelFrame('y ~ y + x', df))).toEqual({
      code: 'RESPONSE_IN_PREDICTORS',
      message: "the response 'y' also appears on the right-hand side of 'y ~ y + x'",
    });
  });

  it('EMPTY_DATA when every row has a missing value', () => {
    const d = dataFrame({
      ...base,
      x: seq((i) => (i % 2 ? Number.NaN : i)),
      z: seq((i) => (i % 2 ? i : Number.NaN)),
    });
    expect(failure(() => modelFrame('y ~ x + z', d))).toEqual({
      code: 'EMPTY_DATA',
      message:
        "no rows left for formula 'y ~ x + z': every one of the 20 rows has a missing value in 'y', 'x', 'z'",
    });
  });
});

describe('modelFrame missing values and invariances', () => {
  it('drops rows with a missing value in any used column, including grouping and random columns', () => {
    const d = dataFrame({
      ...base,
      x: seq((i) => (i === 2 ? Number.NaN : i)),
      z: seq((i) => (i === 5 ? Number.NaN : i)),
      office: base.office.map((o, i) => (i === 7 ? null : o)),
      arm: base.arm.map((a, i) => (i === 11 ? null : a)),
    });
    const mf = modelFrame('y ~ arm + (0 + z | office)', d);
    expect(mf.nDropped).toBe(3);
    expect(Array.from(mf.rowIndex)).not.toContain(5);
    expect(Array.from(mf.rowIndex)).not.toContain(7);
    expect(Array.from(mf.rowIndex)).not.toContain(11);
    expect(mf.variables).toEqual(['y', 'arm', 'z', 'office']);
  });

  it('drops rows where a transformation gives NaN, with a warning, as na.omit does', () => {
    const mf = modelFrame('y ~ log(z)', df);
    expect(mf.nDropped).toBe(5);
    expect(mf.warnings.map((w) => w.code)).toEqual(['NAN_PRODUCED']);
    expect(mf.warnings[0]!.message).toBe(
      'log(z) is NaN in 5 row(s) with present data; they were dropped',
    );
  });

  it('drops factor levels that only occur in dropped rows', () => {
    const d = dataFrame({ y: [1, 2, null, 4, 5], g: ['a', 'b', 'c', 'a', 'b'] });
    const mf = modelFrame('y ~ g', d);
    expect(mf.colnames).toEqual(['(Intercept)', 'gb']);
  });

  it('reordering the rows reorders the model matrix rows and nothing else', () => {
    const perm = seq((i) => (i * 7) % n);
    const shuffled = dataFrame(
      Object.fromEntries(
        Object.entries(base).map(([k, v]) => [k, perm.map((p) => v[p]!)]),
      ) as typeof base,
    );
    const f = 'y ~ x * arm + flag + (1 + x | office)';
    const a = modelFrame(f, df);
    const b = modelFrame(f, shuffled);
    expect(b.colnames).toEqual(a.colnames);
    for (let j = 0; j < a.p; j++) {
      for (let i = 0; i < n; i++) expect(b.x[j * n + i]).toBe(a.x[j * n + perm[i]!]);
    }
    const ra = a.random[0]!;
    const rb = b.random[0]!;
    expect(rb.levels).toEqual(ra.levels);
    for (let i = 0; i < n; i++) expect(rb.codes[i]).toBe(ra.codes[perm[i]!]);
  });
});

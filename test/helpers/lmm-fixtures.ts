// Shared readers for the mixed-model fixtures. Fixtures: test/fixtures/r/lmm.R (lme4 1.1-31,
// lmerTest 3.1-3, pbkrtest 0.5.2), bobyqa with rhoend = 1e-12 so the reference sits at the optimum
// rather than at lme4's default stopping point.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readCsv } from '../../src/io/read-csv.ts';
import { fitLmm, type LmmInput } from '../../src/stats/models/lmm/index.ts';

/**
 * test/fixtures/r/lmm.json as R wrote it, keyed by data set.
 *
 * @example
 * const ref = FIX.sleepstudy.fit.fixef;
 */
export const FIX = JSON.parse(readFileSync('test/fixtures/r/lmm.json', 'utf8'));

/**
 * One random-effects term as the fixture script describes it.
 *
 * @example
 * const groups = list<RandomSpec>(FIX.trial.random).map((r) => r.group);
 */
export interface RandomSpec {
  group: string;
  termNames: string[];
  levels: string[];
}

/**
 * Build the LmmInput from the exported design; random terms are passed in reverse order so
 * that the engine's own lme4-style term sorting is exercised.
 *
 * @example
 * const input = load('sleepstudy');
 */
export function load(name: string, cols?: number[]): LmmInput {
  const spec = FIX[name];
  const t = readCsv(`test/fixtures/data/lmm-${name}.csv`);
  const num = (c: string): Float64Array => {
    const col = t.columns.get(c);
    if (col?.kind !== 'numeric') throw new Error(`column ${c}`);
    return col.values;
  };
  const n = t.nrow;
  const all = list<string>(spec.colnames);
  const use = cols ?? all.map((_, j) => j);
  const x = new Float64Array(n * use.length);
  use.forEach((c, j) => {
    x.set(num(`x${c}`), j * n);
  });
  const random = list<RandomSpec>(spec.random).map((r, k) => {
    const termNames = list<string>(r.termNames);
    const q = termNames.length;
    const z = new Float64Array(n * q);
    for (let a = 0; a < q; a++) z.set(num(`z${k}_${a}`), a * n);
    return {
      group: r.group,
      codes: Int32Array.from(num(`g${k}`)),
      levels: list<string>(r.levels),
      z,
      q,
      termNames,
    };
  });
  const assign = list<number>(spec.assign);
  return {
    y: num('y'),
    x,
    n,
    p: use.length,
    colnames: use.map((c) => all[c]!),
    random: random.reverse(),
    assign: use.map((c) => assign[c]!),
    termLabels: list<string>(spec.termLabels),
  };
}

/**
 * A fixture value as an array.
 *
 * @example
 * arr(1); // [1]
 */
export const arr = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);

/**
 * jsonlite's auto_unbox turns length-one vectors into scalars.
 *
 * @example
 * list<string>('a'); // ['a']
 */
export function list<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

/**
 * Relative error with a 1e-300 floor on |b|.
 *
 * @example
 * relErr(1.1, 1); // 0.1
 */
export const relErr = (a: number, b: number): number =>
  Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * Assert every element of `got` within `tol` relative of `want` (same length).
 *
 * @example
 * expectRel(fit.fixef, ref.fixef, 1e-6, 'fixef');
 */
export function expectRel(
  got: ArrayLike<number>,
  want: number | number[],
  tol: number,
  what: string,
): void {
  const w = arr(want);
  expect(got.length, what).toBe(w.length);
  for (let i = 0; i < w.length; i++) {
    const e = relErr(got[i]!, w[i]!);
    if (!(e <= tol))
      throw new Error(
        `${what}[${i}]: got ${got[i]}, want ${w[i]}, rel err ${e.toExponential(2)} > ${tol}`,
      );
  }
}

const cache = new Map<string, ReturnType<typeof fitLmm>>();
/**
 * The fit of a fixture data set (REML unless told), computed once per test file.
 *
 * @example
 * const fit = fitOf('sleepstudy');
 */
export function fitOf(name: string, reml = true): ReturnType<typeof fitLmm> {
  const key = `${name}/${reml}`;
  let f = cache.get(key);
  if (f === undefined) {
    f = fitLmm(load(name), { reml });
    cache.set(key, f);
  }
  return f;
}

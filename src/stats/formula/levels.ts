import { formatRNumber } from './r-format.ts';

/**
 * Collation of factor levels. R sorts character levels with ICU in a UTF-8 locale; ICU's root
 * collation (which `en-US` uses unchanged) puts `a A å Å æ b … ø z Z` — case-insensitive first,
 * lower case before upper, Norwegian letters next to their base letters rather than after `z` as a
 * Norwegian locale would. We pin `en-US` so results do not depend on the machine's locale, and test
 * the order against R's `sort()` under ICU.
 *
 * @example
 * ['b', 'A', 'a'].sort(LEVEL_COLLATOR.compare); // ['a', 'A', 'b']
 */
export const LEVEL_COLLATOR: Intl.Collator = new Intl.Collator('en-US');

/**
 * A factor over all rows of a data frame: a 0-based level code per row (-1 missing) and labels.
 *
 * @example
 * const f = factorOfStrings(['b', null, 'a']); // codes [1, -1, 0], levels ['a', 'b']
 */
export interface RawFactor {
  readonly codes: Int32Array;
  readonly levels: string[];
}

/**
 * Factor of character values with levels sorted as R sorts them (see {@link LEVEL_COLLATOR}).
 *
 * @example
 * factorOfStrings(['øst', 'Aust', 'vest']).levels; // ['Aust', 'øst', 'vest']
 */
export function factorOfStrings(values: ReadonlyArray<string | null>): RawFactor {
  const n = values.length;
  const first = new Map<string, number>();
  const seen: string[] = [];
  const codes = new Int32Array(n);
  // Data sorted by office or family repeat the previous row's value; skip the hash lookup then.
  let prev: string | null = null;
  let prevCode = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    if (v === prev) {
      codes[i] = prevCode;
      continue;
    }
    let k = first.get(v);
    if (k === undefined) {
      k = seen.length;
      first.set(v, k);
      seen.push(v);
    }
    codes[i] = k;
    prev = v;
    prevCode = k;
  }
  const order = seen.map((_, k) => k).sort((a, b) => LEVEL_COLLATOR.compare(seen[a]!, seen[b]!));
  const remap = new Int32Array(seen.length);
  order.forEach((k, rank) => {
    remap[k] = rank;
  });
  for (let i = 0; i < n; i++) if (codes[i]! >= 0) codes[i] = remap[codes[i]!]!;
  return { codes, levels: order.map((k) => seen[k]!) };
}

/**
 * Factor of numbers, as R's `factor(x)` on a numeric vector: levels sorted numerically and
 * labelled the way `as.character()` prints them (`2001`, `1e+05`).
 *
 * @example
 * factorOfNumbers(new Float64Array([2001, 1999, NaN])).levels; // ['1999', '2001']
 */
export function factorOfNumbers(values: Float64Array): RawFactor {
  const n = values.length;
  const first = new Map<number, number>();
  const seen: number[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      codes[i] = -1;
      continue;
    }
    // -0 and 0 are one level in R.
    const key = v === 0 ? 0 : v;
    let k = first.get(key);
    if (k === undefined) {
      k = seen.length;
      first.set(key, k);
      seen.push(key);
    }
    codes[i] = k;
  }
  const order = seen.map((_, k) => k).sort((a, b) => seen[a]! - seen[b]!);
  const remap = new Int32Array(seen.length);
  order.forEach((k, rank) => {
    remap[k] = rank;
  });
  for (let i = 0; i < n; i++) if (codes[i]! >= 0) codes[i] = remap[codes[i]!]!;
  return { codes, levels: order.map((k) => formatRNumber(seen[k]!)) };
}

const TRUE_WORDS = new Set(['TRUE', 'true', 'True', 'T']);
const FALSE_WORDS = new Set(['FALSE', 'false', 'False', 'F']);

/**
 * True when every non-missing value is one R's `type.convert()` reads as logical
 * (`TRUE`/`FALSE`/`T`/`F`, any of R's capitalisations) and there is at least one.
 *
 * @example
 * isLogicalLike(['TRUE', null, 'FALSE']); // true
 */
export function isLogicalLike(values: ReadonlyArray<string | null>): boolean {
  let any = false;
  for (const v of values) {
    if (v === null) continue;
    if (!TRUE_WORDS.has(v) && !FALSE_WORDS.has(v)) return false;
    any = true;
  }
  return any;
}

/**
 * Logical values as 0/1 (NaN missing), for columns where {@link isLogicalLike} holds.
 *
 * @example
 * logicalValues(['TRUE', 'F', null]); // Float64Array [1, 0, NaN]
 */
export function logicalValues(values: ReadonlyArray<string | null>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? Number.NaN : TRUE_WORDS.has(v) ? 1 : 0;
  }
  return out;
}

/**
 * Keep only the rows in `rows` and drop levels that no longer occur, keeping the order of the
 * remaining ones (R's `drop.unused.levels`).
 *
 * @example
 * const f = subsetFactor({ codes: Int32Array.of(0, 1, 2), levels: ['a', 'b', 'c'] }, Int32Array.of(0, 2), true);
 * f.levels; // ['a', 'c']
 */
export function subsetFactor(f: RawFactor, rows: Int32Array, dropUnused: boolean): RawFactor {
  const n = rows.length;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = f.codes[rows[i]!]!;
  if (!dropUnused) return { codes, levels: f.levels };
  const used = new Uint8Array(f.levels.length);
  for (let i = 0; i < n; i++) used[codes[i]!] = 1;
  const remap = new Int32Array(f.levels.length);
  const levels: string[] = [];
  for (let k = 0; k < f.levels.length; k++) {
    remap[k] = used[k] ? levels.length : -1;
    if (used[k]) levels.push(f.levels[k]!);
  }
  if (levels.length === f.levels.length) return { codes, levels: f.levels };
  for (let i = 0; i < n; i++) codes[i] = remap[codes[i]!]!;
  return { codes, levels };
}

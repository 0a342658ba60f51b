import { TiltakError } from '../errors.ts';
import { pairwiseCov } from './pairwise-cov.ts';

/**
 * How reverse-keyed items are named and reversed; shared by {@link prepareItems}'s callers
 * (alpha, omega).
 *
 * @example
 * const k: KeyOptions = { keys: ['A1'], reverseRange: { min: 1, max: 6 } };
 */
export interface KeyOptions {
  /**
   * Reverse-keyed items, as psych's explicit `keys` with `check.keys = FALSE`: either one ±1 per
   * item, or the names of the items to reverse (a leading '-' on a name is accepted and ignored).
   */
  readonly keys?: ReadonlyArray<number> | ReadonlyArray<string>;
  /**
   * Scale bounds used to reverse items (`min + max - x`). psych uses the smallest and largest value
   * observed over all items; give the instrument's bounds when a sample may not reach them.
   */
  readonly reverseRange?: { readonly min: number; readonly max: number };
}

/**
 * Reverse-keyed responses with their pairwise covariance and correlation matrices.
 *
 * @example
 * const { x, c, r } = prepareItems(items, n, k, names, { keys: ['A1'] });
 */
export interface PreparedItems {
  /** Column-major n × k responses after reverse-keying (the input itself when nothing is reversed). */
  readonly x: Float64Array;
  /** +1 / −1 per item. */
  readonly keys: Int8Array;
  /** Pairwise-complete covariance matrix, column-major k × k. */
  readonly c: Float64Array;
  /** The matching correlation matrix (`cov2cor(c)`). */
  readonly r: Float64Array;
}

/**
 * The validating front shared by the reliability estimators: checks shape, names and values,
 * resolves keys, reverses items as psych does, and builds the pairwise covariance and correlation
 * matrices. Throws `TOO_FEW_ITEMS`, `TOO_FEW_ROWS`, `DUPLICATE_ITEM`, `NON_FINITE`, `BAD_KEYS`,
 * `UNKNOWN_COLUMN`, `CONSTANT_ITEM` or `TOO_FEW_PAIRS`, each naming the item (and row, value).
 *
 * @example
 * const p = prepareItems(new Float64Array([1, 2, 3, 3, 2, 2]), 3, 2, ['a', 'b'], {});
 * p.r[1]; // correlation of a and b
 */
export function prepareItems(
  items: Float64Array,
  n: number,
  k: number,
  names: readonly string[],
  options: KeyOptions,
): PreparedItems {
  validate(items, n, k, names);
  const keys = resolveKeys(options.keys, names);
  for (let j = 0; j < k; j++) {
    const sd = columnMeanSd(items.subarray(j * n, j * n + n)).sd;
    if (!(sd > 0)) {
      throw new TiltakError(
        'CONSTANT_ITEM',
        `item '${names[j]}' has no variance (${Number.isNaN(sd) ? 'fewer than 2 answers' : 'every answer is the same'}); reliability needs items that vary`,
        { column: names[j] },
      );
    }
  }
  const x = reverseKeyed(items, n, k, keys, options.reverseRange);
  const c = pairwiseCov(x, n, k, names);
  const r = cov2cor(c, k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      if (Number.isNaN(r[j * k + i]!)) {
        throw new TiltakError(
          'CONSTANT_ITEM',
          `items '${names[i]}' and '${names[j]}' have no variance in the rows where both are answered`,
          { columns: [names[i], names[j]] },
        );
      }
    }
  }
  return { x, keys, c, r };
}

/**
 * Count, mean and sample standard deviation of the non-missing values of an item column (NaN is
 * missing); the mean is NaN without values and the SD without two.
 *
 * @example
 * columnMeanSd(new Float64Array([1, Number.NaN, 3])); // { count: 2, mean: 2, sd: Math.SQRT2 }
 */
export function columnMeanSd(col: Float64Array): { count: number; mean: number; sd: number } {
  let m = 0;
  let s = 0;
  for (const v of col) {
    if (Number.isNaN(v)) continue;
    m++;
    s += v;
  }
  const mean = m > 0 ? s / m : Number.NaN;
  let ss = 0;
  for (const v of col) if (!Number.isNaN(v)) ss += (v - mean) ** 2;
  return { count: m, mean, sd: m > 1 ? Math.sqrt(ss / (m - 1)) : Number.NaN };
}

function validate(items: Float64Array, n: number, k: number, names: readonly string[]): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new TiltakError('TOO_FEW_ITEMS', `reliability needs at least 2 items, got ${k}`, {
      items: k,
    });
  }
  if (!Number.isInteger(n) || n < 2) {
    throw new TiltakError('TOO_FEW_ROWS', `reliability needs at least 2 rows, got ${n}`, {
      rows: n,
    });
  }
  if (items.length !== n * k) {
    throw new TiltakError(
      'BAD_ARGUMENT',
      `items has ${items.length} values, expected n × k = ${n} × ${k} = ${n * k}`,
    );
  }
  if (names.length !== k) {
    throw new TiltakError('BAD_ARGUMENT', `got ${names.length} item names for ${k} items`);
  }
  const seen = new Set<string>();
  for (const nm of names) {
    if (seen.has(nm)) throw new TiltakError('DUPLICATE_ITEM', `item '${nm}' is given twice`);
    seen.add(nm);
  }
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      const v = items[j * n + i]!;
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        throw new TiltakError(
          'NON_FINITE',
          `item '${names[j]}' row ${i + 1} is ${v}; answers must be finite or missing`,
          { column: names[j], row: i + 1, value: v },
        );
      }
    }
  }
}

function resolveKeys(
  keys: ReadonlyArray<number> | ReadonlyArray<string> | undefined,
  names: readonly string[],
): Int8Array {
  const out = new Int8Array(names.length).fill(1);
  if (keys === undefined) return out;
  if (keys.length > 0 && typeof keys[0] === 'number') {
    if (keys.length !== names.length) {
      throw new TiltakError(
        'BAD_KEYS',
        `got ${keys.length} numeric keys for ${names.length} items; give one +1 or -1 per item`,
      );
    }
    (keys as ReadonlyArray<number>).forEach((v, j) => {
      if (v !== 1 && v !== -1) {
        throw new TiltakError('BAD_KEYS', `key for item '${names[j]}' is ${v}; use +1 or -1`, {
          column: names[j],
          value: v,
        });
      }
      out[j] = v;
    });
    return out;
  }
  for (const raw of keys as ReadonlyArray<string>) {
    const nm = String(raw).replace(/^-/, '');
    const j = names.indexOf(nm);
    if (j === -1) {
      throw new TiltakError('UNKNOWN_COLUMN', `reverse key '${nm}' is not one of the items`, {
        column: nm,
      });
    }
    out[j] = -1;
  }
  return out;
}

function reverseKeyed(
  items: Float64Array,
  n: number,
  k: number,
  keys: Int8Array,
  range: { readonly min: number; readonly max: number } | undefined,
): Float64Array {
  if (!keys.some((v) => v < 0)) return items;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  if (range !== undefined) {
    if (!(range.min < range.max)) {
      throw new TiltakError(
        'BAD_ARGUMENT',
        `reverseRange needs min < max, got ${range.min}..${range.max}`,
      );
    }
    lo = range.min;
    hi = range.max;
  } else {
    for (const v of items) {
      if (Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const adjust = lo + hi;
  const x = Float64Array.from(items);
  for (let j = 0; j < k; j++) {
    if (keys[j]! > 0) continue;
    for (let i = 0; i < n; i++) x[j * n + i] = adjust - x[j * n + i]!;
  }
  return x;
}

function cov2cor(c: Float64Array, k: number): Float64Array {
  const r = new Float64Array(k * k);
  const is = new Float64Array(k);
  for (let j = 0; j < k; j++) is[j] = Math.sqrt(1 / c[j * k + j]!);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) r[j * k + i] = is[i]! * c[j * k + i]! * is[j]!;
    r[j * k + j] = 1;
  }
  return r;
}

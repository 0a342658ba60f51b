import { TiltakError } from '../errors.ts';

/**
 * Covariance matrix with pairwise deletion, as R's `cov(x, use = "pairwise")`: each entry uses the
 * rows where both columns are observed, with the means of those rows. `x` is column-major n × k with
 * NaN as missing; the result is column-major k × k.
 *
 * Throws `TOO_FEW_PAIRS` when two columns share fewer than two observed rows, because R then
 * returns NA and nothing downstream (correlations, SMCs, alpha) is defined.
 *
 * @example
 * const c = pairwiseCov(new Float64Array([1, 2, 3, 2, 4, 7]), 3, 2, ['a', 'b']);
 * c[1]; // cov(a, b) = 2.5
 */
export function pairwiseCov(
  x: Float64Array,
  n: number,
  k: number,
  names: readonly string[],
): Float64Array {
  const out = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const xj = x.subarray(j * n, j * n + n);
    for (let i = 0; i <= j; i++) {
      const xi = x.subarray(i * n, i * n + n);
      let m = 0;
      let si = 0;
      let sj = 0;
      for (let r = 0; r < n; r++) {
        const a = xi[r]!;
        const b = xj[r]!;
        if (Number.isNaN(a) || Number.isNaN(b)) continue;
        m++;
        si += a;
        sj += b;
      }
      if (m < 2) {
        throw new TiltakError(
          'TOO_FEW_PAIRS',
          `items '${names[i]}' and '${names[j]}' are both answered in ${m} row(s); at least 2 are needed`,
          { columns: [names[i], names[j]], pairs: m },
        );
      }
      const mi = si / m;
      const mj = sj / m;
      let s = 0;
      for (let r = 0; r < n; r++) {
        const a = xi[r]!;
        const b = xj[r]!;
        if (Number.isNaN(a) || Number.isNaN(b)) continue;
        s += (a - mi) * (b - mj);
      }
      const c = s / (m - 1);
      out[j * k + i] = c;
      out[i * k + j] = c;
    }
  }
  return out;
}

/**
 * Pearson correlation of two equally long vectors over the rows where both are observed, as
 * `cor(a, b, use = "pairwise")`. NaN when fewer than two such rows or either side is constant.
 *
 * @example
 * pairwiseCor(new Float64Array([1, 2, NaN, 4]), new Float64Array([2, 4, 5, 9])); // 0.9958...
 */
export function pairwiseCor(a: Float64Array, b: Float64Array): number {
  let m = 0;
  let sa = 0;
  let sb = 0;
  for (let r = 0; r < a.length; r++) {
    const x = a[r]!;
    const y = b[r]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    m++;
    sa += x;
    sb += y;
  }
  if (m < 2) return Number.NaN;
  const ma = sa / m;
  const mb = sb / m;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let r = 0; r < a.length; r++) {
    const x = a[r]!;
    const y = b[r]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    sab += (x - ma) * (y - mb);
    saa += (x - ma) ** 2;
    sbb += (y - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

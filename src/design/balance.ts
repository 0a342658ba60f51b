/**
 * Balance covariates for covariate-constrained randomisation (Raab & Butcher 2001): numeric columns
 * as they are, categorical columns as 0/1 dummies with the first level in alphabetical order
 * dropped (as cvcrand does), each standardised by its sample variance over clusters.
 */
import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';

/**
 * Covariates over clusters, column-major (`x[k * n + g]`), with the name of each term in R's style
 * (`locationUrban` for level `Urban` of `location`) and its sample variance over clusters.
 *
 * @example
 * const cov = balanceCovariates(clusters, ['location', 'inciis']);
 * cov.names; // ['locationUrban', 'inciis']
 */
export interface BalanceCovariates {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  readonly names: readonly string[];
  /** Source column of each term. */
  readonly columns: readonly string[];
  /** Sample variance (n − 1 denominator) of each term over clusters. */
  readonly variance: Float64Array;
}

/**
 * Balance metrics: `l2` = Σ d_k² / s_k² (Raab & Butcher's B), `l1` = Σ |d_k| / s_k, with d_k the
 * difference of arm means of term k.
 *
 * @example
 * const metric: BalanceMetric = 'l2';
 */
export type BalanceMetric = 'l2' | 'l1';

/**
 * Build the balance covariates from cluster-level columns. Throws on unknown columns, missing
 * values (naming the row) and constant columns (a zero variance cannot standardise anything).
 *
 * @example
 * const cov = balanceCovariates(dataFrame({ x: [1, 2, 3, 4], g: ['a', 'b', 'a', 'b'] }), ['x', 'g']);
 */
export function balanceCovariates(df: DataFrame, columns: readonly string[]): BalanceCovariates {
  const n = df.nrow;
  const names: string[] = [];
  const sources: string[] = [];
  const cols: Float64Array[] = [];
  for (const name of columns) {
    const col = df.columns.get(name);
    if (col === undefined) {
      throw new TiltakError('UNKNOWN_COLUMN', `unknown balance column '${name}'`, { column: name });
    }
    if (col.kind === 'numeric') {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(col.values[i]!)) {
          throw new TiltakError(
            'MISSING_VALUE',
            `balance column '${name}' is missing at row ${i + 1}`,
            { column: name, row: i + 1 },
          );
        }
      }
      names.push(name);
      sources.push(name);
      cols.push(Float64Array.from(col.values));
    } else {
      const levels = new Set<string>();
      for (let i = 0; i < n; i++) {
        const v = col.values[i];
        if (v === null || v === undefined) {
          throw new TiltakError(
            'MISSING_VALUE',
            `balance column '${name}' is missing at row ${i + 1}`,
            { column: name, row: i + 1 },
          );
        }
        levels.add(v);
      }
      const sorted = [...levels].sort(compareLevels);
      if (sorted.length < 2) {
        throw new TiltakError(
          'CONSTANT_COLUMN',
          `balance column '${name}' has the single level '${sorted[0]}'`,
          { column: name },
        );
      }
      for (const level of sorted.slice(1)) {
        const d = new Float64Array(n);
        for (let i = 0; i < n; i++) d[i] = col.values[i] === level ? 1 : 0;
        names.push(`${name}${level}`);
        sources.push(name);
        cols.push(d);
      }
    }
  }
  if (cols.length === 0) throw new TiltakError('BAD_OPTION', 'no balance columns given');
  const p = cols.length;
  const x = new Float64Array(n * p);
  const variance = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    const c = cols[k]!;
    x.set(c, k * n);
    variance[k] = sampleVariance(c);
    if (!(variance[k]! > 0)) {
      throw new TiltakError(
        'CONSTANT_COLUMN',
        `balance column '${names[k]}' is constant (${c[0]}) over clusters`,
        { column: names[k] },
      );
    }
  }
  return { n, p, x, names, columns: sources, variance };
}

/**
 * Levels in the order R's `sort()` puts them for plain ASCII labels (code-point order), so the
 * dropped reference level is the one cvcrand drops.
 */
function compareLevels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sample variance with the n − 1 denominator, two-pass for accuracy.
 *
 * @example
 * sampleVariance(Float64Array.from([1, 2, 3, 4])); // 1.6666666666666667
 */
export function sampleVariance(v: Float64Array): number {
  const n = v.length;
  if (n < 2) return Number.NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i]!;
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i]! - m) ** 2;
  return ss / (n - 1);
}

/**
 * Per-term weights of the balance score: 1/s² for `l2`, 1/s for `l1`.
 *
 * @example
 * scoreWeights(cov, 'l2');
 */
export function scoreWeights(cov: BalanceCovariates, metric: BalanceMetric): Float64Array {
  const w = new Float64Array(cov.p);
  for (let k = 0; k < cov.p; k++) {
    w[k] = metric === 'l2' ? 1 / cov.variance[k]! : 1 / Math.sqrt(cov.variance[k]!);
  }
  return w;
}

/**
 * Balance score of one allocation (0/1 per cluster) computed directly, O(n·p): the reference the
 * enumeration kernels are tested against, and the score reported for a chosen allocation.
 *
 * @example
 * balanceScore(cov, Uint8Array.from([1, 0, 1, 0]), 'l2');
 */
export function balanceScore(
  cov: BalanceCovariates,
  treated: ArrayLike<number>,
  metric: BalanceMetric,
): number {
  const { n, p, x } = cov;
  const w = scoreWeights(cov, metric);
  let nT = 0;
  for (let g = 0; g < n; g++) nT += treated[g] ? 1 : 0;
  let score = 0;
  for (let k = 0; k < p; k++) {
    let sT = 0;
    let sC = 0;
    for (let g = 0; g < n; g++) {
      if (treated[g]) sT += x[k * n + g]!;
      else sC += x[k * n + g]!;
    }
    const d = sT / nT - sC / (n - nT);
    score += metric === 'l2' ? d * d * w[k]! : Math.abs(d) * w[k]!;
  }
  return score;
}

/**
 * One row of the balance table: arm means and the standardised difference
 * (x̄_T − x̄_C) / s, s the standard deviation over all clusters.
 *
 * @example
 * const rows = balanceTable(cov, allocation);
 */
export interface BalanceRow {
  readonly term: string;
  readonly column: string;
  readonly meanTreated: number;
  readonly meanControl: number;
  readonly stdDiff: number;
}

/**
 * Balance table of an allocation; see {@link BalanceRow}.
 *
 * @example
 * balanceTable(cov, Uint8Array.from([1, 0, 1, 0]));
 */
export function balanceTable(cov: BalanceCovariates, treated: ArrayLike<number>): BalanceRow[] {
  const { n, p, x } = cov;
  const rows: BalanceRow[] = [];
  for (let k = 0; k < p; k++) {
    let sT = 0;
    let sC = 0;
    let nT = 0;
    for (let g = 0; g < n; g++) {
      if (treated[g]) {
        sT += x[k * n + g]!;
        nT++;
      } else sC += x[k * n + g]!;
    }
    const mT = sT / nT;
    const mC = sC / (n - nT);
    rows.push({
      term: cov.names[k]!,
      column: cov.columns[k]!,
      meanTreated: mT,
      meanControl: mC,
      stdDiff: (mT - mC) / Math.sqrt(cov.variance[k]!),
    });
  }
  return rows;
}

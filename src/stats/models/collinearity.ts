import { TiltakError } from '../errors.ts';
import { invertSpd } from '../linalg/dense.ts';

/** Variance inflation factor of one model-matrix column. */
export interface VifRow {
  term: string;
  vif: number;
}

/**
 * Variance inflation factors of the non-intercept columns of a model matrix: VIF_j = 1 / (1 − R²_j)
 * where R²_j regresses column j on the others with an intercept. Computed as the diagonal of the
 * inverse correlation matrix of the columns, which is the same number without p regressions.
 * (For a term spanning several columns, car::vif's generalised VIF is a different quantity.)
 *
 * @example
 * vif(mf.x, mf.n, mf.p, mf.colnames); // [{ term: 'refugees', vif: 1.8 }, …]
 */
export function vif(x: Float64Array, n: number, p: number, colnames: readonly string[]): VifRow[] {
  const cols: number[] = [];
  for (let j = 0; j < p; j++) if (colnames[j] !== '(Intercept)') cols.push(j);
  const k = cols.length;
  if (k < 2)
    throw new TiltakError(
      'TOO_FEW_TERMS',
      'variance inflation factors need at least two predictors',
    );
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  cols.forEach((j, a) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[j * n + i]!;
    const m = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[j * n + i]! - m) ** 2;
    mean[a] = m;
    sd[a] = Math.sqrt(ss / (n - 1));
    if (!(sd[a]! > 0))
      throw new TiltakError('CONSTANT_PREDICTOR', `column '${colnames[j]}' is constant`);
  });
  const r = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const ja = cols[a]!;
      const jb = cols[b]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += (x[ja * n + i]! - mean[a]!) * (x[jb * n + i]! - mean[b]!);
      const c = s / ((n - 1) * sd[a]! * sd[b]!);
      r[b * k + a] = c;
      r[a * k + b] = c;
    }
  }
  const inv = invertSpd(r, k);
  return cols.map((j, a) => ({ term: colnames[j]!, vif: inv[a * k + a]! }));
}

/**
 * Standardised ("beta") coefficients as `lm.beta` computes them: b_j · sd(x_j) / sd(y), with
 * sample standard deviations over the rows used. The intercept has none (NaN).
 *
 * @example
 * standardizedCoefficients(fit.coefficients, mf.x, mf.y, mf.n, mf.p, mf.colnames);
 */
export function standardizedCoefficients(
  coefficients: Float64Array,
  x: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  colnames: readonly string[],
): Float64Array {
  const sy = sampleSd(y, 0, n);
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    out[j] =
      colnames[j] === '(Intercept)' ? Number.NaN : (coefficients[j]! * sampleSd(x, j * n, n)) / sy;
  }
  return out;
}

function sampleSd(v: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[off + i]!;
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[off + i]! - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

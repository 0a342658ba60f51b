/**
 * The numeric input every regression estimator takes: a model matrix built elsewhere (by the
 * formula layer, or exported from R's `model.matrix` in tests) plus the outcome.
 */
import { TiltakError } from '../errors.ts';

/**
 * A design matrix and outcome. `x` is n x p column-major; `colnames` are R's term names.
 *
 * @example
 * const input: DesignInput = {
 *   x: new Float64Array([1, 1, 1, 0, 1, 2]), n: 3, p: 2,
 *   colnames: ['(Intercept)', 'dose'], y: new Float64Array([1.1, 1.9, 3.2]),
 * };
 */
export interface DesignInput {
  x: Float64Array;
  n: number;
  p: number;
  colnames: string[];
  y: Float64Array;
  /**
   * Whether the model has an intercept (R's `attr(terms, "intercept")`); it decides how R squared
   * is centred. Defaults to true when a column is named `(Intercept)`.
   */
  intercept?: boolean;
}

/**
 * Check sizes and finiteness; throws `BAD_DESIGN` naming the column and row of the first bad value.
 *
 * @example
 * validateDesign({ x: new Float64Array([1, 1]), n: 2, p: 1, colnames: ['(Intercept)'], y: new Float64Array([0, 1]) });
 */
export function validateDesign(input: DesignInput): void {
  const { x, n, p, colnames, y } = input;
  if (!Number.isInteger(n) || n < 1) {
    throw new TiltakError('BAD_DESIGN', `design needs at least one row, got n = ${n}`, { n });
  }
  if (!Number.isInteger(p) || p < 1) {
    throw new TiltakError('BAD_DESIGN', `design needs at least one column, got p = ${p}`, { p });
  }
  if (x.length !== n * p) {
    throw new TiltakError('BAD_DESIGN', `x has ${x.length} values, expected n * p = ${n * p}`);
  }
  if (colnames.length !== p) {
    throw new TiltakError('BAD_DESIGN', `${colnames.length} column names for ${p} columns`);
  }
  if (y.length !== n) {
    throw new TiltakError('BAD_DESIGN', `outcome has ${y.length} values, expected ${n}`);
  }
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) {
      const v = x[j * n + i]!;
      if (!Number.isFinite(v)) {
        throw new TiltakError(
          'BAD_DESIGN',
          `column '${colnames[j]}' has a non-finite value ${v} at row ${i + 1}`,
          { column: colnames[j], row: i + 1, value: v },
        );
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new TiltakError(
        'BAD_DESIGN',
        `outcome has a non-finite value ${y[i]} at row ${i + 1}`,
        {
          row: i + 1,
          value: y[i],
        },
      );
    }
  }
}

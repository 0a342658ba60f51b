import type { TidyRow } from '../tidy.ts';
import { pTwoSidedT, quantileT } from './distributions.ts';

/**
 * Broom-style rows of Wald t tests: estimate / sqrt(diag(V)) on `df` degrees of freedom (Infinity
 * gives z tests), with two-sided p-values and confidence intervals at `level`.
 *
 * @example
 * const rows = waldRows(['(Intercept)', 'armHOLF'], beta, vcov, 28, 0.95);
 */
export function waldRows(
  terms: readonly string[],
  estimates: ArrayLike<number>,
  vcov: Float64Array,
  df: number | ArrayLike<number>,
  level: number,
): TidyRow[] {
  const k = terms.length;
  return terms.map((term, j) => {
    const dfj = typeof df === 'number' ? df : df[j]!;
    const estimate = estimates[j]!;
    const se = Math.sqrt(vcov[j * k + j]!);
    const statistic = estimate / se;
    const q = quantileT(1 - (1 - level) / 2, dfj);
    return {
      term,
      estimate,
      std_error: se,
      statistic,
      df: dfj,
      p_value: pTwoSidedT(statistic, dfj),
      conf_low: estimate - q * se,
      conf_high: estimate + q * se,
    };
  });
}

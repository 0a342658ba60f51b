/**
 * Tail probabilities and quantiles for t, normal, F and chi-square, built on @stdlib special
 * functions. Upper tails are computed directly (never as 1 - cdf) so tiny p-values keep their
 * relative precision. An infinite degrees of freedom means the normal (or chi-square) limit.
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * Two-sided p-value 2 P(T > |t|) for Student's t with `df` degrees of freedom (normal when
 * `df` is Infinity).
 *
 * @example
 * pTwoSidedT(2.0452296, 29); // ~0.05
 */
export function pTwoSidedT(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return 2 * normalCdf(-Math.abs(t), 0, 1);
  if (!Number.isFinite(t)) return 0;
  // 2 P(T > |t|) = I_{df/(df+t^2)}(df/2, 1/2), exact in the far tail.
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/**
 * Upper-tail probability P(X > x) of the F(df1, df2) distribution; `df2 = Infinity` gives the
 * chi-square limit of df1 * F.
 *
 * @example
 * pUpperF(4.17, 1, 30); // ~0.05
 */
export function pUpperF(x: number, df1: number, df2: number): number {
  if (Number.isNaN(x) || !(df1 > 0) || !(df2 > 0)) return Number.NaN;
  if (x <= 0) return 1;
  if (df2 === Number.POSITIVE_INFINITY) return pUpperChisq(x * df1, df1);
  return betainc(df2 / (df2 + df1 * x), df2 / 2, df1 / 2, true, false);
}

/**
 * Upper-tail probability P(X > x) of the chi-square distribution with `df` degrees of freedom.
 *
 * @example
 * pUpperChisq(3.841459, 1); // ~0.05
 */
export function pUpperChisq(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * Quantile of Student's t (normal when `df` is Infinity), used for confidence limits.
 *
 * @example
 * quantileT(0.975, 10); // 2.228139
 */
export function quantileT(prob: number, df: number): number {
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(prob, 0, 1);
  return tQuantile(prob, df);
}

/**
 * The shape shared by fitted OLS and logistic models, so variance, tests and summaries work on
 * either. Coefficient vectors have length p with NaN (R's NA) for aliased columns; every
 * variance matrix is k x k over the estimable columns, in their original order.
 */
import type { StatWarning } from '../errors.ts';
import type { FitSummary, TidyRow, VcovType } from '../tidy.ts';
import type { SandwichModel } from '../vcov/sandwich.ts';

/**
 * Degrees of freedom for t tests of single coefficients.
 *
 * @example
 * fit.tidy({ type: 'CR1', cluster, df: 'satterthwaite' });
 */
export type CoefDf = 'residual' | 'satterthwaite' | 'naive' | 'normal';

/**
 * Options for coefficient tests and tidy rows.
 *
 * @example
 * const opts: CoefTestOptions = { type: 'CR2', cluster: officeCodes, level: 0.9 };
 */
export interface CoefTestOptions {
  type: VcovType;
  /** 0-based cluster code per row; required for CR types. */
  cluster?: Int32Array;
  /** Confidence level, default 0.95. */
  level?: number;
  /**
   * `residual`: n - k for OLS, normal for logistic (summary.lm / summary.glm);
   * `naive`: G - 1; `satterthwaite`: clubSandwich's Satterthwaite df; `normal`: z.
   * Default: residual for classical and HC, naive for CR0/CR1/CR1S, satterthwaite for CR2/CR3.
   */
  df?: CoefDf;
}

/**
 * Options for {@link RegressionFit.summary}.
 *
 * @example
 * fit.summary({ type: 'CR2', cluster, formula: 'y ~ arm + baseline', nDropped: 3 });
 */
export interface SummaryOptions extends CoefTestOptions {
  formula?: string;
  nDropped?: number;
  groups?: Record<string, number>;
}

/**
 * A fitted linear or logistic regression.
 *
 * @example
 * const fit: RegressionFit = fitOls(input);
 * const rows = fit.tidy({ type: 'HC2' });
 */
export interface RegressionFit {
  readonly model: 'ols' | 'logit';
  readonly n: number;
  readonly p: number;
  readonly rank: number;
  readonly colnames: readonly string[];
  /** Length p; NaN for aliased columns. */
  readonly coefficients: Float64Array;
  /** 0-based indices of the estimable columns, increasing. */
  readonly estimable: Int32Array;
  /** Names of aliased columns. */
  readonly aliased: readonly string[];
  readonly fitted: Float64Array;
  /** Response residuals y - fitted. */
  readonly residuals: Float64Array;
  /** n - rank. */
  readonly dfResidual: number;
  /** Degrees of freedom of classical tests: n - rank for OLS, Infinity (z) for logistic. */
  readonly testDf: number;
  readonly loglik: number;
  readonly aic: number;
  readonly bic: number;
  /** R squared (OLS only, else null). */
  readonly rSquared: number | null;
  readonly adjRSquared: number | null;
  readonly warnings: readonly StatWarning[];
  /** What the sandwich engine needs. */
  readonly sandwich: SandwichModel;
  /** Broom-style rows for every coefficient (aliased rows have NaN fields). */
  tidy(options: CoefTestOptions): TidyRow[];
  /** The common summary printed by the CLI and the report. */
  summary(options: SummaryOptions): FitSummary;
}

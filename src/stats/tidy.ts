/**
 * The result rows and summary every estimator returns, in broom's vocabulary, so that the CLI,
 * the server and the report print one shape whatever model produced it.
 *
 * @example
 * const row: TidyRow = { term: 'armHOLF', estimate: 0.12, std_error: 0.05, statistic: 2.4,
 *   df: 27, p_value: 0.023, conf_low: 0.017, conf_high: 0.223 };
 */
export interface TidyRow {
  term: string;
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
}

/**
 * A tidy row that carries only an estimate (NaN elsewhere): aliased coefficients, and reliability
 * coefficients that come without a standard error or test.
 *
 * @example
 * estimateRow('omega_total', 0.84); // { term: 'omega_total', estimate: 0.84, std_error: NaN, … }
 */
export function estimateRow(term: string, estimate = Number.NaN): TidyRow {
  return {
    term,
    estimate,
    std_error: Number.NaN,
    statistic: Number.NaN,
    df: Number.NaN,
    p_value: Number.NaN,
    conf_low: Number.NaN,
    conf_high: Number.NaN,
  };
}

/**
 * The variance estimators, in the order options and reports list them.
 *
 * @example
 * z.enum(VCOV_TYPES); // validates a --vcov option
 */
export const VCOV_TYPES = [
  'classical',
  'HC0',
  'HC1',
  'HC2',
  'HC3',
  'CR0',
  'CR1',
  'CR1S',
  'CR2',
  'CR3',
] as const;

/** Variance estimators. `classical` is the model-based covariance. */
export type VcovType = (typeof VCOV_TYPES)[number];

/** Degrees-of-freedom methods for t and F tests. */
/** `cluster` is the between-cluster df G - 1 of CR0/CR1/CR1S tests. */
export type DfMethod = 'residual' | 'satterthwaite' | 'kenward-roger' | 'cluster' | 'normal';

/** One variance component of a mixed model, as `VarCorr` prints it. */
export interface VarianceComponent {
  group: string;
  term: string;
  variance: number;
  std_dev: number;
}

/**
 * The common summary of a fitted model: what `tiltak fit --json` prints (keys are snake_case there).
 *
 * @example
 * const s: FitSummary = fitOls(...).summary({ vcov: 'CR2', cluster });
 */
export interface FitSummary {
  model: 'ols' | 'logit' | 'lmm';
  formula: string;
  nObs: number;
  nDropped: number;
  groups: Record<string, number>;
  vcov: VcovType;
  dfMethod: DfMethod;
  coefficients: TidyRow[];
  rSquared: number | null;
  adjRSquared: number | null;
  loglik: number;
  aic: number;
  bic: number;
  warnings: string[];
  varianceComponents?: VarianceComponent[];
  reml?: boolean;
}

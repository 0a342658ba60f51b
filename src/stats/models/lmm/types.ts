/**
 * Input and output shapes of the linear mixed model engine. The formula layer produces
 * {@link LmmInput}; {@link fitLmm} returns an {@link LmmFit}.
 */
import type { StatWarning } from '../../errors.ts';
import type { FitSummary, TidyRow, VarianceComponent } from '../../tidy.ts';

/**
 * One random-effects term `(z | group)`.
 *
 * @example
 * const t: RandomTermInput = { group: 'office', codes, levels, z: ones, q: 1, termNames: ['(Intercept)'] };
 */
export interface RandomTermInput {
  /** lme4's group name, e.g. `office`, `family:office`. */
  group: string;
  /** 0-based level code per row. */
  codes: Int32Array;
  levels: string[];
  /** Column-major `n x q` raw random-effect columns (left of the bar), e.g. `[1, x]`. */
  z: Float64Array;
  q: number;
  /** e.g. `['(Intercept)', 'x']`. */
  termNames: string[];
}

/**
 * The model `y = X beta + Z b + e` in matrix form.
 *
 * @example
 * const input: LmmInput = { y, x, n, p: 2, colnames: ['(Intercept)', 'Days'], random: [term] };
 */
export interface LmmInput {
  y: Float64Array;
  /** Column-major `n x p` fixed-effects design. */
  x: Float64Array;
  n: number;
  p: number;
  colnames: string[];
  random: RandomTermInput[];
  /** Term index per column of `x` (R's `attr(X, 'assign')`), for `anova`. */
  assign?: ArrayLike<number>;
  /** Labels of the fixed terms, indexed by `assign` (index 0 is the intercept when present). */
  termLabels?: string[];
  /** Formula text, carried into `summary()`. */
  formula?: string;
}

/**
 * Options of {@link fitLmm}.
 *
 * @example
 * fitLmm(input, { reml: false });
 */
export interface LmmOptions {
  /** REML (default) or maximum likelihood. */
  reml?: boolean;
  /** Cap on deviance evaluations of the simplex search (default 20000). */
  maxEvaluations?: number;
}

/**
 * Correlation between two random effects of the same term, as `VarCorr` prints it.
 *
 * @example
 * fit.correlations[0]; // { group: 'Subject', term1: '(Intercept)', term2: 'Days', correlation: 0.066 }
 */
export interface RandomCorrelation {
  group: string;
  term1: string;
  term2: string;
  correlation: number;
}

/**
 * Intraclass correlation of a grouping factor's intercept variance with its Wald CI.
 *
 * @example
 * fit.icc(0.95)[0]; // { group: 'school', icc: 0.08, confLow: 0.05, confHigh: 0.13 }
 */
export interface IccEstimate {
  group: string;
  icc: number;
  confLow: number;
  confHigh: number;
}

/**
 * Degrees of freedom for t and F tests of the fixed effects: Satterthwaite (lmerTest),
 * Kenward–Roger (pbkrtest, with the adjusted covariance), or residual `n - p`.
 *
 * @example
 * fit.tidy({ df: 'kenward-roger' satisfies LmmDf });
 */
export type LmmDf = 'satterthwaite' | 'kenward-roger' | 'residual';

/**
 * Options for `tidy()` and `summary()`.
 *
 * @example
 * fit.tidy({ df: 'satterthwaite', level: 0.9 });
 */
export interface LmmTidyOptions {
  df?: LmmDf | undefined;
  /** Confidence level, default 0.95. */
  level?: number | undefined;
}

/**
 * One row of `anova()`: an F test of all columns of a fixed term.
 *
 * @example
 * fit.anova({ df: 'kenward-roger' }); // [{ term: 'arm:wave', numDf: 4, denDf: 3200, ... }]
 */
export interface LmmAnovaRow {
  term: string;
  numDf: number;
  denDf: number;
  fValue: number;
  pValue: number;
}

/**
 * Conditional modes of one random term, `nlevels x q`, row per level as `ranef()`.
 *
 * @example
 * const { levels, values } = fit.ranef()[0]!; // values[a * levels.length + l]
 */
export interface RanefTable {
  group: string;
  termNames: string[];
  levels: string[];
  /** Column-major `nlevels x q`. */
  values: Float64Array;
}

/**
 * A fitted linear mixed model.
 *
 * @example
 * const fit: LmmFit = fitLmm(input);
 * fit.summary({ df: 'kenward-roger' });
 */
export interface LmmFit {
  readonly reml: boolean;
  readonly n: number;
  /** Names of the estimated (not aliased) fixed effects. */
  readonly colnames: string[];
  /** Columns dropped as linearly dependent, as lme4 drops them. */
  readonly dropped: string[];
  readonly fixef: Float64Array;
  /** Model-based covariance of the fixed effects, column-major. */
  readonly vcov: Float64Array;
  readonly theta: Float64Array;
  readonly sigma: number;
  readonly varianceComponents: VarianceComponent[];
  readonly correlations: RandomCorrelation[];
  readonly loglik: number;
  /** REML criterion for REML fits, deviance (-2 log-likelihood) for ML fits. */
  readonly criterion: number;
  readonly aic: number;
  readonly bic: number;
  /** Number of estimated parameters (fixed + covariance + residual). */
  readonly npar: number;
  readonly ngrps: Record<string, number>;
  readonly warnings: StatWarning[];
  readonly evaluations: number;
  /** Group names of the random terms in lme4's order (decreasing number of levels). */
  readonly groups: string[];
  /** Conditional modes `b = Lambda u`, as `ranef()`. */
  ranef(): RanefTable[];
  /**
   * ICC per grouping factor with a random intercept: its intercept variance over the sum of all
   * intercept variances plus the residual variance. CI: delta method for logit(ICC) with the
   * covariance of `(theta, sigma)` that lmerTest uses (twice the inverse Hessian of the deviance),
   * back-transformed; a zero ICC gets `confLow = 0`, `confHigh = NaN`.
   */
  icc(level?: number): IccEstimate[];
  /** Coefficient table in broom's columns. */
  tidy(options?: LmmTidyOptions): TidyRow[];
  /**
   * F tests of whole fixed terms (all columns of a term jointly zero), given `assign` and
   * `termLabels` on the input. For a term not contained in a higher-order interaction this is
   * lmerTest's Type III row; for marginal terms under treatment coding it tests the simple effect.
   */
  anova(options?: { df?: LmmDf }): LmmAnovaRow[];
  /**
   * Cluster-robust covariance of the fixed effects as `clubSandwich::vcovCR` on an lmer fit;
   * `cluster` defaults to the outer grouping factor (the last random term in lme4's order).
   */
  vcovCR(type: 'CR0' | 'CR1' | 'CR1S' | 'CR2' | 'CR3', cluster?: Int32Array): Float64Array;
  /**
   * Coefficient tests under a cluster-robust variance, as `clubSandwich::coef_test` on an lmer
   * fit: `df` `satterthwaite` (default for CR2 and CR3) or `naive` (G - 1, default for the others).
   */
  tidyCR(
    type: 'CR0' | 'CR1' | 'CR1S' | 'CR2' | 'CR3',
    options?: { cluster?: Int32Array; df?: 'satterthwaite' | 'naive'; level?: number },
  ): TidyRow[];
  /**
   * Tests of whole fixed terms (as {@link LmmFit.anova}) under a cluster-robust variance, with
   * clubSandwich's HTZ small-sample F (`Wald_test(test = "HTZ")`).
   */
  anovaCR(
    type: 'CR0' | 'CR1' | 'CR1S' | 'CR2' | 'CR3',
    options?: { cluster?: Int32Array },
  ): LmmAnovaRow[];
  /** The common summary (model `lmm`). */
  summary(options?: LmmTidyOptions): FitSummary;
}

import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import {
  type Formula,
  hasRandomTerms,
  type ModelFrame,
  modelFrame,
  parseFormula,
} from '../stats/formula/index.ts';
import { fitLogit } from '../stats/models/glm.ts';
import {
  fitLmm,
  type IccEstimate,
  type LmmAnovaRow,
  type LmmFit,
  type LrtResult,
  lrtLmm,
  type RanefTable,
} from '../stats/models/lmm/index.ts';
import { fitOls } from '../stats/models/ols.ts';
import type { FitSummary, VcovType } from '../stats/tidy.ts';
import type { CrType } from '../stats/vcov/types.ts';

/** What model to fit and how to test it: the options of `tiltak fit` and of an analysis plan. */
export interface ModelSpec {
  formula: string;
  model?: 'ols' | 'logit' | 'lmm' | undefined;
  vcov?: VcovType | undefined;
  cluster?: string | undefined;
  df?: 'residual' | 'satterthwaite' | 'kenward-roger' | undefined;
  ml?: boolean | undefined;
  level: number;
}

/** A fitted model's summary, plus the mixed-model extras a trial report needs. */
export interface FittedModel {
  summary: FitSummary;
  /** ICC per grouping factor (mixed models only). */
  icc: IccEstimate[] | null;
  /** F tests of whole fixed terms with the chosen df method (mixed models only). */
  anova: LmmAnovaRow[] | null;
  /** How the term tests were made, e.g. `satterthwaite df` or `HTZ, CR2` (mixed models only). */
  anovaTest?: string;
  /** Conditional modes of the random effects, computed on request (mixed models only). */
  ranef?: () => RanefTable[];
}

/**
 * Fit the model a {@link ModelSpec} describes. The model defaults to `lmm` when the formula has
 * random-effect terms, else `ols`; the variance defaults to `classical`, or `CR2` when a cluster
 * column is given. Misuse (a CR variance without a cluster, Kenward–Roger on OLS, …) throws
 * `BAD_OPTION`.
 *
 * @example
 * const { summary } = fitModel(df, { formula: 'income ~ arm + income_t1', cluster: 'office', level: 0.95 });
 */
export function fitModel(data: DataFrame, spec: ModelSpec): FittedModel {
  const formula = parseFormula(spec.formula);
  const mixed = hasRandomTerms(formula);
  const model = spec.model ?? (mixed ? 'lmm' : 'ols');
  if (mixed && model !== 'lmm') {
    throw new TiltakError(
      'BAD_OPTION',
      `--model ${model} cannot fit random-effect terms; use --model lmm`,
    );
  }
  if (model === 'lmm' && !mixed) {
    throw new TiltakError(
      'BAD_OPTION',
      'a mixed model needs at least one random-effect term such as (1 | office)',
    );
  }
  const vcov: VcovType = spec.vcov ?? (spec.cluster !== undefined ? 'CR2' : 'classical');
  if (vcov.startsWith('CR') && spec.cluster === undefined) {
    throw new TiltakError('BAD_OPTION', `--vcov ${vcov} needs --cluster COLUMN`);
  }
  if (model === 'lmm') return fitMixed(data, formula, spec, vcov);
  if (spec.df === 'kenward-roger') {
    throw new TiltakError(
      'BAD_OPTION',
      '--df kenward-roger applies to mixed models (--model lmm) only',
    );
  }
  if (spec.ml)
    throw new TiltakError('BAD_OPTION', '--ml applies to mixed models (--model lmm) only');
  if (spec.df === 'satterthwaite' && !vcov.startsWith('CR')) {
    throw new TiltakError(
      'BAD_OPTION',
      '--df satterthwaite needs a cluster-robust --vcov (CR0 … CR3)',
    );
  }
  const mf = modelFrame(formula, data, { response: model === 'logit' ? 'binary' : 'numeric' });
  const clustering = spec.cluster !== undefined ? clusterCodes(data, mf, spec.cluster) : undefined;
  const fit = model === 'logit' ? fitLogit(mf) : fitOls(mf);
  const summary = fit.summary({
    type: vcov,
    level: spec.level,
    formula: formula.text,
    nDropped: mf.nDropped,
    groups: clustering ? { [clustering.column]: clustering.levels } : {},
    ...(clustering ? { cluster: clustering.codes } : {}),
    ...(spec.df ? { df: spec.df } : {}),
  });
  summary.warnings.unshift(...mf.warnings.map((w) => `${w.code}: ${w.message}`));
  return { summary, icc: null, anova: null };
}

function fitMixed(data: DataFrame, formula: Formula, spec: ModelSpec, vcov: VcovType): FittedModel {
  if (vcov !== 'classical' && !vcov.startsWith('CR')) {
    throw new TiltakError(
      'BAD_OPTION',
      `--vcov ${vcov} is not defined for mixed models; use the model-based variance or CR0 … CR3`,
    );
  }
  const { fit, mf } = fitMixedModel(data, formula, spec.ml === true);
  const df = spec.df ?? 'satterthwaite';
  const summary = fit.summary({ df, level: spec.level });
  summary.nDropped = mf.nDropped;
  summary.warnings.unshift(...mf.warnings.map((w) => `${w.code}: ${w.message}`));
  if (vcov !== 'classical') {
    // clubSandwich's vcovCR and coef_test for lmer fits: a model-robust sensitivity analysis, with
    // Satterthwaite df by default for CR2/CR3 and G - 1 for CR0/CR1/CR1S, as for OLS.
    if (spec.df === 'kenward-roger' || spec.df === 'residual')
      throw new TiltakError(
        'BAD_OPTION',
        `--df ${spec.df} does not apply to a cluster-robust variance; use satterthwaite, or leave --df out`,
      );
    const clustering = clusterCodes(data, mf, spec.cluster!);
    const type = vcov as CrType;
    const method =
      spec.df === 'satterthwaite' || type === 'CR2' || type === 'CR3' ? 'satterthwaite' : 'naive';
    summary.coefficients = fit.tidyCR(type, {
      cluster: clustering.codes,
      df: method,
      level: spec.level,
    });
    summary.vcov = vcov;
    summary.dfMethod = method === 'naive' ? 'cluster' : 'satterthwaite';
    summary.groups = { ...summary.groups, [clustering.column]: clustering.levels };
    return {
      summary,
      icc: fit.icc(spec.level),
      // Term tests under the same cluster-robust variance: clubSandwich's HTZ.
      anova: termTests(fit.anovaCR(type, { cluster: clustering.codes }), mf),
      anovaTest: `HTZ, ${type}`,
      ranef: () => fit.ranef(),
    };
  }
  return {
    summary,
    icc: fit.icc(spec.level),
    anova: termTests(fit.anova({ df }), mf),
    anovaTest: `${df} df`,
    ranef: () => fit.ranef(),
  };
}

// Only highest-order terms: a main effect inside an interaction would be a simple-effect test.
function termTests(rows: LmmAnovaRow[], mf: ModelFrame): LmmAnovaRow[] {
  return mf.termLabels.length > 0 ? rows.filter((t) => !isMarginal(t.term, mf.termLabels)) : [];
}

/**
 * Build the model frame of a mixed-model formula and fit it (REML, or ML when `ml`).
 *
 * @example
 * const { fit } = fitMixedModel(df, parseFormula('y ~ arm + (1 | office)'), false);
 */
export function fitMixedModel(
  data: DataFrame,
  formula: Formula,
  ml: boolean,
): { fit: LmmFit; mf: ModelFrame } {
  const mf = modelFrame(formula, data);
  const fit = fitLmm(
    {
      y: mf.y,
      x: mf.x,
      n: mf.n,
      p: mf.p,
      colnames: mf.colnames,
      random: mf.random,
      assign: mf.assign,
      termLabels: mf.termLabels,
      formula: formula.text,
    },
    { reml: !ml },
  );
  return { fit, mf };
}

/**
 * Likelihood-ratio test between two nested mixed models on the same rows, as lme4's
 * `anova(m0, m1)`: both are fitted by maximum likelihood.
 *
 * @example
 * const t = compareMixedModels(df, 'y ~ arm + (1 | office)', 'y ~ arm * wave + (1 | office)');
 */
export function compareMixedModels(data: DataFrame, formula0: string, formula1: string): LrtResult {
  const f0 = parseFormula(formula0);
  const f1 = parseFormula(formula1);
  for (const f of [f0, f1]) {
    if (!hasRandomTerms(f)) {
      throw new TiltakError(
        'BAD_OPTION',
        `'${f.text}' has no random-effect term; the LRT compares mixed models`,
      );
    }
  }
  const a = fitMixedModel(data, f0, true);
  const b = fitMixedModel(data, f1, true);
  if (a.mf.n !== b.mf.n) {
    throw new TiltakError(
      'DIFFERENT_ROWS',
      `the two models use different rows (${a.mf.n} and ${b.mf.n}) because of missing values; compare them on the same rows`,
    );
  }
  return lrtLmm(a.fit, b.fit);
}

/** Cluster codes of the kept rows of a model frame. */
export interface Clustering {
  column: string;
  codes: Int32Array;
  levels: number;
}

/**
 * 0-based cluster codes for the rows a model frame kept. A missing cluster value or a single
 * cluster is an error, because cluster-robust inference is undefined then.
 *
 * @example
 * const { codes, levels } = clusterCodes(df, mf, 'office');
 */
export function clusterCodes(
  data: DataFrame,
  mf: Pick<ModelFrame, 'rowIndex' | 'n'>,
  column: string,
): Clustering {
  const col = data.columns.get(column);
  if (col === undefined) {
    const names = [...data.columns.keys()].join(', ');
    throw new TiltakError(
      'UNKNOWN_COLUMN',
      `unknown cluster column '${column}' (columns: ${names})`,
    );
  }
  const codes = new Int32Array(mf.n);
  const index = new Map<string, number>();
  for (let i = 0; i < mf.n; i++) {
    const row = mf.rowIndex[i]!;
    const v = col.values[row];
    const missing = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
    if (missing) {
      throw new TiltakError(
        'MISSING_CLUSTER',
        `cluster column '${column}' is missing at row ${row + 1}; every row used needs a cluster`,
      );
    }
    const key = String(v);
    let code = index.get(key);
    if (code === undefined) {
      code = index.size;
      index.set(key, code);
    }
    codes[i] = code;
  }
  if (index.size < 2) {
    throw new TiltakError(
      'SINGLE_CLUSTER',
      `cluster column '${column}' has a single cluster in the rows used; cluster-robust inference needs at least two`,
    );
  }
  return { column, codes, levels: index.size };
}

/**
 * True when `term` is contained in a higher-order term of the model (e.g. `arm` in `arm:wave`).
 * Its "all columns zero" F test is then a simple-effect test at the reference level, not the
 * Type III test lmerTest reports, so such terms are left out of the term tests.
 *
 * @example
 * isMarginal('arm', ['arm', 'wave', 'arm:wave']); // true
 */
export function isMarginal(term: string, termLabels: readonly string[]): boolean {
  const vars = term.split(':');
  return termLabels.some((other) => {
    if (other === term) return false;
    const ov = other.split(':');
    return ov.length > vars.length && vars.every((v) => ov.includes(v));
  });
}

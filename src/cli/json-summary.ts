import type { FittedModel } from '../analysis/fit-model.ts';
import type { RanefTable } from '../stats/models/lmm/index.ts';
import type { FitSummary } from '../stats/tidy.ts';

/**
 * The JSON shape of a fit summary: snake_case keys as `tiltak fit --json` documents them, and
 * non-finite numbers (NA estimates of aliased terms, infinite df of z tests) as `null`, since
 * JSON has no NaN or Infinity.
 *
 * @example
 * console.log(JSON.stringify(toJsonSummary(summary)));
 */
export function toJsonSummary(s: FitSummary): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: s.model,
    formula: s.formula,
    n_obs: s.nObs,
    n_dropped: s.nDropped,
    groups: s.groups,
    vcov: s.vcov,
    df_method: s.dfMethod,
    coefficients: s.coefficients.map((r) => ({
      term: r.term,
      estimate: num(r.estimate),
      std_error: num(r.std_error),
      statistic: num(r.statistic),
      df: num(r.df),
      p_value: num(r.p_value),
      conf_low: num(r.conf_low),
      conf_high: num(r.conf_high),
    })),
    r_squared: s.rSquared,
    adj_r_squared: s.adjRSquared,
    loglik: num(s.loglik),
    aic: num(s.aic),
    bic: num(s.bic),
    warnings: s.warnings,
  };
  if (s.varianceComponents) {
    out.variance_components = s.varianceComponents.map((v) => ({
      group: v.group,
      term: v.term,
      variance: num(v.variance),
      std_dev: num(v.std_dev),
    }));
  }
  if (s.reml !== undefined) out.reml = s.reml;
  return out;
}

function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The JSON of `tiltak fit`: the summary, and for mixed models the ICCs, the F tests of whole
 * terms and (with --ranef) the conditional modes, one row per level and term.
 *
 * @example
 * console.log(JSON.stringify(fittedJson(fitModel(df, spec), null)));
 */
export function fittedJson(
  fitted: FittedModel,
  ranef: RanefTable[] | null,
): Record<string, unknown> {
  const out = toJsonSummary(fitted.summary);
  if (fitted.icc) {
    out.icc = fitted.icc.map((i) => ({
      group: i.group,
      icc: num(i.icc),
      conf_low: num(i.confLow),
      conf_high: num(i.confHigh),
      method: 'delta method on the logit scale',
    }));
  }
  if (fitted.anova) {
    out.term_tests = fitted.anova.map((t) => ({
      term: t.term,
      num_df: t.numDf,
      den_df: num(t.denDf),
      f_value: num(t.fValue),
      p_value: num(t.pValue),
      test: fitted.anovaTest ?? `${fitted.summary.dfMethod} df`,
    }));
  }
  if (ranef) {
    out.ranef = ranef.flatMap((r) =>
      r.levels.flatMap((level, i) =>
        r.termNames.map((term, j) => ({
          group: r.group,
          level,
          term,
          value: num(r.values[j * r.levels.length + i]!),
        })),
      ),
    );
  }
  return out;
}

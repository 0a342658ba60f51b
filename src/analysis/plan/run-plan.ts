import type { DataFrame } from '../../stats/data-frame.ts';
import { filterRows } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { deparse, modelFrame, parseFormula } from '../../stats/formula/index.ts';
import { pAdjust } from '../../stats/inference/multiplicity.ts';
import { type RiInput, randomizationTest } from '../../stats/inference/randomization.ts';
import type { TidyRow } from '../../stats/tidy.ts';
import { canonicalJson, sha256Hex, toJsonValue } from '../../store/canonical-json.ts';
import { clusterCodes, fitModel, type ModelSpec } from '../fit-model.ts';
import type { OutcomeResult, PlanRunResult, RiOutcome, SensitivityResult } from './results.ts';
import type { AnalysisPlan, PlanModel, PlanOutcome, PlanRandomization } from './schema.ts';

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  /**
   * The allocation space actually used (e.g. the accepted space of a constrained design), as
   * cluster-level masks over the clusters in `clusterOrder`. Without it, randomisation tests use
   * complete randomisation of the observed number of treated clusters.
   */
  allocation?: { space: NonNullable<RiInput['space']>; clusterOrder: readonly string[] };
  software?: Record<string, string>;
}

/**
 * The SHA-256 of a plan's canonical JSON: what `tiltak plan lock` stores and every run records.
 *
 * @example
 * planHash(plan); // '3f1c…'
 */
export function planHash(plan: AnalysisPlan): string {
  return sha256Hex(canonicalJson(toJsonValue(plan)));
}

/**
 * Run every outcome of a plan on long-format trial data (one row per family and wave, with a
 * `wave` column when outcomes select waves): the primary model and its pre-specified effect, F
 * tests of whole terms, ICCs, sensitivity models and randomisation tests, then the plan's
 * multiplicity adjustment across outcomes.
 *
 * @example
 * const result = runPlan(plan, trialData);
 * result.outcomes.map((o) => [o.id, o.effect.estimate, o.pAdjusted]);
 */
export function runPlan(
  plan: AnalysisPlan,
  data: DataFrame,
  options: RunPlanOptions = {},
): PlanRunResult {
  const outcomes = plan.outcomes.map((o) => runOutcome(plan, o, data, options));
  const adjusted = outcomes.filter((o) => plan.adjustment.families.includes(o.family));
  const p = pAdjust(
    adjusted.map((o) => o.effect.p_value),
    plan.adjustment.method,
  );
  adjusted.forEach((o, i) => {
    o.pAdjusted = p[i]!;
  });
  return {
    format: 'tiltak-analysis-results/1',
    planHash: planHash(plan),
    trial: plan.trial,
    title: plan.title,
    level: plan.level,
    adjustment: { method: plan.adjustment.method, families: plan.adjustment.families },
    outcomes,
    software: options.software ?? {},
  };
}

function runOutcome(
  plan: AnalysisPlan,
  o: PlanOutcome,
  data: DataFrame,
  options: RunPlanOptions,
): OutcomeResult {
  const rows = o.waves ? selectWaves(data, o.waves, o.id) : data;
  const fitted = fitModel(rows, spec(o.model, plan.level));
  const effect = effectRow(fitted.summary.coefficients, o.effect, o.id);
  const termTests = (fitted.anova ?? []).filter((t) => o.terms.includes(t.term));
  const missing = o.terms.filter((t) => !termTests.some((r) => r.term === t));
  if (missing.length > 0) {
    throw new TiltakError(
      'TERM_NOT_FOUND',
      `outcome '${o.id}': no F test for term${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (F tests are available for mixed models; terms: ${(fitted.anova ?? []).map((t) => t.term).join(', ') || 'none'})`,
    );
  }
  const sensitivity = o.sensitivity.map((s): SensitivityResult => {
    if (s.type === 'ri') {
      return {
        label: s.label ?? `Randomisation test (${s.statistic})`,
        kind: 'ri',
        effect: null,
        ri: runRi(rows, o, s, plan, options),
        warnings: [],
      };
    }
    const f = fitModel(rows, spec(s, plan.level));
    return {
      label: s.label ?? `${s.type.toUpperCase()} ${s.formula}${s.vcov ? `, ${s.vcov}` : ''}`,
      kind: 'model',
      effect: effectRow(f.summary.coefficients, o.effect, o.id),
      ri: null,
      warnings: f.summary.warnings,
    };
  });
  return {
    id: o.id,
    label: o.label,
    family: o.family,
    model: o.model,
    effect,
    pAdjusted: null,
    summary: fitted.summary,
    icc: fitted.icc,
    termTests,
    sensitivity,
  };
}

function spec(m: PlanModel, level: number): ModelSpec {
  return {
    formula: m.formula,
    model: m.type,
    vcov: m.vcov,
    cluster: m.cluster,
    df: m.df,
    ml: m.ml,
    level,
  };
}

function effectRow(rows: TidyRow[], term: string, id: string): TidyRow {
  const row = rows.find((r) => r.term === term);
  if (row === undefined) {
    throw new TiltakError(
      'EFFECT_NOT_FOUND',
      `outcome '${id}': the model has no coefficient '${term}' (it has ${rows.map((r) => r.term).join(', ')})`,
    );
  }
  return row;
}

function selectWaves(data: DataFrame, waves: readonly string[], id: string): DataFrame {
  const wave = data.columns.get('wave');
  if (wave === undefined) {
    throw new TiltakError(
      'UNKNOWN_COLUMN',
      `outcome '${id}' selects waves, but the data have no 'wave' column`,
    );
  }
  const keep = Array.from({ length: data.nrow }, (_, i) => waves.includes(String(wave.values[i])));
  const out = filterRows(data, keep);
  if (out.nrow === 0)
    throw new TiltakError('EMPTY_DATA', `outcome '${id}': no rows at waves ${waves.join(', ')}`);
  return out;
}

function runRi(
  data: DataFrame,
  o: PlanOutcome,
  s: PlanRandomization,
  plan: AnalysisPlan,
  options: RunPlanOptions,
): RiOutcome {
  // The outcome is the primary model's response; rows missing it are left out, as the model does.
  const lhs = parseFormula(o.model.formula).lhs;
  if (lhs === null)
    throw new TiltakError('BAD_PLAN', `outcome '${o.id}': the model formula has no response`);
  const response = deparse(lhs);
  const mf = modelFrame(`${response} ~ 1`, data);
  const arm = data.columns.get(s.treatment);
  if (arm === undefined)
    throw new TiltakError(
      'UNKNOWN_COLUMN',
      `outcome '${o.id}': unknown treatment column '${s.treatment}'`,
    );
  const treatment = Float64Array.from(mf.rowIndex, (r) =>
    String(arm.values[r]) === s.treated ? 1 : 0,
  );
  const clusters = clusterCodes(data, mf, s.cluster);
  let cluster = clusters.codes;
  let nClusters = clusters.levels;
  let space: RiInput['space'];
  if (options.allocation) {
    // Re-code clusters in the allocation record's order so the masks' bits line up.
    const order = new Map(options.allocation.clusterOrder.map((c, i) => [c, i] as const));
    const col = data.columns.get(s.cluster)!;
    cluster = Int32Array.from(mf.rowIndex, (r) => {
      const code = order.get(String(col.values[r]));
      if (code === undefined) {
        throw new TiltakError(
          'UNKNOWN_CLUSTER',
          `cluster '${String(col.values[r])}' is not in the allocation record`,
        );
      }
      return code;
    });
    nClusters = options.allocation.clusterOrder.length;
    space = options.allocation.space;
  }
  const r = randomizationTest({
    outcome: mf.y,
    treatment,
    cluster,
    nClusters,
    statistic: s.statistic,
    seed: plan.seed,
    ciLevel: plan.level,
    ...(space ? { space } : {}),
    ...(s.draws ? { draws: s.draws, exact: false } : {}),
  });
  return {
    statistic: s.statistic,
    observed: r.observed,
    pValue: r.pValue,
    evaluated: r.evaluated,
    exact: r.exact,
    ci: r.ci,
  };
}

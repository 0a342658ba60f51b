import type { TopLevelSpec } from 'vega-lite';
import type { PlanRunResult } from '../../analysis/plan/results.ts';
import { planHash, runPlan } from '../../analysis/plan/run-plan.ts';
import type { AnalysisPlan } from '../../analysis/plan/schema.ts';
import {
  analysisSoftware,
  DEFAULT_PLAN_PATH,
  lockedPlan,
  readPlanFile,
  storedAllocationSpace,
} from '../../analysis/store-plan.ts';
import { trialLongData } from '../../analysis/trial-data.ts';
import { forestPlotSpec } from '../../report/charts/forest-plot.ts';
import { iccChartSpec } from '../../report/charts/icc-chart.ts';
import { powerCurveSpec } from '../../report/charts/power-curve.ts';
import { randomizationHistogramSpec } from '../../report/charts/randomization-histogram.ts';
import { trajectorySpec } from '../../report/charts/trajectories.ts';
import { nextTrialPowerCurve } from '../../report/next-trial-power.ts';
import { forestRows, iccRows } from '../../report/plan-chart-rows.ts';
import { type ReportExtras, reportExtrasFromData } from '../../report/report-data.ts';
import type { DataFrame } from '../../stats/data-frame.ts';
import { isTiltakError, TiltakError } from '../../stats/errors.ts';
import { listAnalysisRuns } from '../../store/index.ts';
import type { Trial } from '../../trial/types.ts';
import type { AppContext } from '../context.ts';
import { cachedTrial } from './trial.ts';

/**
 * Everything the analysis page, the report and the export need about the trial's analysis: the
 * plan (locked, or the shipped plan as an unlocked preview), the long data and the plan's
 * results, either from the latest recorded run of the locked plan or computed here.
 *
 * @example
 * const a = await trialAnalysis(ctx);
 * a.results.outcomes[0]?.effect.estimate;
 */
export interface TrialAnalysis {
  readonly trial: Trial;
  readonly plan: AnalysisPlan;
  readonly planHash: string;
  readonly locked: { readonly at: string; readonly by: string } | null;
  readonly source: {
    readonly kind: 'recorded' | 'computed';
    readonly at: string;
    readonly by: string;
  };
  readonly data: DataFrame;
  readonly results: PlanRunResult;
  readonly extras: ReportExtras;
}

/**
 * The trial's long-format analysis data (one row per enrolled family and wave), kept with the
 * other analysis data until a write.
 *
 * @example
 * const data = await cachedLongData(ctx);
 */
export async function cachedLongData(ctx: AppContext): Promise<DataFrame> {
  const trial = await cachedTrial(ctx);
  return ctx.trialAnalyses.get(`data:${trial.id}`, () => trialLongData(ctx.db, trial.id));
}

/**
 * The trial's analysis (see {@link TrialAnalysis}), computed once and kept until a write.
 * Throws `NO_ANALYSIS` (409) when the plan cannot be run on the trial's data (not randomised, no
 * enrolled families, or data without the plan's variables).
 *
 * @example
 * const { results, plan } = await trialAnalysis(ctx);
 */
export async function trialAnalysis(ctx: AppContext): Promise<TrialAnalysis> {
  const trial = await cachedTrial(ctx);
  return ctx.trialAnalyses.get(`analysis:${trial.id}`, () => computeTrialAnalysis(ctx, trial));
}

async function computeTrialAnalysis(ctx: AppContext, trial: Trial): Promise<TrialAnalysis> {
  try {
    let plan: AnalysisPlan;
    let locked: TrialAnalysis['locked'] = null;
    let hash: string;
    try {
      const stored = await lockedPlan(ctx.db, trial.id);
      plan = stored.plan;
      hash = stored.hash;
      locked = { at: stored.lockedAt, by: stored.lockedBy };
    } catch (e) {
      if (!isTiltakError(e) || e.code !== 'PLAN_NOT_LOCKED') throw e;
      plan = readPlanFile(DEFAULT_PLAN_PATH);
      hash = planHash(plan);
    }
    const data = await cachedLongData(ctx);
    if (data.nrow === 0)
      throw new TiltakError('EMPTY_DATA', 'the trial has no enrolled families with data yet');
    const run =
      locked === null
        ? undefined
        : (await listAnalysisRuns(ctx.db, trial.id)).filter((r) => r.planSha256 === hash).at(-1);
    let results: PlanRunResult;
    let source: TrialAnalysis['source'];
    if (run !== undefined) {
      results = run.results as unknown as PlanRunResult;
      source = { kind: 'recorded', at: run.runAt, by: run.actor };
    } else {
      const allocation = await storedAllocationSpace(ctx.db, trial.id).catch(() => undefined);
      results = runPlan(plan, data, {
        software: analysisSoftware(),
        ...(allocation === undefined ? {} : { allocation }),
      });
      source = { kind: 'computed', at: new Date().toISOString(), by: 'tiltak' };
    }
    const extras = reportExtrasFromData(plan, data, {});
    return { trial, plan, planHash: hash, locked, source, data, results, extras };
  } catch (e) {
    if (isTiltakError(e) && e.code !== 'NO_ANALYSIS')
      throw new TiltakError('NO_ANALYSIS', `the analysis cannot run yet: ${e.message}`);
    throw e;
  }
}

/**
 * The next-trial power curve of a run (the first outcome with an ICC), to detect `effect` or, by
 * default, the effect this trial estimated; `null` when no outcome has a mixed model.
 *
 * @example
 * const p = nextTrialPower(results, 1000);
 */
export function nextTrialPower(r: PlanRunResult, effect?: number) {
  const o = r.outcomes.find((x) => x.icc !== null && x.icc.length > 0);
  if (o === undefined) return null;
  const d = effect ?? Math.abs(o.effect.estimate);
  if (!(Number.isFinite(d) && d !== 0)) return null;
  const rounded = Number(d.toPrecision(2));
  return nextTrialPowerCurve(r, { effect: rounded });
}

/**
 * The analysis page's data: plan, source run, effects and ICCs, and the Vega-Lite specs the report
 * renders as SVG (forest plot, trajectories, ICC chart, randomisation histograms, power curve).
 *
 * @example
 * const page = analysisPage(await trialAnalysis(ctx));
 */
export function analysisPage(a: TrialAnalysis) {
  const r = a.results;
  const pct = `${Math.round(r.level * 1000) / 10}%`;
  const icc = iccRows(r);
  const power = nextTrialPower(r);
  const spec = (s: TopLevelSpec) => s as unknown as Record<string, unknown>;
  return {
    trial: { id: a.trial.id, name: a.trial.name },
    plan: {
      title: r.title,
      hash: a.planHash,
      locked: a.locked !== null,
      lockedAt: a.locked?.at ?? null,
      lockedBy: a.locked?.by ?? null,
    },
    source: a.source,
    level: r.level,
    adjustment: r.adjustment.method,
    effects: r.outcomes.map((o) => ({
      outcome: o.id,
      label: o.label,
      family: o.family,
      term: o.effect.term,
      estimate: o.effect.estimate,
      stdError: o.effect.std_error,
      df: o.effect.df,
      confLow: o.effect.conf_low,
      confHigh: o.effect.conf_high,
      pValue: o.effect.p_value,
      pAdjusted: o.pAdjusted,
      nObs: o.summary.nObs,
    })),
    iccs: icc,
    randomisationTests: r.outcomes.flatMap((o) =>
      o.sensitivity
        .filter((s) => s.kind === 'ri' && s.ri !== null)
        .map((s) => ({
          outcome: o.id,
          label: `${o.label}: ${s.label}`,
          observed: s.ri!.observed,
          pValue: s.ri!.pValue,
          evaluated: s.ri!.evaluated,
          exact: s.ri!.exact,
        })),
    ),
    charts: {
      forest: spec(forestPlotSpec({ rows: forestRows(r), xTitle: `Effect (${pct} CI)` })),
      trajectories: a.extras.trajectories.map((t) => ({
        label: t.label,
        spec: spec(
          trajectorySpec({
            means: t.means,
            yTitle: t.yTitle,
            title: t.label,
            ...(t.yFormat !== undefined ? { yFormat: t.yFormat } : {}),
          }),
        ),
      })),
      icc: icc.length > 0 ? spec(iccChartSpec(icc)) : null,
      randomisation: a.extras.randomization.map((d) => ({
        label: d.label,
        observed: d.observed,
        spec: spec(
          randomizationHistogramSpec({
            statistics: d.statistics,
            observed: d.observed,
            title: d.label,
            ...(d.xTitle !== undefined ? { xTitle: d.xTitle } : {}),
          }),
        ),
      })),
      power:
        power === null ? null : { spec: spec(powerCurveSpec(power.curve)), caption: power.caption },
    },
    trajectoryNote: a.extras.trajectoryNote,
    /** Numeric outcome columns of the data, for the randomisation-test job. */
    outcomeColumns: [...a.data.columns]
      .filter(
        ([name, c]) => c.kind === 'numeric' && !['months', 'children', 'income_t1'].includes(name),
      )
      .map(([name]) => name),
  };
}

/**
 * The analysis page's data, computed once per analysis and kept with it.
 *
 * @example
 * const page = await cachedAnalysisPage(ctx);
 */
export async function cachedAnalysisPage(ctx: AppContext) {
  const a = await trialAnalysis(ctx);
  return ctx.trialAnalyses.get(`page:${a.trial.id}`, async () => analysisPage(a));
}

/**
 * Whether a successful request may have changed the trial's analysis data: drawing the allocation
 * or submitting a questionnaire (drafts, jobs, exports and sessions do not).
 *
 * @example
 * changesAnalysisData('POST', '/api/randomisation'); // true
 */
export function changesAnalysisData(method: string, url: string): boolean {
  if (method !== 'POST') return false;
  const path = url.split('?')[0] ?? '';
  return (
    path === '/api/randomisation' ||
    /^\/api\/jobs\/[^/]+\/store-screening$/.test(path) ||
    /^\/api\/families\/[^/]+\/questionnaires\/[^/]+\/[^/]+\/submit$/.test(path)
  );
}

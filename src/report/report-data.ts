/**
 * The parts of a report that are drawn from the trial data rather than from the plan run: outcome
 * trajectories by arm and wave, and the randomisation distributions behind the plan's
 * randomisation tests.
 */
import type { AnalysisPlan } from '../analysis/plan/schema.ts';
import { type DataFrame, filterRows } from '../stats/data-frame.ts';
import { deparse, parseFormula } from '../stats/formula/index.ts';
import { armWaveMeans } from './arm-wave-means.ts';
import { randomizationDistribution } from './randomization-distribution.ts';
import type { ReportRandomization, ReportTrajectory } from './render-html.ts';

/** Draws used for a histogram when the plan's test did not sample (exact enumeration). */
const HISTOGRAM_DRAWS = 20_000;

/**
 * What {@link reportExtrasFromData} returns: spread it into `renderReportHtml`'s input.
 *
 * @example
 * const { trajectories, randomization }: ReportExtras = reportExtrasFromData(plan, data);
 */
export interface ReportExtras {
  trajectories: ReportTrajectory[];
  trajectoryNote: string;
  randomization: ReportRandomization[];
}

/**
 * Trajectories of each distinct response of the plan over every wave in the data (means of office
 * means, t-based CIs with offices − 1 df), and, for each randomisation test of the plan, the test
 * statistic under seeded complete-randomisation allocations (the plan's draws and seed).
 *
 * @example
 * const extras = reportExtrasFromData(plan, data);
 * await renderReportHtml({ results, plan, ...extras, meta });
 */
export function reportExtrasFromData(
  plan: AnalysisPlan,
  data: DataFrame,
  options: { arm?: string; cluster?: string } = {},
): ReportExtras {
  const arm = options.arm ?? 'arm';
  const cluster = options.cluster ?? 'office';
  const trajectories: ReportTrajectory[] = [];
  const seen = new Set<string>();
  const hasWave = data.columns.has('wave');
  for (const o of plan.outcomes) {
    const lhs = parseFormula(o.model.formula).lhs;
    if (lhs === null) continue;
    const response = deparse(lhs);
    const col = data.columns.get(response);
    if (!hasWave || seen.has(response) || col === undefined || col.kind !== 'numeric') continue;
    if (!data.columns.has(arm) || !data.columns.has(cluster)) continue;
    seen.add(response);
    const binary = col.values.every((v) => Number.isNaN(v) || v === 0 || v === 1);
    trajectories.push({
      label: `${response} by arm and wave`,
      yTitle: binary ? `${response} (share)` : response,
      means: armWaveMeans(data, {
        outcome: response,
        arm,
        cluster,
        level: plan.level,
        unit: 'cluster',
      }),
      ...(binary ? { yFormat: '.0%' } : {}),
    });
  }
  const randomization: ReportRandomization[] = [];
  for (const o of plan.outcomes) {
    for (const s of o.sensitivity) {
      if (s.type !== 'ri') continue;
      const lhs = parseFormula(o.model.formula).lhs;
      if (lhs === null) continue;
      const response = deparse(lhs);
      const rows = o.waves && hasWave ? selectWaves(data, o.waves) : data;
      const d = randomizationDistribution(rows, {
        outcome: response,
        treatment: s.treatment,
        treated: s.treated,
        cluster: s.cluster,
        statistic: s.statistic,
        draws: s.draws ?? HISTOGRAM_DRAWS,
        seed: plan.seed,
      });
      randomization.push({
        outcomeId: o.id,
        label: `${o.label}: ${s.label ?? 'randomisation test'}`,
        statistics: d.statistics,
        observed: d.observed,
        xTitle:
          s.statistic === 'cluster-means'
            ? `Difference in means of ${s.cluster} means (${response})`
            : `Difference in means (${response})`,
      });
    }
  }
  return {
    trajectories,
    trajectoryNote: `Trajectories show, for each arm and wave, the mean of the ${cluster} means of the outcome (each ${cluster} weighs one), with a ${Math.round(plan.level * 100)}% confidence interval mean ± t(G − 1) · sd / √G over the G ${cluster}s with data, which respects the clustered design. They are descriptive; the tests are the models’. The randomisation histograms redraw the test statistic under the plan’s number of seeded allocations by complete randomisation of the observed number of treated clusters.`,
    randomization,
  };
}

function selectWaves(data: DataFrame, waves: readonly string[]): DataFrame {
  const w = data.columns.get('wave')!;
  return filterRows(
    data,
    Array.from({ length: data.nrow }, (_, i) => waves.includes(String(w.values[i]))),
  );
}

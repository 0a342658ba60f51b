/**
 * The rows the forest plot and the ICC chart of a plan run draw, shared by the HTML report and the
 * web app's analysis page so both show the same charts.
 */
import type { PlanRunResult } from '../analysis/plan/results.ts';
import type { ForestRow } from './charts/forest-plot.ts';

/**
 * The forest plot's rows of a plan run: each outcome's pre-specified effect, its sensitivity
 * models' effects and randomisation-test intervals, in panels by response (outcomes sharing a
 * response share a scale).
 *
 * @example
 * forestPlotSpec({ rows: forestRows(results), xTitle: 'Effect (95% CI)' });
 */
export function forestRows(r: PlanRunResult): ForestRow[] {
  return r.outcomes.flatMap((o) => {
    const row = (estimate: number, low: number, high: number, analysis: string): ForestRow => ({
      label: o.label,
      estimate,
      low,
      high,
      analysis,
      panel: `Response: ${o.model.formula.split('~')[0]?.trim() ?? ''}`,
    });
    const sens = o.sensitivity.flatMap((s): ForestRow[] => {
      if (s.kind === 'model' && s.effect)
        return [row(s.effect.estimate, s.effect.conf_low, s.effect.conf_high, 'Sensitivity model')];
      if (s.kind === 'ri' && s.ri?.ci)
        return [row(s.ri.observed, s.ri.ci.low, s.ri.ci.high, 'Randomisation test')];
      return [];
    });
    return [
      row(o.effect.estimate, o.effect.conf_low, o.effect.conf_high, 'Primary model'),
      ...sens,
    ];
  });
}

/**
 * The ICC rows of a plan run (outcome, grouping factor, ICC and its CI).
 *
 * @example
 * iccChartSpec(iccRows(results));
 */
export function iccRows(r: PlanRunResult) {
  return r.outcomes.flatMap((o) =>
    (o.icc ?? []).map((i) => ({
      outcome: o.label,
      group: i.group,
      icc: i.icc,
      low: i.confLow,
      high: i.confHigh,
    })),
  );
}

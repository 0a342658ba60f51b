/**
 * The power curve for a next trial, planned from this one: the ICC, total variance and mean
 * cluster size of a primary outcome's mixed model, and an effect the next trial should detect.
 */
import type { PlanRunResult } from '../analysis/plan/results.ts';
import { TiltakError } from '../stats/errors.ts';
import { clusterTrialPower } from '../stats/power/analytic.ts';
import type { PowerCurveOptions } from './charts/power-curve.ts';

/**
 * Analytic power (clusterTrialPower, as clusterPower::cpa.normal) against clusters per arm, for a
 * difference `effect` on the scale of the first outcome with a random intercept (or `outcomeId`),
 * using that model's estimated ICC of its outermost grouping factor, the sum of its variance
 * components as total variance, and its mean cluster size (observations per cluster: plan from a
 * single-wave outcome, such as the HOLF plan's income at T2, which is the default there).
 *
 * @example
 * const { curve, caption } = nextTrialPowerCurve(results, { effect: 1000 });
 * await renderReportHtml({ results, power: { curve, caption }, meta });
 */
export function nextTrialPowerCurve(
  results: PlanRunResult,
  options: { effect: number; outcomeId?: string; clusters?: readonly number[]; alpha?: number },
): { curve: PowerCurveOptions; caption: string } {
  const o =
    options.outcomeId !== undefined
      ? results.outcomes.find((x) => x.id === options.outcomeId)
      : results.outcomes.find((x) => x.icc !== null && x.icc.length > 0);
  if (o === undefined || o.icc === null || o.icc.length === 0) {
    throw new TiltakError(
      'NO_ICC',
      options.outcomeId !== undefined
        ? `outcome '${options.outcomeId}' has no mixed model with an ICC`
        : 'no outcome of the plan has a mixed model with an ICC',
    );
  }
  if (!(Number.isFinite(options.effect) && options.effect !== 0)) {
    throw new TiltakError(
      'BAD_OPTION',
      `the effect to detect must be a non-zero number, got ${options.effect}`,
    );
  }
  // The randomised cluster is the outermost grouping factor (no ':' in its name).
  const icc = o.icc.find((g) => !g.group.includes(':')) ?? o.icc[0]!;
  const groups = o.summary.groups[icc.group];
  if (groups === undefined || groups === 0) {
    throw new TiltakError('NO_ICC', `outcome '${o.id}' has no count of '${icc.group}' groups`);
  }
  const totalVariance = (o.summary.varianceComponents ?? []).reduce((s, v) => s + v.variance, 0);
  const clusterSize = o.summary.nObs / groups;
  const clusters = options.clusters ?? [4, 6, 8, 10, 12, 15, 20, 25, 30, 40];
  const alpha = options.alpha ?? 0.05;
  const points = clusters.map((k) => ({
    x: k,
    power: clusterTrialPower({
      solveFor: 'power',
      nClusters: k,
      clusterSize,
      effect: Math.abs(options.effect),
      icc: icc.icc,
      totalVariance,
      alpha,
    }).power,
  }));
  return {
    curve: {
      points,
      xTitle: `Clusters (${icc.group}) per arm`,
      target: 0.8,
      title: `Power to detect ${options.effect} on ${o.label}`,
    },
    caption: `Analytic power of a two-arm cluster trial (two-sided α = ${alpha}) to detect a difference of ${options.effect} in “${o.label}”, with this trial’s ICC ${icc.icc.toFixed(3)} (${icc.group}), total variance ${totalVariance.toPrecision(4)} and ${clusterSize.toFixed(1)} observations per cluster, as clusterPower::cpa.normal.`,
  };
}

import { powerCurveSpec } from '../../report/charts/power-curve.ts';
import { renderVegaLiteSvg } from '../../report/charts/render-svg.ts';
import { clusterTrialPower } from '../../stats/power/analytic.ts';

/**
 * Inputs of the next-trial power curve.
 *
 * @example
 * const p: PowerCurveInput = { icc: 0.05, clusterSize: 30, effect: 0.3, alpha: 0.05, target: 0.8 };
 */
export interface PowerCurveInput {
  readonly icc: number;
  /** Families followed up per office. */
  readonly clusterSize: number;
  /** Standardised difference in means (Cohen's d). */
  readonly effect: number;
  readonly alpha: number;
  readonly target: number;
}

/**
 * Power of a two-arm cluster trial with a continuous outcome against the number of offices per
 * arm (2 to 40, or further when more are needed), the offices per arm needed for the target power, and the curve as SVG (the same
 * Vega-Lite spec the report uses, rendered on the server).
 *
 * @example
 * const { required, svg } = await nextTrialPower({ icc: 0.05, clusterSize: 30, effect: 0.3, alpha: 0.05, target: 0.8 });
 */
export async function nextTrialPower(input: PowerCurveInput) {
  const solved = clusterTrialPower({
    solveFor: 'nClusters',
    power: input.target,
    clusterSize: input.clusterSize,
    effect: input.effect,
    icc: input.icc,
    alpha: input.alpha,
  });
  const required = solved.ceiling ?? { value: solved.nClusters, power: solved.power };
  // At least to 40 offices per arm, and past the required number so it shows on the curve.
  const last = Math.min(500, Math.max(40, Math.ceil(required.value) + 5));
  const points = [];
  for (let k = 2; k <= last; k++) {
    const r = clusterTrialPower({
      solveFor: 'power',
      nClusters: k,
      clusterSize: input.clusterSize,
      effect: input.effect,
      icc: input.icc,
      alpha: input.alpha,
    });
    points.push({ nClusters: k, power: r.power });
  }
  const svg = await renderVegaLiteSvg(
    powerCurveSpec({
      points: points.map((p) => ({ x: p.nClusters, power: p.power })),
      xTitle: 'Offices per arm',
      target: input.target,
      title: `ICC ${input.icc}, ${input.clusterSize} families per office, d = ${input.effect}`,
      ...(required.value <= last ? { highlight: required.value } : {}),
      width: 560,
      height: 300,
    }),
  );
  return {
    points,
    required: { nClusters: required.value, power: required.power },
    designEffect: solved.designEffect,
    svg,
  };
}

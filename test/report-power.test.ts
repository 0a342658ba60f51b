import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { nextTrialPowerCurve } from '../src/report/next-trial-power.ts';
import { clusterTrialPower } from '../src/stats/power/analytic.ts';

const plan = AnalysisPlan.parse(
  JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8')),
);
const results = runPlan(
  { ...plan, outcomes: [plan.outcomes[0]!] },
  readCsv('test/fixtures/data/holf-demo.csv'),
);

describe('power curve for a next trial', () => {
  it('plans from the trial’s ICC, variance and cluster size', () => {
    const o = results.outcomes[0]!;
    const { curve, caption } = nextTrialPowerCurve(results, { effect: 800, clusters: [5, 10, 20] });
    // Inputs read off the fitted model by hand: ICC of office, office + residual variance, and
    // 792 families over 29 offices.
    const icc = o.icc!.find((g) => g.group === 'office')!.icc;
    const vc = o.summary.varianceComponents!;
    const total = vc[0]!.variance + vc[1]!.variance;
    const want = [5, 10, 20].map(
      (k) =>
        clusterTrialPower({
          solveFor: 'power',
          nClusters: k,
          clusterSize: 792 / 29,
          effect: 800,
          icc,
          totalVariance: total,
        }).power,
    );
    expect(curve.points.map((p) => p.power)).toEqual(want);
    expect(want[0]!).toBeLessThan(want[1]!);
    expect(want[1]!).toBeLessThan(want[2]!);
    expect(curve.xTitle).toBe('Clusters (office) per arm');
    expect(caption).toContain(`ICC ${icc.toFixed(3)}`);
  });
  it('refuses a zero effect and an outcome without an ICC', () => {
    expect(() => nextTrialPowerCurve(results, { effect: 0 })).toThrow(/non-zero/);
    expect(() => nextTrialPowerCurve(results, { effect: 1, outcomeId: 'nope' })).toThrow(/nope/);
  });
});

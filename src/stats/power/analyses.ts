/**
 * Analyses that plug into {@link simulatePower} besides its default t test on cluster means.
 */
import { coefTest } from '../inference/coef-test.ts';
import { fitOls } from '../models/ols.ts';
import type { SimulatedTrial } from './simulate.ts';

/**
 * Individual-level OLS of y on arm with the CR2 cluster-robust variance and clubSandwich's
 * Satterthwaite degrees of freedom (as `clubSandwich::coef_test(lm(y ~ arm), "CR2", cluster,
 * test = "Satterthwaite")`). It weights clusters by size; with equal sizes it gives exactly the
 * t test on cluster means.
 *
 * @example
 * simulatePower({ nClusters: 15, clusterSize: 21, cv: 0.6, icc: 0.05, effect: 0.3,
 *   analysis: olsCr2Analysis, analysisName: 'OLS, CR2 + Satterthwaite' });
 */
export function olsCr2Analysis(trial: SimulatedTrial): { estimate: number; pValue: number } {
  const n = trial.y.length;
  const x = new Float64Array(2 * n);
  x.fill(1, 0, n);
  for (let i = 0; i < n; i++) x[n + i] = trial.arm[i]!;
  const fit = fitOls({ x, n, p: 2, colnames: ['(Intercept)', 'arm'], y: trial.y });
  const row = coefTest(fit, { type: 'CR2', cluster: trial.cluster })[1]!;
  return { estimate: row.estimate, pValue: row.p_value };
}

/**
 * Analyses that plug into {@link simulatePower} besides its default t test on cluster means.
 */
import { coefTest } from '../inference/coef-test.ts';
import { fitLmm } from '../models/lmm/index.ts';
import { fitOls } from '../models/ols.ts';
import { baselineClusterMeans, type SimulatedTrial, type TrialAnalysis } from './simulate.ts';

/**
 * Individual-level OLS of y on arm (and the baseline cluster mean, with a baseline) with the CR2 cluster-robust variance and clubSandwich's
 * Satterthwaite degrees of freedom (as `clubSandwich::coef_test(lm(y ~ arm), "CR2", cluster,
 * test = "Satterthwaite")`). It weights clusters by size; with equal sizes it gives exactly the
 * t test on cluster means.
 *
 * @example
 * simulatePower({ nClusters: 15, clusterSize: 21, cv: 0.6, icc: 0.05, effect: 0.3,
 *   analysis: olsCr2Analysis, analysisName: 'OLS, CR2 + Satterthwaite' });
 */
export function olsCr2Analysis(trial: SimulatedTrial): { estimate: number; pValue: number } {
  const { x, n, p, colnames } = design(trial);
  const fit = fitOls({ x, n, p, colnames, y: trial.y });
  const row = coefTest(fit, { type: 'CR2', cluster: trial.cluster })[1]!;
  return { estimate: row.estimate, pValue: row.p_value };
}

/**
 * Random-intercept linear mixed model y ~ arm (+ baseline cluster mean) + (1 | cluster) by REML, with the arm effect tested
 * on Satterthwaite (default) or Kenward–Roger df — the primary analysis of a cluster trial, run on
 * each simulated trial.
 *
 * @example
 * simulatePower({ ..., analysis: lmmAnalysis('kenward-roger'), analysisName: 'LMM, KR df' });
 */
export function lmmAnalysis(
  df: 'satterthwaite' | 'kenward-roger' = 'satterthwaite',
): TrialAnalysis {
  return (trial) => {
    const { x, n, p, colnames } = design(trial);
    const fit = fitLmm({
      y: trial.y,
      x,
      n,
      p,
      colnames,
      random: [
        {
          group: 'cluster',
          codes: trial.cluster,
          levels: Array.from({ length: trial.nClusters }, (_, g) => String(g)),
          z: new Float64Array(n).fill(1),
          q: 1,
          termNames: ['(Intercept)'],
        },
      ],
    });
    const row = fit.tidy({ df })[1]!;
    return { estimate: row.estimate, pValue: row.p_value };
  };
}

/** Columns (Intercept), arm and, with a baseline, the baseline cluster mean. */
function design(trial: SimulatedTrial) {
  const n = trial.y.length;
  const p = trial.baseline === undefined ? 2 : 3;
  const x = new Float64Array(p * n);
  x.fill(1, 0, n);
  for (let i = 0; i < n; i++) x[n + i] = trial.arm[i]!;
  if (trial.baseline !== undefined) x.set(baselineClusterMeans(trial), 2 * n);
  const colnames = ['(Intercept)', 'arm', ...(p === 3 ? ['baseline_mean'] : [])];
  return { x, n, p, colnames };
}

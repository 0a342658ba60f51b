/**
 * Task `power-simulation`: {@link simulatePower} with any of its analyses, with its progress hook
 * (about a hundred calls per run).
 */
import { lmmAnalysis, olsCr2Analysis } from '../../stats/power/analyses.ts';
import {
  clusterMeansTTest,
  type SimulationPowerInput,
  simulatePower,
  type TrialAnalysis,
} from '../../stats/power/simulate.ts';
import { toJson } from '../json.ts';
import type { PowerSimulationParams } from '../params.ts';
import type { JobContext, JsonValue } from '../types.ts';

const ANALYSES: Record<
  PowerSimulationParams['analysis'],
  () => { analysis: TrialAnalysis; analysisName: string }
> = {
  'cluster-means': () => ({ analysis: clusterMeansTTest, analysisName: 't-test on cluster means' }),
  'ols-cr2': () => ({ analysis: olsCr2Analysis, analysisName: 'OLS with CR2, Satterthwaite df' }),
  lmm: () => ({
    analysis: lmmAnalysis('satterthwaite'),
    analysisName: 'random-intercept LMM (REML), Satterthwaite df',
  }),
  'lmm-kr': () => ({
    analysis: lmmAnalysis('kenward-roger'),
    analysisName: 'random-intercept LMM (REML), Kenward–Roger df',
  }),
};

/**
 * The {@link simulatePower} input of validated parameters (without the progress hook).
 *
 * @example
 * simulatePower(powerInput(powerSimulationParams.parse({ nClusters: 15, clusterSize: 21, icc: 0.05, effect: 0.3 })));
 */
export function powerInput(p: PowerSimulationParams): SimulationPowerInput {
  const { analysis, ...rest } = p;
  const input: Record<string, unknown> = { ...ANALYSES[analysis]() };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) input[k] = v;
  return input as unknown as SimulationPowerInput;
}

/**
 * Simulate power.
 *
 * @example
 * const r = run(powerSimulationParams.parse({ nClusters: 15, clusterSize: 21, icc: 0.05, effect: 0.3, reps: 200 }),
 *   { progress() {} });
 * r; // { power: 0.5…, mcse: …, … }
 */
export function run(p: PowerSimulationParams, ctx: JobContext): JsonValue {
  ctx.progress(0, 'simulating trials');
  const r = simulatePower({
    ...powerInput(p),
    onProgress: (done, total) => ctx.progress(done / total, `simulated ${done} of ${total} trials`),
  });
  return toJson(r);
}

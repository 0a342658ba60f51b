import type { IccEstimate, LmmAnovaRow } from '../../stats/models/lmm/index.ts';
import type { FitSummary, TidyRow } from '../../stats/tidy.ts';
import type { PlanModel } from './schema.ts';

/** A randomisation test's result inside a plan run. */
export interface RiOutcome {
  statistic: 'diff-in-means' | 'cluster-means';
  observed: number;
  pValue: number;
  evaluated: number;
  exact: boolean;
  ci: { level: number; low: number; high: number } | null;
}

/** A sensitivity analysis of an outcome: another model, or a randomisation test. */
export interface SensitivityResult {
  label: string;
  kind: 'model' | 'ri';
  /** The effect row under the sensitivity model (kind `model`). */
  effect: TidyRow | null;
  ri: RiOutcome | null;
  warnings: string[];
}

/** Everything a plan run produced for one outcome. */
export interface OutcomeResult {
  id: string;
  label: string;
  family: 'primary' | 'secondary' | 'other';
  model: PlanModel;
  /** The pre-specified effect row of the primary model. */
  effect: TidyRow;
  /** Its p-value adjusted across the plan's adjustment families (null when not adjusted). */
  pAdjusted: number | null;
  summary: FitSummary;
  icc: IccEstimate[] | null;
  termTests: LmmAnovaRow[];
  sensitivity: SensitivityResult[];
}

/**
 * The recorded result of running a locked plan: what `tiltak analyze` stores and the report shows.
 *
 * @example
 * const r: PlanRunResult = runPlan(plan, data, { seed: plan.seed });
 * r.outcomes[0].effect.estimate;
 */
export interface PlanRunResult {
  format: 'tiltak-analysis-results/1';
  planHash: string;
  trial: string;
  title: string;
  level: number;
  adjustment: { method: string; families: string[] };
  outcomes: OutcomeResult[];
  software: Record<string, string>;
}

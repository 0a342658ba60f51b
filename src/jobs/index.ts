/**
 * Background jobs for long computations (randomisation enumeration, constrained randomisation,
 * wild bootstrap, simulation power, register import and screening), run in worker threads with
 * progress, cancellation and JSON results. See {@link createJobRunner}.
 */
export { jobError, toJson } from './json.ts';
export { BUILT_IN_KINDS, type BuiltInJobKind, type JobKindDefinition } from './kinds.ts';
export {
  type ConstrainedRandomisationParams,
  constrainedRandomisationParams,
  type PowerSimulationParams,
  parseJobParams,
  powerSimulationParams,
  type RegisterImportParams,
  type RiEnumerationParams,
  registerImportParams,
  riEnumerationParams,
  type WildBootstrapParams,
  wildBootstrapParams,
} from './params.ts';
export {
  createJobRunner,
  type JobFilter,
  type JobListener,
  type JobRunner,
  type JobRunnerOptions,
  type SubmitOptions,
} from './runner.ts';
export { jobInfoSchema } from './schemas.ts';
export type {
  JobContext,
  JobError,
  JobInfo,
  JobProgress,
  JobStatus,
  JsonValue,
} from './types.ts';

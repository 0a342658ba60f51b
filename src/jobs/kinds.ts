/**
 * The job kinds the runner knows: for each, the zod schema its parameters are checked against
 * in the caller's thread, and the task module a worker imports to run it. A task module exports
 * `run(params, ctx)` returning JSON (or a promise of it). The modules are imported only inside
 * workers, so the web server never loads DuckDB or the numeric kernels for a job.
 */
import type { z } from 'zod';
import {
  constrainedRandomisationParams,
  powerSimulationParams,
  registerImportParams,
  riEnumerationParams,
  wildBootstrapParams,
} from './params.ts';

/**
 * One job kind: its parameter schema and the URL (`file:` or `data:`) of its task module.
 * `progress` says whether the task reports fine-grained progress or only its stages.
 *
 * @example
 * const kind: JobKindDefinition = { params: z.object({ n: z.number() }),
 *   module: new URL('./my-task.ts', import.meta.url).href, progress: 'stages' };
 */
export interface JobKindDefinition {
  readonly params: z.ZodType;
  readonly module: string;
  readonly progress: 'fine' | 'stages';
}

const task = (file: string) => new URL(`./tasks/${file}`, import.meta.url).href;

/**
 * The built-in kinds. Fine-grained progress where the underlying function has an `onProgress`
 * hook (randomisation test, power simulation); start/stages/end for the others.
 *
 * @example
 * Object.keys(BUILT_IN_KINDS); // ['ri-enumeration', 'constrained-randomisation', …]
 */
export const BUILT_IN_KINDS = {
  'ri-enumeration': {
    params: riEnumerationParams,
    module: task('ri-enumeration.ts'),
    progress: 'fine',
  },
  'constrained-randomisation': {
    params: constrainedRandomisationParams,
    module: task('constrained-randomisation.ts'),
    progress: 'stages',
  },
  'wild-bootstrap': {
    params: wildBootstrapParams,
    module: task('wild-bootstrap.ts'),
    progress: 'stages',
  },
  'power-simulation': {
    params: powerSimulationParams,
    module: task('power-simulation.ts'),
    progress: 'fine',
  },
  'register-import': {
    params: registerImportParams,
    module: task('register-import.ts'),
    progress: 'stages',
  },
} as const satisfies Record<string, JobKindDefinition>;

/**
 * Names of the built-in kinds.
 *
 * @example
 * const kind: BuiltInJobKind = 'power-simulation';
 */
export type BuiltInJobKind = keyof typeof BUILT_IN_KINDS;

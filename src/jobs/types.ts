/**
 * Plain-data types of the background job runner: what a job looks like from the outside
 * ({@link JobInfo}), what a task module sees inside its worker ({@link JobContext}), and the
 * messages a worker sends back. Everything here is JSON, so the server can return it as is.
 */

/**
 * A JSON value: what job results and error details are converted to before they leave a worker.
 *
 * @example
 * const v: JsonValue = { pValue: 0.04, draws: [1, 2, 3], ci: null };
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Life cycle of a job: queued → running → succeeded | failed | cancelled (a queued job can also
 * be cancelled directly).
 *
 * @example
 * const done = (s: JobStatus) => s === 'succeeded' || s === 'failed' || s === 'cancelled';
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * Progress of a job: a fraction in [0, 1] that never decreases, and a short message.
 *
 * @example
 * const p: JobProgress = { fraction: 0.25, message: 'enumerating allocations' };
 */
export interface JobProgress {
  readonly fraction: number;
  readonly message: string;
}

/**
 * Why a job failed. `code` is the {@link TiltakError} code when the task threw one (e.g.
 * `TOO_MANY_ALLOCATIONS`, `REGISTER_REJECTED`); otherwise one of the runner's own codes:
 * `JOB_FAILED` (another exception), `WORKER_CRASHED` (uncaught error in the worker),
 * `WORKER_EXITED` (the worker stopped without an answer), `WORKER_OUT_OF_MEMORY`.
 *
 * @example
 * const e: JobError = { code: 'TOO_MANY_ALLOCATIONS', message: '… sample with draws' };
 */
export interface JobError {
  readonly code: string;
  readonly message: string;
  /** The TiltakError's structured details (row, column, masked value, bad rows), when JSON. */
  readonly details?: JsonValue;
}

/**
 * A snapshot of one job. Timestamps are ISO 8601 strings; `result` is set only when the job
 * succeeded and `error` only when it failed.
 *
 * @example
 * const job = runner.submit('power-simulation', params, { actor: 'u1' });
 * job.status; // 'queued' or 'running'
 */
export interface JobInfo {
  readonly id: string;
  readonly kind: string;
  /** Who submitted it (an account id); the server filters jobs by it. */
  readonly actor: string;
  /** Optional free text shown in the UI, e.g. 'Power for the next trial'. */
  readonly label: string | null;
  readonly status: JobStatus;
  readonly progress: JobProgress;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly result: JsonValue | null;
  readonly error: JobError | null;
}

/**
 * What a task's `run` receives besides its parameters. `progress` may be called as often as the
 * task likes: the worker forwards at most about ten updates a second.
 *
 * @example
 * export async function run(p: Params, ctx: JobContext) { ctx.progress(0.5, 'half way'); }
 */
export interface JobContext {
  progress(fraction: number, message?: string): void;
}

/**
 * Messages from a worker to the runner.
 *
 * @example
 * const m: WorkerMessage = { type: 'progress', fraction: 0.1, message: 'enumerating' };
 */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly fraction: number; readonly message: string }
  | { readonly type: 'succeeded'; readonly result: JsonValue }
  | { readonly type: 'failed'; readonly error: JobError };

/**
 * What a worker is started with: the task module to import and the validated parameters.
 *
 * @example
 * const d: WorkerInput = { module: new URL('./tasks/power-simulation.ts', import.meta.url).href, params };
 */
export interface WorkerInput {
  readonly module: string;
  readonly params: unknown;
  /** Minimum milliseconds between forwarded progress messages (default 100). */
  readonly progressIntervalMs: number;
  /** Scheduling priority (Linux nice, 0–19) the worker thread gives itself; 0 keeps the default. */
  readonly nice: number;
}

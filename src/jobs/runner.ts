/**
 * The background job runner: a queue of jobs, each run in its own worker thread, at most
 * `maxConcurrent` at a time, with progress, cancellation and a record of finished jobs. State is
 * kept in memory; finished jobs are handed to an `onFinished` callback so the caller can keep a
 * small JSON record (a file, a table) and pass it back as `restore` after a restart.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { TiltakError } from '../stats/errors.ts';
import { jobError } from './json.ts';
import { BUILT_IN_KINDS, type JobKindDefinition } from './kinds.ts';
import { parseJobParams } from './params.ts';
import { spawnJobWorker } from './spawn.ts';
import type { JobError, JobInfo, JobStatus, JsonValue, WorkerMessage } from './types.ts';

/**
 * Options of {@link createJobRunner}.
 *
 * @example
 * const opts: JobRunnerOptions = { maxConcurrent: 1, onFinished: (job) => saveJobRecord(job) };
 */
export interface JobRunnerOptions {
  /** Jobs running at once (default 1: the server has two cores and keeps one for requests). */
  readonly maxConcurrent?: number;
  /** Extra kinds besides the built-in ones (a name may not repeat a built-in kind). */
  readonly kinds?: Readonly<Record<string, JobKindDefinition>>;
  /** Finished jobs kept in memory, oldest dropped first (default 200). */
  readonly retainFinished?: number;
  /** Finished jobs from an earlier run (e.g. read from the JSON record `onFinished` wrote). */
  readonly restore?: readonly JobInfo[];
  /** Called once with each job that finishes (succeeded, failed or cancelled). */
  readonly onFinished?: (job: JobInfo) => void | Promise<void>;
  /** Called when `onFinished` throws or rejects; by default such errors are ignored. */
  readonly onRecordError?: (error: unknown, job: JobInfo) => void;
  /** Minimum milliseconds between progress messages from a worker (default 100: ~10/s). */
  readonly progressIntervalMs?: number;
  /**
   * Linux nice value (0–19) of the worker threads (default 10), so the server's own thread gets
   * the CPU first when the machine is busy; 0 keeps the normal priority.
   */
  readonly workerNice?: number;
  /** Heap limits of each worker; a job that exceeds them fails with `WORKER_OUT_OF_MEMORY`. */
  readonly resourceLimits?: ResourceLimits;
}

/**
 * Who submits a job, and an optional label for the UI.
 *
 * @example
 * runner.submit('power-simulation', params, { actor: user.id, label: 'Next trial' });
 */
export interface SubmitOptions {
  readonly actor: string;
  readonly label?: string;
}

/**
 * Which jobs {@link JobRunner.list} returns; every given field must match.
 *
 * @example
 * runner.list({ actor: 'u1', status: ['queued', 'running'] });
 */
export interface JobFilter {
  readonly actor?: string;
  readonly kind?: string;
  readonly status?: JobStatus | readonly JobStatus[];
}

/**
 * Receives a fresh {@link JobInfo} after every change of a job: each progress update and each
 * status change, the last one being the finished job.
 *
 * @example
 * const listener: JobListener = (job) => reply.raw.write(`data: ${JSON.stringify(job)}\n\n`);
 */
export type JobListener = (job: JobInfo) => void;

/**
 * The runner returned by {@link createJobRunner}.
 *
 * @example
 * const runner = createJobRunner();
 * const job = runner.submit('ri-enumeration', params, { actor: 'u1' });
 * const off = runner.subscribe(job.id, (j) => console.log(j.status, j.progress.fraction));
 */
export interface JobRunner {
  /** Validate the parameters and queue a job; throws `BAD_JOB_PARAMS`, `UNKNOWN_JOB_KIND`, `BAD_ACTOR`, `RUNNER_CLOSED`. */
  submit(kind: string, params: unknown, options: SubmitOptions): JobInfo;
  get(id: string): JobInfo | undefined;
  /** Jobs in submission order (restored jobs first). */
  list(filter?: JobFilter): JobInfo[];
  /** Cancel a queued or running job (a running one's worker is terminated); false if it is unknown or finished. */
  cancel(id: string): boolean;
  /** Listen to a job's changes; throws `JOB_NOT_FOUND`. A finished job has no more changes. */
  subscribe(id: string, listener: JobListener): () => void;
  /** Names of the kinds this runner accepts. */
  kinds(): string[];
  /** Worker threads alive now (a cancelled job's worker counts until it has exited). */
  activeWorkers(): number;
  /** Cancel every queued and running job and wait for all workers to exit. */
  close(): Promise<void>;
}

interface JobState {
  info: JobInfo;
  readonly def: JobKindDefinition;
  readonly params: unknown;
  readonly listeners: Set<JobListener>;
  worker: Worker | null;
}

const FINISHED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Create a job runner. Jobs run in worker threads (one per job, started from `src/jobs/worker.ts`
 * with tsx), so the caller's event loop stays free while they compute.
 *
 * @example
 * const runner = createJobRunner({ maxConcurrent: 1 });
 * const job = runner.submit('power-simulation',
 *   { nClusters: 15, clusterSize: 21, icc: 0.05, effect: 0.3, reps: 2000, seed: 1 }, { actor: 'u1' });
 * runner.subscribe(job.id, (j) => { if (j.status === 'succeeded') console.log(j.result); });
 */
export function createJobRunner(options: JobRunnerOptions = {}): JobRunner {
  const maxConcurrent = options.maxConcurrent ?? 1;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new TiltakError(
      'BAD_OPTION',
      `maxConcurrent must be a positive integer, got ${maxConcurrent}`,
    );
  }
  const retain = options.retainFinished ?? 200;
  if (!Number.isInteger(retain) || retain < 0) {
    throw new TiltakError('BAD_OPTION', `retainFinished must be an integer >= 0, got ${retain}`);
  }
  const progressIntervalMs = options.progressIntervalMs ?? 100;
  const nice = options.workerNice ?? 10;
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
    throw new TiltakError('BAD_OPTION', `workerNice must be an integer in 0..19, got ${nice}`);
  }
  const kinds: Record<string, JobKindDefinition> = { ...BUILT_IN_KINDS };
  for (const [name, def] of Object.entries(options.kinds ?? {})) {
    if (name in kinds) {
      throw new TiltakError('BAD_OPTION', `job kind '${name}' is built in and cannot be replaced`);
    }
    kinds[name] = def;
  }
  const jobs = new Map<string, JobState>();
  const queue: JobState[] = [];
  const workers = new Map<Worker, Promise<void>>();
  let closed = false;

  for (const old of options.restore ?? []) {
    if (jobs.has(old.id)) continue;
    const info: JobInfo = FINISHED.has(old.status)
      ? old
      : {
          ...old,
          status: 'failed',
          finishedAt: old.finishedAt ?? old.startedAt ?? old.createdAt,
          error: { code: 'JOB_INTERRUPTED', message: 'the server stopped before the job finished' },
        };
    jobs.set(old.id, {
      info: Object.freeze(info),
      def: kinds[old.kind] ?? BUILT_IN_KINDS['power-simulation'],
      params: null,
      listeners: new Set(),
      worker: null,
    });
  }

  const update = (job: JobState, patch: Partial<JobInfo>) => {
    job.info = Object.freeze({ ...job.info, ...patch });
    for (const l of [...job.listeners]) {
      try {
        l(job.info);
      } catch {
        // A listener's failure (a closed HTTP stream) must not stop the job or other listeners.
      }
    }
  };

  const prune = () => {
    const finished = [...jobs.values()].filter((j) => FINISHED.has(j.info.status));
    for (let i = 0; i < finished.length - retain; i++) jobs.delete(finished[i]!.info.id);
  };

  const finish = (
    job: JobState,
    status: 'succeeded' | 'failed' | 'cancelled',
    outcome: { result?: JsonValue; error?: JobError } = {},
  ) => {
    if (FINISHED.has(job.info.status)) return;
    const progress =
      status === 'succeeded'
        ? { fraction: 1, message: 'done' }
        : { fraction: job.info.progress.fraction, message: status };
    update(job, {
      status,
      progress,
      finishedAt: new Date().toISOString(),
      result: outcome.result ?? null,
      error: outcome.error ?? null,
    });
    job.listeners.clear();
    const worker = job.worker;
    job.worker = null;
    if (worker !== null) void worker.terminate();
    const info = job.info;
    if (options.onFinished !== undefined) {
      try {
        Promise.resolve(options.onFinished(info)).catch((e: unknown) =>
          options.onRecordError?.(e, info),
        );
      } catch (e) {
        options.onRecordError?.(e, info);
      }
    }
    prune();
  };

  const start = (job: JobState) => {
    update(job, {
      status: 'running',
      startedAt: new Date().toISOString(),
      progress: { fraction: 0, message: 'starting' },
    });
    let worker: Worker;
    try {
      worker = spawnJobWorker(
        { module: job.def.module, params: job.params, progressIntervalMs, nice },
        options.resourceLimits,
      );
    } catch (e) {
      finish(job, 'failed', { error: jobError(e, 'WORKER_CRASHED') });
      return;
    }
    job.worker = worker;
    let exited!: () => void;
    workers.set(
      worker,
      new Promise<void>((resolve) => {
        exited = resolve;
      }),
    );
    worker.on('message', (m: WorkerMessage) => {
      if (job.worker !== worker) return;
      if (m.type === 'progress') {
        if (m.fraction >= job.info.progress.fraction) {
          update(job, { progress: { fraction: m.fraction, message: m.message } });
        }
      } else if (m.type === 'succeeded') finish(job, 'succeeded', { result: m.result });
      else finish(job, 'failed', { error: m.error });
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (job.worker !== worker) return;
      const code =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'WORKER_OUT_OF_MEMORY' : 'WORKER_CRASHED';
      finish(job, 'failed', { error: jobError(e, code) });
    });
    worker.on('exit', (code) => {
      if (job.worker === worker) {
        finish(job, 'failed', {
          error: {
            code: 'WORKER_EXITED',
            message: `the worker exited (code ${code}) without a result`,
          },
        });
      }
      workers.delete(worker);
      exited();
      pump();
    });
  };

  const pump = () => {
    while (!closed && workers.size < maxConcurrent && queue.length > 0) start(queue.shift()!);
  };

  const get = (id: string) => jobs.get(id)?.info;

  return {
    submit(kind, params, submitOptions) {
      if (closed) throw new TiltakError('RUNNER_CLOSED', 'the job runner is closed');
      const def = kinds[kind];
      if (def === undefined) {
        throw new TiltakError(
          'UNKNOWN_JOB_KIND',
          `unknown job kind '${kind}' (kinds: ${Object.keys(kinds).join(', ')})`,
          { value: kind },
        );
      }
      const actor = submitOptions?.actor;
      if (typeof actor !== 'string' || actor.trim() === '') {
        throw new TiltakError('BAD_ACTOR', 'a job needs the id of the actor who submits it');
      }
      const parsed = parseJobParams(kind, def.params, params);
      const job: JobState = {
        info: Object.freeze({
          id: randomUUID(),
          kind,
          actor,
          label: submitOptions.label ?? null,
          status: 'queued',
          progress: { fraction: 0, message: 'queued' },
          createdAt: new Date().toISOString(),
          startedAt: null,
          finishedAt: null,
          result: null,
          error: null,
        }),
        def,
        params: parsed,
        listeners: new Set(),
        worker: null,
      };
      jobs.set(job.info.id, job);
      queue.push(job);
      pump();
      return job.info;
    },
    get,
    list(filter = {}) {
      const statuses =
        filter.status === undefined
          ? null
          : new Set<JobStatus>(typeof filter.status === 'string' ? [filter.status] : filter.status);
      const out: JobInfo[] = [];
      for (const { info } of jobs.values()) {
        if (filter.actor !== undefined && info.actor !== filter.actor) continue;
        if (filter.kind !== undefined && info.kind !== filter.kind) continue;
        if (statuses !== null && !statuses.has(info.status)) continue;
        out.push(info);
      }
      return out;
    },
    cancel(id) {
      const job = jobs.get(id);
      if (job === undefined || FINISHED.has(job.info.status)) return false;
      const q = queue.indexOf(job);
      if (q >= 0) queue.splice(q, 1);
      finish(job, 'cancelled');
      return true;
    },
    subscribe(id, listener) {
      const job = jobs.get(id);
      if (job === undefined) throw new TiltakError('JOB_NOT_FOUND', `no job with id '${id}'`);
      if (FINISHED.has(job.info.status)) return () => {};
      job.listeners.add(listener);
      return () => {
        job.listeners.delete(listener);
      };
    },
    kinds: () => Object.keys(kinds),
    activeWorkers: () => workers.size,
    async close() {
      closed = true;
      for (const job of [...queue]) finish(job, 'cancelled');
      queue.length = 0;
      for (const job of jobs.values()) if (job.info.status === 'running') finish(job, 'cancelled');
      await Promise.all(workers.values());
    },
  };
}

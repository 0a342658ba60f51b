import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createJobRunner, type JobInfo, type JobRunner } from '../../jobs/index.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type Database, writeAudited } from '../../store/index.ts';
import { actorOf, type SessionUser } from '../auth/roles.ts';

/**
 * The app's background jobs: one {@link JobRunner} (closed with the app), a server-owned folder
 * for uploaded register files and job outputs (removed with the app; each upload is deleted when
 * its job ends, outputs stay until the app closes), and who may see which job.
 *
 * @example
 * const jobs = createServerJobs();
 * await jobs.close();
 */
export interface ServerJobs {
  readonly runner: JobRunner;
  /** Write an upload into the server's own temporary folder; returns its path (never user-chosen). */
  saveUpload(data: Buffer, extension: 'csv' | 'parquet'): string;
  /** Remember a file to delete when the job finishes. */
  own(jobId: string, path: string): void;
  /** Delete an upload no job took. */
  discard(path: string): void;
  /** A fresh server-owned path for a job's output file (kept until the app closes). */
  outputPath(extension: 'parquet'): string;
  /**
   * Remember the output file of a job (e.g. a register import's per-family screening results),
   * with what the submitter said about it (e.g. the office whose caseload the file is).
   */
  keepOutput(jobId: string, path: string, meta?: Readonly<Record<string, string>>): void;
  /** The output file of a job and its notes, if it has one that still exists. */
  output(jobId: string): { path: string; meta: Readonly<Record<string, string>> } | undefined;
  close(): Promise<void>;
}

/**
 * Create the app's job runner (one job at a time by default: the server keeps a core for
 * requests) and its upload folder.
 *
 * @example
 * const jobs = createServerJobs({ maxConcurrent: 1 });
 */
export function createServerJobs(
  options: {
    maxConcurrent?: number;
    /** Finished (or interrupted) jobs of an earlier run, oldest first. */
    restore?: readonly JobInfo[];
    /** Keep a job's record: called when it is submitted and again when it finishes. */
    record?: (job: JobInfo) => Promise<void>;
    /** A record could not be written (the job itself is unaffected). */
    onRecordError?: (error: unknown, job: JobInfo) => void;
  } = {},
): ServerJobs {
  const uploads = mkdtempSync(join(tmpdir(), 'tiltak-uploads-'));
  const owned = new Map<string, string>();
  const outputs = new Map<string, { path: string; meta: Readonly<Record<string, string>> }>();
  let n = 0;
  const removeOwned = (id: string) => {
    const path = owned.get(id);
    if (path === undefined) return;
    owned.delete(id);
    rmSync(path, { force: true });
  };
  const record = options.record;
  const recordError = options.onRecordError ?? (() => {});
  const inner = createJobRunner({
    maxConcurrent: options.maxConcurrent ?? 1,
    ...(options.restore === undefined ? {} : { restore: options.restore }),
    onRecordError: recordError,
    onFinished: async (job) => {
      removeOwned(job.id);
      await record?.(job);
    },
  });
  const runner: JobRunner =
    record === undefined
      ? inner
      : {
          ...inner,
          submit(kind, params, submitOptions) {
            const job = inner.submit(kind, params, submitOptions);
            record(job).catch((e: unknown) => recordError(e, job));
            return job;
          },
        };
  return {
    runner,
    saveUpload(data, extension) {
      n += 1;
      const path = join(uploads, `upload-${n}-${randomBytes(6).toString('hex')}.${extension}`);
      writeFileSync(path, data, { mode: 0o600 });
      return path;
    },
    own(jobId, path) {
      const job = runner.get(jobId);
      if (job !== undefined && job.finishedAt !== null) rmSync(path, { force: true });
      else owned.set(jobId, path);
    },
    discard(path) {
      if (path.startsWith(uploads)) rmSync(path, { force: true });
    },
    outputPath(extension) {
      n += 1;
      return join(uploads, `output-${n}-${randomBytes(6).toString('hex')}.${extension}`);
    },
    keepOutput(jobId, path, meta = {}) {
      outputs.set(jobId, { path, meta });
    },
    output(jobId) {
      const out = outputs.get(jobId);
      return out !== undefined && existsSync(out.path) ? out : undefined;
    },
    async close() {
      await runner.close();
      for (const id of [...owned.keys()]) removeOwned(id);
      rmSync(uploads, { recursive: true, force: true });
    },
  };
}

/**
 * Whether a user may see (and cancel) a job: its submitter, or an administrator.
 *
 * @example
 * if (!mayAccessJob(user, job)) throw new TiltakError('NOT_FOUND', 'no such job');
 */
export function mayAccessJob(user: SessionUser, job: JobInfo): boolean {
  return user.role === 'administrator' || job.actor === user.id;
}

/**
 * The job a user asked for, or `NOT_FOUND` (also for another user's job, so ids are not probed).
 *
 * @example
 * const job = visibleJob(jobs.runner, user, id);
 */
export function visibleJob(runner: JobRunner, user: SessionUser, id: string): JobInfo {
  const job = runner.get(id);
  if (job === undefined || !mayAccessJob(user, job))
    throw new TiltakError('NOT_FOUND', `no job ${id}`);
  return job;
}

/**
 * Submit a job and log the submission in the audit log (kind, label and a summary of the
 * parameters, never data arrays or file paths). Invalid parameters fail before anything is
 * logged.
 *
 * @example
 * const job = await submitAudited(db, jobs.runner, user, 'power-simulation', params, 'Power', { reps: 500 });
 */
export async function submitAudited(
  db: Kysely<Database>,
  runner: JobRunner,
  user: SessionUser,
  kind: string,
  params: unknown,
  label: string,
  summary: Record<string, string | number | boolean | null>,
): Promise<JobInfo> {
  let job: JobInfo | undefined;
  await writeAudited(db, { actor: actorOf(user), action: 'submit', entity: 'job' }, async () => {
    job = runner.submit(kind, params, { actor: user.id, label });
    return { entityId: job.id, before: null, after: { kind, label, ...summary }, result: null };
  });
  return job!;
}

/**
 * Cancel a job the user may see, logged in the audit log; false when it had already finished.
 *
 * @example
 * await cancelAudited(db, jobs.runner, user, id);
 */
export async function cancelAudited(
  db: Kysely<Database>,
  runner: JobRunner,
  user: SessionUser,
  id: string,
): Promise<JobInfo> {
  const job = visibleJob(runner, user, id);
  if (job.finishedAt !== null) return job;
  await writeAudited(db, { actor: actorOf(user), action: 'cancel', entity: 'job' }, async () => {
    runner.cancel(id);
    return { entityId: id, before: null, after: { kind: job.kind }, result: null };
  });
  return runner.get(id) ?? job;
}

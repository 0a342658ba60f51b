import { sql } from 'kysely';
import type { JobInfo } from '../../jobs/index.ts';
import type { ServerDb } from '../db.ts';

/** Jobs brought back after a restart, newest first (older records stay in the table). */
export const RESTORED_JOBS = 500;

/**
 * Write a job's record: inserted when it is submitted, replaced when it finishes. A finished
 * record is never replaced by an unfinished one, so a late "queued" write cannot undo a result.
 *
 * @example
 * await saveJobRecord(sdb, runner.get(id)!);
 */
export async function saveJobRecord(sdb: ServerDb, job: JobInfo): Promise<void> {
  const row = {
    id: job.id,
    actor: job.actor,
    kind: job.kind,
    status: job.status,
    created_at: job.createdAt,
    finished_at: job.finishedAt,
    info: JSON.stringify(job),
  };
  await sdb
    .insertInto('app_job')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ status: row.status, finished_at: row.finished_at, info: row.info })
        .where(sql<boolean>`app_job.finished_at is null`),
    )
    .execute();
}

/**
 * The most recent job records, oldest first (the order the runner restores them in). Jobs that
 * were queued or running when the server stopped come back as they were recorded; the runner
 * marks them failed with `JOB_INTERRUPTED`.
 *
 * @example
 * const restore = await loadJobRecords(sdb);
 * const runner = createJobRunner({ restore });
 */
export async function loadJobRecords(sdb: ServerDb, limit = RESTORED_JOBS): Promise<JobInfo[]> {
  const rows = await sdb
    .selectFrom('app_job')
    .select('info')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.info as unknown as JobInfo).reverse();
}

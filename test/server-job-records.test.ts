import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../src/jobs/index.ts';
import { buildApp } from '../src/server/app.ts';
import { serverDb } from '../src/server/db.ts';
import { InjectClient } from '../src/server/inject-client.ts';
import { seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { seedSmallTrial } from '../src/server/seed-small-trial.ts';
import { loadJobRecords, saveJobRecord } from '../src/server/services/job-records.ts';
import { openStore, type Store } from '../src/store/index.ts';

const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

let store: Store;

beforeAll(async () => {
  store = await openStore({ memory: true });
  const seeded = await seedSmallTrial(store, { seed: 3, offices: 4, familiesPerOffice: 4 });
  await seedDemoUsers(store, [seeded.offices[0]!.id, seeded.offices[1]!.id], CHEAP);
}, 60_000);

afterAll(async () => {
  await store?.close();
});

async function waitFor(c: InjectClient, id: string): Promise<JobInfo> {
  for (let i = 0; i < 600; i++) {
    const job = (await c.get(`/api/jobs/${id}`)).json() as JobInfo;
    if (job.finishedAt !== null) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('job records across a restart', () => {
  let first: FastifyInstance;

  it('keeps a finished job’s result and marks a job the restart interrupted as failed', async () => {
    first = await buildApp({ store, loginRateLimit: 50 });
    const researcher = await InjectClient.login(first, 'forsker', 'demo-forsker-2016');
    const done = await researcher.post('/api/jobs/power-simulation', {
      nClusters: 10,
      clusterSize: 5,
      icc: 0.05,
      effect: 0.5,
      reps: 50,
    });
    const finished = await waitFor(researcher, (done.json() as JobInfo).id);
    expect(finished.status).toBe('succeeded');
    // A long job still queued or running when the server stops.
    const long = (
      await researcher.post('/api/jobs/power-simulation', {
        nClusters: 40,
        clusterSize: 50,
        icc: 0.05,
        effect: 0.2,
        reps: 20_000,
        analysis: 'lmm-kr',
      })
    ).json() as JobInfo;
    // Let the submission record land before the server goes down mid-job.
    for (let i = 0; i < 100; i++) {
      const ids = (await loadJobRecords(serverDb(store))).map((j) => j.id);
      if (ids.includes(long.id)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Simulate a crash: the record of the long job stays unfinished.
    const sdb = serverDb(store);
    await first.close();
    await sdb
      .updateTable('app_job')
      .set({
        status: 'running',
        finished_at: null,
        info: JSON.stringify({ ...long, status: 'running' }),
      })
      .where('id', '=', long.id)
      .execute();

    const second = await buildApp({ store, loginRateLimit: 50 });
    try {
      const again = await InjectClient.login(second, 'forsker', 'demo-forsker-2016');
      const kept = (await again.get(`/api/jobs/${finished.id}`)).json() as JobInfo;
      expect(kept).toEqual(finished);
      const interrupted = (await again.get(`/api/jobs/${long.id}`)).json() as JobInfo;
      expect(interrupted.status).toBe('failed');
      expect(interrupted.error?.code).toBe('JOB_INTERRUPTED');
      const list = (await again.get('/api/jobs')).json() as { jobs: JobInfo[] };
      expect(list.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([finished.id, long.id]));
      // Other users still do not see them.
      const leader = await InjectClient.login(second, 'leder', 'demo-leder-2016');
      expect((await leader.get(`/api/jobs/${finished.id}`)).statusCode).toBe(403);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('never lets a late submission record overwrite a finished one', async () => {
    const sdb = serverDb(store);
    const base: JobInfo = {
      id: 'job-order-test',
      kind: 'power-simulation',
      actor: 'forsker',
      label: null,
      status: 'succeeded',
      progress: { fraction: 1, message: 'done' },
      createdAt: '2026-11-23T10:00:00.000Z',
      startedAt: '2026-11-23T10:00:00.100Z',
      finishedAt: '2026-11-23T10:00:01.000Z',
      result: { power: 0.8 },
      error: null,
    };
    await saveJobRecord(sdb, base);
    await saveJobRecord(sdb, {
      ...base,
      status: 'queued',
      startedAt: null,
      finishedAt: null,
      result: null,
      progress: { fraction: 0, message: '' },
    });
    const rows = await loadJobRecords(sdb);
    expect(rows.find((j) => j.id === base.id)).toEqual(base);
  });
});

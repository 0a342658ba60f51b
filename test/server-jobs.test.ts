import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialLongData } from '../src/analysis/trial-data.ts';
import type { JobInfo } from '../src/jobs/index.ts';
import { buildApp } from '../src/server/app.ts';
import { InjectClient } from '../src/server/inject-client.ts';
import { seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { seedSmallTrial } from '../src/server/seed-small-trial.ts';
import {
  listAuditEntries,
  openStore,
  type Store,
  updateOfficeCovariates,
} from '../src/store/index.ts';

const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

let store: Store;
let app: FastifyInstance;
let admin: InjectClient;
let researcher: InjectClient;
let coordinator: InjectClient;
let seeded: Awaited<ReturnType<typeof seedSmallTrial>>;

beforeAll(async () => {
  // This file's app keeps its uploads under a temporary folder of its own, so the checks below
  // see only its files, not those of apps in test files running beside it.
  process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'tiltak-jobs-test-'));
  store = await openStore({ memory: true });
  seeded = await seedSmallTrial(store, { seed: 5, offices: 6, familiesPerOffice: 6 });
  await seedDemoUsers(store, [seeded.offices[0]!.id, seeded.offices[1]!.id], CHEAP);
  app = await buildApp({ store, loginRateLimit: 50 });
  admin = await InjectClient.login(app, 'admin', 'demo-admin-2016');
  researcher = await InjectClient.login(app, 'forsker', 'demo-forsker-2016');
  coordinator = await InjectClient.login(app, 'koordinator', 'demo-koordinator-2016');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function waitFor(c: InjectClient, id: string): Promise<JobInfo> {
  for (let i = 0; i < 600; i++) {
    const job = (await c.get(`/api/jobs/${id}`)).json() as JobInfo;
    if (job.finishedAt !== null) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

/** The `data:` payloads of a server-sent event stream. */
function events(body: string): JobInfo[] {
  return body
    .split('\n\n')
    .filter((b) => b.startsWith('event: job'))
    .map((b) => JSON.parse(b.split('\ndata: ')[1]!) as JobInfo);
}

describe('background jobs', () => {
  it('runs an exact randomisation test on the trial data, streams its progress and audits the submission', async () => {
    const res = await researcher.post('/api/jobs/randomisation-test', {
      outcome: 'wai_sr',
      wave: 'T1',
    });
    expect(res.statusCode).toBe(202);
    const job = res.json() as JobInfo;
    expect(job).toMatchObject({ kind: 'ri-enumeration', status: expect.any(String) });
    const stream = await researcher.get(`/api/jobs/${job.id}/events`);
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const seen = events(stream.body);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)!.status).toBe('succeeded');
    const fractions = seen.map((s) => s.progress.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const done = await waitFor(researcher, job.id);
    const result = done.result as { exact: boolean; pValue: number; totalAllocations: number };
    // 6 offices, 3 treated: all 20 allocations enumerated.
    expect(result).toMatchObject({ exact: true, totalAllocations: 20 });
    expect(result.pValue).toBeGreaterThan(0);
    const audit = await listAuditEntries(store.db, { entity: 'job', entityId: job.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'submit', actor: 'user:forsker' });
    expect(JSON.stringify(audit[0]!.after)).not.toContain('[');
  }, 60_000);

  it('runs a wild cluster bootstrap of the treatment effect on one wave, clustered by office', async () => {
    expect(
      (await coordinator.post('/api/jobs/wild-bootstrap', { outcome: 'wai_sr', wave: 'T1' }))
        .statusCode,
    ).toBe(403);
    const res = await researcher.post('/api/jobs/wild-bootstrap', {
      outcome: 'wai_sr',
      wave: 'T1',
      weights: 'rademacher',
      reps: 999,
    });
    expect(res.statusCode).toBe(202);
    const done = await waitFor(researcher, (res.json() as JobInfo).id);
    expect(done.status).toBe('succeeded');
    const r = done.result as {
      estimate: number;
      pValue: number;
      reps: number;
      enumerated: boolean;
      nClusters: number;
      confLow: number;
      confHigh: number;
    };
    // The same wave sliced independently: the OLS coefficient of y ~ treated is the difference in means.
    const data = await trialLongData(store.db, seeded.trial.id);
    const y = data.columns.get('wai_sr')!.values as ArrayLike<number>;
    const wave = data.columns.get('wave')!.values;
    const arm = data.columns.get('arm')!.values;
    const sums = [0, 0];
    const counts = [0, 0];
    for (let i = 0; i < data.nrow; i++) {
      if (wave[i] !== 'T1' || Number.isNaN(y[i]!)) continue;
      const g = arm[i] === seeded.trial.arms[0]!.name ? 1 : 0;
      sums[g]! += y[i]!;
      counts[g]! += 1;
    }
    const diff = sums[1]! / counts[1]! - sums[0]! / counts[0]!;
    expect(Math.abs(r.estimate - diff)).toBeLessThan(1e-10);
    // Six offices: all 2^6 Rademacher sign vectors are enumerated, so p is a multiple of 1/64.
    expect(r).toMatchObject({ enumerated: true, reps: 64, nClusters: 6 });
    expect(Math.abs(r.pValue * 64 - Math.round(r.pValue * 64))).toBeLessThan(1e-9);
    expect(r.confLow).toBeLessThan(r.estimate);
    expect(r.confHigh).toBeGreaterThan(r.estimate);
  }, 60_000);

  it('refuses an unknown outcome or bad parameters before anything runs or is logged', async () => {
    const before = (await listAuditEntries(store.db, { entity: 'job' })).length;
    const unknown = await researcher.post('/api/jobs/randomisation-test', {
      outcome: 'nothing',
      wave: 'T1',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_COLUMN' });
    const bad = await researcher.post('/api/jobs/power-simulation', {
      nClusters: 1,
      clusterSize: 10,
      icc: 0.05,
      effect: 0.3,
    });
    expect(bad.statusCode).toBe(400);
    expect((await listAuditEntries(store.db, { entity: 'job' })).length).toBe(before);
  });

  it('cancels a running power simulation, audited, and shows it only to its owner and the administrator', async () => {
    const res = await researcher.post('/api/jobs/power-simulation', {
      nClusters: 30,
      clusterSize: 40,
      icc: 0.05,
      effect: 0.2,
      reps: 20_000,
      analysis: 'ols-cr2',
    });
    expect(res.statusCode).toBe(202);
    const id = (res.json() as JobInfo).id;
    expect((await admin.get(`/api/jobs/${id}`)).statusCode).toBe(200);
    const list = (await admin.get('/api/jobs')).json() as { jobs: JobInfo[] };
    expect(list.jobs.map((j) => j.id)).toContain(id);
    expect((await coordinator.get(`/api/jobs/${id}`)).statusCode).toBe(403);
    const cancelled = await researcher.request({ method: 'DELETE', url: `/api/jobs/${id}` });
    expect(cancelled.statusCode).toBe(200);
    expect((cancelled.json() as JobInfo).status).toBe('cancelled');
    const audit = await listAuditEntries(store.db, { entity: 'job', entityId: id });
    expect(audit.map((e) => e.action)).toEqual(['submit', 'cancel']);
    // A finished job's stream sends its final state once and ends.
    const stream = await researcher.get(`/api/jobs/${id}/events`);
    expect(events(stream.body).map((j) => j.status)).toEqual(['cancelled']);
  }, 60_000);

  it('hides one researcher’s jobs from another user who is not an administrator', async () => {
    const res = await admin.post('/api/jobs/power-simulation', {
      nClusters: 6,
      clusterSize: 10,
      icc: 0.05,
      effect: 0.5,
      reps: 20,
    });
    const id = (res.json() as JobInfo).id;
    expect((await researcher.get(`/api/jobs/${id}`)).statusCode).toBe(404);
    expect(
      (await researcher.request({ method: 'DELETE', url: `/api/jobs/${id}` })).statusCode,
    ).toBe(404);
    const mine = (await researcher.get('/api/jobs')).json() as { jobs: JobInfo[] };
    expect(mine.jobs.map((j) => j.id)).not.toContain(id);
    const done = await waitFor(admin, id);
    expect(done.status).toBe('succeeded');
    expect((done.result as { power: number }).power).toBeGreaterThan(0);
  }, 60_000);

  it('imports an uploaded register file as an administrator only, from a server-owned file', async () => {
    const csv = 'not,a,register\n1,2,3\n';
    const saved = process.env.TILTAK_PSEUDONYM_KEY;
    delete process.env.TILTAK_PSEUDONYM_KEY;
    const noKey = await admin.request({
      method: 'POST',
      url: '/api/jobs/register-import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(noKey.statusCode).toBe(409);
    expect(noKey.json()).toMatchObject({ code: 'PSEUDONYM_KEY_MISSING' });
    // Workers inherit the server's environment, where the key lives.
    process.env.TILTAK_PSEUDONYM_KEY = 'test-key-0123456789abcdef0123456789';
    const denied = await researcher.request({
      method: 'POST',
      url: '/api/jobs/register-import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(denied.statusCode).toBe(403);
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('tiltak-uploads-'));
    const res = await admin.request({
      method: 'POST',
      url: '/api/jobs/register-import?asOf=2016-06',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(202);
    const job = await waitFor(admin, (res.json() as JobInfo).id);
    // A file that is not a register extract fails in the worker with a clear code.
    expect(job.status).toBe('failed');
    expect(job.error?.code).toMatch(/^[A-Z_]+$/);
    expect(job.error?.code).not.toBe('PSEUDONYM_KEY_MISSING');
    // The message names the file as the uploader knows it, never the server's folder.
    expect(job.error?.message).toContain('uploaded register file');
    expect(job.error?.message).not.toContain(tmpdir());
    const audit = await listAuditEntries(store.db, { entity: 'job', entityId: job.id });
    expect(audit[0]).toMatchObject({ action: 'submit', actor: 'user:admin' });
    expect(JSON.stringify(audit[0]!.after)).not.toContain(tmpdir());
    // The uploaded copy is removed once its job has finished (outputs stay until the app closes).
    const dirs = readdirSync(tmpdir()).filter((f) => f.startsWith('tiltak-uploads-'));
    expect(dirs).toHaveLength(1);
    expect(before.length).toBeLessThanOrEqual(1);
    for (const d of dirs)
      expect(readdirSync(`${tmpdir()}/${d}`).filter((f) => f.startsWith('upload-'))).toEqual([]);
    // No path can be given: a JSON body is refused.
    const path = await admin.post('/api/jobs/register-import', { path: '/etc/passwd' });
    expect(path.statusCode).toBe(400);
    if (saved === undefined) delete process.env.TILTAK_PSEUDONYM_KEY;
    else process.env.TILTAK_PSEUDONYM_KEY = saved;
  }, 60_000);

  it('stores a reviewed register import’s identified families in the trial, once', async () => {
    const saved = process.env.TILTAK_PSEUDONYM_KEY;
    process.env.TILTAK_PSEUDONYM_KEY = 'test-key-0123456789abcdef0123456789';
    try {
      // Two of the trial's offices serve the fixture's Oslo and Bergen families; 5001 has none.
      for (const [k, municipality] of [
        [0, '0301'],
        [1, '4601'],
      ] as const) {
        const o = await store.db
          .selectFrom('office')
          .select(['id', 'covariates'])
          .where('id', '=', seeded.offices[k]!.id)
          .executeTakeFirstOrThrow();
        await updateOfficeCovariates(store.db, 'stat:test', o.id, {
          ...(o.covariates as Record<string, string | number | boolean>),
          municipality,
        });
      }
      const familiesBefore = (await store.db.selectFrom('family').select('id').execute()).length;
      const res = await admin.request({
        method: 'POST',
        // A file named after a personal id: the name is masked before it is shown or logged.
        url: '/api/jobs/register-import?name=uttrekk-01017012345.csv',
        headers: { 'content-type': 'text/csv' },
        payload: readFileSync('test/fixtures/data/registers-holf.csv'),
      });
      expect(res.statusCode).toBe(202);
      const job = await waitFor(admin, (res.json() as JobInfo).id);
      expect(job.status).toBe('succeeded');
      expect(job.label).toBe('uttrekk-***********.csv');
      const submitted = await listAuditEntries(store.db, { entity: 'job', entityId: job.id });
      expect(JSON.stringify(submitted)).not.toContain('01017012345');
      expect(JSON.stringify(job.result)).not.toContain('01017012345');
      const screening = (
        job.result as { screening: { meetingInclusion: number; families: number } }
      ).screening;
      const url = `/api/jobs/${job.id}/store-screening`;
      expect((await researcher.post(url, {})).statusCode).toBe(403);
      const first = await admin.post(url, {});
      expect(first.statusCode).toBe(200);
      const r = first.json() as {
        identified: number;
        created: number;
        unchanged: number;
        notIncluded: number;
        outsideOffices: number;
        byOffice: { office: string; identified: number }[];
      };
      expect(r.identified + r.outsideOffices).toBe(screening.meetingInclusion);
      expect(r.notIncluded).toBe(screening.families - screening.meetingInclusion);
      expect(r.outsideOffices).toBeGreaterThan(0);
      expect(r.created).toBe(r.identified);
      expect(r.byOffice.map((o) => o.office).sort()).toEqual(
        [seeded.offices[0]!.code, seeded.offices[1]!.code].sort(),
      );
      const familiesAfter = (await store.db.selectFrom('family').select('id').execute()).length;
      expect(familiesAfter).toBe(familiesBefore + r.identified);
      // The response carries counts only: no pseudonym leaves the server.
      expect(first.body).not.toMatch(/[0-9a-f]{64}/);
      const again = (await admin.post(url, {})).json() as typeof r;
      expect(again).toMatchObject({ created: 0, unchanged: r.identified });
      const family = await listAuditEntries(store.db, { entity: 'family' });
      expect(family.filter((e) => e.actor === 'user:admin')).toHaveLength(r.identified);
      // Only a succeeded register import has results to store.
      const ri = (
        await researcher.post('/api/jobs/randomisation-test', { outcome: 'wai_sr', wave: 'T1' })
      ).json() as JobInfo;
      await waitFor(researcher, ri.id);
      const wrong = await admin.post(`/api/jobs/${ri.id}/store-screening`, {});
      expect(wrong.statusCode).toBe(409);
      expect(wrong.json()).toMatchObject({ code: 'NO_SCREENING' });
      expect((await admin.post('/api/jobs/nope/store-screening', {})).statusCode).toBe(404);
    } finally {
      if (saved === undefined) delete process.env.TILTAK_PSEUDONYM_KEY;
      else process.env.TILTAK_PSEUDONYM_KEY = saved;
    }
  }, 60_000);

  it('closes the runner and removes its upload folder with the app', async () => {
    const app2 = await buildApp({ store, loginRateLimit: 50 });
    const dirsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('tiltak-uploads-'));
    await app2.close();
    const dirsAfter = readdirSync(tmpdir()).filter((f) => f.startsWith('tiltak-uploads-'));
    expect(dirsAfter.length).toBe(dirsBefore.length - 1);
    expect(existsSync(tmpdir())).toBe(true);
  });
});

describe('progress over HTTP', () => {
  it('streams events to a real HTTP client and ends open streams when the app closes', async () => {
    const app3 = await buildApp({ store, loginRateLimit: 50 });
    const base = await app3.listen({ port: 0, host: '127.0.0.1' });
    const c = await InjectClient.login(app3, 'forsker', 'demo-forsker-2016');
    const job = (
      await c.post('/api/jobs/power-simulation', {
        nClusters: 40,
        clusterSize: 50,
        icc: 0.05,
        effect: 0.2,
        reps: 20_000,
        analysis: 'ols-cr2',
      })
    ).json() as JobInfo;
    const res = await fetch(`${base}/api/jobs/${job.id}/events`, {
      headers: { cookie: c.cookieHeader() },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"status":"running"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('event: job');
    const closing = app3.close();
    // The stream ends (the job is cancelled with the app), so close does not hang.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    expect(events(text).length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { designSpec, randomize } from '../src/design/randomize.ts';
import { readCsv } from '../src/io/read-csv.ts';
import {
  createJobRunner,
  type JobInfo,
  type JobRunner,
  jobInfoSchema,
  toJson,
} from '../src/jobs/index.ts';
import { importRegisterFile } from '../src/registers/import.ts';
import { pseudonymKey } from '../src/registers/pseudonym.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { randomizationTest } from '../src/stats/inference/randomization.ts';
import { wildClusterBootstrap } from '../src/stats/inference/wild-bootstrap.ts';
import { simulatePower } from '../src/stats/power/simulate.ts';

// Results cross a thread boundary as JSON, so "the same result" means exactly equal numbers: no
// tolerance, the worker runs the same code on the same input.

const runners: JobRunner[] = [];
const runner = (opts: Parameters<typeof createJobRunner>[0] = {}) => {
  const r = createJobRunner(opts);
  runners.push(r);
  return r;
};
const dir = mkdtempSync(join(tmpdir(), 'tiltak-jobs-'));
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolve with the finished job, collecting every update on the way. */
function finished(r: JobRunner, id: string, updates: JobInfo[] = []): Promise<JobInfo> {
  return new Promise((resolve) => {
    const now = r.get(id)!;
    if (['succeeded', 'failed', 'cancelled'].includes(now.status)) {
      resolve(now);
      return;
    }
    r.subscribe(id, (job) => {
      updates.push(job);
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) resolve(job);
    });
  });
}

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isTiltakError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

// Seven clusters, two treated: the ri2 example with exact p = 8/21.
const ri7 = {
  outcome: [15, 15, 20, 20, 10, 15, 30],
  treatment: [1, 0, 0, 0, 0, 0, 1] as (0 | 1)[],
  cluster: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
};

describe('job runner', () => {
  it('runs jobs in workers with the same results as direct calls (RI exact, power with a seed)', async () => {
    const r = runner({ maxConcurrent: 2 });
    const ri = r.submit('ri-enumeration', { ...ri7, ciLevel: 0.8 }, { actor: 'u1', label: 'RI' });
    const powerParams = {
      nClusters: 6,
      clusterSize: 10,
      icc: 0.05,
      effect: 0.5,
      reps: 400,
      seed: 42,
      analysis: 'ols-cr2',
    };
    const pw = r.submit('power-simulation', powerParams, { actor: 'u2' });
    expect(ri).toMatchObject({ kind: 'ri-enumeration', actor: 'u1', label: 'RI' });
    const powerUpdates: JobInfo[] = [];
    const [riDone, pwDone] = await Promise.all([
      finished(r, ri.id),
      finished(r, pw.id, powerUpdates),
    ]);

    expect(riDone.status, JSON.stringify(riDone.error)).toBe('succeeded');
    const direct = randomizationTest({
      outcome: Float64Array.from(ri7.outcome),
      treatment: ri7.treatment,
      cluster: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
      nClusters: 7,
      ciLevel: 0.8,
    });
    expect(riDone.result).toEqual({ ...(toJson(direct) as object), clusters: ri7.cluster });
    expect((riDone.result as { pValue: number }).pValue).toBe(8 / 21);

    expect(pwDone.status, JSON.stringify(pwDone.error)).toBe('succeeded');
    const { olsCr2Analysis } = await import('../src/stats/power/analyses.ts');
    const directPower = simulatePower({
      nClusters: 6,
      clusterSize: 10,
      icc: 0.05,
      effect: 0.5,
      reps: 400,
      seed: 42,
      analysis: olsCr2Analysis,
      analysisName: 'OLS with CR2, Satterthwaite df',
    });
    expect(pwDone.result).toEqual(toJson(directPower));

    // Progress: in order, never back, the last update is the finished job at 1.
    const fractions = powerUpdates.map((u) => u.progress.fraction);
    expect(fractions.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < fractions.length; i++) {
      expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    }
    expect(powerUpdates.at(-1)!.progress).toEqual({ fraction: 1, message: 'done' });
    expect(powerUpdates.slice(0, -1).every((u) => u.status === 'running')).toBe(true);
    expect(pwDone.startedAt! >= pwDone.createdAt && pwDone.finishedAt! >= pwDone.startedAt!).toBe(
      true,
    );
    expect(r.list({ actor: 'u2' }).map((j) => j.id)).toEqual([pw.id]);
    expect(r.list({ status: 'succeeded' })).toHaveLength(2);
  });

  it('runs simulation power with the mixed-model analysis like the direct call', async () => {
    const r = runner();
    const params = { nClusters: 4, clusterSize: 6, icc: 0.1, effect: 1, reps: 30, seed: 5 };
    const job = r.submit('power-simulation', { ...params, analysis: 'lmm-kr' }, { actor: 'u1' });
    const done = await finished(r, job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const { lmmAnalysis } = await import('../src/stats/power/analyses.ts');
    const direct = simulatePower({
      ...params,
      analysis: lmmAnalysis('kenward-roger'),
      analysisName: 'random-intercept LMM (REML), Kenward–Roger df',
    });
    expect(done.result).toEqual(toJson(direct));
  });

  it('runs constrained randomisation and the wild bootstrap like the direct calls', async () => {
    const r = runner({ maxConcurrent: 2 });
    const offices = readCsv('test/fixtures/data/design-offices.csv');
    const values = (name: string) => {
      const c = offices.columns.get(name)!;
      return Array.from({ length: offices.nrow }, (_, i) => c.values[i] as number | string | null);
    };
    const ids = values('office') as string[];
    const balance = {
      columns: ['caseload', 'income'],
      values: [values('caseload'), values('income')],
    };
    const cr = r.submit(
      'constrained-randomisation',
      { ids, treated: 6, balance, cutoff: 0.1, seed: 20160101 },
      { actor: 'u1' },
    );
    const boot = readCsv('test/fixtures/data/boot-small.csv');
    const data: Record<string, (number | string | null)[]> = {};
    for (const [name, c] of boot.columns) data[name] = Array.from(c.values as ArrayLike<number>);
    const wb = r.submit(
      'wild-bootstrap',
      {
        formula: 'y ~ treat + x1',
        data,
        cluster: 'office',
        param: 'treat',
        reps: 999,
        seed: 3,
        weights: 'webb',
      },
      { actor: 'u1' },
    );
    const [crDone, wbDone] = await Promise.all([finished(r, cr.id), finished(r, wb.id)]);

    expect(crDone.status, JSON.stringify(crDone.error)).toBe('succeeded');
    const direct = randomize(designSpec({ ids, treated: 6, balance, cutoff: 0.1 }), 20160101);
    const res = crDone.result as Record<string, unknown>;
    expect(res.treatedIds).toEqual(direct.treatedIds);
    expect(res.acceptedSchemes).toBe(direct.acceptedSchemes);
    expect(res.chosenScore).toBe(direct.chosenScore);
    expect((res.record as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);

    // The record feeds the randomisation test of the constrained design.
    const y = ids.map((_, g) => g + (direct.treated[g] ? 5 : 0));
    const ri = r.submit(
      'ri-enumeration',
      {
        outcome: y,
        treatment: Array.from(direct.treated),
        cluster: ids,
        allocationRecord: res.record,
      },
      { actor: 'u1' },
    );
    const riDone = await finished(r, ri.id);
    expect(riDone.status, JSON.stringify(riDone.error)).toBe('succeeded');
    expect(riDone.result).toMatchObject({
      design: 'explicit',
      totalAllocations: direct.acceptedSchemes,
    });

    expect(wbDone.status, JSON.stringify(wbDone.error)).toBe('succeeded');
    const office = boot.columns.get('office')!.values as (string | null)[];
    const codes = new Map<string, number>();
    const cluster = Int32Array.from(office, (o) => {
      if (!codes.has(o!)) codes.set(o!, codes.size);
      return codes.get(o!)!;
    });
    const n = boot.nrow;
    const x = new Float64Array(3 * n).fill(1, 0, n);
    x.set(boot.columns.get('treat')!.values as Float64Array, n);
    x.set(boot.columns.get('x1')!.values as Float64Array, 2 * n);
    const d = wildClusterBootstrap(
      {
        x,
        y: boot.columns.get('y')!.values as Float64Array,
        n,
        p: 3,
        cluster,
        colnames: ['(Intercept)', 'treat', 'x1'],
      },
      { param: 'treat', reps: 999, seed: 3, weights: 'webb' },
    );
    expect(wbDone.result).toMatchObject({
      term: 'treat',
      estimate: d.estimate,
      pValue: d.pValue,
      confLow: d.confLow,
      confHigh: d.confHigh,
      reps: d.reps,
    });
  });

  it('imports and screens a register file in a worker; a rejected file fails with its code', async () => {
    const keyFile = join(dir, 'tiltak.key');
    writeFileSync(keyFile, 'test-key-0123456789abcdef');
    const r = runner({ maxConcurrent: 2 });
    const ok = r.submit(
      'register-import',
      { path: 'test/fixtures/data/registers-holf.csv', keyFile },
      { actor: 'u1' },
    );
    const bad = r.submit(
      'register-import',
      { path: 'test/fixtures/data/registers-bad.csv', keyFile },
      { actor: 'u1' },
    );
    const [okDone, badDone] = await Promise.all([finished(r, ok.id), finished(r, bad.id)]);
    expect(okDone.status, JSON.stringify(okDone.error)).toBe('succeeded');
    const direct = await importRegisterFile(
      'test/fixtures/data/registers-holf.csv',
      pseudonymKey('test-key-0123456789abcdef'),
    );
    expect(okDone.result).toMatchObject({
      import: { ...direct.summary, sourceSha256: direct.sourceSha256 },
    });
    expect(
      (okDone.result as { screening: { families: number } }).screening.families,
    ).toBeGreaterThan(0);
    expect(badDone.status).toBe('failed');
    expect(badDone.error!.code).toBe('REGISTER_REJECTED');
    expect(JSON.stringify(badDone.error)).not.toMatch(/\d{11}/);
    expect((badDone.error!.details as { badRows: unknown[] }).badRows.length).toBeGreaterThan(0);
  });

  it('reports a TiltakError code from the worker and rejects bad parameters at submit', async () => {
    const r = runner();
    // 40 clusters, 20 treated: C(40, 20) > 2^32 allocations cannot be enumerated.
    const G = 40;
    const job = r.submit(
      'ri-enumeration',
      {
        outcome: Array.from({ length: G }, (_, g) => g),
        treatment: Array.from({ length: G }, (_, g) => (g < 20 ? 1 : 0)),
        cluster: Array.from({ length: G }, (_, g) => g),
        exact: true,
      },
      { actor: 'u1' },
    );
    const done = await finished(r, job.id);
    expect(done.status).toBe('failed');
    expect(done.error!.code).toBe('TOO_MANY_ALLOCATIONS');
    expect(done.result).toBeNull();

    const e1 = errorOf(() =>
      r.submit('ri-enumeration', { ...ri7, outcome: [1, 2, 'x'] }, { actor: 'u1' }),
    );
    expect(e1.code).toBe('BAD_JOB_PARAMS');
    expect(e1.message).toMatch(/^ri-enumeration: outcome\[2\]: /);
    const e2 = errorOf(() => r.submit('power-simulation', { nClusters: 1 }, { actor: 'u1' }));
    expect(e2.message).toMatch(/power-simulation: nClusters: /);
    expect(
      errorOf(() => r.submit('ri-enumeration', { ...ri7, cluster: ['a'] }, { actor: 'u1' }))
        .message,
    ).toMatch(/cluster: has 1 entries, outcome has 7/);
    expect(errorOf(() => r.submit('nope', {}, { actor: 'u1' })).code).toBe('UNKNOWN_JOB_KIND');
    expect(errorOf(() => r.submit('ri-enumeration', ri7, { actor: '' })).code).toBe('BAD_ACTOR');
    expect(errorOf(() => createJobRunner({ maxConcurrent: 0 })).code).toBe('BAD_OPTION');
    expect(errorOf(() => r.subscribe('missing', () => {})).code).toBe('JOB_NOT_FOUND');
  });

  it('fails only the job whose worker crashes', async () => {
    const crash = `data:text/javascript,${encodeURIComponent(
      'export function run() { setTimeout(() => { throw new Error("boom 01028110029"); }, 10); return new Promise(() => {}); }',
    )}`;
    const r = runner({
      maxConcurrent: 2,
      kinds: { crash: { params: z.object({}), module: crash, progress: 'stages' } },
    });
    const bad = r.submit('crash', {}, { actor: 'u1' });
    const good = r.submit('ri-enumeration', ri7, { actor: 'u1' });
    const badDone = await finished(r, bad.id);
    expect(badDone.status).toBe('failed');
    expect(badDone.error).toEqual({ code: 'WORKER_CRASHED', message: 'boom ***********' });
    const goodDone = await finished(r, good.id);
    expect(goodDone.status).toBe('succeeded');
  });

  it('respects the concurrency limit, cancels queued jobs and records finished ones', async () => {
    const records: JobInfo[] = [];
    const r = runner({ maxConcurrent: 1, onFinished: (j) => void records.push(j) });
    const first = r.submit('ri-enumeration', ri7, { actor: 'u1' });
    const second = r.submit('ri-enumeration', ri7, { actor: 'u1' });
    const third = r.submit('ri-enumeration', ri7, { actor: 'u1' });
    expect(first.status).toBe('running');
    expect(second.status).toBe('queued');
    expect(r.get(third.id)!.status).toBe('queued');
    expect(r.cancel(third.id)).toBe(true);
    expect(r.get(third.id)!.status).toBe('cancelled');
    expect(r.cancel(third.id)).toBe(false);
    const seen: string[] = [];
    r.subscribe(first.id, (j) => {
      if (j.status === 'succeeded') seen.push(`first done, second ${r.get(second.id)!.status}`);
    });
    await finished(r, second.id);
    expect(seen).toEqual(['first done, second queued']);
    expect(r.get(second.id)!.startedAt! >= r.get(first.id)!.finishedAt!).toBe(true);
    expect(records.map((j) => [j.id, j.status])).toEqual([
      [third.id, 'cancelled'],
      [first.id, 'succeeded'],
      [second.id, 'succeeded'],
    ]);
    expect(jobInfoSchema.safeParse(records[1]).success).toBe(true);
    // A restarted runner shows the recorded jobs.
    const again = runner({ restore: JSON.parse(JSON.stringify(records)) as JobInfo[] });
    expect(again.get(first.id)!.result).toEqual(r.get(first.id)!.result);
    expect(again.list({ status: 'cancelled' }).map((j) => j.id)).toEqual([third.id]);
  });
});

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { recordSpace, verifyAllocationRecord } from '../../design/record.ts';
import { type JobInfo, jobInfoSchema } from '../../jobs/index.ts';
import { PSEUDONYM_KEY_ENV } from '../../registers/pseudonym.ts';
import { TiltakError } from '../../stats/errors.ts';
import { getAllocation } from '../../store/index.ts';
import { type AppContext, userOf, type ZodApp } from '../context.ts';
import { errorResponses } from '../schemas.ts';
import { cancelAudited, mayAccessJob, submitAudited, visibleJob } from '../services/jobs.ts';
import { storedScreeningSchema, storeScreeningFile } from '../services/store-screening.ts';
import { cachedTrial } from '../services/trial.ts';
import { cachedLongData } from '../services/trial-analysis.ts';

const jobParams = z.object({ id: z.string().min(1).max(100) });
const WAVES = ['T1', 'T2', 'T3', 'T4', 'T5'] as const;
const outcomeAtWave = z.object({
  outcome: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  wave: z.enum(WAVES),
});

/** Largest register file accepted for upload (64 MiB). */
const UPLOAD_LIMIT = 64 * 1024 * 1024;

/**
 * Background job routes over the app's one job runner: list, poll, stream progress (server-sent
 * events), cancel, and submit a randomisation test or a wild cluster bootstrap on the trial's data, a simulation power
 * analysis, or a register import (the file is uploaded as the request body into a server-owned
 * temporary folder; no path is ever taken from the user). Every submission and cancellation is
 * audited. Researchers see their own jobs, administrators every job.
 *
 * @example
 * registerJobRoutes(app, ctx);
 */
export function registerJobRoutes(app: ZodApp, ctx: AppContext): void {
  const runner = ctx.jobs.runner;
  // Open event streams by response, with the function that ends each.
  const streams = new Map<ServerResponse, () => void>();
  // Streams end before the server waits for its connections to close; jobs are cancelled after.
  app.addHook('preClose', async () => {
    for (const end of [...streams.values()]) end();
  });
  app.addHook('onClose', async () => {
    await ctx.jobs.close();
  });
  app.addContentTypeParser(
    ['text/csv', 'application/octet-stream', 'application/vnd.apache.parquet'],
    { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/api/jobs',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary: 'Background jobs: your own, or every job for administrators (newest first)',
        tags: ['jobs'],
        response: { 200: z.object({ jobs: z.array(jobInfoSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const user = userOf(request);
      return {
        jobs: runner
          .list()
          .filter((j) => mayAccessJob(user, j))
          .reverse(),
      };
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary: 'One job: status, progress and, once finished, its result or error',
        tags: ['jobs'],
        params: jobParams,
        response: { 200: jobInfoSchema, ...errorResponses },
      },
    },
    async (request) => visibleJob(runner, userOf(request), request.params.id),
  );

  app.get(
    '/api/jobs/:id/events',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary:
          'Progress of a job as server-sent events (event "job", data a JobInfo), ending when it finishes',
        tags: ['jobs'],
        params: jobParams,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const first = visibleJob(runner, userOf(request), id);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      });
      const send = (j: JobInfo) => {
        if (!raw.writableEnded) raw.write(`event: job\ndata: ${JSON.stringify(j)}\n\n`);
      };
      let off = () => {};
      const ping = setInterval(() => {
        if (!raw.writableEnded) raw.write(': ping\n\n');
      }, 15_000);
      const end = () => {
        off();
        clearInterval(ping);
        streams.delete(raw);
        if (!raw.writableEnded) raw.end();
      };
      streams.set(raw, end);
      raw.on('close', end);
      // The snapshot first, then changes; a job that finished in between is sent once more.
      send(first);
      if (first.finishedAt !== null) return end();
      off = runner.subscribe(id, (j) => {
        send(j);
        if (j.finishedAt !== null) end();
      });
      const now = runner.get(id);
      if (now !== undefined && now.finishedAt !== null && now !== first) {
        send(now);
        end();
      }
    },
  );

  app.delete(
    '/api/jobs/:id',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary: 'Cancel a queued or running job (audited); a finished job is returned as it is',
        tags: ['jobs'],
        params: jobParams,
        response: { 200: jobInfoSchema, ...errorResponses },
      },
    },
    async (request) => cancelAudited(ctx.db, runner, userOf(request), request.params.id),
  );

  app.post(
    '/api/jobs/randomisation-test',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary:
          "Start an exact randomisation test of an outcome at a wave on the trial's data, over the stored allocation's accepted space (or complete randomisation); audited",
        tags: ['jobs'],
        body: outcomeAtWave.extend({
          statistic: z.enum(['cluster-means', 'diff-in-means']).default('cluster-means'),
        }),
        response: { 202: jobInfoSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { params, summary } = await randomisationTestParams(ctx, request.body);
      const job = await submitAudited(
        ctx.db,
        runner,
        user,
        'ri-enumeration',
        params,
        `${request.body.outcome} · ${request.body.wave} · ${request.body.statistic}`,
        summary,
      );
      return reply.code(202).send(job);
    },
  );

  app.post(
    '/api/jobs/wild-bootstrap',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary:
          "Start a restricted wild cluster bootstrap (WCR) of the treatment effect on an outcome at a wave on the trial's data, clustered by office; audited",
        tags: ['jobs'],
        body: outcomeAtWave.extend({
          reps: z.number().int().min(99).max(999_999).default(9999),
          weights: z.enum(['rademacher', 'webb', 'mammen']).default('webb'),
          seed: z.number().int().min(0).max(2_147_483_647).default(1),
          level: z.number().gt(0.5).lt(1).default(0.95),
        }),
        response: { 202: jobInfoSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { outcome, treatment, cluster } = await waveSlice(ctx, b);
      const job = await submitAudited(
        ctx.db,
        runner,
        userOf(request),
        'wild-bootstrap',
        {
          formula: 'y ~ treated',
          data: { y: outcome, treated: treatment, office: cluster },
          cluster: 'office',
          param: 'treated',
          reps: b.reps,
          weights: b.weights,
          seed: b.seed,
          level: b.level,
        },
        `${b.outcome} · ${b.wave} · ${b.weights} · B = ${b.reps}`,
        {
          outcome: b.outcome,
          wave: b.wave,
          reps: b.reps,
          weights: b.weights,
          seed: b.seed,
          rows: outcome.length,
        },
      );
      return reply.code(202).send(job);
    },
  );

  app.post(
    '/api/jobs/power-simulation',
    {
      config: { permission: 'jobs:run' },
      schema: {
        summary: 'Start a simulation power analysis of a two-arm cluster trial (audited)',
        tags: ['jobs'],
        body: z.object({
          nClusters: z.number().int().min(4).max(200),
          clusterSize: z.number().min(1).max(1000),
          icc: z.number().min(0).lt(1),
          effect: z.number().gt(0).max(100),
          reps: z.number().int().min(10).max(20_000).default(1000),
          seed: z.number().int().min(0).max(2_147_483_647).default(1),
          analysis: z.enum(['cluster-means', 'ols-cr2', 'lmm', 'lmm-kr']).default('cluster-means'),
        }),
        response: { 202: jobInfoSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const job = await submitAudited(
        ctx.db,
        runner,
        userOf(request),
        'power-simulation',
        b,
        `G = ${b.nClusters} · m = ${b.clusterSize} · ICC ${b.icc} · d = ${b.effect} · ${b.analysis}`,
        { ...b },
      );
      return reply.code(202).send(job);
    },
  );

  app.post(
    '/api/jobs/register-import',
    {
      config: { permission: 'registers:import' },
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        summary:
          'Upload a register file (CSV body, text/csv) and start its import and screening (administrators; audited)',
        tags: ['jobs'],
        querystring: z.object({
          asOf: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
            .optional(),
          /** The office whose caseload the file is; its families are stored under it. */
          office: z.string().min(1).max(100).optional(),
          /** The file's name on the uploader's machine, shown in messages instead of a server path. */
          name: z
            .string()
            .min(1)
            .max(200)
            .regex(/^[^/\\]+$/, 'a file name, without folders')
            .optional(),
        }),
        response: { 202: jobInfoSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body as unknown;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new TiltakError('INVALID_INPUT', 'send the register file as a text/csv request body');
      // The worker reads the key from the environment it inherits; without one, refuse now
      // rather than keep a file of personal ids for a job that cannot pseudonymise it.
      if ((process.env[PSEUDONYM_KEY_ENV] ?? '').trim() === '')
        throw new TiltakError(
          'PSEUDONYM_KEY_MISSING',
          `the server has no pseudonymisation key: start it with ${PSEUDONYM_KEY_ENV} set`,
        );
      const office = request.query.office;
      if (office !== undefined) {
        const trial = await cachedTrial(ctx);
        const known = await ctx.db
          .selectFrom('office')
          .select('id')
          .where('trial_id', '=', trial.id)
          .where('code', '=', office)
          .executeTakeFirst();
        if (known === undefined)
          throw new TiltakError('UNKNOWN_OFFICE', `'${office}' is not an office of the trial`);
      }
      // The uploader's file name goes into messages, the job label and the audit log: a name
      // made of a personal id (or any run of six or more digits) is masked first.
      const shownName = (request.query.name ?? 'uploaded register file').replace(
        /\d(?:[\s.-]?\d){5,}/g,
        (d) => '*'.repeat(d.length),
      );
      const path = ctx.jobs.saveUpload(body, 'csv');
      // The per-family results stay server-side, for an administrator to store after review.
      const resultsOut = ctx.jobs.outputPath('parquet');
      let job: JobInfo;
      try {
        job = await submitAudited(
          ctx.db,
          runner,
          userOf(request),
          'register-import',
          {
            path,
            resultsOut,
            displayName: shownName,
            ...(request.query.asOf === undefined ? {} : { asOf: request.query.asOf }),
          },
          office === undefined ? shownName : `${shownName} · ${office}`,
          { bytes: body.length, asOf: request.query.asOf ?? null, office: office ?? null },
        );
      } catch (e) {
        ctx.jobs.discard(path);
        throw e;
      }
      ctx.jobs.own(job.id, path);
      ctx.jobs.keepOutput(job.id, resultsOut, office === undefined ? {} : { office });
      return reply.code(202).send(job);
    },
  );

  app.post(
    '/api/jobs/:id/store-screening',
    {
      config: { permission: 'registers:import' },
      schema: {
        summary:
          "Store a finished register import's identified families in the trial, each under the office serving its municipality, with its eligibility decision (administrators; one audited transaction; storing again changes nothing)",
        tags: ['jobs'],
        params: jobParams,
        response: { 200: storedScreeningSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = visibleJob(runner, userOf(request), request.params.id);
      const results = ctx.jobs.output(job.id);
      const asOf = (job.result as { screening?: { asOf?: unknown } } | null)?.screening?.asOf;
      if (
        job.kind !== 'register-import' ||
        job.status !== 'succeeded' ||
        results === undefined ||
        typeof asOf !== 'string'
      )
        throw new TiltakError(
          'NO_SCREENING',
          `job ${job.id} has no screening results to store (a register import that succeeded since the server started is needed)`,
        );
      const trial = await cachedTrial(ctx);
      return storeScreeningFile(
        ctx,
        userOf(request),
        trial.id,
        results.path,
        asOf,
        results.meta.office,
      );
    },
  );
}

/**
 * Parameters of an exact randomisation test of one outcome at one wave on the trial's long data:
 * the first arm is treated; the stored allocation record's accepted space is the design when it
 * verifies as a constrained space, else complete randomisation of the observed treated offices.
 */
async function randomisationTestParams(
  ctx: AppContext,
  q: { outcome: string; wave: string; statistic: 'cluster-means' | 'diff-in-means' },
) {
  const trial = await cachedTrial(ctx);
  const { outcome, treatment, cluster } = await waveSlice(ctx, q);
  let allocationRecord: Record<string, unknown> | undefined;
  const stored = await getAllocation(ctx.db, trial.id);
  if (stored !== undefined) {
    try {
      const rec = verifyAllocationRecord(stored.record);
      if (recordSpace(rec).kind === 'masks') {
        // Record ids are office codes or office ids; the data names offices by code.
        const offices = await ctx.db
          .selectFrom('office')
          .select(['id', 'code'])
          .where('trial_id', '=', trial.id)
          .execute();
        const ids = new Set(rec.design.ids);
        const idOf = new Map(offices.map((o) => [o.code, ids.has(o.code) ? o.code : o.id]));
        for (let i = 0; i < cluster.length; i++) cluster[i] = idOf.get(cluster[i]!) ?? cluster[i]!;
        allocationRecord = stored.record as Record<string, unknown>;
      }
    } catch {
      // Not a verifiable record of a constrained design (e.g. a seeded demo allocation).
    }
  }
  return {
    params: {
      outcome,
      treatment,
      cluster,
      statistic: q.statistic,
      exact: true,
      ...(allocationRecord === undefined ? {} : { allocationRecord }),
    },
    summary: {
      outcome: q.outcome,
      wave: q.wave,
      statistic: q.statistic,
      rows: outcome.length,
      design: allocationRecord === undefined ? 'complete' : 'allocation record',
    },
  };
}

/**
 * One wave of one outcome from the trial's long data: the values, whether each row is in the first
 * (treated) arm, and its office code. Unknown or non-outcome columns and empty waves are refused.
 */
async function waveSlice(ctx: AppContext, q: { outcome: string; wave: string }) {
  const trial = await cachedTrial(ctx);
  const data = await cachedLongData(ctx);
  const y = data.columns.get(q.outcome);
  if (y === undefined || y.kind !== 'numeric' || ['months', 'children'].includes(q.outcome))
    throw new TiltakError('UNKNOWN_COLUMN', `'${q.outcome}' is not an outcome of the trial data`);
  const wave = data.columns.get('wave')!.values as readonly (string | null)[];
  const arm = data.columns.get('arm')!.values as readonly (string | null)[];
  const office = data.columns.get('office')!.values as readonly (string | null)[];
  const treatedArm = trial.arms[0]?.name;
  const outcome: number[] = [];
  const treatment: (0 | 1)[] = [];
  const cluster: string[] = [];
  for (let i = 0; i < data.nrow; i++) {
    const v = y.values[i]!;
    if (wave[i] !== q.wave || Number.isNaN(v)) continue;
    outcome.push(v);
    treatment.push(arm[i] === treatedArm ? 1 : 0);
    cluster.push(office[i] ?? '');
  }
  if (outcome.length === 0)
    throw new TiltakError('EMPTY_DATA', `no observations of ${q.outcome} at ${q.wave}`);
  return { outcome, treatment, cluster };
}

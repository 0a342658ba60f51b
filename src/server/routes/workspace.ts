import { z } from 'zod';
import { listAuditEntries, verifyAuditChain } from '../../store/index.ts';
import { officeScope } from '../auth/roles.ts';
import { listUsers } from '../auth/users.ts';
import { type AppContext, userOf, type ZodApp } from '../context.ts';
import {
  answersSchema,
  auditListSchema,
  errorResponses,
  familyDetailSchema,
  familyListSchema,
  municipalitySchema,
  officesSchema,
  overviewSchema,
  questionnaireSchema,
  screeningSchema,
  sessionUserSchema,
} from '../schemas.ts';
import { familyDetail, listFamiliesFor } from '../services/families.ts';
import { municipalityAnalysis } from '../services/municipality.ts';
import { loadOffices } from '../services/offices.ts';
import { trialOverview } from '../services/overview.ts';
import { nextTrialPower } from '../services/power.ts';
import {
  getQuestionnaire,
  saveQuestionnaireDraft,
  submitQuestionnaire,
} from '../services/questionnaires.ts';
import { drawAllocation } from '../services/randomisation.ts';
import { screeningResults } from '../services/screening.ts';
import { cachedTrial } from '../services/trial.ts';

const familyParams = z.object({ id: z.string().min(1).max(100) });
const questionnaireParams = z.object({
  id: z.string().min(1).max(100),
  wave: z.enum(['T1', 'T2', 'T3', 'T4', 'T5']),
  instrument: z.string().min(1).max(64),
});

/**
 * The trial workspace routes: overview, families, questionnaires, offices, users and the audit
 * log. Each is a zod schema and a call into a service; access is declared in `config.permission`
 * and enforced by the app's hook, office scoping inside the services.
 *
 * @example
 * registerWorkspaceRoutes(app, ctx);
 */
export function registerWorkspaceRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/overview',
    {
      config: { permission: 'overview:read' },
      schema: {
        summary: 'Trial overview: CONSORT counts by arm, enrolment and wave completion per office',
        tags: ['trial'],
        response: { 200: overviewSchema, ...errorResponses },
      },
    },
    async () =>
      ctx.cache.get('overview', async () => trialOverview(ctx.db, await cachedTrial(ctx))),
  );

  app.get(
    '/api/families',
    {
      config: { permission: 'families:read' },
      schema: {
        summary: 'Families the user may see, searched by pseudonym',
        tags: ['families'],
        querystring: z.object({
          search: z.string().max(100).optional(),
          officeId: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: familyListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const user = userOf(request);
      // The list depends only on the office scope and the query (no names in it), so users
      // with the same scope share cached pages.
      const key = `families:${officeScope(user)}:${JSON.stringify(request.query)}`;
      return ctx.cache.get(key, async () =>
        listFamiliesFor(ctx.db, user, await cachedTrial(ctx), request.query),
      );
    },
  );

  app.get(
    '/api/screening',
    {
      config: { permission: 'families:read' },
      schema: {
        summary: 'Screening results, each with the deciding rule and its reasons',
        tags: ['families'],
        querystring: z.object({
          outcome: z.enum(['all', 'eligible', 'excluded']).default('all'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: screeningSchema, ...errorResponses },
      },
    },
    async (request) =>
      screeningResults(ctx.db, userOf(request), await cachedTrial(ctx), request.query),
  );

  app.get(
    '/api/families/:id',
    {
      config: { permission: 'families:read' },
      schema: {
        summary: 'One family record (audited read)',
        tags: ['families'],
        params: familyParams,
        response: { 200: familyDetailSchema, ...errorResponses },
      },
    },
    async (request) =>
      familyDetail(ctx, userOf(request), await cachedTrial(ctx), request.params.id),
  );

  app.get(
    '/api/families/:id/questionnaires/:wave/:instrument',
    {
      config: { permission: 'families:read' },
      schema: {
        summary: "A family's questionnaire in a wave, with saved answers and scores (audited read)",
        tags: ['questionnaires'],
        params: questionnaireParams,
        response: { 200: questionnaireSchema, ...errorResponses },
      },
    },
    async (request) =>
      toApi(
        await getQuestionnaire(
          ctx.db,
          userOf(request),
          await cachedTrial(ctx),
          target(request.params),
        ),
      ),
  );

  app.put(
    '/api/families/:id/questionnaires/:wave/:instrument',
    {
      config: { permission: 'questionnaire:write' },
      schema: {
        summary: 'Save a draft (validated against the instrument; audited)',
        tags: ['questionnaires'],
        params: questionnaireParams,
        body: z.object({ answers: answersSchema }),
        response: { 200: questionnaireSchema, ...errorResponses },
      },
    },
    async (request) =>
      toApi(
        await saveQuestionnaireDraft(
          ctx.db,
          userOf(request),
          await cachedTrial(ctx),
          target(request.params),
          request.body.answers,
        ),
      ),
  );

  app.post(
    '/api/families/:id/questionnaires/:wave/:instrument/submit',
    {
      config: { permission: 'questionnaire:write' },
      schema: {
        summary: 'Submit and lock the saved draft (every item answered or given a missing code)',
        tags: ['questionnaires'],
        params: questionnaireParams,
        response: { 200: questionnaireSchema, ...errorResponses },
      },
    },
    async (request) =>
      toApi(
        await submitQuestionnaire(
          ctx.db,
          userOf(request),
          await cachedTrial(ctx),
          target(request.params),
        ),
      ),
  );

  app.get(
    '/api/offices',
    {
      config: { permission: 'offices:read' },
      schema: {
        summary: 'Offices with covariates, arm and counts, and the allocation once drawn',
        tags: ['offices'],
        response: { 200: officesSchema, ...errorResponses },
      },
    },
    async () => ctx.cache.get('offices', () => loadOffices(ctx)),
  );

  app.post(
    '/api/randomisation',
    {
      config: { permission: 'randomisation:draw' },
      schema: {
        summary: 'Draw the office allocation once (locked afterwards; audited)',
        tags: ['offices'],
        body: z.object({
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1),
          scheme: z.enum(['complete', 'constrained']),
          cutoff: z.number().gt(0).max(1).optional(),
        }),
        response: {
          200: z.object({
            recordSha256: z.string(),
            treated: z.number().int(),
            accepted: z.number(),
            total: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      drawAllocation(ctx.db, userOf(request), await cachedTrial(ctx), request.body),
  );

  app.get(
    '/api/analysis/power',
    {
      config: { permission: 'analysis:read' },
      schema: {
        summary: 'Power curve for a next trial (offices per arm), with the curve as SVG',
        tags: ['analysis'],
        querystring: z.object({
          icc: z.coerce.number().min(0).max(0.99).default(0.05),
          clusterSize: z.coerce.number().int().min(1).max(1000).default(30),
          effect: z.coerce.number().gt(0).max(5).default(0.3),
          alpha: z.coerce.number().gt(0).lt(0.5).default(0.05),
          target: z.coerce.number().gt(0.05).lt(1).default(0.8),
        }),
        response: {
          200: z.object({
            points: z.array(z.object({ nClusters: z.number().int(), power: z.number() })),
            required: z.object({ nClusters: z.number(), power: z.number() }),
            designEffect: z.number(),
            svg: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      ctx.analyses.get(`power:${JSON.stringify(request.query)}`, () =>
        nextTrialPower(request.query),
      ),
  );

  app.get(
    '/api/analysis/municipality',
    {
      config: { permission: 'analysis:read' },
      schema: {
        summary:
          'Municipality analysis: the spending model, its coefficient plot and the scatter with fitted lines',
        tags: ['analysis'],
        response: { 200: municipalitySchema, ...errorResponses },
      },
    },
    async () => ctx.analyses.get('municipality', () => municipalityAnalysis(ctx.municipalityCsv)),
  );

  app.get(
    '/api/users',
    {
      config: { permission: 'users:read' },
      schema: {
        summary: 'Accounts (administrators only)',
        tags: ['admin'],
        response: { 200: z.object({ users: z.array(sessionUserSchema) }), ...errorResponses },
      },
    },
    async () => ({ users: await listUsers(ctx.sdb) }),
  );

  app.get(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        summary:
          'The latest audit-log entries; with verify=true, whether the whole hash chain verifies (administrators)',
        tags: ['admin'],
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          verify: z.enum(['true', 'false']).default('false'),
        }),
        response: { 200: auditListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const head = await ctx.db
        .selectFrom('audit_chain_head')
        .select('seq')
        .executeTakeFirstOrThrow();
      const entries = await listAuditEntries(ctx.db, {
        afterSeq: Math.max(0, Number(head.seq) - request.query.limit),
      });
      const verified = request.query.verify === 'true' ? (await verifyAuditChain(ctx.db)).ok : null;
      return {
        verified,
        entries: entries.reverse().map((e) => ({
          seq: e.seq,
          actor: e.actor,
          at: e.at,
          action: e.action,
          entity: e.entity,
          entityId: e.entityId,
        })),
      };
    },
  );
}

function target(p: { id: string; wave: string; instrument: string }) {
  return { familyId: p.id, wave: p.wave, instrumentKey: p.instrument };
}

function toApi(q: Awaited<ReturnType<typeof getQuestionnaire>>) {
  return {
    ...q,
    score:
      q.score === null
        ? null
        : {
            total: q.score.total,
            subscales: [...q.score.subscales],
            answered: q.score.answered,
            missing: [...q.score.missing],
          },
  };
}

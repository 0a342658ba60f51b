import { z } from 'zod';
import { type AppContext, userOf, type ZodApp } from '../context.ts';
import { errorResponses } from '../schemas.ts';
import {
  auditExport,
  BUNDLE_FILES,
  bundleFiles,
  reportHtml,
  reportPdf,
} from '../services/report.ts';
import { ustar } from '../services/tar.ts';
import { cachedAnalysisPage, trialAnalysis } from '../services/trial-analysis.ts';

const analysisSchema = z.object({
  trial: z.object({ id: z.string(), name: z.string() }),
  plan: z.object({
    title: z.string(),
    hash: z.string(),
    locked: z.boolean(),
    lockedAt: z.string().nullable(),
    lockedBy: z.string().nullable(),
  }),
  source: z.object({ kind: z.enum(['recorded', 'computed']), at: z.string(), by: z.string() }),
  level: z.number(),
  adjustment: z.string(),
  effects: z.array(
    z.object({
      outcome: z.string(),
      label: z.string(),
      family: z.string(),
      term: z.string(),
      estimate: z.number().nullable(),
      stdError: z.number().nullable(),
      df: z.number().nullable(),
      confLow: z.number().nullable(),
      confHigh: z.number().nullable(),
      pValue: z.number().nullable(),
      pAdjusted: z.number().nullable(),
      nObs: z.number(),
    }),
  ),
  iccs: z.array(
    z.object({
      outcome: z.string(),
      group: z.string(),
      icc: z.number(),
      low: z.number(),
      high: z.number(),
    }),
  ),
  randomisationTests: z.array(
    z.object({
      outcome: z.string(),
      label: z.string(),
      observed: z.number(),
      pValue: z.number(),
      evaluated: z.number(),
      exact: z.boolean(),
    }),
  ),
  charts: z.object({
    forest: z.record(z.string(), z.unknown()),
    trajectories: z.array(z.object({ label: z.string(), spec: z.record(z.string(), z.unknown()) })),
    icc: z.record(z.string(), z.unknown()).nullable(),
    randomisation: z.array(
      z.object({
        label: z.string(),
        observed: z.number(),
        spec: z.record(z.string(), z.unknown()),
      }),
    ),
    power: z.object({ spec: z.record(z.string(), z.unknown()), caption: z.string() }).nullable(),
  }),
  trajectoryNote: z.string(),
  outcomeColumns: z.array(z.string()),
});

const fileName = (trialName: string, ext: string) =>
  `${trialName.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'trial'}-report.${ext}`;

/**
 * The trial analysis page's data and the report exports: the self-contained HTML report, its PDF
 * (headless Chromium), the analysis bundle's files one by one, and all of them as one tar archive.
 * Researchers and administrators only; every export is audited.
 *
 * @example
 * registerReportRoutes(app, ctx);
 */
export function registerReportRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/analysis/trial',
    {
      config: { permission: 'analysis:read' },
      schema: {
        summary:
          'The trial analysis: locked plan, effects with CIs and p-values, ICCs, and the Vega-Lite specs of the forest plot, trajectories, ICCs, randomisation histograms and next-trial power curve',
        tags: ['analysis'],
        response: { 200: analysisSchema, ...errorResponses },
      },
    },
    async () => cachedAnalysisPage(ctx),
  );

  app.get(
    '/api/report/html',
    {
      config: { permission: 'report:export' },
      schema: {
        summary: 'The self-contained HTML report (audited)',
        tags: ['report'],
        response: { 200: z.string(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const html = await reportHtml(ctx);
      await auditExport(ctx, userOf(request), 'html');
      const a = await trialAnalysis(ctx);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName(a.trial.name, 'html')}"`)
        .send(html);
    },
  );

  app.get(
    '/api/report/pdf',
    {
      config: { permission: 'report:export' },
      schema: {
        summary: 'The report as PDF, printed by headless Chromium (audited)',
        tags: ['report'],
        response: { 200: z.unknown(), ...errorResponses, 503: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const pdf = await reportPdf(ctx);
      await auditExport(ctx, userOf(request), 'pdf');
      const a = await trialAnalysis(ctx);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${fileName(a.trial.name, 'pdf')}"`)
        .send(pdf);
    },
  );

  app.get(
    '/api/report/bundle/:file',
    {
      config: { permission: 'report:export' },
      schema: {
        summary:
          'One file of the analysis bundle: pseudonymised data.csv, codebook.csv, analysis.R, plan.json or results.json (audited)',
        tags: ['report'],
        params: z.object({ file: z.enum(BUNDLE_FILES) }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = request.params.file;
      const data = (await bundleFiles(ctx)).get(file)!;
      await auditExport(ctx, userOf(request), `bundle:${file}`);
      const type = file.endsWith('.csv')
        ? 'text/csv; charset=utf-8'
        : file.endsWith('.json')
          ? 'application/json; charset=utf-8'
          : 'text/plain; charset=utf-8';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(data);
    },
  );

  app.get(
    '/api/report/bundle.tar',
    {
      config: { permission: 'report:export' },
      schema: {
        summary: 'The whole analysis bundle and the HTML report as one tar archive (audited)',
        tags: ['report'],
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const files = await bundleFiles(ctx);
      const html = await reportHtml(ctx);
      const a = await trialAnalysis(ctx);
      await auditExport(ctx, userOf(request), 'bundle.tar');
      const dir = fileName(a.trial.name, 'bundle').replace(/\.bundle$/, '');
      const tar = ustar([
        ...[...files].map(([name, data]) => ({ name: `${dir}/${name}`, data })),
        { name: `${dir}/report.html`, data: Buffer.from(html, 'utf8') },
      ]);
      return reply
        .type('application/x-tar')
        .header('content-disposition', `attachment; filename="${dir}.tar"`)
        .send(tar);
    },
  );
}

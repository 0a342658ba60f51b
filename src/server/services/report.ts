import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportAnalysisBundle } from '../../report/bundle.ts';
import { renderReportHtml } from '../../report/render-html.ts';
import { renderReportPdf } from '../../report/render-pdf.ts';
import { defaultSoftware } from '../../report/software.ts';
import { writeAudited } from '../../store/index.ts';
import { consortCounts } from '../../trial/consort-counts.ts';
import { actorOf, type SessionUser } from '../auth/roles.ts';
import type { AppContext } from '../context.ts';
import { nextTrialPower, trialAnalysis } from './trial-analysis.ts';

/**
 * Files of the analysis bundle, in the order the archive holds them.
 *
 * @example
 * BUNDLE_FILES.includes('data.csv'); // true
 */
export const BUNDLE_FILES = [
  'data.csv',
  'codebook.csv',
  'analysis.R',
  'plan.json',
  'results.json',
] as const;

/**
 * A file of the analysis bundle.
 *
 * @example
 * const f: BundleFile = 'codebook.csv';
 */
export type BundleFile = (typeof BUNDLE_FILES)[number];

/**
 * The self-contained HTML report of the trial's analysis (methods, CONSORT diagram from live
 * counts, effects, forest plot, ICCs, randomisation histograms, trajectories, next-trial power),
 * rendered once and kept with the analysis until a write.
 *
 * @example
 * const html = await reportHtml(ctx);
 */
export async function reportHtml(ctx: AppContext): Promise<string> {
  const a = await trialAnalysis(ctx);
  return ctx.trialAnalyses.get(`report-html:${a.trial.id}`, async () => {
    const consort = await consortCounts(ctx.store, a.trial.id).catch(() => undefined);
    const power = nextTrialPower(a.results);
    return renderReportHtml({
      results: a.results,
      plan: a.plan,
      ...(consort === undefined ? {} : { consort }),
      ...(power === null ? {} : { power }),
      ...a.extras,
      meta: {
        trialName: a.trial.name,
        generatedAt: new Date().toISOString(),
        software: defaultSoftware(),
      },
    });
  });
}

/**
 * The report printed to PDF by headless Chromium (kept like the HTML).
 *
 * @example
 * const pdf = await reportPdf(ctx);
 */
export async function reportPdf(ctx: AppContext): Promise<Buffer> {
  const html = await reportHtml(ctx);
  const a = await trialAnalysis(ctx);
  return ctx.trialAnalyses.get(`report-pdf:${a.trial.id}`, () => renderReportPdf(html));
}

/**
 * The analysis bundle's files (pseudonymised data, codebook, R script, plan, results), written by
 * the report module's `exportAnalysisBundle` (which refuses data that look like personal ids) into
 * a temporary folder and read back.
 *
 * @example
 * const files = await bundleFiles(ctx);
 * files.get('analysis.R');
 */
export async function bundleFiles(ctx: AppContext): Promise<Map<BundleFile, Buffer>> {
  const a = await trialAnalysis(ctx);
  return ctx.trialAnalyses.get(`bundle:${a.trial.id}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltak-bundle-'));
    try {
      exportAnalysisBundle(dir, { data: a.data, plan: a.plan, results: a.results });
      return new Map(BUNDLE_FILES.map((f) => [f, readFileSync(join(dir, f))] as const));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Log an export in the audit log: who took which format of which trial's analysis.
 *
 * @example
 * await auditExport(ctx, user, 'pdf');
 */
export async function auditExport(
  ctx: AppContext,
  user: SessionUser,
  format: string,
): Promise<void> {
  const a = await trialAnalysis(ctx);
  await writeAudited(
    ctx.db,
    { actor: actorOf(user), action: 'export', entity: 'report' },
    async () => ({
      entityId: a.trial.id,
      before: null,
      after: { format, planSha256: a.planHash },
      result: null,
    }),
  );
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseMunicipalityTable } from '../../analysis/municipality/read.ts';
import { spendingModel } from '../../analysis/municipality/spending-model.ts';
import { runPlan } from '../../analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../../analysis/plan/schema.ts';
import { readCsv } from '../../io/read-csv.ts';
import { exportAnalysisBundle } from '../../report/bundle.ts';
import { parseConsortCounts } from '../../report/consort-schema.ts';
import { nextTrialPowerCurve } from '../../report/next-trial-power.ts';
import { renderReportHtml } from '../../report/render-html.ts';
import { renderReportPdf } from '../../report/render-pdf.ts';
import { reportExtrasFromData } from '../../report/report-data.ts';
import { defaultSoftware } from '../../report/software.ts';
import { TiltakError } from '../../stats/errors.ts';

const Options = z.object({
  data: z.string({ error: 'the --data option is required' }).min(1),
  plan: z.string().min(1).optional(),
  municipality: z.string().min(1).optional(),
  out: z.string().min(1).default('report.html'),
  pdf: z.string().min(1).optional(),
  bundle: z.string().min(1).optional(),
  consort: z.string().min(1).optional(),
  powerEffect: z.coerce.number().optional(),
  json: z.boolean().optional(),
});

const SHIPPED_PLAN = new URL('../../analysis/plan/holf-plan.json', import.meta.url);

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'BAD_JSON',
      `${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Read and validate an analysis plan file, naming the file and the first problem on error.
 *
 * @example
 * const plan = readPlan('plan.json');
 */
export function readPlan(path: string | URL): AnalysisPlan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'BAD_PLAN',
      `${String(path)}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`,
    );
  }
  const parsed = AnalysisPlan.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TiltakError(
      'BAD_PLAN',
      `${String(path)}: ${issue.path.join('.') || '(plan)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * Register `tiltak report --data DATA.csv`: run the analysis plan (default: the shipped HOLF plan)
 * on long-format trial data and write the self-contained HTML report, optionally its PDF and the
 * analysis bundle (CSV, codebook, plan, results, R script).
 *
 * @example
 * register(program); // then: tiltak report --data holf-demo.csv --out report.html --pdf report.pdf --bundle bundle/
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('run the analysis plan and write the HTML report (and PDF, analysis bundle)')
    .option('--data <file>', 'long-format trial data: one row per family and wave')
    .option('--plan <file>', 'analysis plan JSON (default: the shipped HOLF plan)')
    .option('--municipality <file>', 'municipality table for the spending analysis')
    .option('--out <file>', 'HTML report to write', 'report.html')
    .option('--pdf <file>', 'also print the report to this PDF (headless Chromium)')
    .option(
      '--bundle <dir>',
      'also write data.csv, codebook.csv, plan.json, results.json, analysis.R',
    )
    .option('--consort <file>', 'CONSORT counts (JSON) for the flow diagram')
    .option('--power-effect <d>', 'add a power curve for a next trial to detect this difference')
    .option('--json', 'print one JSON object')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new TiltakError('BAD_OPTION', `--${String(issue.path[0])}: ${issue.message}`);
      }
      const o = parsed.data;
      const plan = readPlan(o.plan ?? SHIPPED_PLAN);
      const data = readCsv(o.data);
      const software = defaultSoftware();
      const results = runPlan(plan, data, { software });
      let municipality: ReturnType<typeof spendingModel> | undefined;
      let municipalityRows: ReturnType<typeof parseMunicipalityTable> | undefined;
      if (o.municipality !== undefined) {
        municipalityRows = parseMunicipalityTable(readCsv(o.municipality));
        municipality = spendingModel(municipalityRows);
      }
      const consort =
        o.consort !== undefined ? parseConsortCounts(readJson(o.consort), o.consort) : undefined;
      const power =
        o.powerEffect !== undefined
          ? nextTrialPowerCurve(results, { effect: o.powerEffect })
          : undefined;
      const html = await renderReportHtml({
        results,
        plan,
        ...(consort ? { consort } : {}),
        ...(power ? { power } : {}),
        ...reportExtrasFromData(plan, data),
        ...(municipality ? { municipality, municipalityRows: municipalityRows! } : {}),
        meta: { trialName: plan.trial, generatedAt: new Date().toISOString(), software },
      });
      writeFileSync(o.out, html, 'utf8');
      if (o.pdf !== undefined) writeFileSync(o.pdf, await renderReportPdf(html));
      const bundleFiles =
        o.bundle !== undefined ? exportAnalysisBundle(o.bundle, { data, plan, results }) : [];
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({
            html: o.out,
            pdf: o.pdf ?? null,
            bundle: bundleFiles,
            plan_hash: results.planHash,
            effects: results.outcomes.map((x) => ({
              outcome: x.id,
              ...x.effect,
              p_adjusted: x.pAdjusted,
            })),
          })}\n`,
        );
      } else {
        const lines = [
          `Report written to ${o.out}`,
          ...(o.pdf !== undefined ? [`PDF written to ${o.pdf}`] : []),
          ...(bundleFiles.length > 0 ? [`Bundle written: ${bundleFiles.join(', ')}`] : []),
          `Plan ${plan.trial} (SHA-256 ${results.planHash.slice(0, 12)}…), ${results.outcomes.length} outcome${results.outcomes.length === 1 ? '' : 's'}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    });
}

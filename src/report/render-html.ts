/**
 * The self-contained HTML report of a plan run: inline CSS and inline SVG only, no scripts and no
 * external requests, so it can be mailed, archived and printed to PDF as one file. Every string
 * from the plan, the data or the caller is escaped.
 */
import type { MunicipalityRow } from '../analysis/municipality/schema.ts';
import type { SpendingModelResult } from '../analysis/municipality/spending-model.ts';
import type { OutcomeResult, PlanRunResult } from '../analysis/plan/results.ts';
import type { AnalysisPlan } from '../analysis/plan/schema.ts';
import type { TidyRow } from '../stats/tidy.ts';
import type { ConsortCounts } from '../trial/consort.ts';
import type { ArmWaveMean } from './arm-wave-means.ts';
import { forestPlotSpec } from './charts/forest-plot.ts';
import { iccChartSpec } from './charts/icc-chart.ts';
import { municipalityCoefficientSpec, spendingScatterSpec } from './charts/municipality.ts';
import { type PowerCurveOptions, powerCurveSpec } from './charts/power-curve.ts';
import { randomizationHistogramSpec } from './charts/randomization-histogram.ts';
import { renderVegaLiteSvg } from './charts/render-svg.ts';
import { trajectorySpec } from './charts/trajectories.ts';
import { consortSvg } from './consort-svg.ts';
import { escapeHtml as e, formatNumber, formatP } from './html-escape.ts';
import { methodsText } from './methods-text.ts';
import { forestRows, iccRows } from './plan-chart-rows.ts';
import { REPORT_CSS } from './report-css.ts';

/**
 * Outcome trajectories by arm and wave (from `armWaveMeans` on the long data).
 *
 * @example
 * const t: ReportTrajectory = { label: 'Income', yTitle: 'NOK', means: armWaveMeans(data, { outcome: 'income' }) };
 */
export interface ReportTrajectory {
  label: string;
  yTitle: string;
  means: ArmWaveMean[];
  /** d3 format of the y axis, e.g. '.0%' for shares. */
  yFormat?: string;
}

/**
 * A randomisation distribution to draw. A plan run keeps only the observed statistic and p-value,
 * so the caller supplies the statistic under each evaluated allocation (see
 * `randomizationDistribution`) and the observed value.
 *
 * @example
 * const d = randomizationDistribution(t2, options);
 * const r: ReportRandomization = { outcomeId: 'income_t2', label: 'Office means', ...d };
 */
export interface ReportRandomization {
  outcomeId: string;
  label: string;
  statistics: ArrayLike<number>;
  observed: number;
  xTitle?: string;
}

/**
 * Input of {@link renderReportHtml}.
 *
 * @example
 * const input: ReportInput = { results, meta: { trialName: 'HOLF', generatedAt: new Date().toISOString(), software: defaultSoftware() } };
 */
export interface ReportInput {
  results: PlanRunResult;
  /** The plan that produced `results` (adds waves and sensitivity formulas to the methods). */
  plan?: AnalysisPlan;
  consort?: ConsortCounts;
  municipality?: SpendingModelResult;
  /** The municipality rows behind `municipality`, for the scatter with fitted lines. */
  municipalityRows?: readonly MunicipalityRow[];
  /** A power curve for a next trial. */
  power?: { curve: PowerCurveOptions; caption?: string };
  trajectories?: ReportTrajectory[];
  /** How the trajectories' CIs were computed, for the methods section. */
  trajectoryNote?: string;
  randomization?: ReportRandomization[];
  meta: { trialName: string; generatedAt: string; software: Record<string, string> };
}

/**
 * Render the report as one HTML document: title, methods, CONSORT diagram, effects table, forest
 * plot, per-outcome coefficient tables, F tests, ICCs, sensitivity analyses, randomisation
 * distributions, trajectories, power and the municipality analysis (each when given).
 *
 * @example
 * const html = await renderReportHtml({ results: runPlan(plan, data), plan,
 *   meta: { trialName: 'HOLF', generatedAt: new Date().toISOString(), software: defaultSoftware() } });
 * writeFileSync('report.html', html);
 */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  const r = input.results;
  const sections: Array<{ id: string; title: string; body: string }> = [];
  const methods = methodsText(r, {
    software: input.meta.software,
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.trajectoryNote !== undefined ? { trajectoryNote: input.trajectoryNote } : {}),
  });
  sections.push({
    id: 'methods',
    title: 'Methods',
    body: methods
      .map((p) => `${p.heading !== undefined ? `<h3>${e(p.heading)}</h3>` : ''}<p>${e(p.text)}</p>`)
      .join('\n'),
  });
  if (input.consort) {
    sections.push({
      id: 'consort',
      title: 'Participant flow (CONSORT)',
      body: figure(
        consortSvg(input.consort),
        'consort',
        'Flow of offices and families through the trial.',
      ),
    });
  }
  sections.push({ id: 'effects', title: 'Effects', body: effectsTable(r) });
  const forest = await chart(
    forestPlotSpec({ rows: forestRows(r), xTitle: `Effect (${pct(r.level)} CI)` }),
    'forest',
  );
  sections.push({
    id: 'forest',
    title: 'Forest plot',
    body: figure(
      forest,
      null,
      'Pre-specified effects with their confidence intervals, and the sensitivity models’ effects; panels by unit of the outcome.',
    ),
  });
  sections.push({
    id: 'outcomes',
    title: 'Models by outcome',
    body: r.outcomes.map((o) => outcomeSection(o, r.level)).join('\n'),
  });
  const iccs = iccRows(r);
  if (iccs.length > 0) {
    sections.push({
      id: 'icc',
      title: 'Intraclass correlations',
      body: `${table(
        ['Outcome', 'Level', 'ICC', `${pct(r.level)} CI`],
        iccs.map((i) => [e(i.outcome), e(i.group), num(i.icc, 3), ci(i.low, i.high, 3)]),
        [false, false, true, true],
      )}${figure(await chart(iccChartSpec(iccs), 'icc'), null, 'ICC of each grouping factor with its Wald CI.')}`,
    });
  }
  sections.push({ id: 'sensitivity', title: 'Sensitivity analyses', body: sensitivityTable(r) });
  if (input.randomization && input.randomization.length > 0) {
    const figs: string[] = [];
    for (const [i, d] of input.randomization.entries()) {
      const spec = randomizationHistogramSpec({
        statistics: d.statistics,
        observed: d.observed,
        title: d.label,
        ...(d.xTitle !== undefined ? { xTitle: d.xTitle } : {}),
      });
      figs.push(
        figure(
          await chart(spec, `ri${i}`),
          null,
          `Randomisation distribution for ${d.outcomeId}; the red line marks the observed statistic, the dashed line its mirror image.`,
        ),
      );
    }
    sections.push({
      id: 'randomisation',
      title: 'Randomisation distributions',
      body: figs.join('\n'),
    });
  }
  if (input.trajectories && input.trajectories.length > 0) {
    const figs: string[] = [];
    for (const [i, t] of input.trajectories.entries()) {
      const spec = trajectorySpec({
        means: t.means,
        yTitle: t.yTitle,
        title: t.label,
        ...(t.yFormat !== undefined ? { yFormat: t.yFormat } : {}),
      });
      figs.push(
        figure(
          await chart(spec, `traj${i}`),
          null,
          `${t.label}: mean by arm and wave with ${pct(r.level)} CI.`,
        ),
      );
    }
    sections.push({ id: 'trajectories', title: 'Trajectories by arm', body: figs.join('\n') });
  }
  if (input.power) {
    sections.push({
      id: 'power',
      title: 'Power for a next trial',
      body: figure(
        await chart(powerCurveSpec(input.power.curve), 'power'),
        null,
        input.power.caption ?? 'Power curve.',
      ),
    });
  }
  if (input.municipality) {
    sections.push({
      id: 'municipality',
      title: 'Municipality analysis',
      body: await municipalitySection(input.municipality, input.municipalityRows),
    });
  }
  const title = `${input.meta.trialName}: analysis report`;
  const toc = sections.map((s) => `<li><a href="#${s.id}">${e(s.title)}</a></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(`Tiltak ${input.meta.software.Tiltak ?? ''}`.trim())}">
<title>${e(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="masthead"><div class="wrap"><p class="kicker">Tiltak analysis report</p><h1>${e(input.meta.trialName)}</h1><p class="subtitle">${e(r.title)}</p>
<dl class="meta"><dt>Generated</dt><dd>${e(input.meta.generatedAt)}</dd><dt>Plan SHA-256</dt><dd><code>${e(r.planHash)}</code></dd></dl></div></header>
<main class="wrap">
<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>${toc}</ol></nav>
${sections.map((s) => `<section id="${s.id}"><h2>${e(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</main>
<footer class="wrap"><p>${e(
    Object.entries(input.meta.software)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · '),
  )}</p></footer>
</body>
</html>
`;
}

function pct(level: number): string {
  return `${Math.round(level * 1000) / 10}%`;
}

/** A numeric cell keeping the full-precision value in `data-value`, so the table can be checked. */
function num(x: number | null, digits = 4): string {
  if (x === null || Number.isNaN(x)) return '–';
  return `<span data-value="${String(x)}">${e(formatNumber(x, digits))}</span>`;
}

function pval(x: number | null): string {
  if (x === null || Number.isNaN(x)) return '–';
  return `<span data-value="${String(x)}">${e(formatP(x))}</span>`;
}

function ci(low: number, high: number, digits = 4): string {
  return `${num(low, digits)} to ${num(high, digits)}`;
}

function table(head: string[], rows: string[][], numeric: boolean[], attrs = ''): string {
  const th = head
    .map((h, j) => `<th scope="col"${numeric[j] ? ' class="num"' : ''}>${e(h)}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((c, j) => `<td${numeric[j] ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table${attrs}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function effectsTable(r: PlanRunResult): string {
  const rows = r.outcomes.map((o) => [
    e(o.label),
    e(o.family),
    e(modelName(o)),
    num(o.summary.nObs, 6),
    num(o.effect.estimate),
    num(o.effect.std_error),
    num(o.effect.df),
    ci(o.effect.conf_low, o.effect.conf_high),
    pval(o.effect.p_value),
    pval(o.pAdjusted),
  ]);
  const adj = r.adjustment.method === 'none' ? 'Adjusted p' : `p (${r.adjustment.method})`;
  return `<p>The pre-specified effect of each outcome (${e(r.outcomes[0]?.effect.term ?? '')} and the like: the difference between arms on the outcome’s scale).</p>
${table(
  ['Outcome', 'Family', 'Model', 'N', 'Estimate', 'SE', 'df', `${pct(r.level)} CI`, 'p', adj],
  rows,
  [false, false, false, true, true, true, true, true, true, true],
  ' class="effects" id="effects-table"',
)}`;
}

function modelName(o: OutcomeResult): string {
  const df =
    o.summary.dfMethod === 'kenward-roger'
      ? 'Kenward–Roger'
      : o.summary.dfMethod === 'satterthwaite'
        ? 'Satterthwaite'
        : o.summary.dfMethod;
  const kind = o.model.type === 'lmm' ? 'LMM' : o.model.type === 'logit' ? 'Logit' : 'OLS';
  return `${kind}, ${o.summary.vcov === 'classical' ? '' : `${o.summary.vcov}, `}${df} df`;
}

function tidyTable(rows: TidyRow[], level: number): string {
  return table(
    ['Term', 'Estimate', 'SE', 't', 'df', `${pct(level)} CI`, 'p'],
    rows.map((c) => [
      `<code>${e(c.term)}</code>`,
      num(c.estimate),
      num(c.std_error),
      num(c.statistic, 3),
      num(c.df),
      ci(c.conf_low, c.conf_high),
      pval(c.p_value),
    ]),
    [false, true, true, true, true, true, true],
    ' class="coefficients"',
  );
}

function outcomeSection(o: OutcomeResult, level: number): string {
  const s = o.summary;
  const parts = [
    `<h3 id="outcome-${e(o.id)}">${e(o.label)}</h3>`,
    `<p class="formula"><code>${e(o.model.formula)}</code> — ${e(modelName(o))}; ${s.nObs} observations${
      Object.keys(s.groups).length > 0
        ? `; ${e(
            Object.entries(s.groups)
              .map(([g, n]) => `${n} ${g}`)
              .join(', '),
          )}`
        : ''
    }${s.reml !== undefined ? (s.reml ? '; REML' : '; ML') : ''}.</p>`,
    tidyTable(s.coefficients, level),
  ];
  if (s.varianceComponents && s.varianceComponents.length > 0) {
    parts.push(
      '<h4>Variance components</h4>',
      table(
        ['Group', 'Term', 'Variance', 'SD'],
        s.varianceComponents.map((v) => [e(v.group), e(v.term), num(v.variance), num(v.std_dev)]),
        [false, false, true, true],
        ' class="variance"',
      ),
    );
  }
  if (o.termTests.length > 0) {
    parts.push(
      `<h4>F tests of whole terms (${e(s.dfMethod === 'kenward-roger' ? 'Kenward–Roger' : 'Satterthwaite')} df)</h4>`,
      table(
        ['Term', 'Num df', 'Den df', 'F', 'p'],
        o.termTests.map((t) => [
          `<code>${e(t.term)}</code>`,
          num(t.numDf),
          num(t.denDf),
          num(t.fValue),
          pval(t.pValue),
        ]),
        [false, true, true, true, true],
        ' class="ftests"',
      ),
    );
  }
  if (s.warnings.length > 0) {
    parts.push(`<ul class="warnings">${s.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`);
  }
  return `<article class="outcome">${parts.join('\n')}</article>`;
}

function sensitivityTable(r: PlanRunResult): string {
  const rows = r.outcomes.flatMap((o) =>
    o.sensitivity.map((s) => {
      if (s.kind === 'model' && s.effect) {
        return [
          e(o.label),
          e(s.label),
          num(s.effect.estimate),
          num(s.effect.std_error),
          num(s.effect.df),
          ci(s.effect.conf_low, s.effect.conf_high),
          pval(s.effect.p_value),
        ];
      }
      const ri = s.ri!;
      return [
        e(o.label),
        e(`${s.label} (${ri.exact ? 'exact' : `${ri.evaluated.toLocaleString('en')} draws`})`),
        num(ri.observed),
        '–',
        '–',
        ri.ci ? ci(ri.ci.low, ri.ci.high) : '–',
        pval(ri.pValue),
      ];
    }),
  );
  if (rows.length === 0) return '<p>The plan has no sensitivity analyses.</p>';
  return table(
    ['Outcome', 'Analysis', 'Estimate', 'SE', 'df', `${pct(r.level)} CI`, 'p'],
    rows,
    [false, false, true, true, true, true, true],
    ' class="sensitivity"',
  );
}

async function municipalitySection(
  m: SpendingModelResult,
  rows: readonly MunicipalityRow[] | undefined,
): Promise<string> {
  const parts = [
    `<p>${e(`${m.kind === 'panel' ? 'Pooled panel with year fixed effects' : 'Cross-section'} (${m.years.join(', ')}): ${m.municipalities} municipalities, ${m.small} under 10,000 inhabitants. Model: ${m.formula}; ${m.summary.vcov} standard errors.`)}</p>`,
    tidyTable(m.summary.coefficients, 0.95),
    '<h3>Slope of KVP operating expenses by municipality size</h3>',
    tidyTable(m.slopes, 0.95),
    figure(
      await chart(municipalityCoefficientSpec(m), 'mcoef'),
      null,
      'Standardised coefficients (b · sd(x) / sd(y)) with their CIs scaled alike.',
    ),
  ];
  if (rows && rows.length > 0) {
    parts.push(
      figure(
        await chart(spendingScatterSpec(rows, m), 'mscatter'),
        null,
        'Each point a municipality-year; lines from the spending model for municipalities under and over 10,000 inhabitants.',
      ),
    );
  }
  return parts.join('\n');
}

function figure(svg: string, cls: string | null, caption: string): string {
  return `<figure${cls ? ` class="${cls}"` : ''}>${svg}<figcaption>${e(caption)}</figcaption></figure>`;
}

/** Render a chart and make its element ids unique within the report (several SVGs share a page). */
async function chart(
  spec: Parameters<typeof renderVegaLiteSvg>[0],
  prefix: string,
): Promise<string> {
  const svg = (await renderVegaLiteSvg(spec)).replace(/^<\?xml[^>]*\?>\s*/, '');
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

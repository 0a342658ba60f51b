import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMunicipalityTable } from '../src/analysis/municipality/read.ts';
import { spendingModel } from '../src/analysis/municipality/spending-model.ts';
import { runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { consortSvg } from '../src/report/consort-svg.ts';
import { escapeHtml, formatNumber, formatP } from '../src/report/html-escape.ts';
import { describeInference } from '../src/report/methods-text.ts';
import { renderReportHtml } from '../src/report/render-html.ts';
import { renderReportPdf } from '../src/report/render-pdf.ts';
import { reportExtrasFromData } from '../src/report/report-data.ts';
import { defaultSoftware, R_REFERENCE } from '../src/report/software.ts';
import type { ConsortCounts } from '../src/trial/consort.ts';
import { assertWellFormedDocument } from './helpers/well-formed.ts';

/** Consort counts shaped like the published HOLF flow (3,201 identified, 320 excluded). */
const CONSORT: ConsortCounts = {
  trial: 'HOLF',
  officesAssessed: 31,
  officesExcluded: 2,
  officesRandomised: 29,
  familiesIdentified: 3201,
  familiesExcluded: [
    { reason: 'In another comprehensive family project', families: 121 },
    { reason: 'Parent in treatment for substance abuse or serious mental disorder', families: 88 },
    { reason: 'Children placed outside the home', families: 64 },
    { reason: 'Ongoing child-welfare investigation <& "placement">', families: 47 },
  ],
  familiesEligible: 2881,
  arms: [
    {
      arm: 'HOLF',
      offices: 15,
      drawn: 630,
      notDrawn: 884,
      enrolled: 613,
      notEnrolled: [
        { reason: 'Declined consent', families: 11 },
        { reason: 'Moved out of the office area', families: 6 },
      ],
      clusterSize: { mean: 40.9, min: 31, max: 44 },
      waves: ['T2', 'T3', 'T4', 'T5'].map((wave, i) => ({
        wave,
        followedUp: 613 - 12 * (i + 1),
        lost: [
          { reason: 'Withdrew', families: 7 * (i + 1) },
          { reason: 'Moved abroad', families: 5 * (i + 1) },
        ],
        analysed: 613 - 12 * (i + 1),
        officesAnalysed: 15,
      })),
    },
    {
      arm: 'control',
      offices: 14,
      drawn: 588,
      notDrawn: 779,
      enrolled: 570,
      notEnrolled: [{ reason: 'Declined consent', families: 18 }],
      clusterSize: { mean: 40.7, min: 30, max: 45 },
      waves: ['T2', 'T3', 'T4', 'T5'].map((wave, i) => ({
        wave,
        followedUp: 570 - 14 * (i + 1),
        lost: [{ reason: 'Withdrew', families: 14 * (i + 1) }],
        analysed: 570 - 14 * (i + 1),
        officesAnalysed: 14,
      })),
    },
  ],
};

const plan = AnalysisPlan.parse(
  JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8')),
);
const data = readCsv('test/fixtures/data/holf-demo.csv');
const software = defaultSoftware();
const results = runPlan(plan, data, { software });
const rows = parseMunicipalityTable(readCsv('test/fixtures/data/municipality-panel.csv'));
const municipality = spendingModel(rows);
const htmlPromise = renderReportHtml({
  results,
  plan,
  consort: CONSORT,
  municipality,
  municipalityRows: rows,
  power: {
    curve: {
      points: [5, 10, 15, 20].map((x) => ({ x, power: x / (x + 6) })),
      xTitle: 'Offices per arm',
      target: 0.8,
    },
    caption: 'Power for 21 families per office.',
  },
  ...reportExtrasFromData(plan, data),
  meta: { trialName: 'HOLF <demo> & "co"', generatedAt: '2026-11-23T09:00:00Z', software },
});

describe('CONSORT diagram', () => {
  const svg = consortSvg(CONSORT);
  it('is well-formed SVG with every stage, both arms and escaped reasons', () => {
    assertWellFormedDocument(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const s of ['Enrolment', 'Allocation', 'Follow-up', 'Analysis'])
      expect(svg).toContain(`>${s}</text>`);
    expect(svg).toContain('>Allocated to HOLF</text>');
    expect(svg).toContain('>Allocated to control</text>');
    expect(svg).toContain('Ongoing child-welfare investigation &lt;&amp;');
    expect(svg).not.toContain('<& "placement">');
    expect(svg).toContain('T5: 565 families in 15 offices');
    // 3 enrolment boxes + 3 boxes per arm, and 4 stage bars.
    expect(svg.match(/<rect /g)).toHaveLength(3 + 3 * 2 + 4);
  });
  it('lays boxes out without overlaps and inside the canvas', () => {
    const [, W, H] = svg.match(/width="([\d.]+)" height="([\d.]+)"/)!.map(Number);
    const boxes = [
      ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="3"/g),
    ].map((m) => m.slice(1).map(Number) as [number, number, number, number]);
    expect(boxes).toHaveLength(9);
    for (const [x, y, w, h] of boxes) {
      expect(x + w).toBeLessThanOrEqual(W!);
      expect(y + h).toBeLessThanOrEqual(H!);
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const overlap =
          a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
        expect(overlap, `boxes ${i} and ${j} overlap`).toBe(false);
      }
  });
});

describe('HTML report', () => {
  it('is one well-formed document with escaped text and no external requests', async () => {
    const html = await htmlPromise;
    assertWellFormedDocument(html, true);
    expect(html).toContain('<h1>HOLF &lt;demo&gt; &amp; &quot;co&quot;</h1>');
    expect(html).not.toContain('<demo>');
    expect(html).not.toMatch(/\s(src|href)="https?:/);
    expect(html).not.toMatch(/<script|<link|<iframe|<img/);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const href of html.matchAll(/href="#([^"]+)"/g)) expect(ids).toContain(href[1]);
  });

  it('embeds valid SVGs: CONSORT, forest, ICC, randomisation, trajectories, power, municipality', async () => {
    const html = await htmlPromise;
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    // CONSORT, forest, ICC, 1 randomisation, 2 trajectories, power, 2 municipality.
    expect(svgs).toHaveLength(9);
    for (const s of svgs) assertWellFormedDocument(s);
    for (const id of [
      'consort',
      'effects',
      'forest',
      'outcomes',
      'icc',
      'sensitivity',
      'randomisation',
      'trajectories',
      'power',
      'municipality',
    ])
      expect(html).toContain(`<section id="${id}">`);
  });

  it('names every model, df method, the adjustment, the randomisation test and the versions', async () => {
    const html = await htmlPromise;
    const methods = html.match(/<section id="methods">([\s\S]*?)<\/section>/)![1]!;
    expect(methods).toContain(
      'Kenward–Roger adjusted covariance and denominator degrees of freedom',
    );
    expect(methods).toContain('Satterthwaite degrees of freedom (as lmerTest)');
    expect(methods).toContain(
      'CR2 (bias-reduced linearisation) cluster-robust standard errors clustered by office and Satterthwaite degrees of freedom',
    );
    expect(methods).toContain('Holm’s step-down adjustment');
    expect(methods).toContain(
      'Randomisation test “Randomisation test on office means (20,000 sampled allocations)”',
    );
    for (const o of plan.outcomes) expect(methods).toContain(escapeHtml(o.model.formula));
    expect(methods).toContain(`Tiltak ${software.Tiltak} on Node.js ${process.version}`);
    for (const [k, v] of Object.entries(R_REFERENCE)) expect(methods).toContain(`${k} ${v}`);
    expect(methods).toContain(results.planHash);
  });

  it('effects table carries the results exactly', async () => {
    const html = await htmlPromise;
    const table = html.match(/<table class="effects" id="effects-table">([\s\S]*?)<\/table>/)![1]!;
    const trs = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => m[1]!);
    expect(trs).toHaveLength(results.outcomes.length);
    trs.forEach((tr, i) => {
      const o = results.outcomes[i]!;
      const values = [...tr.matchAll(/data-value="([^"]*)"/g)].map((m) => Number(m[1]));
      const expected = [
        o.summary.nObs,
        o.effect.estimate,
        o.effect.std_error,
        o.effect.df,
        o.effect.conf_low,
        o.effect.conf_high,
        o.effect.p_value,
        ...(o.pAdjusted === null ? [] : [o.pAdjusted]),
      ];
      expect(values).toEqual(expected);
      expect(tr).toContain(`>${escapeHtml(o.label)}<`);
      expect(tr).toContain(`>${formatNumber(o.effect.estimate)}<`);
    });
    // The secondary outcome is outside the adjusted family: its adjusted p is a dash.
    expect(trs[2]).toMatch(/<td class="num">–<\/td>\s*$/);
  });

  it('per-outcome coefficient tables, F tests, ICCs and sensitivity rows', async () => {
    const html = await htmlPromise;
    const outcomes = html.match(/<section id="outcomes">([\s\S]*?)<\/section>/)![1]!;
    for (const o of results.outcomes)
      for (const c of o.summary.coefficients)
        expect(outcomes).toContain(`data-value="${c.estimate}"`);
    const emp = results.outcomes.find((o) => o.id === 'employment')!.termTests[0]!;
    expect(outcomes).toContain(`data-value="${emp.fValue}"`);
    const icc = html.match(/<section id="icc">([\s\S]*?)<\/section>/)![1]!;
    for (const o of results.outcomes)
      for (const i of o.icc ?? []) expect(icc).toContain(`data-value="${i.icc}"`);
    const sens = html.match(/<section id="sensitivity">([\s\S]*?)<\/section>/)![1]!;
    const ri = results.outcomes[0]!.sensitivity.find((s) => s.kind === 'ri')!.ri!;
    expect(sens).toContain(`data-value="${ri.pValue}"`);
    expect(sens).toContain(`data-value="${results.outcomes[0]!.sensitivity[0]!.effect!.estimate}"`);
    const mun = html.match(/<section id="municipality">([\s\S]*?)<\/section>/)![1]!;
    for (const s of municipality.slopes) expect(mun).toContain(`data-value="${s.estimate}"`);
  });

  it('formats numbers and p-values for tables', () => {
    expect(formatNumber(851.2148)).toBe('851.2');
    expect(formatNumber(-0.0731)).toBe('−0.0731');
    expect(formatNumber(null)).toBe('–');
    expect(formatP(0.00539)).toBe('0.005');
    expect(formatP(1e-9)).toBe('< 0.001');
    expect(describeInference({ type: 'ols', formula: 'y ~ x', vcov: 'HC1' })).toContain('HC1');
  });
});

describe.skipIf(!existsSync('/usr/bin/chromium'))(
  'PDF report (skipped: no /usr/bin/chromium; apt-get install chromium)',
  () => {
    it('prints an A4 PDF with several pages', async () => {
      const pdf = await renderReportPdf(await htmlPromise);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdf.toString('latin1');
      expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
      const pages = text.match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages.length).toBeGreaterThanOrEqual(4);
      // A4 is 595 x 842 points.
      const box = text.match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/)!;
      expect(Math.abs(Number(box[1]) - 595.28)).toBeLessThan(1);
      expect(Math.abs(Number(box[2]) - 841.89)).toBeLessThan(1);
    });
  },
);

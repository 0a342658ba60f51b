import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMunicipalityTable } from '../src/analysis/municipality/read.ts';
import { spendingModel } from '../src/analysis/municipality/spending-model.ts';
import { runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { armWaveMeans, naturalCompare } from '../src/report/arm-wave-means.ts';
import { forestPlotSpec } from '../src/report/charts/forest-plot.ts';
import { iccChartSpec } from '../src/report/charts/icc-chart.ts';
import {
  municipalityCoefficientSpec,
  spendingScatterSpec,
} from '../src/report/charts/municipality.ts';
import { randomizationHistogramSpec } from '../src/report/charts/randomization-histogram.ts';
import { renderVegaLiteSvg } from '../src/report/charts/render-svg.ts';
import { trajectorySpec } from '../src/report/charts/trajectories.ts';
import { randomizationDistribution } from '../src/report/randomization-distribution.ts';
import { dataFrame, filterRows } from '../src/stats/data-frame.ts';
import { assertWellFormed } from './helpers/well-formed.ts';

/** The values of a layer's inline data in a built spec. */
function layerValues(spec: unknown, i: number): Array<Record<string, number | string>> {
  return (spec as { layer: Array<{ data: { values: Array<Record<string, number | string>> } }> })
    .layer[i]!.data.values;
}

const plan = AnalysisPlan.parse(
  JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8')),
);
const data = readCsv('test/fixtures/data/holf-demo.csv');

describe('forest plot', () => {
  it('draws one point per effect, in panels by scale, with the values as labels', async () => {
    const rows = [
      { label: 'Income at T2', estimate: 851, low: 274, high: 1428, panel: 'NOK' },
      { label: 'Income at T2', estimate: 863, low: 315, high: 1412, panel: 'NOK', analysis: 'CR2' },
      { label: 'Employed', estimate: 0.0014, low: -0.072, high: 0.075, panel: 'Share' },
    ];
    const svg = await renderVegaLiteSvg(forestPlotSpec({ rows, title: 'Effects' }));
    assertWellFormed(svg);
    const symbolGroups = [
      ...svg.matchAll(/<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g),
    ];
    expect(symbolGroups).toHaveLength(2);
    const points = symbolGroups.map((g) => (g[1]!.match(/<path /g) ?? []).length);
    expect(points).toEqual([2, 1]);
    for (const r of rows)
      expect(svg).toContain(`estimate: ${String(r.estimate).replace('-', '−')}`);
    expect(svg).toMatch(/>Share<\/text>/);
    expect(svg).toContain('>CR2</text>');
  });
});

describe('trajectories by arm and wave', () => {
  // Two arms, three offices each, one wave; office means (2, 4, 6) and (1, 1, 4).
  const small = dataFrame({
    arm: ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'],
    office: ['o1', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o6'],
    wave: ['T1', 'T1', 'T1', 'T1', 'T1', 'T1', 'T1', 'T1'],
    y: [1, 3, 4, 6, 1, 1, 3, 5],
  });
  it('office-level t intervals: mean of office means ± qt(.975, G − 1) sd / sqrt(G)', () => {
    const m = armWaveMeans(small, { outcome: 'y' });
    const qt2 = 4.302652729749464; // qt(0.975, 2) in R
    expect(m.map((r) => [r.arm, r.mean, r.clusters, r.n, r.df])).toEqual([
      ['A', 4, 3, 4, 2],
      ['B', 2, 3, 4, 2],
    ]);
    expect(m[0]!.high - m[0]!.mean).toBeCloseTo((qt2 * 2) / Math.sqrt(3), 10);
    expect(m[1]!.mean - m[1]!.low).toBeCloseTo((qt2 * Math.sqrt(3)) / Math.sqrt(3), 10);
  });
  it('family-level intervals use every value with n − 1 df', () => {
    const m = armWaveMeans(small, { outcome: 'y', unit: 'family' });
    const qt3 = 3.182446305284263; // qt(0.975, 3)
    expect(m[0]!.mean).toBe(3.5);
    const sd = Math.sqrt(((1 - 3.5) ** 2 + (3 - 3.5) ** 2 + 0.5 ** 2 + 2.5 ** 2) / 3);
    expect(m[0]!.high - m[0]!.mean).toBeCloseTo((qt3 * sd) / 2, 10);
  });
  it('sorts waves naturally and rejects unknown columns', () => {
    expect(['T10', 'T2', 'T1'].sort(naturalCompare)).toEqual(['T1', 'T2', 'T10']);
    expect(() => armWaveMeans(small, { outcome: 'nope' })).toThrow(/nope/);
  });
  it('draws a line per arm and a point per arm and wave on the demo trial', async () => {
    const means = armWaveMeans(data, { outcome: 'income' });
    expect(means).toHaveLength(10);
    const svg = await renderVegaLiteSvg(trajectorySpec({ means, yTitle: 'Income (NOK)' }));
    assertWellFormed(svg);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    const symbols = svg.match(/<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/);
    expect((symbols![1]!.match(/<path /g) ?? []).length).toBe(10);
    for (const w of ['T1', 'T2', 'T3', 'T4', 'T5']) expect(svg).toContain(`>${w}</text>`);
  });
});

describe('randomisation distribution and histogram', () => {
  const result = runPlan({ ...plan, outcomes: [plan.outcomes[0]!] }, data);
  const ri = result.outcomes[0]!.sensitivity.find((s) => s.kind === 'ri')!.ri!;
  const w = data.columns.get('wave')!.values;
  const t2 = filterRows(
    data,
    Array.from({ length: data.nrow }, (_, i) => w[i] === 'T2'),
  );
  const options = {
    outcome: 'income',
    treatment: 'arm',
    treated: 'HOLF',
    cluster: 'office',
    statistic: 'cluster-means' as const,
    draws: 20_000,
    seed: plan.seed,
  };
  const dist = randomizationDistribution(t2, options);

  it('has the plan run’s observed statistic and, within Monte Carlo error, its p-value', () => {
    // The observed statistic is a closed form (1e-9); the two p-values come from independent
    // samples of 20,000 allocations: SE of their difference ≈ 0.004 at p ≈ 0.21, allow 5 SE.
    expect(Math.abs(dist.observed - ri.observed)).toBeLessThan(1e-9 * Math.abs(ri.observed));
    let extreme = 0;
    for (const s of dist.statistics)
      if (Math.abs(s) >= Math.abs(dist.observed) * (1 - 1e-10)) extreme++;
    expect(Math.abs(extreme / 20_000 - ri.pValue)).toBeLessThan(0.02);
    // Seeded: the same draws again; another seed gives others.
    expect(randomizationDistribution(t2, options).statistics).toEqual(dist.statistics);
    expect(randomizationDistribution(t2, { ...options, seed: 1 }).statistics).not.toEqual(
      dist.statistics,
    );
  });

  it('bins every allocation, marks the observed value and its mirror', async () => {
    const spec = randomizationHistogramSpec({ ...dist, bins: 30, xTitle: 'Difference (NOK)' });
    const bins = layerValues(spec, 0);
    expect(bins).toHaveLength(30);
    expect(bins.reduce((s, b) => s + Number(b.count), 0)).toBe(20_000);
    expect(layerValues(spec, 1).map((m) => m.value)).toEqual([dist.observed, -dist.observed]);
    const svg = await renderVegaLiteSvg(spec);
    assertWellFormed(svg);
    expect(svg).toContain('>observed</text>');
    expect(svg).toMatch(/20,000 allocations; 0\.2\d\d as or more extreme/);
    expect(
      (
        svg
          .match(/<g class="mark-rect role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/)![1]!
          .match(/<path /g) ?? []
      ).length,
    ).toBe(30);
  });

  it('refuses an empty or non-finite distribution', () => {
    expect(() => randomizationHistogramSpec({ statistics: [], observed: 1 })).toThrow(/empty/);
    expect(() => randomizationHistogramSpec({ statistics: [1, Number.NaN], observed: 1 })).toThrow(
      /not finite/,
    );
  });
});

describe('ICC chart', () => {
  it('draws each ICC with its interval', async () => {
    const svg = await renderVegaLiteSvg(
      iccChartSpec([
        { outcome: 'Income at T2', group: 'office', icc: 0.017, low: 0.003, high: 0.094 },
        { outcome: 'Employed', group: 'family:office', icc: 0.21, low: 0.15, high: 0.28 },
      ]),
    );
    assertWellFormed(svg);
    expect(svg).toContain('>Income at T2 — office</text>');
    expect(svg).toContain('>Intraclass correlation (95% CI)</text>');
  });
});

describe('municipality charts', () => {
  const rows = parseMunicipalityTable(readCsv('test/fixtures/data/municipality-panel.csv'));
  const result = spendingModel(rows);

  it('coefficient plot: standardised betas, intervals scaled alike, no year effects', async () => {
    const spec = municipalityCoefficientSpec(result);
    const values = layerValues({ layer: [{ data: (spec as { data: unknown }).data }] }, 0);
    expect(values.map((v) => v.term)).toEqual(result.standardized.map((s) => s.term));
    for (const v of values) {
      const s = result.standardized.find((x) => x.term === v.term)!;
      expect(v.beta).toBe(s.beta);
      expect(Number(v.low)).toBeLessThan(s.beta);
      expect(Number(v.high)).toBeGreaterThan(s.beta);
    }
    assertWellFormed(await renderVegaLiteSvg(spec));
  });

  it('fitted lines have the model’s KVP slope in each size group', async () => {
    const spec = spendingScatterSpec(rows, result);
    const lines = layerValues(spec, 1);
    const slope = (size: string) => {
      const [a, b] = lines.filter((l) => String(l.size).startsWith(size));
      return (Number(b!.fitted) - Number(a!.fitted)) / (Number(b!.kvp) - Number(a!.kvp));
    };
    const small = result.slopes.find((s) => s.term.startsWith('sizesmall'))!.estimate;
    const large = result.slopes.find((s) => s.term.startsWith('sizelarge'))!.estimate;
    // Same OLS fit reparametrised: slopes agree to rounding (1e-8 relative).
    expect(Math.abs(slope('Under') - small)).toBeLessThan(1e-8 * Math.abs(small));
    expect(Math.abs(slope('10,000') - large)).toBeLessThan(1e-8 * Math.abs(large));
    expect(layerValues(spec, 0)).toHaveLength(result.municipalities);
    const svg = await renderVegaLiteSvg(spec);
    assertWellFormed(svg);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
  });
});

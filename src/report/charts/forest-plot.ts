/**
 * Vega-Lite specification of a forest plot: one row per effect (outcome, or outcome and analysis),
 * the estimate as a point and its confidence interval as a horizontal bar, with a rule at zero.
 */
import type { TopLevelSpec } from 'vega-lite';
import { rowAxis } from './row-axis.ts';

/**
 * One row of a forest plot.
 *
 * @example
 * const row: ForestRow = { label: 'Income at T2', estimate: 851, low: 274, high: 1428, panel: 'NOK' };
 */
export interface ForestRow {
  /** Row label, e.g. the outcome's label. */
  readonly label: string;
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Series, e.g. 'Primary model' or 'OLS, CR2' (default 'Primary model'). */
  readonly analysis?: string;
  /** Facet group; effects on different scales (NOK, share) belong in different panels. */
  readonly panel?: string;
}

/**
 * Options of {@link forestPlotSpec}.
 *
 * @example
 * forestPlotSpec({ rows, xTitle: 'Difference (95% CI)' } satisfies ForestPlotOptions);
 */
export interface ForestPlotOptions {
  readonly rows: readonly ForestRow[];
  readonly title?: string;
  /** x-axis title (default 'Effect (95% CI)'). */
  readonly xTitle?: string;
  readonly width?: number;
}

/**
 * Build the Vega-Lite spec of a forest plot. Rows with different `panel`s are drawn as stacked
 * panels with their own x scales, since effects in NOK and in shares cannot share an axis.
 *
 * @example
 * const spec = forestPlotSpec({ rows: [
 *   { label: 'Income at T2', estimate: 851, low: 274, high: 1428, panel: 'NOK' },
 *   { label: 'Employed', estimate: 0.001, low: -0.07, high: 0.08, panel: 'Share' },
 * ] });
 * const svg = await renderVegaLiteSvg(spec);
 */
export function forestPlotSpec(options: ForestPlotOptions): TopLevelSpec {
  const values = options.rows.map((r, i) => ({
    label: r.label,
    estimate: r.estimate,
    low: r.low,
    high: r.high,
    analysis: r.analysis ?? 'Primary model',
    panel: r.panel ?? '',
    order: i,
  }));
  const several = new Set(values.map((v) => v.analysis)).size > 1;
  const faceted = new Set(values.map((v) => v.panel)).size > 1;
  const xTitle = options.xTitle ?? 'Effect (95% CI)';
  const y = rowAxis('label');
  const yOffset = several
    ? { yOffset: { field: 'analysis', type: 'nominal' as const, sort: null } }
    : {};
  const color = several
    ? {
        color: {
          field: 'analysis',
          type: 'nominal' as const,
          title: null,
          sort: null,
          legend: { orient: 'bottom' as const },
        },
      }
    : {};
  const x = { field: 'estimate', type: 'quantitative' as const, title: xTitle };
  const layer = [
    {
      mark: { type: 'rule' as const, strokeWidth: 2 },
      encoding: {
        y,
        ...yOffset,
        ...color,
        x: { field: 'low', type: 'quantitative' as const, title: xTitle },
        x2: { field: 'high' },
      },
    },
    {
      mark: { type: 'point' as const, filled: true, size: 70, shape: 'square' },
      encoding: {
        y,
        ...yOffset,
        ...color,
        x,
        tooltip: [
          { field: 'label', type: 'nominal' as const, title: 'Outcome' },
          { field: 'analysis', type: 'nominal' as const, title: 'Analysis' },
          { field: 'estimate', type: 'quantitative' as const, format: '.4~g' },
          { field: 'low', type: 'quantitative' as const, title: 'CI low', format: '.4~g' },
          { field: 'high', type: 'quantitative' as const, title: 'CI high', format: '.4~g' },
        ],
      },
    },
    {
      mark: { type: 'rule' as const, color: '#707070', strokeDash: [4, 3] },
      encoding: { x: { datum: 0, type: 'quantitative' as const } },
    },
  ];
  const width = options.width ?? 420;
  const title = options.title !== undefined ? { title: options.title } : {};
  const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  const panels = [...new Set(values.map((v) => v.panel))];
  const chart = (panel: string) => ({
    ...(faceted ? { title: { text: panel, anchor: 'start' as const, fontSize: 12 } } : {}),
    width,
    data: { values: values.filter((v) => v.panel === panel) },
    layer,
  });
  if (!faceted) return { $schema: schema, ...title, ...chart(panels[0] ?? '') } as TopLevelSpec;
  // Effects in NOK and in shares cannot share an axis: one panel each, stacked, own x scales.
  return { $schema: schema, ...title, vconcat: panels.map(chart) } as TopLevelSpec;
}

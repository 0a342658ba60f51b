/**
 * Vega-Lite specification of intraclass correlations: one row per outcome and grouping factor,
 * the ICC as a point with its Wald confidence interval.
 */
import type { TopLevelSpec } from 'vega-lite';
import { rowAxis } from './row-axis.ts';

/**
 * One ICC to draw.
 *
 * @example
 * const row: IccRow = { outcome: 'Income at T2', group: 'office', icc: 0.017, low: 0.003, high: 0.094 };
 */
export interface IccRow {
  readonly outcome: string;
  /** Grouping factor, e.g. 'office' or 'family:office'. */
  readonly group: string;
  readonly icc: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Build the ICC chart's spec (x from 0, as a share).
 *
 * @example
 * const spec = iccChartSpec([{ outcome: 'Income at T2', group: 'office', icc: 0.017,
 *   low: 0.003, high: 0.094 }]);
 */
export function iccChartSpec(rows: readonly IccRow[], title?: string): TopLevelSpec {
  const values = rows.map((r, i) => ({ ...r, label: `${r.outcome} — ${r.group}`, order: i }));
  const y = rowAxis('label');
  const x = {
    field: 'icc',
    type: 'quantitative' as const,
    title: 'Intraclass correlation (95% CI)',
    scale: { zero: true },
    axis: { format: '.0%' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title !== undefined ? { title } : {}),
    width: 360,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2, color: '#0067c5' },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', title: x.title },
          x2: { field: 'high' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60, color: '#0067c5', opacity: 1 },
        encoding: {
          y,
          x,
          tooltip: [
            { field: 'label', type: 'nominal', title: 'Outcome and level' },
            { field: 'icc', type: 'quantitative', format: '.4f', title: 'ICC' },
            { field: 'low', type: 'quantitative', format: '.4f', title: 'CI low' },
            { field: 'high', type: 'quantitative', format: '.4f', title: 'CI high' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

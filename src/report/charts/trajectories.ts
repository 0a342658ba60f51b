/**
 * Vega-Lite specification of outcome trajectories: the mean of each arm at each wave with its
 * confidence interval as error bars, points joined by lines, arms dodged apart slightly.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ArmWaveMean } from '../arm-wave-means.ts';

/**
 * Options of {@link trajectorySpec}.
 *
 * @example
 * trajectorySpec({ means, yTitle: 'Employed', yFormat: '.0%' } satisfies TrajectoryOptions);
 */
export interface TrajectoryOptions {
  readonly means: readonly ArmWaveMean[];
  readonly yTitle: string;
  readonly title?: string;
  /** Format of the y axis, e.g. '.0%' for shares (default ',.0f' above 100, else '.2f'). */
  readonly yFormat?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Build the trajectory chart's spec from {@link armWaveMeans} rows.
 *
 * @example
 * const spec = trajectorySpec({ means: armWaveMeans(data, { outcome: 'income' }),
 *   yTitle: 'Income per month (NOK)' });
 */
export function trajectorySpec(options: TrajectoryOptions): TopLevelSpec {
  const waves = [...new Set(options.means.map((m) => m.wave))];
  const arms = [...new Set(options.means.map((m) => m.arm))];
  // Arms are dodged by a fixed fraction of a wave so that their intervals do not overlap; a
  // quantitative position (rather than xOffset) keeps each arm's line connected across waves.
  const values = options.means.map((m) => ({
    pos: waves.indexOf(m.wave) + (arms.indexOf(m.arm) - (arms.length - 1) / 2) * 0.12,
    arm: m.arm,
    wave: m.wave,
    mean: m.mean,
    low: m.low,
    high: m.high,
    n: m.n,
    clusters: m.clusters,
  }));
  const big = values.some((v) => Math.abs(v.mean) >= 100);
  const format = options.yFormat ?? (big ? ',.0f' : '.2f');
  const x = {
    field: 'pos',
    type: 'quantitative' as const,
    title: 'Wave',
    scale: { domain: [-0.5, waves.length - 0.5], nice: false, zero: false },
    axis: {
      values: waves.map((_, i) => i),
      labelExpr: `${JSON.stringify(waves)}[datum.value]`,
      grid: false,
    },
  };
  const color = {
    color: {
      field: 'arm',
      type: 'nominal' as const,
      title: 'Arm',
      scale: { range: ['#0067c5', '#c77300', '#06893a', '#7f00a0'] },
    },
  };
  const y = {
    field: 'mean',
    type: 'quantitative' as const,
    title: options.yTitle,
    scale: { zero: false },
    axis: { format },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? 420,
    height: options.height ?? 260,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x,
          ...color,
          y: { field: 'low', type: 'quantitative', title: options.yTitle },
          y2: { field: 'high' },
        },
      },
      { mark: { type: 'line' }, encoding: { x, ...color, y } },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 1 },
        encoding: {
          x,
          ...color,
          y,
          tooltip: [
            { field: 'arm', type: 'nominal' },
            { field: 'wave', type: 'nominal' },
            { field: 'mean', type: 'quantitative', format },
            { field: 'low', type: 'quantitative', title: 'CI low', format },
            { field: 'high', type: 'quantitative', title: 'CI high', format },
            { field: 'n', type: 'quantitative', title: 'Families' },
            { field: 'clusters', type: 'quantitative', title: 'Offices' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

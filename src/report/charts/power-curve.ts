/**
 * Vega-Lite specification of a power curve: power against the quantity varied (clusters per arm,
 * cluster size or effect), with a line, points, the target-power rule and an optional marked design.
 */
import type { TopLevelSpec } from 'vega-lite';

/** One point of a power curve. */
export interface PowerCurvePoint {
  readonly x: number;
  readonly power: number;
  /** Series label, e.g. 'analytic' or 'simulated' (default 'analytic'). */
  readonly series?: string;
}

/** Options of {@link powerCurveSpec}. */
export interface PowerCurveOptions {
  readonly points: readonly PowerCurvePoint[];
  /** Axis title of the varied quantity. */
  readonly xTitle: string;
  /** Horizontal rule at the target power (omit for none). */
  readonly target?: number;
  /** Chart title. */
  readonly title?: string;
  /** A design to highlight (x value of the chosen design). */
  readonly highlight?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Build the Vega-Lite spec of a power curve. Render with `renderVegaLiteSvg` or vega-embed.
 *
 * @example
 * const spec = powerCurveSpec({
 *   points: [{ x: 5, power: 0.41 }, { x: 10, power: 0.72 }, { x: 15, power: 0.88 }],
 *   xTitle: 'Clusters per arm', target: 0.8, title: 'Power, ICC 0.05, 21 families per office',
 * });
 */
export function powerCurveSpec(options: PowerCurveOptions): TopLevelSpec {
  const values = options.points.map((p) => ({
    x: p.x,
    power: p.power,
    series: p.series ?? 'analytic',
  }));
  const series = new Set(values.map((v) => v.series));
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: options.xTitle,
    scale: { zero: false, nice: false },
  };
  const y = {
    field: 'power',
    type: 'quantitative' as const,
    title: 'Power',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  const color =
    series.size > 1 ? { color: { field: 'series', type: 'nominal' as const, title: null } } : {};
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    { mark: { type: 'line' }, encoding: { x, y, ...color } },
    {
      mark: { type: 'point', filled: true },
      encoding: {
        x,
        y,
        ...color,
        tooltip: [
          { field: 'x', type: 'quantitative', title: options.xTitle },
          { field: 'power', type: 'quantitative', title: 'Power', format: '.3f' },
        ],
      },
    },
  ];
  if (options.target !== undefined) {
    layers.push({
      data: { values: [{ target: options.target }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
      encoding: { y: { field: 'target', type: 'quantitative' } },
    });
  }
  if (options.highlight !== undefined) {
    layers.push({
      data: { values: [{ x: options.highlight }] },
      mark: { type: 'rule', color: '#c30000' },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? 480,
    height: options.height ?? 300,
    data: { values },
    layer: layers,
  };
}

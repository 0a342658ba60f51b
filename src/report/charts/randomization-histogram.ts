/**
 * Vega-Lite specification of a randomisation distribution: a histogram of the test statistic over
 * the allocations the design could have produced, with the observed statistic (and its mirror
 * image, since the test is two-sided) marked.
 */
import type { TopLevelSpec } from 'vega-lite';
import { TiltakError } from '../../stats/errors.ts';

/**
 * Options of {@link randomizationHistogramSpec}.
 *
 * @example
 * randomizationHistogramSpec({ statistics: [-1, 0.5, 2], observed: 1.2, bins: 20 });
 */
export interface RandomizationHistogramOptions {
  /** The statistic under each evaluated allocation (exact enumeration or seeded draws). */
  readonly statistics: ArrayLike<number>;
  /** The statistic under the allocation actually used. */
  readonly observed: number;
  readonly xTitle?: string;
  readonly title?: string;
  /** Number of bins (default 40). */
  readonly bins?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Bin the statistics here (not in Vega) so that the spec carries `bins` rows instead of every
 * allocation: a 20,000-draw distribution stays a few kilobytes in the report and in the browser.
 *
 * @example
 * const spec = randomizationHistogramSpec({ statistics: draws, observed: 923,
 *   xTitle: 'Difference in office means (NOK)' });
 */
export function randomizationHistogramSpec(options: RandomizationHistogramOptions): TopLevelSpec {
  const s = options.statistics;
  if (s.length === 0)
    throw new TiltakError('EMPTY_DATA', 'the randomisation distribution is empty');
  const nb = options.bins ?? 40;
  let lo = Math.min(options.observed, -Math.abs(options.observed));
  let hi = Math.max(options.observed, Math.abs(options.observed));
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!Number.isFinite(v)) {
      throw new TiltakError('NOT_FINITE', `randomisation statistic ${i + 1} is not finite: ${v}`);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / nb;
  const counts = new Float64Array(nb);
  const extreme = Math.abs(options.observed) * (1 - 1e-10);
  let nExtreme = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    counts[Math.min(nb - 1, Math.floor((v - lo) / width))]! += 1;
    if (Math.abs(v) >= extreme) nExtreme++;
  }
  const values = Array.from(counts, (c, b) => ({
    bin_start: lo + b * width,
    bin_end: lo + (b + 1) * width,
    share: c / s.length,
    count: c,
    extreme:
      Math.abs(lo + (b + 0.5) * width) >= Math.abs(options.observed)
        ? 'as or more extreme'
        : 'less extreme',
  }));
  const xTitle = options.xTitle ?? 'Test statistic';
  const marks = [
    { value: options.observed, what: 'observed' },
    ...(options.observed !== 0 ? [{ value: -options.observed, what: 'mirror' }] : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Randomisation distribution',
      subtitle: `${s.length.toLocaleString('en')} allocations; ${(nExtreme / s.length).toFixed(3)} as or more extreme (two-sided)`,
    },
    width: options.width ?? 420,
    height: options.height ?? 220,
    layer: [
      {
        data: { values },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'bin_start', type: 'quantitative', title: xTitle },
          x2: { field: 'bin_end' },
          y: { field: 'share', type: 'quantitative', title: 'Share of allocations' },
          y2: { datum: 0 },
          color: {
            field: 'extreme',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['less extreme', 'as or more extreme'],
              range: ['#99c3ec', '#0067c5'],
            },
            legend: { orient: 'bottom' },
          },
          tooltip: [
            { field: 'bin_start', type: 'quantitative', title: 'from', format: '.4~g' },
            { field: 'bin_end', type: 'quantitative', title: 'to', format: '.4~g' },
            { field: 'count', type: 'quantitative', title: 'allocations' },
          ],
        },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', color: '#c30000', strokeWidth: 2 },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          strokeDash: {
            field: 'what',
            type: 'nominal',
            scale: {
              domain: ['observed', 'mirror'],
              range: [
                [1, 0],
                [4, 3],
              ],
            },
            legend: null,
          },
        },
      },
      {
        data: { values: marks.slice(0, 1) },
        mark: { type: 'text', color: '#c30000', align: 'left', dx: 4, y: 8, fontWeight: 'bold' },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          text: { value: 'observed' },
        },
      },
    ],
  } as TopLevelSpec;
}

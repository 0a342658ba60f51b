import { describe, expect, it } from 'vitest';
import { powerCurveSpec } from '../src/report/charts/power-curve.ts';
import { renderVegaLiteSvg } from '../src/report/charts/render-svg.ts';
import { assertWellFormed } from './helpers/well-formed.ts';

describe('power curve chart', () => {
  const points = [
    { x: 5, power: 0.41 },
    { x: 10, power: 0.72 },
    { x: 15, power: 0.88 },
    { x: 20, power: 0.95 },
  ];

  it('renders well-formed SVG with axis titles, title and one symbol per point', async () => {
    const spec = powerCurveSpec({
      points,
      xTitle: 'Clusters per arm',
      target: 0.8,
      title: 'Power of the HOLF design',
      highlight: 15,
    });
    const svg = await renderVegaLiteSvg(spec);
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg');
    assertWellFormed(svg);
    expect(svg).toMatch(/>Clusters per arm<\/text>/);
    expect(svg).toMatch(/>Power<\/text>/);
    expect(svg).toMatch(/>Power of the HOLF design<\/text>/);
    const symbols = svg.match(/<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/);
    expect(symbols).not.toBeNull();
    const paths = [
      ...symbols![1]!.matchAll(/<path [^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"/g),
    ];
    expect(paths.length).toBe(points.length);
    // Plot is 480 x 300 with x from 5 to 20 (zero: false) and y fixed to [0, 1]: each symbol sits
    // at the linear position of its point, to the pixel rounding vega applies (< 0.01 px).
    paths.forEach((p, i) => {
      expect(Number(p[1])).toBeCloseTo(((points[i]!.x - 5) / 15) * 480, 1);
      expect(Number(p[2])).toBeCloseTo((1 - points[i]!.power) * 300, 1);
    });
    // Two rules: the 80 % target (horizontal, y = 60) and the highlighted design (x = 320).
    const target = svg.match(
      /aria-label="target: 0.8"[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"/,
    );
    expect(Number(target![2])).toBeCloseTo(60, 6);
    const design = svg.match(
      /aria-label="x: 15"[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"/,
    );
    expect(Number(design![1])).toBeCloseTo(320, 6);
  });

  it('colours several series and puts a legend in', async () => {
    const spec = powerCurveSpec({
      points: [
        ...points,
        ...points.map((p) => ({ ...p, power: p.power - 0.03, series: 'simulated' })),
      ],
      xTitle: 'Clusters per arm',
    });
    const svg = await renderVegaLiteSvg(spec);
    assertWellFormed(svg);
    expect(svg).toContain('role-legend');
    expect(svg).toMatch(/>simulated<\/text>/);
  });

  it('names a bad spec as misuse', async () => {
    await expect(renderVegaLiteSvg({ mark: 'nonsense' } as never)).rejects.toThrow(/Vega-Lite/);
  });
});

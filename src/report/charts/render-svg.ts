/**
 * Render a Vega-Lite specification to an SVG string in Node, without a browser or canvas: compile
 * to Vega, run a headless View (renderer 'none') and serialise with `toSVG()`. The same specs are
 * rendered in the browser by vega-embed, so the server report and the web show one chart.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { TiltakError } from '../../stats/errors.ts';

/**
 * Compile and render a Vega-Lite spec to a standalone SVG document string.
 *
 * @example
 * const svg = await renderVegaLiteSvg(powerCurveSpec({ points, xTitle: 'Clusters per arm' }));
 * writeFileSync('curve.svg', svg);
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  let vegaSpec: ReturnType<typeof compile>['spec'];
  try {
    vegaSpec = compile(spec).spec;
  } catch (e) {
    throw new TiltakError(
      'BAD_CHART',
      `invalid Vega-Lite spec: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  } finally {
    view.finalize();
  }
}

import { useEffect, useRef, useState } from 'react';
import type { VisualizationSpec } from 'vega-embed';

// Vega is loaded with the first chart, so pages without charts do not download it.
const loadVega = () =>
  Promise.all([import('vega-embed'), import('vega-interpreter')]).then(([e, i]) => ({
    embed: e.default,
    expr: i.expressionInterpreter,
  }));

/**
 * A Vega-Lite chart drawn in the browser with vega-embed, from the same spec the server's report
 * renders as SVG. Expressions run through Vega's interpreter, so the page needs no `unsafe-eval`
 * in its Content-Security-Policy; the chart is an SVG with an accessible name. Vega itself is
 * fetched with the first chart.
 *
 * @example
 * <VegaChart spec={analysis.charts.forest} label="Forest plot" />
 */
export function VegaChart({ spec, label }: { spec: Record<string, unknown>; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const host = ref.current;
    if (host === null) return;
    // Each run draws into its own element, so a superseded embed that resolves late cannot
    // replace (or finalise) the chart of the run that replaced it.
    const el = document.createElement('div');
    host.replaceChildren(el);
    let finalize: (() => void) | undefined;
    let live = true;
    loadVega()
      .then(({ embed, expr }) =>
        embed(el, spec as VisualizationSpec, {
          renderer: 'svg',
          actions: false,
          ast: true,
          expr,
          config: { background: 'transparent' },
        }),
      )
      .then((r) => {
        if (!live) {
          r.finalize();
          el.remove();
          return;
        }
        finalize = () => r.finalize();
        const svg = el.querySelector('svg');
        svg?.setAttribute('role', 'img');
        svg?.setAttribute('aria-label', label);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
      finalize?.();
    };
  }, [spec, label]);
  return (
    <figure className="chart" data-testid="vega-chart" aria-label={label}>
      <div ref={ref} />
      {error !== null && <p className="chart-error">{error}</p>}
    </figure>
  );
}

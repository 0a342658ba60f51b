/**
 * Escaping and number formatting for the HTML report. Every string that goes into the report
 * passes through {@link escapeHtml}, whether it came from a plan, a data file or a label.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escape text for HTML element content and quoted attribute values (also valid XML for SVG).
 *
 * @example
 * escapeHtml('income < 5 & "x"'); // 'income &lt; 5 &amp; &quot;x&quot;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Format a number for a table: `digits` significant digits for small values, thousands kept
 * whole for large ones, an en dash for missing values, and a true minus sign.
 *
 * @example
 * formatNumber(851.2148); // '851.2'
 * formatNumber(0.0053901, 3); // '0.00539'
 */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  let s: string;
  if (a === 0) s = '0';
  else if (a >= 10 ** digits) s = x.toFixed(0);
  else if (a < 1e-4) s = x.toExponential(Math.max(digits - 1, 1));
  else s = Number(x.toPrecision(digits)).toString();
  return s.replace(/^-/, '−');
}

/**
 * Format a p-value as journals print it: three decimals, or `< 0.001`.
 *
 * @example
 * formatP(0.00539); // '0.005'
 * formatP(2e-9); // '< 0.001'
 */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

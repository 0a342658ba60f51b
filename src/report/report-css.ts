/**
 * The report's stylesheet, inlined into the HTML: NAV-like (Aksel) colours and type, readable on
 * screen and printed on A4.
 *
 * @example
 * `<style>${REPORT_CSS}</style>`;
 */
export const REPORT_CSS = `
:root { --blue: #0067c5; --ink: #262626; --muted: #595959; --line: #cfd3d8; --bg: #f1f1f1; }
* { box-sizing: border-box; }
html { font-family: 'Source Sans Pro', 'Source Sans 3', Arial, Helvetica, sans-serif; color: var(--ink); font-size: 15px; line-height: 1.45; }
body { margin: 0; background: #fff; }
.wrap { max-width: 980px; margin: 0 auto; padding: 0 24px; }
.masthead { background: var(--blue); color: #fff; padding: 20px 0 16px; margin-bottom: 20px; }
.masthead h1 { margin: 0; font-size: 2rem; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .06em; font-size: .8rem; opacity: .9; }
.subtitle { margin: 4px 0 10px; font-size: 1.1rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: .85rem; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; word-break: break-all; }
.meta code { color: #fff; }
h2 { font-size: 1.45rem; border-bottom: 3px solid var(--blue); padding-bottom: 4px; margin: 32px 0 12px; }
h3 { font-size: 1.12rem; margin: 20px 0 6px; }
h4 { font-size: 1rem; margin: 14px 0 4px; color: var(--muted); }
p { margin: 6px 0 10px; }
code { font-family: 'Source Code Pro', Consolas, monospace; font-size: .9em; }
.toc { background: var(--bg); border-left: 4px solid var(--blue); padding: 8px 16px; }
.toc h2 { border: 0; margin: 4px 0; font-size: 1.1rem; }
.toc ol { margin: 0; padding-left: 20px; columns: 2; }
a { color: var(--blue); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); background: var(--bg); }
td.num, th.num { text-align: right; white-space: nowrap; }
figure { margin: 12px 0 20px; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: 4px; }
.outcome { border-top: 1px solid var(--line); padding-top: 4px; }
.formula { color: var(--muted); }
.warnings { color: #c30000; }
footer { color: var(--muted); font-size: .8rem; margin: 32px auto 24px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 11.5px; }
  .wrap { max-width: none; padding: 0; }
  .masthead { padding: 12px 12px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section { break-before: auto; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  table, tr { break-inside: avoid; }
  .toc { display: none; }
}
`;

import type { FittedModel } from '../analysis/fit-model.ts';
import type { RanefTable } from '../stats/models/lmm/index.ts';
import type { FitSummary, TidyRow } from '../stats/tidy.ts';

const MODEL_NAMES: Record<FitSummary['model'], string> = {
  ols: 'Linear regression (OLS)',
  logit: 'Logistic regression (binomial, logit link)',
  lmm: 'Linear mixed model',
};

/**
 * Render a {@link FitSummary} as a coefficient table in the spirit of R's `summary()`:
 * estimate, standard error, test statistic, df, p-value with significance stars, and the CI.
 *
 * @example
 * process.stdout.write(formatSummary(summary, 0.95));
 */
export function formatSummary(s: FitSummary, level: number): string {
  const lines: string[] = [];
  lines.push(
    `${MODEL_NAMES[s.model]}${s.model === 'lmm' ? (s.reml ? ' fit by REML' : ' fit by ML') : ''}`,
  );
  lines.push(`Formula: ${s.formula}`);
  const groups = Object.entries(s.groups)
    .map(([g, k]) => `${g} ${k}`)
    .join(', ');
  lines.push(
    `Observations: ${s.nObs} used, ${s.nDropped} dropped for missing values${groups ? `; groups: ${groups}` : ''}`,
  );
  lines.push(`Variance: ${s.vcov}; degrees of freedom: ${s.dfMethod}`);
  if (s.varianceComponents && s.varianceComponents.length > 0) {
    lines.push('', 'Random effects:');
    lines.push(
      table(
        ['Groups', 'Name', 'Variance', 'Std.Dev.'],
        s.varianceComponents.map((v) => [v.group, v.term, fmt(v.variance), fmt(v.std_dev)]),
        [false, false, true, true],
      ),
    );
  }
  const stat = s.model === 'logit' && s.dfMethod === 'normal' ? 'z value' : 't value';
  const pct = `${trimNum(level * 100)}%`;
  lines.push('', 'Coefficients:');
  lines.push(
    table(
      ['', 'Estimate', 'Std. Error', stat, 'df', 'Pr(>|t|)', '', `${pct} CI low`, `${pct} CI high`],
      s.coefficients.map((r) => coefRow(r)),
      [false, true, true, true, true, true, false, true, true],
    ),
  );
  lines.push('---', "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1", '');
  const fitLine: string[] = [];
  if (s.rSquared !== null) fitLine.push(`R-squared: ${fmt(s.rSquared)}`);
  if (s.adjRSquared !== null) fitLine.push(`adjusted R-squared: ${fmt(s.adjRSquared)}`);
  fitLine.push(`log-likelihood: ${fmt(s.loglik)}`, `AIC: ${fmt(s.aic)}`, `BIC: ${fmt(s.bic)}`);
  lines.push(fitLine.join(', '));
  for (const w of s.warnings) lines.push(`Warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function coefRow(r: TidyRow): string[] {
  if (Number.isNaN(r.estimate)) return [r.term, 'NA', 'NA', 'NA', '', 'NA', '', '', ''];
  return [
    r.term,
    fmt(r.estimate),
    fmt(r.std_error),
    fmt(r.statistic, 3),
    Number.isFinite(r.df) ? fmt(r.df, 4) : 'Inf',
    fmtP(r.p_value),
    stars(r.p_value),
    fmt(r.conf_low),
    fmt(r.conf_high),
  ];
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (right[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join(' ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * Format a number with `digits` significant digits, as R prints coefficients.
 *
 * @example
 * fmt(0.000123456); // "0.0001235"
 */
export function fmt(x: number, digits = 5): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NA' : x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) return trimNum(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

function trimNum(x: number): string {
  return String(x);
}

/**
 * Format a p-value as R's `format.pval`: very small values print as `< 2e-16`.
 *
 * @example
 * fmtP(1e-20); // "< 2e-16"
 */
export function fmtP(p: number): string {
  if (Number.isNaN(p)) return 'NA';
  if (p < 2.2e-16) return '< 2e-16';
  return p < 1e-4 ? p.toExponential(2) : p.toPrecision(3);
}

function stars(p: number): string {
  if (!(p >= 0)) return '';
  if (p < 0.001) return '***';
  if (p < 0.01) return '**';
  if (p < 0.05) return '*';
  if (p < 0.1) return '.';
  return '';
}

/**
 * The mixed-model part of the readable `tiltak fit` output: ICCs with their intervals, F tests of
 * whole fixed terms, and conditional modes when asked for. Empty for OLS and logistic fits.
 *
 * @example
 * process.stdout.write(formatMixedExtras(fitted, null));
 */
export function formatMixedExtras(fitted: FittedModel, ranef: RanefTable[] | null): string {
  const lines: string[] = [];
  if (fitted.icc && fitted.icc.length > 0) {
    lines.push('', 'Intraclass correlation (CI: delta method on the logit scale):');
    lines.push(
      table(
        ['Group', 'ICC', 'CI low', 'CI high'],
        fitted.icc.map((i) => [i.group, fmt(i.icc, 4), fmt(i.confLow, 4), fmt(i.confHigh, 4)]),
        [false, true, true, true],
      ),
    );
  }
  if (fitted.anova && fitted.anova.length > 0) {
    lines.push(
      '',
      `F tests of fixed terms (${fitted.anovaTest ?? `${fitted.summary.dfMethod} df`}):`,
    );
    lines.push(
      table(
        ['Term', 'NumDF', 'DenDF', 'F value', 'Pr(>F)'],
        fitted.anova.map((t) => [
          t.term,
          String(t.numDf),
          fmt(t.denDf, 4),
          fmt(t.fValue, 4),
          fmtP(t.pValue),
        ]),
        [false, true, true, true, true],
      ),
    );
  }
  if (ranef) {
    for (const r of ranef) {
      lines.push('', `Conditional modes, ${r.group}:`);
      lines.push(
        table(
          ['Level', ...r.termNames],
          r.levels.map((level, i) => [
            level,
            ...r.termNames.map((_, j) => fmt(r.values[j * r.levels.length + i]!)),
          ]),
          [false, ...r.termNames.map(() => true)],
        ),
      );
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

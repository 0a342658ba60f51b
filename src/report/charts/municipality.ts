/**
 * Vega-Lite specifications of the municipality analysis: the spending model's coefficient plot
 * (standardised, so that every predictor shares one axis) and the scatter of social-assistance
 * spending against KVP operating expenses with the model's fitted lines for municipalities under
 * and over 10,000 inhabitants.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { MunicipalityRow } from '../../analysis/municipality/schema.ts';
import { SMALL_MUNICIPALITY } from '../../analysis/municipality/schema.ts';
import type { SpendingModelResult } from '../../analysis/municipality/spending-model.ts';
import { TiltakError } from '../../stats/errors.ts';
import { rowAxis } from './row-axis.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE_LABEL = { small: 'Under 10,000 inhabitants', large: '10,000 inhabitants or more' };

/**
 * Coefficient plot of the spending model: each coefficient and its CI multiplied by
 * sd(x)/sd(y), i.e. standardised betas with their intervals (the scaling is exact because it is
 * a constant per term). Year fixed effects and the intercept are left out.
 *
 * @example
 * const spec = municipalityCoefficientSpec(spendingModel(rows));
 */
export function municipalityCoefficientSpec(result: SpendingModelResult): TopLevelSpec {
  const values = result.standardized.flatMap((s, i) => {
    const c = result.summary.coefficients.find((r) => r.term === s.term);
    if (c === undefined || c.estimate === 0 || s.term.startsWith('factor(year)')) return [];
    const f = s.beta / c.estimate;
    const [low, high] = [c.conf_low * f, c.conf_high * f].sort((a, b) => a - b);
    return [{ term: s.term, beta: s.beta, low, high, p: c.p_value, order: i }];
  });
  const y = rowAxis('term');
  return {
    $schema: SCHEMA,
    title: {
      text: 'Spending model: standardised coefficients',
      subtitle: `${result.summary.vcov} confidence intervals; ${result.kind} ${result.years.join(', ')}`,
    },
    width: 380,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2, color: '#0067c5' },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', title: 'Standardised coefficient (95% CI)' },
          x2: { field: 'high' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60, color: '#0067c5', opacity: 1 },
        encoding: {
          y,
          x: { field: 'beta', type: 'quantitative' },
          tooltip: [
            { field: 'term', type: 'nominal' },
            { field: 'beta', type: 'quantitative', format: '.3f' },
            { field: 'p', type: 'quantitative', format: '.3g', title: 'p' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#707070', strokeDash: [4, 3] },
        encoding: { x: { datum: 0, type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Scatter of social-assistance expenses against KVP operating expenses per inhabitant, coloured by
 * municipality size, with the spending model's fitted lines: for each size group, the prediction
 * of the interaction model as KVP expenses vary over the group's range while every other predictor
 * (and each year's indicator, in a panel) is held at the group's mean. `rows` are the rows the
 * model used (the same years).
 *
 * @example
 * const spec = spendingScatterSpec(rows, spendingModel(rows));
 */
export function spendingScatterSpec(
  rows: readonly MunicipalityRow[],
  result: SpendingModelResult,
): TopLevelSpec {
  const used = rows.filter((r) => result.years.includes(r.year));
  if (used.length === 0)
    throw new TiltakError('EMPTY_DATA', 'no municipality rows in the model years');
  const sizeOf = (r: MunicipalityRow) => (r.population < SMALL_MUNICIPALITY ? 'small' : 'large');
  const points = used.map((r) => ({
    municipality: r.municipality,
    name: r.name ?? r.municipality,
    year: r.year,
    kvp: r.kvp_expenses_per_inhabitant,
    spending: r.sa_expenses_per_inhabitant,
    size: SIZE_LABEL[sizeOf(r)],
  }));
  const coef = new Map(result.summary.coefficients.map((c) => [c.term, c.estimate] as const));
  const lines = (['small', 'large'] as const).flatMap((size) => {
    const group = used.filter((r) => sizeOf(r) === size);
    if (group.length === 0) return [];
    const mean = (f: (r: MunicipalityRow) => number) =>
      group.reduce((s, r) => s + f(r), 0) / group.length;
    const predict = (x: number) => {
      let yhat = 0;
      for (const [term, b] of coef) {
        yhat += b * termValue(term, x, size, mean);
      }
      return yhat;
    };
    const xs = group.map((r) => r.kvp_expenses_per_inhabitant);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return [lo, hi].map((x) => ({ kvp: x, fitted: predict(x), size: SIZE_LABEL[size] }));
  });
  const color = {
    field: 'size',
    type: 'nominal' as const,
    title: null,
    scale: { domain: [SIZE_LABEL.small, SIZE_LABEL.large], range: ['#c77300', '#0067c5'] },
    legend: { orient: 'bottom' as const, labelLimit: 300 },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: 'Social assistance and KVP expenses per inhabitant',
      subtitle: 'Lines: spending model, other predictors at their group means',
    },
    width: 420,
    height: 300,
    layer: [
      {
        data: { values: points },
        mark: { type: 'circle', size: 22, opacity: 0.55 },
        encoding: {
          x: {
            field: 'kvp',
            type: 'quantitative',
            title: 'KVP operating expenses per inhabitant (NOK)',
          },
          y: {
            field: 'spending',
            type: 'quantitative',
            title: 'Social-assistance expenses per inhabitant (NOK)',
          },
          color,
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Municipality' },
            { field: 'year', type: 'ordinal' },
            { field: 'kvp', type: 'quantitative', format: ',.0f', title: 'KVP' },
            { field: 'spending', type: 'quantitative', format: ',.0f', title: 'Social assistance' },
          ],
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 3 },
        encoding: {
          x: { field: 'kvp', type: 'quantitative' },
          y: { field: 'fitted', type: 'quantitative' },
          color,
        },
      },
    ],
  } as TopLevelSpec;
}

function termValue(
  term: string,
  x: number,
  size: 'small' | 'large',
  mean: (f: (r: MunicipalityRow) => number) => number,
): number {
  if (term === '(Intercept)') return 1;
  const small = size === 'small' ? 1 : 0;
  if (term === 'kvp_expenses_per_inhabitant') return x;
  if (term === 'sizesmall') return small;
  if (term === 'kvp_expenses_per_inhabitant:sizesmall') return x * small;
  const year = /^factor\(year\)(\d+)$/.exec(term);
  if (year) return mean((r) => (r.year === Number(year[1]) ? 1 : 0));
  const numeric = [
    'kvp_participants_per_sa_recipient',
    'refugees_per_1000',
    'share_divorced',
    'share_unemployed',
    'aap_per_sa_recipient',
  ] as const;
  const key = numeric.find((k) => k === term);
  if (key === undefined) {
    throw new TiltakError(
      'UNKNOWN_TERM',
      `the spending model has a term the chart does not know: ${term}`,
    );
  }
  return mean((r) => r[key]);
}

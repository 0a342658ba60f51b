import { type DataFrame, dataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { modelFrame } from '../../stats/formula/index.ts';
import { standardizedCoefficients, type VifRow, vif } from '../../stats/models/collinearity.ts';
import { fitOls } from '../../stats/models/ols.ts';
import type { FitSummary, TidyRow, VcovType } from '../../stats/tidy.ts';
import { type MunicipalityRow, SMALL_MUNICIPALITY } from './schema.ts';

const PREDICTORS =
  'kvp_participants_per_sa_recipient + refugees_per_1000 + share_divorced + share_unemployed + aap_per_sa_recipient';
const RESPONSE = 'sa_expenses_per_inhabitant';

/** Options of {@link spendingModel}. */
export interface SpendingModelOptions {
  /** Variance; default HC1 (Stata's `robust`) for one year, CR2 by municipality for a panel. */
  vcov?: VcovType;
  level?: number;
  /** Analyse one year only (default: the latest year, unless `panel`). */
  year?: number;
  /** Pool all years with year fixed effects and municipality-clustered standard errors. */
  panel?: boolean;
}

/** The spending model of the Qualification Programme report, with its companions. */
export interface SpendingModelResult {
  kind: 'cross-section' | 'panel';
  years: number[];
  /** Distinct municipalities used. */
  municipalities: number;
  /** Distinct municipalities under 10,000 inhabitants (in at least one year used, for a panel). */
  small: number;
  /** Rows used: one per municipality, or one per municipality-year for a panel. */
  observations: number;
  /** Rows used with fewer than 10,000 inhabitants. */
  smallObservations: number;
  formula: string;
  summary: FitSummary;
  /** Slope of KVP operating expenses in municipalities of 10,000+ and under 10,000 inhabitants. */
  slopes: TidyRow[];
  /** Standardised coefficients (b · sd(x) / sd(y)) of the interaction model. */
  standardized: Array<{ term: string; beta: number }>;
  /** VIFs of the main-effects model (an interaction's VIF is inflated by construction). */
  vif: VifRow[];
}

/**
 * Regress social-assistance expenses per inhabitant on KVP participation, KVP operating expenses
 * (interacted with being a municipality under 10,000 inhabitants), deprivation indicators and AAP
 * recipients, as the Qualification Programme report (Fafo 2012) does, with robust standard errors;
 * for several years, pooled with year fixed effects and standard errors clustered by municipality.
 *
 * @example
 * const r = spendingModel(rows, { year: 2011 });
 * r.slopes; // KVP-expense slope for large and small municipalities
 */
export function spendingModel(
  rows: readonly MunicipalityRow[],
  options: SpendingModelOptions = {},
): SpendingModelResult {
  const allYears = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  if (allYears.length === 0)
    throw new TiltakError('EMPTY_DATA', 'the municipality table has no rows');
  const panel = options.panel === true;
  if (panel && allYears.length < 2) {
    throw new TiltakError(
      'BAD_OPTION',
      `a panel needs at least two years; the table has only ${allYears[0]}`,
    );
  }
  const year = options.year ?? allYears[allYears.length - 1]!;
  if (!panel && !allYears.includes(year)) {
    throw new TiltakError('BAD_OPTION', `no rows for year ${year} (years: ${allYears.join(', ')})`);
  }
  const used = panel ? rows : rows.filter((r) => r.year === year);
  const data = toFrame(used);
  const smallRows = used.filter((r) => r.population < SMALL_MUNICIPALITY);
  if (smallRows.length === 0 || smallRows.length === used.length) {
    throw new TiltakError(
      'SINGLE_LEVEL_FACTOR',
      `every municipality used is ${smallRows.length === 0 ? 'at or above' : 'below'} ${SMALL_MUNICIPALITY} inhabitants; the size interaction needs both`,
    );
  }
  const fe = panel ? ' + factor(year)' : '';
  const formula = `${RESPONSE} ~ ${PREDICTORS} + kvp_expenses_per_inhabitant * size${fe}`;
  const slopesFormula = `${RESPONSE} ~ ${PREDICTORS} + size + kvp_expenses_per_inhabitant:size${fe}`;
  const mainFormula = `${RESPONSE} ~ ${PREDICTORS} + kvp_expenses_per_inhabitant + size${fe}`;
  const type: VcovType = options.vcov ?? (panel ? 'CR2' : 'HC1');
  const level = options.level ?? 0.95;
  const cluster = type.startsWith('CR') ? municipalityCodes(used) : undefined;
  if (type.startsWith('CR') && !panel) {
    throw new TiltakError(
      'BAD_OPTION',
      'one year has one row per municipality: use HC variances, or --panel',
    );
  }
  const inference = { type, level, ...(cluster ? { cluster } : {}) };

  const mf = modelFrame(formula, data);
  const fit = fitOls(mf);
  const summary = fit.summary({
    ...inference,
    formula,
    nDropped: mf.nDropped,
    groups: cluster ? { municipality: new Set(used.map((r) => r.municipality)).size } : {},
  });
  const mfSlopes = modelFrame(slopesFormula, data);
  const slopes = fitOls(mfSlopes)
    .tidy(inference)
    .filter((r) => r.term.includes(':') && r.term.includes('kvp_expenses_per_inhabitant'));
  const beta = standardizedCoefficients(fit.coefficients, mf.x, mf.y, mf.n, mf.p, mf.colnames);
  const mfMain = modelFrame(mainFormula, data);
  return {
    kind: panel ? 'panel' : 'cross-section',
    years: panel ? allYears : [year],
    municipalities: new Set(used.map((r) => r.municipality)).size,
    small: new Set(smallRows.map((r) => r.municipality)).size,
    observations: used.length,
    smallObservations: smallRows.length,
    formula,
    summary,
    slopes,
    standardized: mf.colnames.flatMap((term, j) =>
      term === '(Intercept)' ? [] : [{ term, beta: beta[j]! }],
    ),
    vif: vif(mfMain.x, mfMain.n, mfMain.p, mfMain.colnames).filter(
      (r) => !r.term.startsWith('factor(year)'),
    ),
  };
}

function toFrame(rows: readonly MunicipalityRow[]): DataFrame {
  const col = (k: keyof MunicipalityRow) => rows.map((r) => r[k] as number);
  return dataFrame({
    sa_expenses_per_inhabitant: col('sa_expenses_per_inhabitant'),
    kvp_participants_per_sa_recipient: col('kvp_participants_per_sa_recipient'),
    kvp_expenses_per_inhabitant: col('kvp_expenses_per_inhabitant'),
    refugees_per_1000: col('refugees_per_1000'),
    share_divorced: col('share_divorced'),
    share_unemployed: col('share_unemployed'),
    aap_per_sa_recipient: col('aap_per_sa_recipient'),
    year: col('year'),
    size: rows.map((r) => (r.population < SMALL_MUNICIPALITY ? 'small' : 'large')),
  });
}

function municipalityCodes(rows: readonly MunicipalityRow[]): Int32Array {
  const index = new Map<string, number>();
  return Int32Array.from(rows, (r) => {
    let c = index.get(r.municipality);
    if (c === undefined) {
      c = index.size;
      index.set(r.municipality, c);
    }
    return c;
  });
}

/**
 * The analysis bundle: what a researcher takes away to check or extend the analysis in R —
 * pseudonymised long-format data (data.csv), a codebook, the plan, Tiltak's results and an R script
 * that re-runs the plan's models.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanRunResult } from '../analysis/plan/results.ts';
import type { AnalysisPlan } from '../analysis/plan/schema.ts';
import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import { factorOfStrings } from '../stats/formula/levels.ts';
import { analysisScript } from './analysis-r.ts';

/** Known variables of HOLF-shaped long data, for the codebook: description and unit. */
const KNOWN: Record<string, { description: string; unit?: string }> = {
  office: { description: 'NAV office (the randomised cluster)' },
  arm: { description: 'Arm the office was randomised to' },
  family: { description: 'Family pseudonym (not a personal id)' },
  wave: { description: 'Measurement wave: T1 baseline, T2 +12, T3 +24, T4 +36, T5 +48 months' },
  months: { description: 'Months since baseline', unit: 'months' },
  employed: { description: 'A parent in paid work at the wave (1 yes, 0 no)', unit: '0/1' },
  income: { description: 'Household income per month at the wave', unit: 'NOK per month' },
  income_t1: { description: 'Household income per month at baseline (T1)', unit: 'NOK per month' },
  children: { description: 'Children under 16 in the household', unit: 'count' },
  immigrant: { description: 'Immigrant background (1 yes, 0 no)', unit: '0/1' },
};

/**
 * What {@link exportAnalysisBundle} writes.
 *
 * @example
 * exportAnalysisBundle('out', { data, plan, results } satisfies AnalysisBundle);
 */
export interface AnalysisBundle {
  data: DataFrame;
  plan: AnalysisPlan;
  results: PlanRunResult;
  /** Descriptions (and units) of variables the built-in codebook does not know. */
  descriptions?: Record<string, { description: string; unit?: string }>;
}

/**
 * Refuse data that could carry personal ids: a column named like one, or any cell (character or
 * numeric) of exactly 11 digits — the shape of a fødselsnummer or D-number.
 *
 * @example
 * assertNoPersonalIds(dataFrame({ fnr: ['01017012345'] })); // throws PERSONAL_ID_IN_EXPORT
 */
export function assertNoPersonalIds(data: DataFrame): void {
  for (const [name, col] of data.columns) {
    if (/^(fnr|fodselsnummer|fødselsnummer|personal_?id|dnr|ssn)$/i.test(name)) {
      throw new TiltakError(
        'PERSONAL_ID_IN_EXPORT',
        `column '${name}' is named like a personal id; pseudonymise before export`,
      );
    }
    for (let i = 0; i < data.nrow; i++) {
      const v = col.values[i];
      const s =
        v === null || (typeof v === 'number' && Number.isNaN(v))
          ? ''
          : typeof v === 'number'
            ? Number.isInteger(v)
              ? v.toFixed(0)
              : ''
            : v.replace(/\s/g, '');
      if (/^\d{11}$/.test(s)) {
        throw new TiltakError(
          'PERSONAL_ID_IN_EXPORT',
          `column '${name}', row ${i + 1}: an 11-digit value looks like a personal id; pseudonymise before export`,
        );
      }
    }
  }
}

/**
 * The data frame as CSV: header, comma separator, `NA` for missing, numbers at full precision
 * (shortest round-trip form), fields with commas, quotes or line breaks quoted.
 *
 * @example
 * toCsv(dataFrame({ y: [1.5, null], g: ['a,b', 'c'] })); // 'y,g\n1.5,"a,b"\nNA,c\n'
 */
export function toCsv(data: DataFrame): string {
  const names = [...data.columns.keys()];
  const cols = [...data.columns.values()];
  const lines = [names.map(field).join(',')];
  for (let i = 0; i < data.nrow; i++) {
    lines.push(
      cols
        .map((c) => {
          const v = c.values[i];
          if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)))
            return 'NA';
          return typeof v === 'number' ? String(v) : field(v);
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function field(s: string): string {
  return /[",\r\n]/.test(s) || s === 'NA' ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The codebook: one row per variable with its type, description and levels (character and 0/1
 * variables) or unit and range (numeric variables).
 *
 * @example
 * codebookRows(data)[0]; // { variable: 'office', type: 'character', description: 'NAV office …', levels_or_units: '29 levels: …' }
 */
export function codebookRows(
  data: DataFrame,
  descriptions: AnalysisBundle['descriptions'] = {},
): Array<{ variable: string; type: string; description: string; levels_or_units: string }> {
  return [...data.columns].map(([name, col]) => {
    const known = descriptions[name] ?? KNOWN[name];
    const description = known?.description ?? '';
    if (col.kind === 'character') {
      const lv = factorOfStrings(col.values).levels;
      const shown =
        lv.length <= 12 ? lv.join('; ') : `${lv.slice(0, 5).join('; ')}; …; ${lv[lv.length - 1]}`;
      return {
        variable: name,
        type: 'character',
        description,
        levels_or_units: `${lv.length} levels: ${shown}`,
      };
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let integer = true;
    let missing = 0;
    for (const v of col.values) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (!Number.isInteger(v)) integer = false;
    }
    const binary = integer && min >= 0 && max <= 1;
    const type = binary ? 'binary (0/1)' : integer ? 'integer' : 'numeric';
    const range = Number.isFinite(min) ? `range ${min} to ${max}` : 'all missing';
    const unit = known?.unit !== undefined ? `${known.unit}; ` : '';
    return {
      variable: name,
      type,
      description,
      levels_or_units: `${unit}${range}${missing > 0 ? `; ${missing} missing` : ''}`,
    };
  });
}

/**
 * Write the bundle into `dir` (created if needed): data.csv, codebook.csv, plan.json,
 * results.json and analysis.R. Refuses data that look like they hold personal ids. Returns the
 * paths written.
 *
 * @example
 * exportAnalysisBundle('out/holf-bundle', { data, plan, results: runPlan(plan, data) });
 * // then: Rscript out/holf-bundle/analysis.R out/holf-bundle
 */
export function exportAnalysisBundle(dir: string, bundle: AnalysisBundle): string[] {
  assertNoPersonalIds(bundle.data);
  const script = analysisScript(bundle.plan, bundle.data);
  mkdirSync(dir, { recursive: true });
  const codebook = codebookRows(bundle.data, bundle.descriptions);
  const files: Array<[string, string]> = [
    ['data.csv', toCsv(bundle.data)],
    [
      'codebook.csv',
      `variable,type,description,levels_or_units\n${codebook
        .map((r) => [r.variable, r.type, r.description, r.levels_or_units].map(field).join(','))
        .join('\n')}\n`,
    ],
    ['plan.json', `${JSON.stringify(bundle.plan, null, 2)}\n`],
    ['results.json', `${JSON.stringify(bundle.results, null, 2)}\n`],
    ['analysis.R', script],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    return path;
  });
}

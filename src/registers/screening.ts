import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TiltakError } from '../stats/errors.ts';
import {
  DERIVED_FIELD_NAMES,
  type DerivedFieldName,
  type DerivedFields,
  isFlagField,
} from '../trial/eligibility-fields.ts';
import {
  type BilingualText,
  decisionFromIds,
  type EligibilityDecision,
  type RuleSet,
} from '../trial/eligibility-rules.ts';
import { failColumn, hitColumn, ruleSetToSql } from '../trial/eligibility-sql.ts';
import { BENEFIT_MAIN_INCOME_CODES, SA_MAIN_INCOME_CODE } from './codes.ts';
import { duckCall, openDuck, sqlString } from './duckdb.ts';
import { loadRegisterRows } from './import.ts';
import { MONTHS, type PseudonymisedRegisterRow } from './schema.ts';

/**
 * A calendar month, the end of the 12-month screening window.
 *
 * @example
 * const asOf: YearMonth = { year: 2019, month: 6 };
 */
export interface YearMonth {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
}

/**
 * Screening result of one family (a recipient's household in one municipality), ready for the
 * store to persist. It carries the pseudonym only.
 *
 * @example
 * const listed = run.families?.filter((f) => f.eligible).map((f) => f.pseudonym);
 */
export interface FamilyScreeningResult extends EligibilityDecision {
  readonly pseudonym: string;
  readonly municipality: string;
  /** Ages of the household's children under 18, from the family's latest register year in the window. */
  readonly childAges: readonly number[];
  /** Last month of the screening window, `YYYY-MM`. */
  readonly asOf: string;
  readonly ruleSetId: string;
  readonly ruleSetVersion: string;
  readonly fields: DerivedFields;
}

/**
 * Counts of one screening run.
 *
 * @example
 * const { eligible, exclusionsByRule } = (await screen(input, rules)).summary;
 */
export interface ScreeningSummary {
  readonly ruleSet: { readonly id: string; readonly version: string };
  /** Last month of the screening window, `YYYY-MM`. */
  readonly asOf: string;
  /** Families with at least one month of social assistance in the window. */
  readonly families: number;
  /** Families passing every inclusion rule (the identified target group). */
  readonly meetingInclusion: number;
  /** Families meeting inclusion but excluded. */
  readonly excluded: number;
  readonly eligible: number;
  /** Families not meeting inclusion, by the decisive (first failed) inclusion rule. */
  readonly notIncludedByRule: Readonly<Record<string, number>>;
  /** Excluded families by the decisive (first matched) exclusion rule. */
  readonly exclusionsByRule: Readonly<Record<string, number>>;
  /** Families meeting inclusion that match each exclusion rule (a family may count under several). */
  readonly exclusionMatchesByRule: Readonly<Record<string, number>>;
  /** Reasons of every rule, so a summary can be printed in Norwegian or English. */
  readonly reasons: Readonly<Record<string, BilingualText>>;
  /** Families and eligible families per municipality, by municipality number. */
  readonly byMunicipality: readonly {
    readonly municipality: string;
    readonly families: number;
    readonly eligible: number;
  }[];
}

/**
 * Options for a screening run.
 *
 * @example
 * await screen(input, rules, { asOf: { year: 2019, month: 6 } });
 */
export interface ScreeningOptions {
  /** Last month of the window; default: the latest month with any receipt in the data. */
  readonly asOf?: YearMonth | undefined;
}

/**
 * Parse `YYYY-MM` as a {@link YearMonth}.
 *
 * @example
 * parseYearMonth('2019-06'); // { year: 2019, month: 6 }
 */
export function parseYearMonth(s: string): YearMonth {
  const m = /^(\d{4})-(\d{2})$/.exec(s.trim());
  const month = m ? Number(m[2]) : 0;
  if (m === null || month < 1 || month > 12)
    throw new TiltakError('BAD_MONTH', `'${s}' is not a month in the form YYYY-MM`);
  return { year: Number(m[1]), month };
}

/**
 * Format a {@link YearMonth} as `YYYY-MM`.
 *
 * @example
 * formatYearMonth({ year: 2019, month: 6 }); // '2019-06'
 */
export function formatYearMonth(ym: YearMonth): string {
  return `${ym.year}-${String(ym.month).padStart(2, '0')}`;
}

/**
 * SQL deriving one row of {@link DerivedFields} per family from the pseudonymised register table
 * `table`, over the 12 months ending at `asOf`. A family is a pseudonym in a municipality: each
 * office screens its own caseload. Counts and the amount add up over the register years the window
 * touches; household facts (children, work status, exclusion flags) come from the family's latest
 * register year in the window. Families without receipt in the window are left out.
 *
 * @example
 * const sql = derivedFieldsSql('register_rows', { year: 2019, month: 12 });
 */
export function derivedFieldsSql(table: string, asOf: YearMonth): string {
  const hi = asOf.year * 12 + asOf.month - 1;
  const lo = hi - 11;
  const inWindow = (k: number) => `(year * 12 + ${k - 1} BETWEEN ${lo} AND ${hi})`;
  const saMonths = MONTHS.map((m, i) => `CAST(m${m} AND ${inWindow(i + 1)} AS INTEGER)`).join(
    ' + ',
  );
  const amount = MONTHS.map(
    (m, i) => `CASE WHEN ${inWindow(i + 1)} THEN amount_${m} ELSE 0 END`,
  ).join(' + ');
  const onTop =
    `main_income_source <> ${SA_MAIN_INCOME_CODE} AND (main_income_source IN ` +
    `(${BENEFIT_MAIN_INCOME_CODES.join(', ')}) OR benefit_status <> 0)`;
  const perRow =
    `SELECT pseudonym, municipality, year, ${saMonths} AS sa_months, ${amount} AS sa_amount, ` +
    `main_income_source = ${SA_MAIN_INCOME_CODE} AS sa_main, ${onTop} AS on_top, ` +
    'len(list_filter(child_ages, lambda a: a < 16)) AS under16, len(child_ages) AS under18, ' +
    'child_ages, work_status = 10 AS kvp, other_family_project, parent_in_treatment, ' +
    'children_placed_outside_home, child_welfare_case ' +
    `FROM ${table} WHERE year BETWEEN ${asOf.year - 1} AND ${asOf.year}`;
  return (
    'SELECT pseudonym, municipality, ' +
    'CAST(sum(sa_months) AS INTEGER) AS months_with_sa_last12, ' +
    'CAST(sum(CASE WHEN sa_main THEN sa_months ELSE 0 END) AS INTEGER) AS months_with_sa_main_income_last12, ' +
    'CAST(sum(CASE WHEN on_top THEN sa_months ELSE 0 END) AS INTEGER) AS months_with_sa_on_top_of_benefits_last12, ' +
    'CAST(sum(sa_amount) AS DOUBLE) AS sa_amount_last12, ' +
    'CAST(arg_max(under16, year) AS INTEGER) AS children_under_16, ' +
    'CAST(arg_max(under18, year) AS INTEGER) AS children_under_18, ' +
    'arg_max(child_ages, year) AS child_ages, ' +
    'arg_max(kvp, year) AS kvp_participant, ' +
    'arg_max(other_family_project, year) AS other_family_project, ' +
    'arg_max(parent_in_treatment, year) AS parent_in_treatment, ' +
    'arg_max(children_placed_outside_home, year) AS children_placed_outside_home, ' +
    'arg_max(child_welfare_case, year) AS child_welfare_case ' +
    `FROM (${perRow}) GROUP BY pseudonym, municipality HAVING sum(sa_months) > 0`
  );
}

/**
 * The latest month with any receipt in register table `table`, or null when it has none.
 *
 * @example
 * await latestReceiptMonth(conn, 'register_rows'); // { year: 2019, month: 12 }
 */
export async function latestReceiptMonth(
  conn: DuckDBConnection,
  table: string,
): Promise<YearMonth | null> {
  const last = MONTHS.map((m, i) => `CASE WHEN m${m} THEN ${i + 1} ELSE 0 END`).join(', ');
  const r = await conn.runAndReadAll(
    `SELECT max(year * 12 + greatest(${last}) - 1) AS idx FROM ${table} WHERE greatest(${last}) > 0`,
  );
  const idx = r.getRowsJS()[0]?.[0];
  if (idx === null || idx === undefined) return null;
  const n = Number(idx);
  return { year: Math.floor(n / 12), month: (n % 12) + 1 };
}

/**
 * Screen the pseudonymised register table `table` with `rules`: derive the fields per family,
 * apply the compiled rule set, and leave one row per family in the DuckDB table
 * `screening_results` (fields, `fail__<id>` / `hit__<id>` per rule, `eligible`, `decisive_rule`).
 * Returns the summary and the window's end month.
 *
 * @example
 * const { summary } = await screenTable(conn, 'register_rows', holfRuleSet());
 */
export async function screenTable(
  conn: DuckDBConnection,
  table: string,
  rules: RuleSet,
  options: ScreeningOptions = {},
): Promise<{ summary: ScreeningSummary; asOf: YearMonth }> {
  const asOf = options.asOf ?? (await latestReceiptMonth(conn, table));
  if (asOf === null)
    throw new TiltakError('NO_RECEIPT', `${table}: no month with social assistance to screen`);
  const fields = derivedFieldsSql(table, asOf);
  await duckCall('SCREENING_FAILED', 'screening', () =>
    conn.run(`CREATE OR REPLACE TABLE screening_results AS ${ruleSetToSql(rules, `(${fields})`)}`),
  );
  return { summary: await summarise(conn, rules, asOf), asOf };
}

async function summarise(
  conn: DuckDBConnection,
  rules: RuleSet,
  asOf: YearMonth,
): Promise<ScreeningSummary> {
  const anyFail = rules.inclusion.map((r) => `"${failColumn(r.id)}"`).join(' OR ') || 'FALSE';
  const matchCols = rules.exclusion.map(
    (r) => `CAST(count(*) FILTER (WHERE NOT (${anyFail}) AND "${hitColumn(r.id)}") AS INTEGER)`,
  );
  const totals = (
    await conn.runAndReadAll(
      'SELECT CAST(count(*) AS INTEGER), ' +
        `CAST(count(*) FILTER (WHERE NOT (${anyFail})) AS INTEGER), ` +
        `CAST(count(*) FILTER (WHERE eligible) AS INTEGER)${matchCols.map((c) => `, ${c}`).join('')} ` +
        'FROM screening_results',
    )
  ).getRowsJS()[0] as number[];
  const decisive = (
    await conn.runAndReadAll(
      'SELECT decisive_rule, CAST(count(*) AS INTEGER) FROM screening_results ' +
        'WHERE decisive_rule IS NOT NULL GROUP BY decisive_rule',
    )
  ).getRowsJS() as [string, number][];
  const byDecisive = new Map(decisive);
  const byMunicipality = (
    await conn.runAndReadAll(
      'SELECT municipality, CAST(count(*) AS INTEGER), ' +
        'CAST(count(*) FILTER (WHERE eligible) AS INTEGER) FROM screening_results ' +
        'GROUP BY municipality ORDER BY municipality',
    )
  ).getRowsJS() as [string, number, number][];
  const [families = 0, meetingInclusion = 0, eligible = 0] = totals;
  const count = (ids: readonly { id: string }[]) =>
    Object.fromEntries(ids.map((r) => [r.id, byDecisive.get(r.id) ?? 0]));
  return {
    ruleSet: { id: rules.id, version: rules.version },
    asOf: formatYearMonth(asOf),
    families,
    meetingInclusion,
    excluded: meetingInclusion - eligible,
    eligible,
    notIncludedByRule: count(rules.inclusion),
    exclusionsByRule: count(rules.exclusion),
    exclusionMatchesByRule: Object.fromEntries(
      rules.exclusion.map((r, i) => [r.id, totals[3 + i] ?? 0]),
    ),
    reasons: Object.fromEntries(
      [...rules.inclusion, ...rules.exclusion].map((r) => [r.id, r.reason]),
    ),
    byMunicipality: byMunicipality.map(([municipality, f, e]) => ({
      municipality,
      families: f,
      eligible: e,
    })),
  };
}

/**
 * Read the per-family results that {@link screenTable} left in `screening_results`.
 *
 * @example
 * const families = await readScreeningResults(conn, rules, asOf);
 */
export async function readScreeningResults(
  conn: DuckDBConnection,
  rules: RuleSet,
  asOf: YearMonth,
): Promise<FamilyScreeningResult[]> {
  const cols = [
    'pseudonym',
    'municipality',
    'child_ages',
    ...DERIVED_FIELD_NAMES,
    ...rules.inclusion.map((r) => failColumn(r.id)),
    ...rules.exclusion.map((r) => hitColumn(r.id)),
  ];
  const rows = (
    await conn.runAndReadAll(
      `SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM screening_results ORDER BY municipality, pseudonym`,
    )
  ).getRowsJS();
  const nf = DERIVED_FIELD_NAMES.length;
  const ym = formatYearMonth(asOf);
  return rows.map((row) => {
    const fields = {} as Record<DerivedFieldName, number | boolean>;
    DERIVED_FIELD_NAMES.forEach((name, j) => {
      const v = row[3 + j];
      fields[name] = isFlagField(name) ? v === true : Number(v);
    });
    const failed = rules.inclusion.filter((_, i) => row[3 + nf + i] === true).map((r) => r.id);
    const matched = rules.exclusion
      .filter((_, i) => row[3 + nf + rules.inclusion.length + i] === true)
      .map((r) => r.id);
    return {
      pseudonym: String(row[0]),
      municipality: String(row[1]),
      childAges: (Array.isArray(row[2]) ? row[2] : []).map(Number),
      asOf: ym,
      ruleSetId: rules.id,
      ruleSetVersion: rules.version,
      fields: fields as unknown as DerivedFields,
      ...decisionFromIds(rules, failed, matched),
    };
  });
}

/**
 * What a screening call returns.
 *
 * @example
 * const { summary, families } = await screen(input, rules, { collect: true });
 */
export interface ScreeningRun {
  readonly summary: ScreeningSummary;
  /** Per-family results; present when `collect` was asked for. */
  readonly families?: readonly FamilyScreeningResult[];
}

/**
 * Where the pseudonymised rows to screen come from.
 *
 * @example
 * const input: ScreeningInput = { parquet: 'pseudonymised.parquet' };
 */
export type ScreeningInput =
  | { readonly rows: readonly PseudonymisedRegisterRow[] }
  | { readonly parquet: string };

/**
 * Screen pseudonymised register data (rows in memory, or a Parquet file written by
 * `tiltak import registers --out`) with a rule set, in a fresh in-memory DuckDB.
 *
 * @example
 * const run = await screen({ parquet: 'pseudonymised.parquet' }, holfRuleSet(), { collect: true });
 * run.summary.eligible;
 */
export async function screen(
  input: ScreeningInput,
  rules: RuleSet,
  options: ScreeningOptions & {
    readonly collect?: boolean;
    /** Write the per-family result table to this Parquet file. */
    readonly resultsOut?: string | undefined;
  } = {},
): Promise<ScreeningRun> {
  const db = await openDuck();
  try {
    const conn = db.connection;
    if ('rows' in input) {
      await loadRegisterRows(conn, input.rows, 'register_rows');
    } else {
      if (!existsSync(input.parquet))
        throw new TiltakError('FILE_NOT_FOUND', `${input.parquet}: no such file`);
      await duckCall('REGISTER_READ_FAILED', input.parquet, () =>
        conn.run(
          `CREATE VIEW register_rows AS SELECT * FROM read_parquet(${sqlString(input.parquet)})`,
        ),
      );
      await checkPseudonymisedColumns(conn, input.parquet);
    }
    const { summary, asOf } = await screenTable(conn, 'register_rows', rules, options);
    if (options.resultsOut !== undefined) {
      const out = options.resultsOut;
      await duckCall('WRITE_FAILED', out, () =>
        conn.run(`COPY screening_results TO ${sqlString(out)} (FORMAT parquet)`),
      );
    }
    if (options.collect !== true) return { summary };
    return { summary, families: await readScreeningResults(conn, rules, asOf) };
  } finally {
    db.close();
  }
}

/**
 * Read back the per-family results a screening wrote with `resultsOut` (the same rule set and
 * reference month it was run with), e.g. to store a reviewed run in the trial.
 *
 * @example
 * await screen(input, rules, { resultsOut: 'results.parquet' });
 * const families = await readScreeningResultsFile('results.parquet', rules, { year: 2019, month: 12 });
 */
export async function readScreeningResultsFile(
  path: string,
  rules: RuleSet,
  asOf: YearMonth,
): Promise<FamilyScreeningResult[]> {
  if (!existsSync(path)) throw new TiltakError('FILE_NOT_FOUND', `${path}: no such file`);
  const db = await openDuck();
  try {
    await duckCall('REGISTER_READ_FAILED', path, () =>
      db.connection.run(
        `CREATE VIEW screening_results AS SELECT * FROM read_parquet(${sqlString(path)})`,
      ),
    );
    return await duckCall('REGISTER_READ_FAILED', path, () =>
      readScreeningResults(db.connection, rules, asOf),
    );
  } finally {
    db.close();
  }
}

const NEEDED = [
  'pseudonym',
  'municipality',
  'year',
  'child_ages',
  'main_income_source',
  'benefit_status',
  'work_status',
  ...MONTHS.map((m) => `m${m}`),
  ...MONTHS.map((m) => `amount_${m}`),
  'other_family_project',
  'parent_in_treatment',
  'children_placed_outside_home',
  'child_welfare_case',
];

async function checkPseudonymisedColumns(conn: DuckDBConnection, path: string): Promise<void> {
  const r = await conn.runAndReadAll('DESCRIBE register_rows');
  const have = new Set(r.getRowObjectsJS().map((x) => String(x.column_name)));
  if (have.has('personal_id'))
    throw new TiltakError(
      'NOT_PSEUDONYMISED',
      `${path}: has a personal_id column: import it first (tiltak import registers), or give tiltak screen the key with --key-file`,
    );
  const missing = NEEDED.filter((c) => !have.has(c));
  if (missing.length > 0)
    throw new TiltakError(
      'REGISTER_COLUMNS',
      `${path}: not a pseudonymised register file, missing columns: ${missing.join(', ')}`,
    );
}

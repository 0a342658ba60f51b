import { z } from 'zod';
import {
  BENEFIT_STATUS,
  HOUSING,
  MAIN_INCOME_SOURCE,
  MARITAL_STATUS,
  SEX,
  WORK_STATUS,
} from './codes.ts';
import { validatePersonalId } from './personal-id.ts';

/**
 * The twelve month suffixes `01`..`12`.
 *
 * @example
 * MONTHS.map((m) => `m${m}`); // ['m01', …, 'm12']
 */
export const MONTHS: readonly string[] = Array.from({ length: 12 }, (_, i) =>
  String(i + 1).padStart(2, '0'),
);

/**
 * Exclusion flags an office records beside the register data.
 *
 * @example
 * EXCLUSION_FLAG_COLUMNS.filter((c) => row[c]); // the flags set for a row
 */
export const EXCLUSION_FLAG_COLUMNS = [
  'other_family_project',
  'parent_in_treatment',
  'children_placed_outside_home',
  'child_welfare_case',
] as const;

/**
 * Name of one exclusion flag column.
 *
 * @example
 * const c: ExclusionFlagColumn = 'child_welfare_case';
 */
export type ExclusionFlagColumn = (typeof EXCLUSION_FLAG_COLUMNS)[number];

/**
 * Every column of an input register file, in contract order. Files must have exactly these
 * columns (any order); unknown columns are refused so that no unexpected personal data slips
 * through the import.
 *
 * @example
 * REGISTER_COLUMNS.includes('child_ages'); // true
 */
export const REGISTER_COLUMNS: readonly string[] = [
  'personal_id',
  'municipality',
  'year',
  'sex',
  'marital_status',
  'children_under_18',
  'child_ages',
  'main_income_source',
  'benefit_status',
  'work_status',
  'housing',
  ...MONTHS.map((m) => `m${m}`),
  ...MONTHS.map((m) => `amount_${m}`),
  'grant_total',
  'loan_total',
  ...EXCLUSION_FLAG_COLUMNS,
];

/**
 * Oldest and newest register year accepted.
 *
 * @example
 * YEAR_RANGE.max; // 2099
 */
export const YEAR_RANGE = { min: 1990, max: 2099 } as const;

/**
 * Oldest child age counted (children under 18).
 *
 * @example
 * ages.every((a) => a <= MAX_CHILD_AGE);
 */
export const MAX_CHILD_AGE = 17;

const required = z.string({ error: 'missing value' }).trim().min(1, { error: 'missing value' });

function integer(min: number, max: number, what: string) {
  return required
    .regex(/^\d+$/, { error: 'not a whole non-negative number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `${what} must be at least ${min}` })
        .max(max, { error: `${what} must be at most ${max}` }),
    );
}

function code(list: Readonly<Record<number, string>>, what: string) {
  const allowed = Object.keys(list).map(Number);
  return required
    .regex(/^\d+$/, { error: `${what} code must be a whole number` })
    .transform(Number)
    .refine((v) => allowed.includes(v), {
      error: (iss) => `unknown ${what} code ${String(iss.input)} (known: ${allowed.join(', ')})`,
    });
}

const flag = z
  .enum(['0', '1'], {
    error: (iss) => (iss.input == null ? 'missing value' : 'flag must be 0 or 1'),
  })
  .transform((v) => v === '1');

const amount = required
  .regex(/^-?\d+(\.\d+)?$/, { error: 'not a number (use a point as decimal mark)' })
  .transform(Number)
  .refine((v) => v >= 0, { error: 'negative amount' });

const childAges = z
  .string()
  .nullable()
  .transform((v) => (v ?? '').trim())
  .pipe(
    z.string().transform((v, ctx) => {
      if (v === '') return [] as number[];
      const ages: number[] = [];
      for (const part of v.split('|')) {
        const t = part.trim();
        if (!/^\d+$/.test(t)) {
          ctx.addIssue({ code: 'custom', message: `child age '${t}' is not a whole number` });
          return z.NEVER;
        }
        const a = Number(t);
        if (a > MAX_CHILD_AGE) {
          ctx.addIssue({
            code: 'custom',
            message: `child age ${a} out of range 0–${MAX_CHILD_AGE}`,
          });
          return z.NEVER;
        }
        ages.push(a);
      }
      return ages;
    }),
  );

const personalId = required.superRefine((v, ctx) => {
  const r = validatePersonalId(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `invalid personal id: ${r.reason}` });
});

/**
 * A month suffix `01`..`12`.
 *
 * @example
 * const m: Month = '06';
 */
export type Month =
  | '01'
  | '02'
  | '03'
  | '04'
  | '05'
  | '06'
  | '07'
  | '08'
  | '09'
  | '10'
  | '11'
  | '12';

const monthShape = Object.fromEntries([
  ...MONTHS.map((m) => [`m${m}`, flag] as const),
  ...MONTHS.map((m) => [`amount_${m}`, amount] as const),
]) as { [K in `m${Month}`]: typeof flag } & { [K in `amount_${Month}`]: typeof amount };

/**
 * zod schema of one input row: the raw cells (strings; `null` for an empty cell) in, a typed
 * {@link RegisterRecord} out. Field-level issues carry the column as their path; checks across
 * columns (ages against the child count, money in a month without receipt, birth after the
 * register year) run once every cell is well-formed.
 *
 * @example
 * const r = registerRowSchema.safeParse(rawCells);
 * if (!r.success) console.log(r.error.issues.map((i) => i.path[0]));
 */
export const registerRowSchema = z
  .object({
    personal_id: personalId,
    municipality: required.regex(/^\d{4}$/, { error: 'municipality number must be 4 digits' }),
    year: integer(YEAR_RANGE.min, YEAR_RANGE.max, 'year'),
    sex: code(SEX, 'sex'),
    marital_status: code(MARITAL_STATUS, 'marital status'),
    children_under_18: integer(0, 20, 'children_under_18'),
    child_ages: childAges,
    main_income_source: code(MAIN_INCOME_SOURCE, 'main income source'),
    benefit_status: code(BENEFIT_STATUS, 'benefit status'),
    work_status: code(WORK_STATUS, 'work status'),
    housing: code(HOUSING, 'housing'),
    ...monthShape,
    grant_total: amount,
    loan_total: amount,
    other_family_project: flag,
    parent_in_treatment: flag,
    children_placed_outside_home: flag,
    child_welfare_case: flag,
  })
  .superRefine((r, ctx) => {
    const row = r as unknown as Readonly<Record<string, unknown>>;
    if (r.child_ages.length !== r.children_under_18)
      ctx.addIssue({
        code: 'custom',
        path: ['child_ages'],
        message: `${r.child_ages.length} ages listed but children_under_18 is ${r.children_under_18}`,
      });
    for (const m of MONTHS) {
      if ((row[`amount_${m}`] as number) > 0 && row[`m${m}`] !== true)
        ctx.addIssue({
          code: 'custom',
          path: [`amount_${m}`],
          message: `amount in month ${m} but receipt flag m${m} is 0`,
        });
    }
    const id = validatePersonalId(r.personal_id);
    if (id.ok && id.birthYear > r.year)
      ctx.addIssue({
        code: 'custom',
        path: ['personal_id'],
        message: `birth year ${id.birthYear} is after the register year ${r.year}`,
      });
  });

/**
 * One register row after import: one social-assistance recipient (the family's reference person)
 * in one municipality in one year. The personal id is replaced by its keyed pseudonym. Columns of
 * the pseudonymised Parquet file have the same names, with `receipt` and `amounts` spread out as
 * `m01`..`m12` and `amount_01`..`amount_12`.
 *
 * @example
 * const r: PseudonymisedRegisterRow = rows[0];
 * r.receipt.filter(Boolean).length; // months with social assistance that year
 */
export interface PseudonymisedRegisterRow {
  /** HMAC-SHA-256 of the personal id under the pseudonymisation key, 64 hex characters. */
  readonly pseudonym: string;
  /** Four-digit municipality number, e.g. `0301` (Oslo). */
  readonly municipality: string;
  readonly year: number;
  readonly sex: number;
  readonly marital_status: number;
  readonly children_under_18: number;
  /** Ages of the children under 18, in file order. */
  readonly child_ages: readonly number[];
  readonly main_income_source: number;
  readonly benefit_status: number;
  readonly work_status: number;
  readonly housing: number;
  /** Receipt of social assistance in months 1..12. */
  readonly receipt: readonly boolean[];
  /** Amount paid in months 1..12 (NOK, grant and loan together). */
  readonly amounts: readonly number[];
  readonly grant_total: number;
  readonly loan_total: number;
  readonly other_family_project: boolean;
  readonly parent_in_treatment: boolean;
  readonly children_placed_outside_home: boolean;
  readonly child_welfare_case: boolean;
}

/**
 * Output of {@link registerRowSchema}.
 *
 * @example
 * const r: ParsedRegisterRow = registerRowSchema.parse(cells);
 */
export type ParsedRegisterRow = z.output<typeof registerRowSchema>;

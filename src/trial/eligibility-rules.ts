import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { TiltakError } from '../stats/errors.ts';
import {
  DERIVED_FIELD_NAMES,
  type DerivedFieldName,
  type DerivedFields,
  isFlagField,
} from './eligibility-fields.ts';

/**
 * Comparison operators a condition may use.
 *
 * @example
 * COMPARISON_OPS.includes('>='); // true
 */
export const COMPARISON_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;

/**
 * One comparison operator.
 *
 * @example
 * const op: ComparisonOp = '<=';
 */
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * A condition over the derived fields: a comparison, or the combinators `all`, `any`, `not`.
 *
 * @example
 * const c: Condition = { any: [
 *   { field: 'months_with_sa_main_income_last12', op: '>=', value: 6 },
 *   { field: 'months_with_sa_on_top_of_benefits_last12', op: '>=', value: 6 },
 * ] };
 */
export type Condition =
  | {
      readonly field: DerivedFieldName;
      readonly op: ComparisonOp;
      readonly value: number | boolean;
    }
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition };

/**
 * A text in Norwegian Bokmål and English.
 *
 * @example
 * const t: BilingualText = { nb: 'Har ingen barn under 16 år.', en: 'Has no children under 16.' };
 */
export interface BilingualText {
  readonly nb: string;
  readonly en: string;
}

/**
 * One rule. For an inclusion rule the family must satisfy `when`; for an exclusion rule a family
 * that satisfies `when` is excluded. `reason` is what a family is told when this rule decides.
 *
 * @example
 * const r: EligibilityRule = {
 *   id: 'has_child_under_16',
 *   reason: { nb: 'Har ingen barn under 16 år.', en: 'Has no children under 16.' },
 *   when: { field: 'children_under_16', op: '>=', value: 1 },
 * };
 */
export interface EligibilityRule {
  readonly id: string;
  readonly reason: BilingualText;
  readonly when: Condition;
}

/**
 * A trial's eligibility rule set: a family is eligible when it passes every inclusion rule and
 * matches no exclusion rule. Rules are checked in order, so the decisive rule is the first failed
 * inclusion rule, else the first matched exclusion rule.
 *
 * @example
 * const rules: RuleSet = loadRuleSet('src/trial/rules/holf.json');
 */
export interface RuleSet {
  readonly id: string;
  readonly version: string;
  readonly title: BilingualText;
  readonly inclusion: readonly EligibilityRule[];
  readonly exclusion: readonly EligibilityRule[];
}

const text = z.string().trim().min(1, { error: 'must not be empty' });
const bilingual = z.object({ nb: text, en: text }).strict();

interface LooseCondition {
  field?: DerivedFieldName | undefined;
  op?: ComparisonOp | undefined;
  value?: number | boolean | undefined;
  all?: LooseCondition[] | undefined;
  any?: LooseCondition[] | undefined;
  not?: LooseCondition | undefined;
}

// One object with optional keys (instead of a union) so that a mistake gets a precise message at
// its path rather than zod's "no union member matched".
const conditionSchema: z.ZodType<LooseCondition> = z.lazy(() =>
  z
    .object({
      field: z
        .enum(DERIVED_FIELD_NAMES, {
          error: (iss) =>
            `unknown field '${String(iss.input)}' (known: ${DERIVED_FIELD_NAMES.join(', ')})`,
        })
        .optional(),
      op: z
        .enum(COMPARISON_OPS, {
          error: (iss) =>
            `unknown operator '${String(iss.input)}' (known: ${COMPARISON_OPS.join(' ')})`,
        })
        .optional(),
      value: z
        .union([z.number().finite(), z.boolean()], { error: 'value must be a number or a boolean' })
        .optional(),
      all: z
        .array(conditionSchema)
        .min(1, { error: "'all' needs at least one condition" })
        .optional(),
      any: z
        .array(conditionSchema)
        .min(1, { error: "'any' needs at least one condition" })
        .optional(),
      not: conditionSchema.optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      const forms = [
        c.field !== undefined || c.op !== undefined || c.value !== undefined,
        c.all !== undefined,
        c.any !== undefined,
        c.not !== undefined,
      ].filter(Boolean).length;
      if (forms !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: "a condition is exactly one of {field, op, value}, 'all', 'any' or 'not'",
        });
        return;
      }
      if (c.all !== undefined || c.any !== undefined || c.not !== undefined) return;
      if (c.field === undefined || c.op === undefined || c.value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a comparison needs field, op and value' });
        return;
      }
      if (isFlagField(c.field)) {
        if (typeof c.value !== 'boolean')
          ctx.addIssue({
            code: 'custom',
            path: ['value'],
            message: `'${c.field}' is a flag: compare it with true or false`,
          });
        if (c.op !== '=' && c.op !== '!=')
          ctx.addIssue({
            code: 'custom',
            path: ['op'],
            message: `'${c.field}' is a flag: only = and != apply`,
          });
      } else if (typeof c.value !== 'number') {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `'${c.field}' is a number: compare it with a number`,
        });
      }
    }),
);

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, {
      error: 'rule id must be lower-case letters, digits and _ (starting with a letter)',
    }),
    reason: bilingual,
    when: conditionSchema,
  })
  .strict();

/**
 * zod schema of a rule-set JSON file (see `src/trial/rules/holf.json`). `$schema` may name the
 * JSON Schema for editors; it is ignored.
 *
 * @example
 * ruleSetSchema.safeParse(JSON.parse(text)).success;
 */
export const ruleSetSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, {
      error: 'rule-set id must be lower-case letters, digits, - and _',
    }),
    version: text,
    title: bilingual,
    inclusion: z.array(ruleSchema).min(1, { error: 'at least one inclusion rule is needed' }),
    exclusion: z.array(ruleSchema),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    (['inclusion', 'exclusion'] as const).forEach((kind) => {
      s[kind].forEach((r, i) => {
        if (seen.has(r.id))
          ctx.addIssue({
            code: 'custom',
            path: [kind, i, 'id'],
            message: `rule id '${r.id}' is used twice`,
          });
        seen.add(r.id);
      });
    });
  });

function toCondition(c: LooseCondition): Condition {
  if (c.all !== undefined) return { all: c.all.map(toCondition) };
  if (c.any !== undefined) return { any: c.any.map(toCondition) };
  if (c.not !== undefined) return { not: toCondition(c.not) };
  return { field: c.field!, op: c.op!, value: c.value! };
}

/**
 * Validate a parsed JSON value as a {@link RuleSet}. Throws `RULESET_INVALID` with every problem
 * and its JSON path on one line.
 *
 * @example
 * const rules = parseRuleSet(JSON.parse(readFileSync('rules.json', 'utf8')), 'rules.json');
 */
export function parseRuleSet(json: unknown, source = '<rules>'): RuleSet {
  const r = ruleSetSchema.safeParse(json);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const path = i.path
        .map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`))
        .join('');
      return `${path === '' ? '(root)' : path}: ${i.message}`;
    });
    throw new TiltakError(
      'RULESET_INVALID',
      `${source}: invalid rule set: ${problems.join('; ')}`,
      {
        problems,
      },
    );
  }
  const s = r.data;
  const rule = (x: (typeof s.inclusion)[number]): EligibilityRule => ({
    id: x.id,
    reason: x.reason,
    when: toCondition(x.when),
  });
  return {
    id: s.id,
    version: s.version,
    title: s.title,
    inclusion: s.inclusion.map(rule),
    exclusion: s.exclusion.map(rule),
  };
}

/**
 * Read and validate a rule-set JSON file.
 *
 * @example
 * const rules = loadRuleSet('trial-rules.json');
 */
export function loadRuleSet(path: string): RuleSet {
  let textContent: string;
  try {
    textContent = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      'FILE_NOT_FOUND',
      `${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? e)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(textContent);
  } catch (e) {
    throw new TiltakError(
      'RULESET_INVALID',
      `${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return parseRuleSet(json, path);
}

/**
 * The HOLF trial's rule set (`src/trial/rules/holf.json`), the default for screening.
 *
 * @example
 * holfRuleSet().inclusion.map((r) => r.id); // ['sa_6_of_12', 'has_child_under_16', ...]
 */
export function holfRuleSet(): RuleSet {
  return loadRuleSet(fileURLToPath(new URL('./rules/holf.json', import.meta.url)));
}

/**
 * How one family fares under a rule set.
 *
 * @example
 * const d: EligibilityDecision = decide(holfRuleSet(), fields);
 */
export interface EligibilityDecision {
  readonly eligible: boolean;
  /** The rule that decided: first failed inclusion rule, else first matched exclusion; null if eligible. */
  readonly decisiveRule: {
    readonly id: string;
    readonly kind: 'inclusion' | 'exclusion';
    readonly reason: BilingualText;
  } | null;
  /** Every inclusion rule the family fails, in rule-set order. */
  readonly failedInclusion: readonly string[];
  /** Every exclusion rule the family matches, in rule-set order. */
  readonly matchedExclusions: readonly string[];
}

/**
 * Evaluate a condition for one family in plain TypeScript; the SQL compiler must agree with it.
 *
 * @example
 * holds({ field: 'children_under_16', op: '>=', value: 1 }, fields); // true or false
 */
export function holds(c: Condition, f: DerivedFields): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, f));
  if ('any' in c) return c.any.some((x) => holds(x, f));
  if ('not' in c) return !holds(c.not, f);
  const v = f[c.field];
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}

/**
 * Decide one family's eligibility from its derived fields.
 *
 * @example
 * decide(holfRuleSet(), fields).decisiveRule?.id; // e.g. 'child_welfare_case'
 */
export function decide(rules: RuleSet, f: DerivedFields): EligibilityDecision {
  const failedInclusion = rules.inclusion.filter((r) => !holds(r.when, f)).map((r) => r.id);
  const matchedExclusions = rules.exclusion.filter((r) => holds(r.when, f)).map((r) => r.id);
  return decisionFromIds(rules, failedInclusion, matchedExclusions);
}

/**
 * Build an {@link EligibilityDecision} from the failed inclusion and matched exclusion rule ids.
 *
 * @example
 * decisionFromIds(rules, [], ['child_welfare_case']).eligible; // false
 */
export function decisionFromIds(
  rules: RuleSet,
  failedInclusion: readonly string[],
  matchedExclusions: readonly string[],
): EligibilityDecision {
  const firstId = failedInclusion[0] ?? matchedExclusions[0];
  const kind = failedInclusion.length > 0 ? 'inclusion' : 'exclusion';
  const rule = firstId === undefined ? undefined : rules[kind].find((r) => r.id === firstId);
  return {
    eligible: rule === undefined,
    decisiveRule: rule === undefined ? null : { id: rule.id, kind, reason: rule.reason },
    failedInclusion,
    matchedExclusions,
  };
}

/**
 * JSON Schema of a rule-set file, generated from {@link ruleSetSchema}; the committed copy
 * `src/trial/rules/rule-set.schema.json` lets editors check rule files as they are written.
 *
 * @example
 * writeFileSync('rule-set.schema.json', JSON.stringify(ruleSetJsonSchema(), null, 2));
 */
export function ruleSetJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ruleSetSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

import type { Condition, RuleSet } from './eligibility-rules.ts';

/**
 * Compile a condition to a DuckDB boolean expression over columns named like the derived fields.
 * Fields come from a fixed list and values are checked numbers or booleans, so nothing from the
 * rule file reaches the SQL text unvalidated.
 *
 * @example
 * conditionToSql({ field: 'children_under_16', op: '<=', value: 4 }); // '("children_under_16" <= 4)'
 */
export function conditionToSql(c: Condition): string {
  if ('all' in c) return `(${c.all.map(conditionToSql).join(' AND ')})`;
  if ('any' in c) return `(${c.any.map(conditionToSql).join(' OR ')})`;
  if ('not' in c) return `(NOT ${conditionToSql(c.not)})`;
  const value =
    typeof c.value === 'boolean' ? (c.value ? 'TRUE' : 'FALSE') : numberLiteral(c.value);
  const op = c.op === '!=' ? '<>' : c.op;
  return `("${c.field}" ${op} ${value})`;
}

function numberLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  // DOUBLE keeps comparisons exact for non-integers such as amounts given with decimals.
  return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : `CAST(${String(v)} AS DOUBLE)`;
}

/**
 * Column holding "this inclusion rule fails" for rule `id`.
 *
 * @example
 * failColumn('sa_6_of_12'); // 'fail__sa_6_of_12'
 */
export function failColumn(id: string): string {
  return `fail__${id}`;
}

/**
 * Column holding "this exclusion rule matches" for rule `id`.
 *
 * @example
 * hitColumn('child_welfare_case'); // 'hit__child_welfare_case'
 */
export function hitColumn(id: string): string {
  return `hit__${id}`;
}

/**
 * Compile a rule set to one SELECT over `source` (a table or sub-query with the derived fields)
 * that keeps every source column and adds a boolean per rule (`fail__<id>`, `hit__<id>`),
 * `eligible`, and `decisive_rule` (first failed inclusion rule, else first matched exclusion rule,
 * else NULL).
 *
 * @example
 * const sql = ruleSetToSql(holfRuleSet(), 'family_fields');
 */
export function ruleSetToSql(rules: RuleSet, source: string): string {
  const fails = rules.inclusion.map(
    (r) => `COALESCE(NOT ${conditionToSql(r.when)}, TRUE) AS "${failColumn(r.id)}"`,
  );
  const hits = rules.exclusion.map(
    (r) => `COALESCE(${conditionToSql(r.when)}, FALSE) AS "${hitColumn(r.id)}"`,
  );
  const flags = [
    ...rules.inclusion.map((r) => `"${failColumn(r.id)}"`),
    ...rules.exclusion.map((r) => `"${hitColumn(r.id)}"`),
  ];
  const ids = [...rules.inclusion, ...rules.exclusion].map((r) => r.id);
  const whens = flags.map((f, i) => `WHEN ${f} THEN '${ids[i]}'`).join(' ');
  const inner = `SELECT *, ${[...fails, ...hits].join(', ')} FROM ${source}`;
  return (
    `SELECT *, NOT (${flags.join(' OR ')}) AS eligible, ` +
    `CASE ${whens} ELSE NULL END AS decisive_rule FROM (${inner})`
  );
}

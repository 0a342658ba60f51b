import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDuck } from '../src/registers/duckdb.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { createRng } from '../src/stats/random.ts';
import {
  DERIVED_FIELD_NAMES,
  type DerivedFields,
  isFlagField,
} from '../src/trial/eligibility-fields.ts';
import {
  type Condition,
  decide,
  holfRuleSet,
  parseRuleSet,
  ruleSetJsonSchema,
} from '../src/trial/eligibility-rules.ts';
import { conditionToSql, ruleSetToSql } from '../src/trial/eligibility-sql.ts';

const reason = { nb: 'grunn', en: 'reason' };
const base = {
  id: 'demo',
  version: '1',
  title: { nb: 'Demo', en: 'Demo' },
  inclusion: [
    { id: 'kids', reason, when: { field: 'children_under_16', op: '>=', value: 1 } },
  ] as unknown[],
  exclusion: [] as unknown[],
};

function problems(json: unknown): string[] {
  try {
    parseRuleSet(json, 'demo.json');
  } catch (e) {
    if (isTiltakError(e, 'RULESET_INVALID')) {
      expect(e.message.split('\n')).toHaveLength(1);
      return e.details.problems as string[];
    }
    throw e;
  }
  return [];
}

describe('rule-set validation', () => {
  it('accepts the shipped HOLF rule set', () => {
    const holf = holfRuleSet();
    expect(holf.inclusion.map((r) => r.id)).toEqual([
      'sa_6_of_12',
      'has_child_under_16',
      'at_most_four_children_under_16',
    ]);
    expect(holf.exclusion.map((r) => r.id)).toEqual([
      'other_family_project',
      'parent_in_treatment',
      'children_placed_outside_home',
      'child_welfare_case',
    ]);
    for (const r of [...holf.inclusion, ...holf.exclusion]) {
      expect(r.reason.nb.length).toBeGreaterThan(10);
      expect(r.reason.en.length).toBeGreaterThan(10);
    }
    expect(problems(base)).toEqual([]);
  });

  it('names unknown fields and operators with their path', () => {
    const bad = {
      ...base,
      inclusion: [
        {
          id: 'x',
          reason,
          when: {
            any: [
              { field: 'months_sa', op: '>=', value: 6 },
              { field: 'children_under_16', op: '=>', value: 6 },
            ],
          },
        },
      ],
    };
    const p = problems(bad);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^inclusion\[0\]\.when\.any\[0\]\.field: unknown field 'months_sa'/);
    expect(p[1]).toMatch(/^inclusion\[0\]\.when\.any\[1\]\.op: unknown operator '=>'/);
  });

  it('checks value types against the field', () => {
    const p = problems({
      ...base,
      exclusion: [
        { id: 'a', reason, when: { field: 'parent_in_treatment', op: '>', value: 1 } },
        { id: 'b', reason, when: { field: 'children_under_16', op: '=', value: true } },
      ],
    });
    expect(p).toEqual([
      "exclusion[0].when.value: 'parent_in_treatment' is a flag: compare it with true or false",
      "exclusion[0].when.op: 'parent_in_treatment' is a flag: only = and != apply",
      "exclusion[1].when.value: 'children_under_16' is a number: compare it with a number",
    ]);
  });

  it('rejects malformed combinators, missing reasons, duplicate and bad ids', () => {
    expect(problems({ ...base, inclusion: [{ id: 'x', reason, when: { all: [] } }] })).toEqual([
      "inclusion[0].when.all: 'all' needs at least one condition",
    ]);
    expect(
      problems({
        ...base,
        inclusion: [{ id: 'x', reason, when: { not: base.inclusion[0], all: [] } }],
      }).some((m) => m.includes('exactly one of')),
    ).toBe(true);
    expect(problems({ ...base, inclusion: [{ id: 'x', reason: { nb: 'a' }, when: {} }] })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^inclusion\[0\]\.reason\.en: /),
        "inclusion[0].when: a condition is exactly one of {field, op, value}, 'all', 'any' or 'not'",
      ]),
    );
    expect(problems({ ...base, exclusion: [{ ...(base.inclusion[0] as object) }] })).toEqual([
      "exclusion[0].id: rule id 'kids' is used twice",
    ]);
    expect(
      problems({ ...base, inclusion: [{ ...(base.inclusion[0] as object), id: 'Kids!' }] }),
    ).toHaveLength(1);
    expect(problems({ ...base, inclusion: [] })).toEqual([
      'inclusion: at least one inclusion rule is needed',
    ]);
    expect(problems({ ...base, extra: 1 })[0]).toMatch(/^\(root\): .*extra/);
  });

  it('ships a JSON Schema that matches the zod schema', () => {
    const file = JSON.parse(readFileSync('src/trial/rules/rule-set.schema.json', 'utf8'));
    expect(file).toEqual(ruleSetJsonSchema());
  });
});

describe('rule-set compilation to SQL', () => {
  it('compiles comparisons and combinators', () => {
    const c: Condition = {
      all: [
        { field: 'children_under_16', op: '!=', value: 0 },
        { not: { field: 'child_welfare_case', op: '=', value: true } },
      ],
    };
    expect(conditionToSql(c)).toBe(
      '(("children_under_16" <> 0) AND (NOT ("child_welfare_case" = TRUE)))',
    );
  });

  it('agrees with the TypeScript evaluator on random families and random rules', async () => {
    const rng = createRng(20161);
    const ops = ['=', '!=', '<', '<=', '>', '>='] as const;
    const randomCondition = (depth: number): Condition => {
      const k = depth > 2 ? 0 : rng.nextInt(4);
      if (k === 1) return { all: [randomCondition(depth + 1), randomCondition(depth + 1)] };
      if (k === 2) return { any: [randomCondition(depth + 1), randomCondition(depth + 1)] };
      if (k === 3) return { not: randomCondition(depth + 1) };
      const field = DERIVED_FIELD_NAMES[rng.nextInt(DERIVED_FIELD_NAMES.length)]!;
      if (isFlagField(field)) return { field, op: rng.nextInt(2) === 0 ? '=' : '!=', value: true };
      return { field, op: ops[rng.nextInt(6)]!, value: rng.nextInt(8) };
    };
    const rules = {
      id: 'random',
      version: '1',
      title: reason,
      inclusion: Array.from({ length: 3 }, (_, i) => ({
        id: `inc${i}`,
        reason,
        when: randomCondition(0),
      })),
      exclusion: Array.from({ length: 3 }, (_, i) => ({
        id: `exc${i}`,
        reason,
        when: randomCondition(0),
      })),
    };
    const families: DerivedFields[] = Array.from({ length: 300 }, () => {
      const f: Record<string, number | boolean> = {};
      for (const name of DERIVED_FIELD_NAMES)
        f[name] = isFlagField(name) ? rng.nextInt(2) === 1 : rng.nextInt(8);
      return f as unknown as DerivedFields;
    });
    const db = await openDuck();
    try {
      const cols = DERIVED_FIELD_NAMES.map(
        (n) => `"${n}" ${isFlagField(n) ? 'BOOLEAN' : 'DOUBLE'}`,
      );
      await db.connection.run(`CREATE TABLE f (i INTEGER, ${cols.join(', ')})`);
      const values = families
        .map((f, i) => `(${i}, ${DERIVED_FIELD_NAMES.map((n) => String(f[n])).join(', ')})`)
        .join(', ');
      await db.connection.run(`INSERT INTO f VALUES ${values}`);
      const rows = (
        await db.connection.runAndReadAll(
          `SELECT i, eligible, decisive_rule FROM (${ruleSetToSql(rules, 'f')}) ORDER BY i`,
        )
      ).getRowsJS();
      let eligible = 0;
      rows.forEach(([i, ok, decisive]) => {
        const d = decide(rules, families[Number(i)]!);
        expect(ok).toBe(d.eligible);
        expect(decisive).toBe(d.decisiveRule?.id ?? null);
        if (d.eligible) eligible++;
      });
      expect(rows).toHaveLength(300);
      // A degenerate draw (everything eligible or nothing) would test little.
      expect(eligible).toBeGreaterThan(0);
      expect(eligible).toBeLessThan(300);
    } finally {
      db.close();
    }
  });
});

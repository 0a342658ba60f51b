import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuck, sqlString } from '../src/registers/duckdb.ts';
import { importRegisterFile, writePseudonymisedParquet } from '../src/registers/import.ts';
import { pseudonymise, pseudonymKey } from '../src/registers/pseudonym.ts';
import type { PseudonymisedRegisterRow } from '../src/registers/schema.ts';
import { type FamilyScreeningResult, screen } from '../src/registers/screening.ts';
import { decide, holfRuleSet } from '../src/trial/eligibility-rules.ts';

/*
 * test/fixtures/data/registers-holf.csv, family by family (SA = social assistance; every receipt
 * month pays 8000). Expected outcomes worked out by hand from the HOLF rules:
 * inclusion  sa_6_of_12 (≥ 6 months SA as main income, or ≥ 6 months SA on top of benefits),
 *            has_child_under_16, at_most_four_children_under_16;
 * exclusion  other_family_project, parent_in_treatment, children_placed_outside_home,
 *            child_welfare_case (checked in that order).
 *
 *  F1  0301 2019 main 5, months 1–12, ages 3|7                → eligible
 *  F2  0301 2019 main 3 + AAP (11), months 1–6, age 10         → eligible (6 months on top)
 *  F3  0301 2019 main 5, months 1–5                           → sa_6_of_12 (5 months)
 *  F4  0301 2019 main 1 (work), no benefit, months 1–12       → sa_6_of_12 (neither kind)
 *  F5  4601 2019 main 5, months 1–12, ages 16|17              → has_child_under_16
 *  F7  4601 2019 main 5, 12 months, ages 1|3|5|7|9            → at_most_four_children_under_16
 *  F8  4601 2019 main 5, 12 months, ages 2|4|6|8|17           → eligible (four under 16)
 *  F9  4601 2019 eligible by inclusion, other project          → other_family_project
 *  F10 5001 2019 eligible by inclusion, parent in treatment    → parent_in_treatment
 *  F11 5001 2019 eligible by inclusion, children placed        → children_placed_outside_home
 *  F12 5001 2019 eligible by inclusion, child welfare          → child_welfare_case
 *  F13 5001 2019 treatment + child welfare                     → parent_in_treatment (both match)
 *  F14 5001 2019 main 5, months 1–3, child welfare             → sa_6_of_12 (inclusion first)
 *  F15 0301 2019 main 5, months 1–2, no children              → sa_6_of_12, has_child_under_16
 *  F16 0301 2019 main 8 (qualification benefit), KVP, months 1–7 → eligible (on top)
 *  F17 0301 2018 main 5, months 10–12, child welfare; 2019 main 5, months 1–3, no flags
 *  F18 0301 2019 months 1–4 and 4601 2019 months 5–12 (two families, one per office)
 *  F19 4601 2019 D-number, main 5, months 7–12, age 14          → eligible
 *  F20 5001 2018 main 5, months 10–12; 2019 main 3 + AAP, months 1–3
 *  F21 5001 2018 months 1–3 only                               → outside both windows
 *
 * Window ending 2019-12 (default: latest month with receipt): F17 has 3 months → sa_6_of_12;
 * F18 in 0301 has 4 → sa_6_of_12, in 4601 has 8 → eligible; F20 has 3 on top → sa_6_of_12.
 * Window ending 2019-06 (2018-07..2019-06): F1, F2, F8 and F9–F13 keep 6 months; F16 has 6;
 * F17 has 3 + 3 = 6 main-income months and its latest record (2019) has no flag → eligible;
 * F18 has 4 (0301) and 2 (4601); F19 has none in the window (not screened); F20 has 6 months
 * but only 3 of each kind → sa_6_of_12.
 */
const IDS: Record<string, string> = {
  F1: '01028110029',
  F2: '02038210079',
  F3: '03048310019',
  F4: '04058410069',
  F5: '05068510009',
  F7: '07088710260',
  F8: '08098810049',
  F9: '09108910027',
  F10: '10119010026',
  F11: '11129110076',
  F12: '12019210098',
  F13: '13029310038',
  F14: '14039410088',
  F15: '15048010005',
  F16: '16058110055',
  F17: '17068210186',
  F18: '18078310045',
  F19: '41038510086',
  F20: '20098510045',
  F21: '21108610023',
};

type Expected = [
  family: string,
  municipality: string,
  decisive: string | null,
  failed: string[],
  matched: string[],
];

const DEC_2019: Expected[] = [
  ['F1', '0301', null, [], []],
  ['F2', '0301', null, [], []],
  ['F3', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F4', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F5', '4601', 'has_child_under_16', ['has_child_under_16'], []],
  ['F7', '4601', 'at_most_four_children_under_16', ['at_most_four_children_under_16'], []],
  ['F8', '4601', null, [], []],
  ['F9', '4601', 'other_family_project', [], ['other_family_project']],
  ['F10', '5001', 'parent_in_treatment', [], ['parent_in_treatment']],
  ['F11', '5001', 'children_placed_outside_home', [], ['children_placed_outside_home']],
  ['F12', '5001', 'child_welfare_case', [], ['child_welfare_case']],
  ['F13', '5001', 'parent_in_treatment', [], ['parent_in_treatment', 'child_welfare_case']],
  ['F14', '5001', 'sa_6_of_12', ['sa_6_of_12'], ['child_welfare_case']],
  ['F15', '0301', 'sa_6_of_12', ['sa_6_of_12', 'has_child_under_16'], []],
  ['F16', '0301', null, [], []],
  ['F17', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F18', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F18', '4601', null, [], []],
  ['F19', '4601', null, [], []],
  ['F20', '5001', 'sa_6_of_12', ['sa_6_of_12'], []],
];

const JUN_2019: Expected[] = [
  ['F1', '0301', null, [], []],
  ['F2', '0301', null, [], []],
  ['F3', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F4', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F5', '4601', 'has_child_under_16', ['has_child_under_16'], []],
  ['F7', '4601', 'at_most_four_children_under_16', ['at_most_four_children_under_16'], []],
  ['F8', '4601', null, [], []],
  ['F9', '4601', 'other_family_project', [], ['other_family_project']],
  ['F10', '5001', 'parent_in_treatment', [], ['parent_in_treatment']],
  ['F11', '5001', 'children_placed_outside_home', [], ['children_placed_outside_home']],
  ['F12', '5001', 'child_welfare_case', [], ['child_welfare_case']],
  ['F13', '5001', 'parent_in_treatment', [], ['parent_in_treatment', 'child_welfare_case']],
  ['F14', '5001', 'sa_6_of_12', ['sa_6_of_12'], ['child_welfare_case']],
  ['F15', '0301', 'sa_6_of_12', ['sa_6_of_12', 'has_child_under_16'], []],
  ['F16', '0301', null, [], []],
  ['F17', '0301', null, [], []],
  ['F18', '0301', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F18', '4601', 'sa_6_of_12', ['sa_6_of_12'], []],
  ['F20', '5001', 'sa_6_of_12', ['sa_6_of_12'], []],
];

const key = pseudonymKey('test-key-0123456789abcdef');
const rules = holfRuleSet();
const dir = mkdtempSync(join(tmpdir(), 'tiltak-screen-'));
let rows: readonly PseudonymisedRegisterRow[] = [];
beforeAll(async () => {
  rows = (await importRegisterFile('test/fixtures/data/registers-holf.csv', key)).rows;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(families: readonly FamilyScreeningResult[], expected: Expected[]): void {
  const byKey = new Map(families.map((f) => [`${f.pseudonym}|${f.municipality}`, f]));
  expect(families).toHaveLength(expected.length);
  for (const [fam, muni, decisive, failed, matched] of expected) {
    const got = byKey.get(`${pseudonymise(IDS[fam]!, key)}|${muni}`);
    expect(got, `${fam} in ${muni}`).toBeDefined();
    expect(
      {
        eligible: got!.eligible,
        decisive: got!.decisiveRule?.id ?? null,
        failed: got!.failedInclusion,
        matched: got!.matchedExclusions,
      },
      `${fam} in ${muni}`,
    ).toEqual({ eligible: decisive === null, decisive, failed, matched });
    // The SQL result must agree with the plain evaluator on the derived fields.
    expect(decide(rules, got!.fields).decisiveRule?.id ?? null).toBe(decisive);
  }
}

describe('HOLF screening of the hand-made fixture', () => {
  it('decides every family as worked out by hand (window ending 2019-12)', async () => {
    const run = await screen({ rows }, rules, { collect: true });
    expect(run.summary.asOf).toBe('2019-12');
    check(run.families!, DEC_2019);
    const f16 = run.families!.find((f) => f.pseudonym === pseudonymise(IDS.F16!, key))!;
    expect(f16.fields).toMatchObject({
      months_with_sa_last12: 7,
      months_with_sa_main_income_last12: 0,
      months_with_sa_on_top_of_benefits_last12: 7,
      sa_amount_last12: 56000,
      children_under_16: 2,
      kvp_participant: true,
    });
    const f13 = run.families!.find((f) => f.pseudonym === pseudonymise(IDS.F13!, key))!;
    expect(f13.decisiveRule?.reason.nb).toBe(
      'En forelder er i behandling for tungt rusmisbruk eller alvorlig psykisk lidelse.',
    );
  });

  it('summarises counts and exclusions by reason', async () => {
    const { summary } = await screen({ rows }, rules);
    expect(summary).toMatchObject({
      ruleSet: { id: 'holf', version: '2016-1' },
      families: 20,
      meetingInclusion: 11,
      excluded: 5,
      eligible: 6,
      notIncludedByRule: {
        sa_6_of_12: 7,
        has_child_under_16: 1,
        at_most_four_children_under_16: 1,
      },
      exclusionsByRule: {
        other_family_project: 1,
        parent_in_treatment: 2,
        children_placed_outside_home: 1,
        child_welfare_case: 1,
      },
      exclusionMatchesByRule: {
        other_family_project: 1,
        parent_in_treatment: 2,
        children_placed_outside_home: 1,
        child_welfare_case: 2,
      },
      byMunicipality: [
        { municipality: '0301', families: 8, eligible: 3 },
        { municipality: '4601', families: 6, eligible: 3 },
        { municipality: '5001', families: 6, eligible: 0 },
      ],
    });
  });

  it('moves the 12-month window across register years (ending 2019-06)', async () => {
    const out = join(dir, 'pseudo.parquet');
    await writePseudonymisedParquet(rows, out);
    const run = await screen({ parquet: out }, rules, {
      asOf: { year: 2019, month: 6 },
      collect: true,
    });
    check(run.families!, JUN_2019);
    expect(run.summary).toMatchObject({ families: 19, meetingInclusion: 10, eligible: 5 });
    const f20 = run.families!.find((f) => f.pseudonym === pseudonymise(IDS.F20!, key))!;
    expect(f20.fields).toMatchObject({
      months_with_sa_last12: 6,
      months_with_sa_main_income_last12: 3,
      months_with_sa_on_top_of_benefits_last12: 3,
    });
  });

  it('refuses to screen a Parquet file that still holds personal ids', async () => {
    const raw = join(dir, 'raw.parquet');
    const db = await openDuck();
    try {
      await db.connection.run(
        `COPY (SELECT * FROM read_csv('test/fixtures/data/registers-holf.csv', all_varchar = true)) TO ${sqlString(raw)} (FORMAT parquet)`,
      );
    } finally {
      db.close();
    }
    await expect(screen({ parquet: raw }, rules)).rejects.toMatchObject({
      code: 'NOT_PSEUDONYMISED',
    });
  });

  it('does not depend on row order', async () => {
    const a = await screen({ rows }, rules, { collect: true });
    const b = await screen({ rows: [...rows].reverse() }, rules, { collect: true });
    expect(b).toEqual(a);
  });
});

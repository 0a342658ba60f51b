import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegisterFile } from '../src/registers/import.ts';
import { pseudonymKey } from '../src/registers/pseudonym.ts';
import { type FamilyScreeningResult, screen } from '../src/registers/screening.ts';
import { screenedFamilyInput, storeScreening } from '../src/registers/store-screening.ts';
import { createOffice, createTrial, getFamily, openStore, type Store } from '../src/store/index.ts';
import { holfRuleSet } from '../src/trial/eligibility-rules.ts';

const rules = holfRuleSet();
let store: Store;
let trialId: string;
let families: readonly FamilyScreeningResult[];
let meetingInclusion: number;

beforeAll(async () => {
  const imported = await importRegisterFile(
    'test/fixtures/data/registers-holf.csv',
    pseudonymKey('test-key-0123456789abcdef'),
  );
  const run = await screen({ rows: imported.rows }, rules, { collect: true });
  families = run.families!;
  meetingInclusion = run.summary.meetingInclusion;
  store = await openStore({ memory: true });
  const trial = await createTrial(store.db, 'stat:anne', {
    name: 'HOLF',
    startDate: '2020-01-01',
    arms: [
      { key: 'holf', name: 'HOLF' },
      { key: 'control', name: 'control' },
    ],
  });
  trialId = trial.id;
  for (const [code, municipality] of [
    ['oslo-a', '0301'],
    ['oslo-b', '0301'],
    ['bergen', '4601'],
  ] as const)
    await createOffice(store.db, 'stat:anne', {
      trialId,
      code,
      name: code,
      covariates: { municipality },
    });
}, 60_000);

afterAll(async () => {
  await store?.close();
});

describe('storeScreening', () => {
  it('builds the household from the children’s ages and names the deciding rule', () => {
    const excluded = families.find((f) => f.failedInclusion.length === 0 && !f.eligible)!;
    const input = screenedFamilyInput(excluded, 'office-id', rules);
    expect(input.members[0]).toEqual({ pseudonym: excluded.pseudonym, role: 'adult' });
    expect(input.members.slice(1).map((m) => m.role)).toEqual(
      excluded.childAges.map(() => 'child'),
    );
    const year = Number(excluded.asOf.slice(0, 4));
    expect(input.members.slice(1).map((m) => (m as { birthYear: number }).birthYear)).toEqual(
      excluded.childAges.map((a) => year - a),
    );
    expect(input.eligibility.rule).toBe(
      `${rules.id}@${rules.version}:${excluded.decisiveRule!.id}`,
    );
    expect(input.eligibility.reasons[0]).toBe(excluded.decisiveRule!.reason.en);
  });

  it('refuses a municipality served by several offices, an unknown office and a trial without offices', async () => {
    await expect(
      storeScreening(store.db, 'cli:test', { trialId, families, rules }),
    ).rejects.toMatchObject({ code: 'AMBIGUOUS_OFFICE', message: /0301.*oslo-a, oslo-b/ });
    await expect(
      storeScreening(store.db, 'cli:test', { trialId, families, rules, office: 'nowhere' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_OFFICE' });
    await expect(
      storeScreening(store.db, 'cli:test', {
        trialId,
        families,
        rules,
        officeMap: new Map([['0301', 'gone']]),
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_OFFICE' });
    await expect(
      storeScreening(store.db, 'cli:test', { trialId: 'no-trial', families, rules }),
    ).rejects.toMatchObject({ code: 'NO_OFFICES' });
    expect(await store.db.selectFrom('family').select('id').execute()).toHaveLength(0);
  });

  it('stores one office’s caseload under that office, whatever the municipality', async () => {
    const r = await storeScreening(store.db, 'cli:test', {
      trialId,
      families,
      rules,
      office: 'bergen',
    });
    expect(r).toMatchObject({
      identified: meetingInclusion,
      created: meetingInclusion,
      outsideOffices: 0,
    });
    expect(r.byOffice.map((o) => o.office)).toEqual(['bergen']);
    const rows = await store.db.selectFrom('family').select(['id', 'office_id']).execute();
    expect(rows).toHaveLength(meetingInclusion);
    const bergen = await store.db
      .selectFrom('office')
      .select('id')
      .where('code', '=', 'bergen')
      .executeTakeFirstOrThrow();
    expect(new Set(rows.map((x) => x.office_id))).toEqual(new Set([bergen.id]));
    const withChildren = families.find(
      (f) => f.failedInclusion.length === 0 && f.childAges.length > 1,
    )!;
    const stored = await store.db
      .selectFrom('family')
      .select('id')
      .where('pseudonym', '=', withChildren.pseudonym)
      .executeTakeFirstOrThrow();
    const family = await getFamily(store.db, stored.id);
    expect(family!.members.filter((m) => m.role === 'child')).toHaveLength(
      withChildren.childAges.length,
    );
  });
});

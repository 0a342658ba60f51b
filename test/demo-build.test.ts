import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAllocationRecord } from '../src/design/record.ts';
import { validateAndPseudonymise } from '../src/registers/import.ts';
import { isValidPersonalId } from '../src/registers/personal-id.ts';
import { REGISTER_COLUMNS } from '../src/registers/schema.ts';
import { screen } from '../src/registers/screening.ts';
import {
  getAllocation,
  listAuditEntries,
  listMunicipalityStatistics,
  openStore,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';
import {
  buildDemoTrial,
  DEMO_AS_OF,
  DEMO_MUNICIPALITY_DATASET,
  type DemoTrialSummary,
  demoPseudonymKey,
  demoRegisterRecords,
  HOLF_COUNTS,
  officeCode,
} from '../src/trial/demo/index.ts';
import { holfRuleSet } from '../src/trial/eligibility-rules.ts';

const SMALL = {
  seed: 7,
  offices: 6,
  identified: 150,
  excluded: 15,
  drawPerOffice: 8,
  municipalities: 30,
} as const;

describe('demo register records', () => {
  it('at HOLF scale give 3,201 identified and 320 excluded through the real import and screening', async () => {
    const rec = demoRegisterRecords({ seed: 2016 });
    expect(rec.offices).toHaveLength(29);
    const key = demoPseudonymKey(2016);
    const rows = rec.batches.flatMap((b) => validateAndPseudonymise(b.cells, key, 'demo'));
    const run = await screen({ rows }, holfRuleSet(), { asOf: DEMO_AS_OF });
    expect(run.summary.meetingInclusion).toBe(HOLF_COUNTS.identified);
    expect(run.summary.excluded).toBe(HOLF_COUNTS.excluded);
    expect(run.summary.eligible).toBe(3201 - 320);
    // Some recipients fail each inclusion rule, so the rules do real work.
    for (const n of Object.values(run.summary.notIncludedByRule)) expect(n).toBeGreaterThan(0);
    for (const n of Object.values(run.summary.exclusionsByRule)) expect(n).toBeGreaterThan(0);
  });

  it('uses valid, unique fødselsnumre and is deterministic for a seed', () => {
    const a = demoRegisterRecords({ seed: 3, offices: 4, identified: 60, excluded: 6 });
    const b = demoRegisterRecords({ seed: 3, offices: 4, identified: 60, excluded: 6 });
    const c = demoRegisterRecords({ seed: 4, offices: 4, identified: 60, excluded: 6 });
    expect(b).toEqual(a);
    expect(c.batches[0]!.cells).not.toEqual(a.batches[0]!.cells);
    const j = REGISTER_COLUMNS.indexOf('personal_id');
    const ids = a.batches.flatMap((x) => x.cells.map((r) => r[j]!));
    expect(ids.every(isValidPersonalId)).toBe(true);
    // Two rows (2015, 2016) per recipient.
    expect(new Set(ids).size).toBe(ids.length / 2);
    expect(new Set(ids).size).toBe(a.recipients);
  });

  it('adds the rest of the country at national scale', () => {
    const rec = demoRegisterRecords({
      seed: 3,
      scale: 'national',
      offices: 4,
      identified: 60,
      excluded: 6,
      nationalRecipients: 2000,
    });
    expect(rec.recipients).toBe(2000);
    expect(rec.batches.at(-1)!.office).toBeNull();
  });

  it('refuses impossible sizes', () => {
    expect(() => demoRegisterRecords({ seed: 1, offices: 40 })).toThrow(/offices must be/);
    expect(() => demoRegisterRecords({ seed: 1, offices: 4, identified: 10 })).toThrow(
      /identified/,
    );
    expect(() =>
      demoRegisterRecords({ seed: 1, offices: 4, identified: 60, excluded: 40 }),
    ).toThrow(/excluded/);
  });

  it('names offices by an ASCII code', () => {
    expect(officeCode('NAV St. Hanshaugen')).toBe('st-hanshaugen');
    expect(officeCode('NAV Bærum')).toBe('baerum');
    expect(officeCode('NAV Grünerløkka')).toBe('grunerlokka');
  });
});

describe('buildDemoTrial (small)', () => {
  let store: Store;
  let summary: DemoTrialSummary;
  const stages: string[] = [];

  beforeAll(async () => {
    store = await openStore({ memory: true });
    summary = await buildDemoTrial(store, { ...SMALL, onProgress: (s) => stages.push(s) });
  }, 60_000);
  afterAll(async () => {
    await store.close();
  });

  it('stores the trial, offices and staff', async () => {
    expect(summary.offices).toBe(6);
    const staff = await store.db
      .selectFrom('staff_member')
      .select(['role', sql<number>`count(*)::int`.as('n')])
      .groupBy('role')
      .orderBy('role')
      .execute();
    expect(staff).toEqual([
      { role: 'coordinator', n: 12 },
      { role: 'leader', n: 6 },
    ]);
    expect(stages).toContain('randomisation');
  });

  it('stores every identified family with its eligibility result and reasons', async () => {
    expect(summary.identified).toBe(150);
    expect(summary.excluded).toBe(15);
    const rows = await store.db.selectFrom('eligibility').selectAll().execute();
    expect(rows).toHaveLength(150);
    const excluded = rows.filter((r) => !r.eligible);
    expect(excluded).toHaveLength(15);
    for (const r of excluded) {
      expect(r.rule).toMatch(/^holf@2016-1:/);
      expect((r.reasons as string[]).length).toBeGreaterThan(0);
    }
    // Only pseudonyms: none of the raw fødselsnumre of the register extract reaches the store.
    const raw = demoRegisterRecords(SMALL);
    const j = REGISTER_COLUMNS.indexOf('personal_id');
    const ids = new Set(raw.batches.flatMap((b) => b.cells.map((r) => r[j]!)));
    const dump = await sql<{
      t: string;
    }>`select (select string_agg(pseudonym, ' ') from family_member)
      || (select string_agg(after::text, ' ') from audit_log) as t`.execute(store.db);
    const text = dump.rows[0]!.t;
    expect([...ids].filter((id) => text.includes(id))).toEqual([]);
    // The demo key lives in memory only.
    expect(text.includes(demoPseudonymKey(SMALL.seed).bytes.toString('utf8'))).toBe(false);
  });

  it('stores a verifiable, immutable allocation record splitting the offices 3/3', async () => {
    const a = (await getAllocation(store.db, summary.trialId))!;
    const rec = verifyAllocationRecord(a.record);
    expect(rec.allocation.treated_ids).toHaveLength(3);
    expect(rec.design.scheme).toBe('constrained');
    expect(a.offices.filter((o) => o.armKey === 'holf')).toHaveLength(3);
    await expect(sql`update allocation set created_by = 'x'`.execute(store.db)).rejects.toThrow(
      /immutable/,
    );
  });

  it('draws within offices, enrols with consent and keeps the comparison group', async () => {
    expect(summary.drawn).toBe(48);
    expect(summary.enrolled).toBe(48 - Math.round((48 * 44) / 928));
    const draws = await store.db
      .selectFrom('family_draw')
      .select(['draw_group', sql<number>`count(*)::int`.as('n')])
      .groupBy('draw_group')
      .orderBy('draw_group')
      .execute();
    expect(draws).toEqual([
      { draw_group: 'comparison', n: summary.eligible - 48 },
      { draw_group: 'drawn', n: 48 },
    ]);
    const enrolled = await store.db
      .selectFrom('enrolment')
      .selectAll()
      .where('enrolled_date', 'is not', null)
      .execute();
    expect(enrolled).toHaveLength(summary.enrolled);
    for (const e of enrolled) expect(e.consent_date! <= e.enrolled_date!).toBe(true);
    // Every drawn family is followed by a coordinator of its own office, the two sharing evenly.
    const caseloads = await store.db
      .selectFrom('family_coordinator')
      .innerJoin('staff_member', 'staff_member.id', 'family_coordinator.staff_id')
      .innerJoin('family', 'family.id', 'family_coordinator.family_id')
      .select([
        'staff_member.id',
        sql<number>`count(*)::int`.as('n'),
        sql<number>`count(*) filter (where family.office_id <> staff_member.office_id)::int`.as(
          'elsewhere',
        ),
      ])
      .groupBy('staff_member.id')
      .execute();
    expect(caseloads.reduce((t, c) => t + c.n, 0)).toBe(48);
    for (const c of caseloads) expect(c.elsewhere).toBe(0);
    expect(
      Math.max(...caseloads.map((c) => c.n)) - Math.min(...caseloads.map((c) => c.n)),
    ).toBeLessThanOrEqual(1);
  });

  it('records outcomes, questionnaires and municipalities, all audited as the demo', async () => {
    expect(summary.registerOutcomeRows).toBeGreaterThan(summary.enrolled * 40);
    const responses = await store.db
      .selectFrom('questionnaire_response')
      .select(['respondent_type', 'status'])
      .execute();
    expect(responses.length).toBe(summary.responses);
    expect(responses.every((r) => r.status === 'submitted')).toBe(true);
    expect(responses.filter((r) => r.respondent_type === 'coordinator')).toHaveLength(24);
    const m = await listMunicipalityStatistics(store.db, DEMO_MUNICIPALITY_DATASET);
    expect(m).toHaveLength(30);
    const audit = await listAuditEntries(store.db);
    expect(new Set(audit.map((e) => e.actor))).toEqual(new Set(['demo']));
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('refuses to build the demo twice into one store', async () => {
    await expect(buildDemoTrial(store, SMALL)).rejects.toMatchObject({ code: 'DEMO_EXISTS' });
  });

  it('gives the same trial from the same seed', async () => {
    const again = await openStore({ memory: true });
    try {
      const s2 = await buildDemoTrial(again, SMALL);
      expect(s2.allocationSha256).toBe(summary.allocationSha256);
      expect(s2.enrolled).toBe(summary.enrolled);
      const pseudonyms = async (s: Store) =>
        (await s.db.selectFrom('family').select('pseudonym').orderBy('pseudonym').execute()).map(
          (r) => r.pseudonym,
        );
      expect(await pseudonyms(again)).toEqual(await pseudonyms(store));
      expect(s2.registerOutcomeRows).toBe(summary.registerOutcomeRows);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('refuses a bad seed or scale before touching the store', async () => {
    await expect(buildDemoTrial(store, { seed: 1.5 })).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
    await expect(
      buildDemoTrial(store, { seed: 1, scale: 'galactic' as 'holf' }),
    ).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

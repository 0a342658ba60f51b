import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStaffMember,
  createFamily,
  createInstrument,
  createOffice,
  getEligibility,
  getEnrolment,
  getFamily,
  getFamilyDraw,
  getInstrument,
  getOffice,
  getResponse,
  getTrial,
  inTransaction,
  listAuditEntries,
  listFamilies,
  listOffices,
  listRegisterOutcomes,
  listStaff,
  recordEligibility,
  recordFamilyDraw,
  type Store,
  saveResponseDraft,
  setEnrolment,
  submitResponse,
  upsertRegisterOutcomes,
  verifyAuditChain,
} from '../src/store/index.ts';
import { standardWaves } from '../src/trial/waves.ts';
import { seedTrial, storeBackends } from './store-backends.ts';

describe.each(storeBackends())('repositories on $name', (backend) => {
  let store: Store;
  let seeded: Awaited<ReturnType<typeof seedTrial>>;

  beforeAll(async () => {
    store = await backend.open();
    seeded = await seedTrial(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('round-trips a trial with arms in order and the standard waves', async () => {
    const trial = await getTrial(store.db, seeded.trial.id);
    expect(trial).toEqual(seeded.trial);
    expect(trial?.arms.map((a) => a.key)).toEqual(['holf', 'local']);
    expect(trial?.waves).toEqual(standardWaves());
    expect(trial?.startDate).toBe('2016-09-01');
    expect(await getTrial(store.db, 'no-such-trial')).toBeUndefined();
  });

  it('round-trips offices with JSON covariates and their staff', async () => {
    const office = seeded.offices[0]!;
    expect(await getOffice(store.db, office.id)).toEqual(office);
    expect((await listOffices(store.db, seeded.trial.id)).map((o) => o.code)).toEqual([
      '0301-01',
      '4601-02',
    ]);
    const leader = await addStaffMember(store.db, 'admin', {
      officeId: office.id,
      role: 'leader',
      name: 'Leader A',
    });
    await addStaffMember(store.db, 'admin', {
      officeId: office.id,
      role: 'coordinator',
      name: 'C1',
    });
    await addStaffMember(store.db, 'admin', {
      officeId: office.id,
      role: 'coordinator',
      name: 'C2',
    });
    const staff = await listStaff(store.db, office.id);
    expect(staff.map((s) => [s.role, s.name])).toEqual([
      ['leader', 'Leader A'],
      ['coordinator', 'C1'],
      ['coordinator', 'C2'],
    ]);
    expect(staff[0]).toEqual(leader);
    await expect(
      addStaffMember(store.db, 'admin', { officeId: office.id, role: 'leader', name: 'Leader B' }),
    ).rejects.toMatchObject({ code: 'LEADER_EXISTS' });
    await expect(
      createOffice(store.db, 'admin', { trialId: 'missing', code: 'Z', name: 'Z' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('round-trips families and their households', async () => {
    const f = seeded.families[0]!;
    const back = await getFamily(store.db, f.id);
    expect(back).toEqual({
      id: f.id,
      officeId: seeded.offices[0]!.id,
      pseudonym: 'F-0001',
      members: [
        { pseudonym: 'P-1-a', role: 'adult', birthYear: 1981 },
        { pseudonym: 'P-1-c', role: 'child', birthYear: 2011 },
      ],
    });
    expect((await listFamilies(store.db, seeded.offices[0]!.id)).map((x) => x.pseudonym)).toEqual([
      'F-0001',
      'F-0002',
      'F-0003',
    ]);
  });

  it('refuses an 11-digit personal id as pseudonym, in the repository and by CHECK constraint', async () => {
    const officeId = seeded.offices[0]!.id;
    for (const bad of ['01019012345', '010190 12345', '010190-123.45'])
      await expect(
        createFamily(store.db, 'c', {
          officeId,
          pseudonym: bad,
          members: [{ pseudonym: 'ok-1', role: 'adult' }],
        }),
      ).rejects.toMatchObject({ code: 'PERSONAL_ID' });
    await expect(
      createFamily(store.db, 'c', {
        officeId,
        pseudonym: 'F-9',
        members: [{ pseudonym: '41019012345', role: 'adult' }],
      }),
    ).rejects.toMatchObject({ code: 'PERSONAL_ID' });
    await expect(
      sql`insert into family (id, office_id, pseudonym) values ('x', ${officeId}, '010190 12345')`.execute(
        store.db,
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sql`insert into register_outcome (pseudonym, year, month, variables) values ('01019012345', 2018, 1, '{}')`.execute(
        store.db,
      ),
    ).rejects.toThrow(/check constraint/);
    // A 10- or 12-digit code is not a personal id and is accepted as a pseudonym.
    const ok = await createFamily(store.db, 'c', {
      officeId,
      pseudonym: '123456789012',
      members: [{ pseudonym: '1234567890', role: 'adult' }],
    });
    expect((await getFamily(store.db, ok.id))?.pseudonym).toBe('123456789012');
  });

  it('rolls back the whole transaction on error, leaving neither rows nor audit entries', async () => {
    const auditBefore = (await listAuditEntries(store.db)).length;
    const familiesBefore = (await listFamilies(store.db, seeded.offices[1]!.id)).length;
    await expect(
      inTransaction(store.db, async (trx) => {
        await createFamily(trx, 'import', {
          officeId: seeded.offices[1]!.id,
          pseudonym: 'F-RB-1',
          members: [{ pseudonym: 'RB-1', role: 'adult' }],
        });
        await createFamily(trx, 'import', {
          officeId: seeded.offices[1]!.id,
          pseudonym: 'F-RB-2',
          members: [{ pseudonym: '01019012345', role: 'adult' }],
        });
      }),
    ).rejects.toMatchObject({ code: 'PERSONAL_ID' });
    expect((await listFamilies(store.db, seeded.offices[1]!.id)).length).toBe(familiesBefore);
    expect((await listAuditEntries(store.db)).length).toBe(auditBefore);
    // A failure inside a single audited write (foreign key) also leaves the chain untouched.
    await expect(
      createFamily(store.db, 'import', {
        officeId: 'no-such-office',
        pseudonym: 'F-RB-3',
        members: [{ pseudonym: 'RB-3', role: 'adult' }],
      }),
    ).rejects.toThrow();
    expect((await listAuditEntries(store.db)).length).toBe(auditBefore);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('supports savepoints: work rolled back to a savepoint is gone, the rest commits', async () => {
    const officeId = seeded.offices[1]!.id;
    const trx = await store.db.startTransaction().execute();
    await createFamily(trx, 'import', {
      officeId,
      pseudonym: 'F-SP-1',
      members: [{ pseudonym: 'SP-1', role: 'adult' }],
    });
    const sp = await trx.savepoint('before_second').execute();
    await createFamily(sp, 'import', {
      officeId,
      pseudonym: 'F-SP-2',
      members: [{ pseudonym: 'SP-2', role: 'adult' }],
    });
    const back = await sp.rollbackToSavepoint('before_second').execute();
    await back.commit().execute();
    const names = (await listFamilies(store.db, officeId)).map((f) => f.pseudonym);
    expect(names).toContain('F-SP-1');
    expect(names).not.toContain('F-SP-2');
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('records eligibility, the draw and enrolment with their rules', async () => {
    const [f1, f2, f3] = seeded.families;
    const e1 = await recordEligibility(store.db, 'screening', {
      familyId: f1!.id,
      eligible: true,
      rule: 'holf-target-v1',
      reasons: ['social assistance 7 of 12 months', '2 children under 16'],
      decidedAt: '2016-08-01T10:00:00.000Z',
    });
    expect(await getEligibility(store.db, f1!.id)).toEqual(e1);
    await recordEligibility(store.db, 'screening', {
      familyId: f2!.id,
      eligible: false,
      rule: 'exclusion:child-welfare',
      reasons: ['ongoing child-welfare investigation'],
    });
    expect(await getEligibility(store.db, f2!.id)).toMatchObject({
      eligible: false,
      rule: 'exclusion:child-welfare',
    });
    await recordEligibility(store.db, 'screening', {
      familyId: f3!.id,
      eligible: true,
      rule: 'holf-target-v1',
      reasons: [],
    });

    await expect(recordFamilyDraw(store.db, 'c1', f2!.id, 'drawn')).rejects.toMatchObject({
      code: 'NOT_ELIGIBLE',
    });
    const draw = await recordFamilyDraw(store.db, 'c1', f1!.id, 'drawn');
    expect(await getFamilyDraw(store.db, f1!.id)).toEqual(draw);
    await expect(recordFamilyDraw(store.db, 'c1', f1!.id, 'comparison')).rejects.toMatchObject({
      code: 'ALREADY_DRAWN',
    });
    await recordFamilyDraw(store.db, 'c1', f3!.id, 'comparison');

    await expect(
      setEnrolment(store.db, 'c1', { familyId: f3!.id, status: 'invited' }),
    ).rejects.toMatchObject({ code: 'NOT_DRAWN' });
    await expect(
      setEnrolment(store.db, 'c1', {
        familyId: f1!.id,
        status: 'enrolled',
        consentDate: '2016-10-01',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      setEnrolment(store.db, 'c1', {
        familyId: f1!.id,
        status: 'enrolled',
        consentDate: '2016-10-05',
        enrolledDate: '2016-10-01',
      }),
    ).rejects.toThrow(/before it consented/);
    await setEnrolment(store.db, 'c1', {
      familyId: f1!.id,
      status: 'consented',
      consentDate: '2016-10-01',
    });
    const enrolled = await setEnrolment(store.db, 'c1', {
      familyId: f1!.id,
      status: 'enrolled',
      consentDate: '2016-10-01',
      enrolledDate: '2016-10-03',
    });
    expect(await getEnrolment(store.db, f1!.id)).toEqual(enrolled);
    const history = await listAuditEntries(store.db, { entity: 'enrolment', entityId: f1!.id });
    expect(history.map((h) => (h.after as { status: string }).status)).toEqual([
      'consented',
      'enrolled',
    ]);
    expect(history[1]!.before).toMatchObject({ status: 'consented' });
  });

  it('validates instruments and questionnaire responses, and locks submitted responses', async () => {
    const items = Array.from({ length: 4 }, (_, i) => ({ id: `q${i + 1}` }));
    await expect(
      createInstrument(store.db, 'admin', {
        key: 'bad',
        name: 'Bad',
        version: '1',
        items,
        responseScale: { min: 1, max: 5 },
        subscales: { task: ['q1', 'q9'] },
      }),
    ).rejects.toThrow(/unknown item 'q9'/);
    await expect(
      createInstrument(store.db, 'admin', {
        key: 'bad',
        name: 'Bad',
        version: '1',
        items,
        responseScale: { min: 1, max: 5 },
        missingCodes: [3],
      }),
    ).rejects.toThrow(/inside the response scale/);
    const inst = await createInstrument(store.db, 'admin', {
      key: 'competence',
      name: 'Professional competence',
      version: '1',
      items,
      responseScale: { min: 1, max: 5, labels: ['a', 'b', 'c', 'd', 'e'] },
      reverseKeyed: ['q2'],
      subscales: { all: ['q1', 'q2', 'q3', 'q4'] },
      missingCodes: [-9, 99],
    });
    expect(await getInstrument(store.db, inst.id)).toEqual(inst);

    const family = seeded.families[0]!;
    const base = {
      trialId: seeded.trial.id,
      wave: 'T2' as const,
      respondentType: 'family' as const,
      respondentId: family.id,
      instrumentId: inst.id,
    };
    await expect(
      saveResponseDraft(store.db, 'fam', { ...base, answers: { q1: 6 } }),
    ).rejects.toMatchObject({ code: 'ANSWER_OUT_OF_RANGE' });
    await expect(
      saveResponseDraft(store.db, 'fam', { ...base, answers: { q7: 1 } }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ITEM' });
    await expect(
      saveResponseDraft(store.db, 'fam', { ...base, respondentType: 'coordinator', answers: {} }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const draft = await saveResponseDraft(store.db, 'fam', {
      ...base,
      answers: { q1: 4, q2: null },
    });
    await expect(submitResponse(store.db, 'fam', draft.id)).rejects.toMatchObject({
      code: 'INCOMPLETE_RESPONSE',
    });
    const again = await saveResponseDraft(store.db, 'fam', {
      ...base,
      answers: { q1: 4, q2: 2, q3: -9, q4: 5 },
    });
    expect(again.id).toBe(draft.id);
    const submitted = await submitResponse(store.db, 'fam', draft.id);
    expect(submitted.status).toBe('submitted');
    expect(await getResponse(store.db, draft.id)).toEqual(submitted);
    await expect(
      saveResponseDraft(store.db, 'fam', { ...base, answers: { q1: 1 } }),
    ).rejects.toMatchObject({ code: 'RESPONSE_SUBMITTED' });
  });

  it('imports register outcomes per person-month, replacing repeats, audited per batch', async () => {
    const first = await upsertRegisterOutcomes(store.db, 'import', [
      { pseudonym: 'P-1-a', year: 2017, month: 2, variables: { employed: 0, income: 1200.5 } },
      { pseudonym: 'P-1-a', year: 2017, month: 1, variables: { employed: 0, income: 1100 } },
    ]);
    expect(first).toMatchObject({ rows: 2, replaced: 0 });
    const second = await upsertRegisterOutcomes(store.db, 'import', [
      { pseudonym: 'P-1-a', year: 2017, month: 2, variables: { employed: 1, income: 2100 } },
      { pseudonym: 'P-1-a', year: 2017, month: 3, variables: { employed: 1, income: 2200 } },
    ]);
    expect(second).toMatchObject({ rows: 2, replaced: 1 });
    expect(await listRegisterOutcomes(store.db, 'P-1-a')).toEqual([
      { pseudonym: 'P-1-a', year: 2017, month: 1, variables: { employed: 0, income: 1100 } },
      { pseudonym: 'P-1-a', year: 2017, month: 2, variables: { employed: 1, income: 2100 } },
      { pseudonym: 'P-1-a', year: 2017, month: 3, variables: { employed: 1, income: 2200 } },
    ]);
    await expect(
      upsertRegisterOutcomes(store.db, 'import', [
        { pseudonym: 'P-2', year: 2017, month: 13, variables: {} },
      ]),
    ).rejects.toThrow(/0\.month/);
    const audit = await listAuditEntries(store.db, { entity: 'register_outcome' });
    expect(audit).toHaveLength(2);
    expect(audit[1]!.entityId).toBe(`batch:${second.sha256}`);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

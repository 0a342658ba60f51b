import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialLongData, trialObservations } from '../src/analysis/trial-data.ts';
import {
  createFamily,
  createInstrument,
  createOffice,
  createTrial,
  recordAllocation,
  recordEligibility,
  recordFamilyDraw,
  type Store,
  saveResponseDraft,
  setEnrolment,
  submitResponse,
  upsertRegisterOutcomes,
} from '../src/store/index.ts';
import { consortCounts } from '../src/trial/consort-counts.ts';
import { storeBackends } from './store-backends.ts';

// A trial small enough to count by hand. Offices A (HOLF) and B (control) are randomised, C is
// not. Families:
//   A: a1 drawn, enrolled 2017-01-10; register data at months -2, 0 (T1) and 12 (T2); a questionnaire at T3
//      a2 drawn, enrolled 2017-02-05, withdrew 2017-08-01; register data at month 0 (T1)
//      a3 drawn, declined;  a4 eligible, not drawn;  a5 excluded for R1
//   B: b1 drawn, enrolled 2017-03-01; register data at month 12 (T2) only
//      b2 drawn, never contacted;  b3 excluded for R1;  b4 excluded for R2
//   C: c1 eligible (office not randomised)
const A = 'u';
let store: Store;
let trialId: string;

async function build(): Promise<void> {
  const trial = await createTrial(store.db, A, {
    name: 'Hand',
    startDate: '2017-01-01',
    arms: [
      { key: 'holf', name: 'HOLF' },
      { key: 'control', name: 'control' },
    ],
  });
  trialId = trial.id;
  const office: Record<string, string> = {};
  for (const code of ['A', 'B', 'C'])
    office[code] = (await createOffice(store.db, A, { trialId, code, name: `Office ${code}` })).id;
  const fam: Record<string, string> = {};
  const add = async (name: string, code: string, eligible: boolean, reason = 'ok') => {
    const f = await createFamily(store.db, A, {
      officeId: office[code]!,
      pseudonym: `F-${name}`,
      members: [
        { pseudonym: `P-${name}`, role: 'adult' },
        { pseudonym: `C-${name}`, role: 'child', birthYear: 2010 },
      ],
    });
    fam[name] = f.id;
    await recordEligibility(store.db, A, {
      familyId: f.id,
      eligible,
      rule: 'r',
      reasons: [reason],
    });
  };
  for (const n of ['a1', 'a2', 'a3', 'a4']) await add(n, 'A', true);
  await add('a5', 'A', false, 'R1');
  for (const n of ['b1', 'b2']) await add(n, 'B', true);
  await add('b3', 'B', false, 'R1');
  await add('b4', 'B', false, 'R2');
  await add('c1', 'C', true);
  await recordAllocation(store.db, A, {
    trialId,
    record: { note: 'hand-made' },
    offices: [
      { officeId: office.A!, armKey: 'holf' },
      { officeId: office.B!, armKey: 'control' },
    ],
  });
  for (const n of ['a1', 'a2', 'a3', 'b1', 'b2'])
    await recordFamilyDraw(store.db, A, fam[n]!, 'drawn');
  await recordFamilyDraw(store.db, A, fam.a4!, 'comparison');
  await setEnrolment(store.db, A, {
    familyId: fam.a1!,
    status: 'enrolled',
    consentDate: '2017-01-05',
    enrolledDate: '2017-01-10',
  });
  await setEnrolment(store.db, A, {
    familyId: fam.a2!,
    status: 'withdrawn',
    consentDate: '2017-02-01',
    enrolledDate: '2017-02-05',
    withdrawnDate: '2017-08-01',
  });
  await setEnrolment(store.db, A, { familyId: fam.a3!, status: 'declined' });
  await setEnrolment(store.db, A, {
    familyId: fam.b1!,
    status: 'enrolled',
    consentDate: '2017-03-01',
    enrolledDate: '2017-03-01',
  });
  const m = (p: string, year: number, month: number, income: number, employed: number) => ({
    pseudonym: p,
    year,
    month,
    variables: { income, employed },
  });
  await upsertRegisterOutcomes(store.db, A, [
    m('P-a1', 2016, 11, 10000, 0),
    m('P-a1', 2017, 1, 12000, 1),
    m('P-a1', 2018, 1, 15000, 1),
    m('P-a2', 2017, 2, 9000, 0),
    m('P-b1', 2018, 3, 11000, 0),
    // A family that is not enrolled has data too; it must not count.
    m('P-a4', 2017, 1, 5000, 0),
  ]);
  const mini = await createInstrument(store.db, A, {
    key: 'mini',
    name: 'Mini',
    version: '1',
    items: [{ id: 'q1' }],
    responseScale: { min: 1, max: 5 },
  });
  const draft = await saveResponseDraft(store.db, A, {
    trialId,
    wave: 'T3',
    respondentType: 'family',
    respondentId: fam.a1!,
    instrumentId: mini.id,
    answers: { q1: 4 },
  });
  await submitResponse(store.db, A, draft.id);
}

describe.each(storeBackends())('$name', ({ open }) => {
  beforeAll(async () => {
    store = await open();
    await build();
  }, 60_000);
  afterAll(async () => {
    await store.close();
  });

  describe('consortCounts on a hand-built trial', () => {
    it('counts offices and families at enrolment', async () => {
      const c = await consortCounts(store, trialId);
      expect(c.trial).toBe('Hand');
      expect([c.officesAssessed, c.officesRandomised, c.officesExcluded]).toEqual([3, 2, 1]);
      expect(c.familiesIdentified).toBe(10);
      expect(c.familiesEligible).toBe(7);
      expect(c.familiesExcluded).toEqual([
        { reason: 'R1', families: 2 },
        { reason: 'R2', families: 1 },
      ]);
    });

    it('counts each arm: offices, draws, enrolment and cluster size', async () => {
      const [holf, control] = (await consortCounts(store, trialId)).arms;
      expect(holf).toMatchObject({
        arm: 'HOLF',
        offices: 1,
        drawn: 3,
        notDrawn: 1,
        enrolled: 2,
        notEnrolled: [{ reason: 'declined consent', families: 1 }],
        clusterSize: { mean: 2, min: 2, max: 2 },
      });
      expect(control).toMatchObject({
        arm: 'control',
        offices: 1,
        drawn: 2,
        notDrawn: 0,
        enrolled: 1,
        notEnrolled: [{ reason: 'not contacted', families: 1 }],
        clusterSize: { mean: 1, min: 1, max: 1 },
      });
    });

    it('counts follow-up, losses by reason and analysis per wave', async () => {
      const [holf, control] = (await consortCounts(store, trialId)).arms;
      const withdrew = (n: number) => ({ reason: 'withdrew consent', families: n });
      const noData = (n: number) => ({ reason: 'no register or questionnaire data', families: n });
      expect(holf!.waves).toEqual([
        { wave: 'T1', followedUp: 2, lost: [], analysed: 2, officesAnalysed: 1 },
        { wave: 'T2', followedUp: 1, lost: [withdrew(1)], analysed: 1, officesAnalysed: 1 },
        // a1 answered a questionnaire at T3 but has no income there: followed up, not analysed.
        { wave: 'T3', followedUp: 1, lost: [withdrew(1)], analysed: 0, officesAnalysed: 0 },
        {
          wave: 'T4',
          followedUp: 0,
          lost: [withdrew(1), noData(1)],
          analysed: 0,
          officesAnalysed: 0,
        },
        {
          wave: 'T5',
          followedUp: 0,
          lost: [withdrew(1), noData(1)],
          analysed: 0,
          officesAnalysed: 0,
        },
      ]);
      expect(control!.waves).toEqual([
        { wave: 'T1', followedUp: 0, lost: [noData(1)], analysed: 0, officesAnalysed: 0 },
        // b1 has T2 income but no baseline: followed up, not in the complete-case analysis.
        { wave: 'T2', followedUp: 1, lost: [], analysed: 0, officesAnalysed: 0 },
        { wave: 'T3', followedUp: 0, lost: [noData(1)], analysed: 0, officesAnalysed: 0 },
        { wave: 'T4', followedUp: 0, lost: [noData(1)], analysed: 0, officesAnalysed: 0 },
        { wave: 'T5', followedUp: 0, lost: [noData(1)], analysed: 0, officesAnalysed: 0 },
      ]);
    });

    it('refuses an unknown trial and has empty arms before randomisation', async () => {
      await expect(consortCounts(store, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const t = await createTrial(store.db, A, {
        name: 'Empty',
        startDate: '2017-01-01',
        arms: [
          { key: 'a', name: 'A' },
          { key: 'b', name: 'B' },
        ],
      });
      await createOffice(store.db, A, { trialId: t.id, code: 'X', name: 'X' });
      const c = await consortCounts(store, t.id);
      expect([c.officesAssessed, c.officesRandomised, c.familiesIdentified]).toEqual([1, 0, 0]);
      expect(c.arms.map((a) => [a.offices, a.enrolled, a.waves.length])).toEqual([
        [0, 0, 0],
        [0, 0, 0],
      ]);
    });
  });

  describe('trialLongData on the hand-built trial', () => {
    it('has one row per enrolled family and wave with data, from register months in the window', async () => {
      const df = await trialLongData(store, trialId);
      const col = (n: string) => Array.from(df.columns.get(n)!.values as ArrayLike<unknown>);
      const rows = col('family').map((f, i) => [
        f,
        col('wave')[i],
        col('arm')[i],
        col('office')[i],
      ]);
      expect(rows).toEqual([
        ['F-a1', 'T1', 'HOLF', 'A'],
        ['F-a1', 'T2', 'HOLF', 'A'],
        ['F-a1', 'T3', 'HOLF', 'A'],
        ['F-a2', 'T1', 'HOLF', 'A'],
        ['F-b1', 'T2', 'control', 'B'],
      ]);
      // a1's baseline is the mean of months -2 and 0; T2 is month 12.
      expect(col('income')).toEqual([11000, 15000, Number.NaN, 9000, 11000]);
      expect(col('income_t1')).toEqual([11000, 11000, 11000, 9000, Number.NaN]);
      // Employed when employed in at least half of the window's months.
      expect(col('employed')).toEqual([1, 1, Number.NaN, 0, 0]);
      expect(col('months')).toEqual([0, 12, 24, 0, 12]);
      expect(col('children')).toEqual([1, 1, 1, 1, 1]);
      // The unscored instrument gives a column of missing scores.
      expect(col('mini').every((v) => Number.isNaN(v))).toBe(true);
    });

    it('refuses a trial that is not randomised', async () => {
      const t = await createTrial(store.db, A, {
        name: 'Unrandomised',
        startDate: '2017-01-01',
        arms: [
          { key: 'a', name: 'A' },
          { key: 'b', name: 'B' },
        ],
      });
      await expect(trialObservations(store.db, t.id)).rejects.toMatchObject({
        code: 'NOT_ALLOCATED',
      });
      await expect(trialObservations(store.db, 'nope')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
});

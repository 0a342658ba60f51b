import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash, runPlan } from '../src/analysis/plan/run-plan.ts';
import {
  analyzeTrial,
  DEFAULT_PLAN_PATH,
  effectsTable,
  formatEffectsTable,
  lockedPlan,
  lockPlan,
  readPlanFile,
  resolveTrial,
  storedAllocationSpace,
} from '../src/analysis/store-plan.ts';
import { trialLongData } from '../src/analysis/trial-data.ts';
import {
  getAllocation,
  importMunicipalityStatistics,
  listAnalysisRuns,
  listAuditEntries,
  listMunicipalityStatistics,
  recordAnalysisRun,
  type Store,
} from '../src/store/index.ts';
import { consortCounts } from '../src/trial/consort-counts.ts';
import { buildDemoTrial, type DemoTrialSummary } from '../src/trial/demo/index.ts';
import { storeBackends } from './store-backends.ts';

describe.each(storeBackends())('$name', ({ open }) => {
  let store: Store;
  let demo: DemoTrialSummary;
  const plan = readPlanFile(DEFAULT_PLAN_PATH);

  beforeAll(async () => {
    store = await open();
    demo = await buildDemoTrial(store, {
      seed: 11,
      offices: 8,
      identified: 160,
      excluded: 16,
      drawPerOffice: 8,
      municipalities: 20,
    });
  }, 60_000);
  afterAll(async () => {
    await store.close();
  });

  describe('analysis plans over the store', () => {
    it('refuses to analyse before a plan is locked', async () => {
      await expect(analyzeTrial(store.db, 'stat', demo.trialId)).rejects.toMatchObject({
        code: 'PLAN_NOT_LOCKED',
      });
      await expect(
        recordAnalysisRun(store.db, 'stat', {
          trialId: demo.trialId,
          planSha256: 'a'.repeat(64),
          results: {},
          software: {},
        }),
      ).rejects.toMatchObject({ code: 'PLAN_NOT_LOCKED' });
    });

    it('refuses a plan written for another trial, or that is not a valid plan', async () => {
      await expect(
        lockPlan(store.db, 'stat', demo.trialId, { ...plan, trial: 'Other' }),
      ).rejects.toMatchObject({
        code: 'PLAN_TRIAL_MISMATCH',
      });
      await expect(
        lockPlan(store.db, 'stat', demo.trialId, { ...plan, level: 2 }),
      ).rejects.toMatchObject({
        code: 'BAD_PLAN',
      });
    });

    it('locks the plan with its hash once; the same plan again changes nothing, another is refused', async () => {
      const first = await lockPlan(store.db, 'stat:anne', demo.trialId, plan);
      expect(first.created).toBe(true);
      expect(first.hash).toBe(planHash(plan));
      const entries = (await listAuditEntries(store.db)).length;
      const again = await lockPlan(store.db, 'stat:bob', demo.trialId, plan);
      expect(again).toMatchObject({ created: false, hash: first.hash, lockedBy: 'stat:anne' });
      expect((await listAuditEntries(store.db)).length).toBe(entries);
      await expect(
        lockPlan(store.db, 'stat:bob', demo.trialId, { ...plan, title: 'A different plan' }),
      ).rejects.toMatchObject({ code: 'PLAN_ALREADY_LOCKED' });
      const stored = await lockedPlan(store.db, demo.trialId);
      expect(stored.plan).toEqual(plan);
      await expect(
        sql`update analysis_plan set locked_by = 'mallory'`.execute(store.db),
      ).rejects.toThrow(/immutable/);
    });

    it("uses the stored allocation record's accepted space over the office codes", async () => {
      const allocation = (await storedAllocationSpace(store.db, demo.trialId))!;
      const record = (await getAllocation(store.db, demo.trialId))!.record as {
        design: { ids: string[] };
        accepted_space: { accepted: number };
      };
      expect(allocation.space.kind).toBe('masks');
      expect(allocation.space.count).toBe(record.accepted_space.accepted);
      expect(allocation.clusterOrder).toEqual(record.design.ids);
    });

    it('runs the locked plan on the stored data and records the run with the plan hash', async () => {
      const { result, run } = await analyzeTrial(store.db, 'stat:anne', demo.trialId);
      expect(result.planHash).toBe(planHash(plan));
      expect(run.planSha256).toBe(result.planHash);
      expect(run.software).toHaveProperty('tiltak');
      const runs = await listAnalysisRuns(store.db, demo.trialId);
      expect(runs.map((r) => r.id)).toEqual([run.id]);
      // The run is what runPlan gives on trialLongData with the stored space: nothing else went in.
      const data = await trialLongData(store.db, demo.trialId);
      const allocation = await storedAllocationSpace(store.db, demo.trialId);
      const direct = runPlan(plan, data, { ...(allocation ? { allocation } : {}) });
      const ri = (r: typeof result) => r.outcomes[0]!.sensitivity.find((s) => s.kind === 'ri')!.ri!;
      expect(ri(result).pValue).toBe(ri(direct).pValue);
      expect(result.outcomes.map((o) => o.effect.estimate)).toEqual(
        direct.outcomes.map((o) => o.effect.estimate),
      );
      const stored = runs[0]!.results as { outcomes: { effect: { estimate: number } }[] };
      expect(stored.outcomes[0]!.effect.estimate).toBe(result.outcomes[0]!.effect.estimate);
      const table = effectsTable(result);
      expect(table.map((r) => r.outcome)).toEqual(['income_t2', 'employment', 'income_trajectory']);
      expect(table[0]!.pAdjusted).not.toBeNull();
      expect(table[2]!.pAdjusted).toBeNull();
      expect(formatEffectsTable(result)).toMatch(/income_t2\s+primary/);
      await expect(sql`delete from analysis_run`.execute(store.db)).rejects.toThrow(/immutable/);
    }, 60_000);

    it('builds long data consistent with the CONSORT counts', async () => {
      const data = await trialLongData(store.db, demo.trialId);
      const c = await consortCounts(store, demo.trialId);
      const followed = c.arms.flatMap((a) => a.waves).reduce((n, w) => n + w.followedUp, 0);
      expect(data.nrow).toBe(followed);
      const families = new Set(data.columns.get('family')!.values as string[]);
      expect(families.size).toBe(c.arms.reduce((n, a) => n + a.enrolled, 0));
      expect(c.arms.reduce((n, a) => n + a.enrolled, 0)).toBe(demo.enrolled);
      expect(new Set(data.columns.get('arm')!.values as string[])).toEqual(
        new Set(['HOLF', 'control']),
      );
    });

    it('finds trials by name or id', async () => {
      expect((await resolveTrial(store.db, 'HOLF')).id).toBe(demo.trialId);
      expect((await resolveTrial(store.db, demo.trialId)).name).toBe('HOLF');
      await expect(resolveTrial(store.db, 'nope')).rejects.toMatchObject({
        code: 'TRIAL_NOT_FOUND',
      });
    });
  });

  describe('municipality statistics in the store', () => {
    it('imports a data set once: the same rows again change nothing, new rows replace it', async () => {
      const rows = [
        { municipality: '0101', year: 2011, values: { population: 100 } },
        { municipality: '0102', year: 2011, values: { population: 200 } },
      ];
      const first = await importMunicipalityStatistics(store.db, 'stat', 'test-set', rows);
      expect(first.unchanged).toBe(false);
      const entries = (await listAuditEntries(store.db)).length;
      const second = await importMunicipalityStatistics(
        store.db,
        'stat',
        'test-set',
        [...rows].reverse(),
      );
      expect(second).toEqual({ ...first, unchanged: true });
      expect((await listAuditEntries(store.db)).length).toBe(entries);
      await importMunicipalityStatistics(store.db, 'stat', 'test-set', rows.slice(0, 1));
      expect(await listMunicipalityStatistics(store.db, 'test-set')).toEqual(rows.slice(0, 1));
      await expect(
        importMunicipalityStatistics(store.db, 'stat', 'test-set', [rows[0]!, rows[0]!]),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(
        importMunicipalityStatistics(store.db, 'stat', 'test-set', [
          { municipality: '1', year: 2011, values: {} },
        ]),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });
});

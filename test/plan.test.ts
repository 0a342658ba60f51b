import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planHash, runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { pAdjust } from '../src/stats/inference/multiplicity.ts';
import { expectClose } from './helpers/compare.ts';

// End-to-end: the shipped HOLF plan on the demo trial against lmerTest (KR via pbkrtest,
// Satterthwaite) and clubSandwich (test/fixtures/r/plan.R). Tolerances: mixed-model estimates
// 1e-6 relative and SEs 1e-5 (both sides stop an iterative optimiser near, not at, the optimum),
// df 1e-4 relative, p-values 1e-5 absolute; CR2 sensitivity models are closed forms: 1e-8.
const ref = JSON.parse(readFileSync('test/fixtures/r/plan.json', 'utf8'));
const planJson = JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8'));
const plan = AnalysisPlan.parse(planJson);
const data = readCsv('test/fixtures/data/holf-demo.csv');
const result = runPlan(plan, data);
const byId = (id: string) => result.outcomes.find((o) => o.id === id)!;

describe('the HOLF analysis plan agrees with R on the demo trial', () => {
  for (const id of ['income_t2', 'employment', 'income_trajectory']) {
    it(`${id}: pre-specified effect`, () => {
      const got = byId(id).effect;
      const want = ref[id].effect;
      expect(got.term).toBe('armHOLF');
      // Relative to max(|estimate|, SE): an effect near zero is judged on the scale of its uncertainty.
      expectClose(got.estimate, want.estimate, 1e-6, `${id} estimate`, want.std_error);
      expectClose(got.std_error, want.std_error, 1e-5, `${id} SE`);
      expectClose(got.df, want.df, 1e-4, `${id} df`);
      expect(Math.abs(got.p_value - want.p_value)).toBeLessThan(1e-5);
    });
  }
  for (const id of ['employment', 'income_trajectory']) {
    it(`${id}: F test of arm:wave (Satterthwaite)`, () => {
      const t = byId(id).termTests.find((r) => r.term === 'arm:wave')!;
      expect(t.numDf).toBe(ref[id].arm_wave.num_df);
      expectClose(t.fValue, ref[id].arm_wave.F, 1e-5, 'F');
      expectClose(t.denDf, ref[id].arm_wave.den_df, 1e-4, 'den df');
      expect(Math.abs(t.pValue - ref[id].arm_wave.p)).toBeLessThan(1e-5);
    });
  }
  it('CR2 sensitivity models match clubSandwich', () => {
    for (const id of ['income_t2', 'employment']) {
      const s = byId(id).sensitivity.find((x) => x.kind === 'model')!.effect!;
      expectClose(s.estimate, ref[id].cr2.estimate, 1e-8, `${id} CR2 estimate`, 1e-6);
      expectClose(s.std_error, ref[id].cr2.std_error, 1e-8, `${id} CR2 SE`);
      expectClose(s.df, ref[id].cr2.df, 1e-6, `${id} CR2 df`);
    }
  });
  it('adjusts the primary outcomes by Holm, as p.adjust', () => {
    expect(byId('income_trajectory').pAdjusted).toBeNull();
    expect(Math.abs(byId('income_t2').pAdjusted! - ref.holm[0])).toBeLessThan(1e-5);
    expect(Math.abs(byId('employment').pAdjusted! - ref.holm[1])).toBeLessThan(1e-5);
    const direct = pAdjust(
      [byId('income_t2').effect.p_value, byId('employment').effect.p_value],
      'holm',
    );
    expect(byId('income_t2').pAdjusted).toBe(direct[0]);
  });
  it('reports ICCs and a seeded, reproducible randomisation test', () => {
    const o = byId('income_t2');
    expect(o.icc?.map((i) => i.group)).toEqual(['office']);
    const ri = o.sensitivity.find((s) => s.kind === 'ri')!.ri!;
    expect(ri.evaluated).toBe(20_000);
    expect(ri.exact).toBe(false);
    expect(ri.pValue).toBeGreaterThan(0);
    const again = runPlan({ ...plan, outcomes: [plan.outcomes[0]!] }, data);
    expect(again.outcomes[0]!.sensitivity.find((s) => s.kind === 'ri')!.ri!.pValue).toBe(ri.pValue);
  });
});

describe('plan validation and hashing', () => {
  it('hashes canonically: key order does not change the hash, content does', () => {
    const reordered = AnalysisPlan.parse(Object.fromEntries(Object.entries(planJson).reverse()));
    expect(planHash(reordered)).toBe(result.planHash);
    expect(planHash({ ...plan, seed: plan.seed + 1 })).not.toBe(result.planHash);
    expect(result.planHash).toMatch(/^[0-9a-f]{64}$/);
  });
  it('rejects duplicate outcome ids and unknown keys', () => {
    const dup = { ...planJson, outcomes: [planJson.outcomes[0], planJson.outcomes[0]] };
    expect(AnalysisPlan.safeParse(dup).error?.issues[0]?.message).toMatch(
      /duplicate outcome id 'income_t2'/,
    );
    expect(AnalysisPlan.safeParse({ ...planJson, extra: 1 }).success).toBe(false);
  });
  it('names a missing effect term', () => {
    const bad = AnalysisPlan.parse({
      ...planJson,
      outcomes: [{ ...planJson.outcomes[0], effect: 'armholf', sensitivity: [] }],
    });
    expect(() => runPlan(bad, data)).toThrow(
      /no coefficient 'armholf' \(it has \(Intercept\), armHOLF, income_t1\)/,
    );
  });
});

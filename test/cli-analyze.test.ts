import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../src/analysis/plan/run-plan.ts';
import { DEFAULT_PLAN_PATH, lockPlan, readPlanFile } from '../src/analysis/store-plan.ts';
import { register as registerAnalyze } from '../src/cli/commands/analyze.ts';
import { register as registerConsort } from '../src/cli/commands/consort.ts';
import { register as registerDemo } from '../src/cli/commands/demo.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { listAnalysisRuns, listAuditEntries, openStore } from '../src/store/index.ts';
import { consortCounts } from '../src/trial/consort-counts.ts';
import { buildDemoTrial } from '../src/trial/demo/index.ts';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerAnalyze(program);
  registerConsort(program);
  registerDemo(program);
  let stdout = '';
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'tiltak', ...args]);
  } finally {
    process.stdout.write = original;
  }
  return stdout;
}

describe('tiltak analyze, consort and demo on a stored trial', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-cli-analyze-'));
  const dataDir = join(dir, 'db');
  let trialId = '';

  beforeAll(async () => {
    const store = await openStore({ dataDir });
    try {
      const s = await buildDemoTrial(store, {
        seed: 9,
        offices: 8,
        identified: 200,
        excluded: 20,
        drawPerOffice: 7,
        municipalities: 5,
      });
      trialId = s.trialId;
    } finally {
      await store.close();
    }
  }, 90_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('analyze refuses without a locked plan', async () => {
    await expect(run(['analyze', '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'PLAN_NOT_LOCKED',
    });
  });

  it('analyze runs the locked plan, records the run and prints the effects table', async () => {
    const store = await openStore({ dataDir });
    try {
      await lockPlan(store.db, 'stat', trialId, readPlanFile(DEFAULT_PLAN_PATH));
    } finally {
      await store.close();
    }
    const json = JSON.parse(await run(['analyze', '--json', '--data-dir', dataDir]));
    expect(json.planSha256).toBe(planHash(readPlanFile(DEFAULT_PLAN_PATH)));
    expect(json.effects.map((e: { outcome: string }) => e.outcome)).toEqual([
      'income_t2',
      'employment',
      'income_trajectory',
    ]);
    for (const e of json.effects) {
      expect(e.confLow).toBeLessThan(e.estimate);
      expect(e.confHigh).toBeGreaterThan(e.estimate);
    }
    const text = await run(['analyze', '--data-dir', dataDir, '--trial', 'HOLF']);
    expect(text).toMatch(/outcome\s+family\s+estimate\s+95% CI\s+p\s+p \(holm\)\s+ICC/);
    expect(text).toMatch(/income_t2\s+primary/);
    const store2 = await openStore({ dataDir });
    try {
      const runs = await listAnalysisRuns(store2.db, trialId);
      expect(runs).toHaveLength(2);
      expect(runs[0]!.id).toBe(json.runId);
    } finally {
      await store2.close();
    }
  }, 60_000);

  it('consort prints the counts computed from the store', async () => {
    const json = JSON.parse(await run(['consort', '--json', '--data-dir', dataDir]));
    const store = await openStore({ dataDir });
    try {
      expect(json).toEqual(await consortCounts(store, trialId));
    } finally {
      await store.close();
    }
    expect(json.familiesIdentified).toBe(200);
    const text = await run(['consort', '--data-dir', dataDir]);
    expect(text).toContain('CONSORT flow of HOLF');
    expect(text).toMatch(/Families: 200 identified, 20 excluded, 180 eligible/);
  });

  it('demo does nothing when the demo trial exists, and refuses bad options', async () => {
    const count = async () => {
      const store = await openStore({ dataDir });
      try {
        return (await listAuditEntries(store.db)).length;
      } finally {
        await store.close();
      }
    };
    const before = await count();
    const out = JSON.parse(await run(['demo', '--json', '--data-dir', dataDir]));
    expect(out).toMatchObject({ built: false, trialId });
    expect(await run(['demo', '--data-dir', dataDir])).toMatch(/already exists.*nothing done/);
    expect(await count()).toBe(before);
    await expect(run(['demo', '--seed', 'x', '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
    await expect(run(['demo', '--offices', '3', '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
  });

  // Last: it replaces the store the tests above used.
  it('demo --reset rebuilds a smaller demo, locks and runs the plan, and writes the analysis data', async () => {
    const csv = join(dir, 'out', 'holf-demo.csv');
    const out = JSON.parse(
      await run([
        'demo',
        '--reset',
        '--offices',
        '6',
        '--seed',
        '3',
        '--json',
        '--data-dir',
        dataDir,
        '--csv',
        csv,
      ]),
    );
    expect(out.built).toBe(true);
    expect(out.summary.trialId).not.toBe(trialId);
    expect(out.summary.offices).toBe(6);
    expect(out.consort.familiesIdentified).toBe(Math.round((3201 * 6) / 29));
    expect(out.effects).toHaveLength(3);
    expect(existsSync(csv)).toBe(true);
    const data = readCsv(csv);
    const followed = out.consort.arms
      .flatMap((a: { waves: { followedUp: number }[] }) => a.waves)
      .reduce((n: number, w: { followedUp: number }) => n + w.followedUp, 0);
    expect(data.nrow).toBe(followed);
    expect([...data.columns.keys()].slice(0, 8)).toEqual([
      'office',
      'arm',
      'family',
      'wave',
      'months',
      'income',
      'income_t1',
      'employed',
    ]);
    const store = await openStore({ dataDir });
    try {
      expect((await listAnalysisRuns(store.db, out.summary.trialId)).length).toBe(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../src/analysis/plan/run-plan.ts';
import { DEFAULT_PLAN_PATH, readPlanFile } from '../src/analysis/store-plan.ts';
import { register } from '../src/cli/commands/plan.ts';
import { openStore } from '../src/store/index.ts';
import { buildDemoTrial } from '../src/trial/demo/index.ts';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
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

describe('tiltak plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-cli-plan-'));
  const dataDir = join(dir, 'db');
  const plan = readPlanFile(DEFAULT_PLAN_PATH);

  beforeAll(async () => {
    const store = await openStore({ dataDir });
    try {
      await buildDemoTrial(store, {
        seed: 5,
        offices: 6,
        identified: 90,
        excluded: 9,
        drawPerOffice: 5,
        municipalities: 5,
      });
    } finally {
      await store.close();
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('show refuses before a plan is locked', async () => {
    await expect(run(['plan', 'show', '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'PLAN_NOT_LOCKED',
    });
  });

  it('lock stores the default HOLF plan with its hash, once', async () => {
    const out = JSON.parse(await run(['plan', 'lock', '--json', '--data-dir', dataDir]));
    expect(out).toMatchObject({ trial: 'HOLF', created: true, planSha256: planHash(plan) });
    const again = await run([
      'plan',
      'lock',
      DEFAULT_PLAN_PATH,
      '--data-dir',
      dataDir,
      '--trial',
      'HOLF',
    ]);
    expect(again).toMatch(/already locked .*nothing changed/);
  });

  it('lock refuses a different plan, a bad plan file and an unknown trial', async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...plan, title: 'Changed after unblinding' }));
    await expect(run(['plan', 'lock', other, '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'PLAN_ALREADY_LOCKED',
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...plan, outcomes: [] }));
    await expect(run(['plan', 'lock', bad, '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'BAD_PLAN',
    });
    writeFileSync(bad, '{ not json');
    await expect(run(['plan', 'lock', bad, '--data-dir', dataDir])).rejects.toMatchObject({
      code: 'BAD_JSON',
    });
    await expect(
      run(['plan', 'lock', join(dir, 'missing.json'), '--data-dir', dataDir]),
    ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(
      run(['plan', 'show', '--data-dir', dataDir, '--trial', 'Nope']),
    ).rejects.toMatchObject({ code: 'TRIAL_NOT_FOUND' });
  });

  it('show prints the locked plan and its hash', async () => {
    const json = JSON.parse(await run(['plan', 'show', '--json', '--data-dir', dataDir]));
    expect(json.planSha256).toBe(planHash(plan));
    expect(json.plan).toEqual(plan);
    const text = await run(['plan', 'show', '--data-dir', dataDir]);
    expect(text).toContain(`SHA-256 ${planHash(plan)}`);
    expect(text).toMatch(/income_t2 \(primary\)/);
  });
});

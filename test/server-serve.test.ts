import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/serve.ts';

function program(): Command {
  const p = new Command().exitOverride();
  register(p);
  return p;
}

describe('tiltak serve', () => {
  it('is registered with its options', () => {
    const serve = program().commands.find((c) => c.name() === 'serve')!;
    const flags = serve.options.map((o) => o.long);
    expect(flags).toEqual(
      expect.arrayContaining([
        '--port',
        '--host',
        '--demo',
        '--memory',
        '--seed',
        '--demo-logins',
        '--no-build',
      ]),
    );
    expect(serve.options.find((o) => o.long === '--host')!.defaultValue).toBe('127.0.0.1');
  });

  it('refuses a bad port, seed or --memory without --demo before opening anything', async () => {
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--port', 'eighty']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--port', '70000']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--demo', '--seed', 'x']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--memory']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('the store-backed demo of tiltak serve --demo', () => {
  it('builds the demo trial once, locks and runs its plan, and creates the demo logins', async () => {
    const { openStore } = await import('../src/store/index.ts');
    const { prepareDemoStore } = await import('../src/server/demo-store.ts');
    const { lockedPlan } = await import('../src/analysis/store-plan.ts');
    const store = await openStore({ memory: true });
    try {
      const small = {
        seed: 11,
        offices: 6,
        identified: 120,
        excluded: 12,
        drawPerOffice: 6,
        municipalities: 20,
        passwordCost: { memoryCost: 4096, timeCost: 1, parallelism: 1 },
      };
      const first = await prepareDemoStore(store, small);
      expect(first.built).toBe(true);
      expect(first.logins.map((l) => l.role)).toEqual([
        'administrator',
        'researcher',
        'office_leader',
        'coordinator',
        'coordinator',
      ]);
      expect((await lockedPlan(store.db, first.trialId)).plan.trial).toBe('HOLF');
      const again = await prepareDemoStore(store, small);
      expect(again).toMatchObject({ built: false, trialId: first.trialId });
      const trials = await store.db.selectFrom('trial').select('id').execute();
      expect(trials).toHaveLength(1);
      const runs = await store.db
        .withTables<{ analysis_run: { id: string } }>()
        .selectFrom('analysis_run')
        .select('id')
        .execute();
      expect(runs).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});

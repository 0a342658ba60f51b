import type { Command } from 'commander';
import {
  DEFAULT_PLAN_PATH,
  lockedPlan,
  lockPlan,
  readPlanFile,
  resolveTrial,
} from '../../analysis/store-plan.ts';
import { type OpenStoreOptions, openStore, type Store } from '../../store/open-store.ts';

/**
 * Flags shared by the commands that work on the trial store.
 *
 * @example
 * const flags: StoreFlags = { dataDir: 'data/pglite', trial: 'HOLF', json: true };
 */
export interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
  trial?: string;
  json?: boolean;
}

/**
 * The store options the `--data-dir` and `--database-url` flags ask for.
 *
 * @example
 * await openStore(storeOptions({ dataDir: '/tmp/db' }));
 */
export function storeOptions(flags: StoreFlags): OpenStoreOptions {
  return {
    ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
  };
}

/**
 * Add the store flags (`--data-dir`, `--database-url`, `--trial`, `--json`) to a command.
 *
 * @example
 * withStoreFlags(program.command('consort'));
 */
export function withStoreFlags(cmd: Command): Command {
  return cmd
    .option('--trial <name-or-id>', 'trial name or id', 'HOLF')
    .option('--data-dir <dir>', 'PGlite data directory (default ./data/pglite)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option('--json', 'print one JSON object');
}

/**
 * Open the store the flags name, run `fn`, and close the store whatever happens.
 *
 * @example
 * await withStore(flags, async (store) => consortCounts(store, id));
 */
export async function withStore<T>(
  flags: StoreFlags,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(storeOptions(flags));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The actor CLI writes are audited under: `cli:` and the operating-system user.
 *
 * @example
 * cliActor(); // 'cli:anne'
 */
export function cliActor(): string {
  const user = process.env.USER ?? process.env.USERNAME ?? '';
  return user.trim() === '' ? 'cli' : `cli:${user.trim()}`;
}

/**
 * Register `tiltak plan lock [PLAN.json]` (default: the shipped HOLF plan) and `tiltak plan show`.
 * Locking stores the validated plan with its SHA-256 before outcomes are unblinded; locking the
 * same plan again changes nothing, a different plan is refused (`PLAN_ALREADY_LOCKED`).
 *
 * @example
 * register(program);
 * // $ tiltak plan lock src/analysis/plan/holf-plan.json --trial HOLF
 * // $ tiltak plan show --json
 */
export function register(program: Command): void {
  const plan = program
    .command('plan')
    .description('Lock and show the pre-specified analysis plan.');
  withStoreFlags(
    plan
      .command('lock')
      .argument('[plan]', 'analysis plan JSON (default: the shipped HOLF plan)')
      .description('Store the analysis plan with its SHA-256; a locked plan cannot be replaced.'),
  ).action(async (file: string | undefined, flags: StoreFlags) => {
    const parsed = readPlanFile(file ?? DEFAULT_PLAN_PATH);
    await withStore(flags, async (store) => {
      const trial = await resolveTrial(store.db, flags.trial);
      const locked = await lockPlan(store.db, cliActor(), trial.id, parsed);
      const out = {
        trial: trial.name,
        trialId: trial.id,
        planSha256: locked.hash,
        lockedAt: locked.lockedAt,
        lockedBy: locked.lockedBy,
        created: locked.created,
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else
        process.stdout.write(
          locked.created
            ? `locked the analysis plan of ${trial.name}: SHA-256 ${locked.hash}\n`
            : `the same plan was already locked for ${trial.name} (${locked.lockedAt} by ${locked.lockedBy}): SHA-256 ${locked.hash}; nothing changed\n`,
        );
    });
  });
  withStoreFlags(
    plan.command('show').description('Show the locked analysis plan and its hash.'),
  ).action(async (flags: StoreFlags) => {
    await withStore(flags, async (store) => {
      const trial = await resolveTrial(store.db, flags.trial);
      const locked = await lockedPlan(store.db, trial.id);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ trial: trial.name, trialId: trial.id, planSha256: locked.hash, lockedAt: locked.lockedAt, lockedBy: locked.lockedBy, plan: locked.plan })}\n`,
        );
        return;
      }
      const out = process.stdout;
      out.write(`${locked.plan.title}\n`);
      out.write(`trial ${trial.name}; locked ${locked.lockedAt} by ${locked.lockedBy}\n`);
      out.write(`SHA-256 ${locked.hash}\n`);
      out.write(
        `adjustment: ${locked.plan.adjustment.method} across ${locked.plan.adjustment.families.join(', ')} outcomes; level ${locked.plan.level}\n`,
      );
      for (const o of locked.plan.outcomes) {
        out.write(`- ${o.id} (${o.family}): ${o.label}\n`);
        out.write(
          `    ${o.model.type} ${o.model.formula}${o.model.df ? `, ${o.model.df} df` : ''}${o.waves ? `; waves ${o.waves.join(', ')}` : ''}; effect ${o.effect}\n`,
        );
        for (const s of o.sensitivity)
          out.write(
            `    sensitivity: ${s.label ?? (s.type === 'ri' ? 'randomisation test' : s.formula)}\n`,
          );
      }
    });
  });
}

import type { Command } from 'commander';
import {
  analyzeTrial,
  effectsTable,
  formatEffectsTable,
  resolveTrial,
} from '../../analysis/store-plan.ts';
import { cliActor, type StoreFlags, withStore, withStoreFlags } from './plan.ts';

/**
 * Register `tiltak analyze [--trial HOLF] [--json]`: run the trial's locked analysis plan over the
 * store (refusing with `PLAN_NOT_LOCKED` when none is locked), with randomisation tests over the
 * stored allocation record's accepted space, record the run with the plan's hash, and print the
 * effects table (estimate, CI, p, adjusted p, ICCs). `--json` prints the run id, the plan hash,
 * the effects table and the full results.
 *
 * @example
 * register(program);
 * // $ tiltak analyze --trial HOLF
 */
export function register(program: Command): void {
  withStoreFlags(
    program
      .command('analyze')
      .description('Run the locked analysis plan over the store and record the results.'),
  ).action(async (flags: StoreFlags) => {
    await withStore(flags, async (store) => {
      const trial = await resolveTrial(store.db, flags.trial);
      const { result, run } = await analyzeTrial(store.db, cliActor(), trial.id);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ trial: trial.name, runId: run.id, planSha256: run.planSha256, runAt: run.runAt, effects: effectsTable(result), results: run.results })}\n`,
        );
        return;
      }
      process.stdout.write(`${result.title}\n`);
      process.stdout.write(
        `plan SHA-256 ${run.planSha256}; run ${run.id} recorded ${run.runAt}\n\n`,
      );
      process.stdout.write(formatEffectsTable(result));
    });
  });
}

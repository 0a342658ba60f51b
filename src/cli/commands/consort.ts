import type { Command } from 'commander';
import { resolveTrial } from '../../analysis/store-plan.ts';
import type { ConsortCounts } from '../../trial/consort.ts';
import { consortCounts } from '../../trial/consort-counts.ts';
import { type StoreFlags, withStore, withStoreFlags } from './plan.ts';

/**
 * The CONSORT counts as indented text, in the order of the flow diagram.
 *
 * @example
 * process.stdout.write(formatConsort(await consortCounts(store, trialId)));
 */
export function formatConsort(c: ConsortCounts): string {
  const lines: string[] = [];
  lines.push(`CONSORT flow of ${c.trial}`);
  lines.push(
    `Offices: ${c.officesAssessed} assessed, ${c.officesExcluded} excluded, ${c.officesRandomised} randomised`,
  );
  lines.push(
    `Families: ${c.familiesIdentified} identified, ${c.familiesIdentified - c.familiesEligible} excluded, ${c.familiesEligible} eligible`,
  );
  for (const e of c.familiesExcluded) lines.push(`  excluded: ${e.families}  ${e.reason}`);
  for (const a of c.arms) {
    const cs = a.clusterSize;
    lines.push(`Arm ${a.arm}: ${a.offices} offices`);
    lines.push(
      `  drawn ${a.drawn}, not drawn (comparison) ${a.notDrawn}, enrolled ${a.enrolled}; families per office ${cs.mean.toFixed(1)} (${cs.min}–${cs.max})`,
    );
    for (const n of a.notEnrolled) lines.push(`  not enrolled: ${n.families}  ${n.reason}`);
    for (const w of a.waves) {
      const lost = w.lost.map((l) => `${l.families} ${l.reason}`).join('; ');
      lines.push(
        `  ${w.wave}: followed up ${w.followedUp}, analysed ${w.analysed} in ${w.officesAnalysed} offices${lost ? `; lost: ${lost}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Register `tiltak consort [--trial HOLF] [--json]`: print the CONSORT flow-diagram counts
 * computed from the store.
 *
 * @example
 * register(program);
 * // $ tiltak consort --json
 */
export function register(program: Command): void {
  withStoreFlags(
    program.command('consort').description('Print the CONSORT flow-diagram counts from the store.'),
  ).action(async (flags: StoreFlags) => {
    await withStore(flags, async (store) => {
      const trial = await resolveTrial(store.db, flags.trial);
      const counts = await consortCounts(store, trial.id);
      process.stdout.write(flags.json ? `${JSON.stringify(counts)}\n` : formatConsort(counts));
    });
  });
}

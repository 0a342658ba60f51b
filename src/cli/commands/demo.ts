import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type DataFrame, dataFrame } from '../../stats/data-frame.ts';
import { type SimulatedRow, simulateTrial, toCsv } from '../../trial/simulate-trial.ts';
import { formatSummary } from '../format-summary.ts';
import { runFit } from './fit.ts';

/**
 * Register `tiltak demo`: simulate a HOLF-shaped trial (29 offices, 15 HOLF and 14 local
 * projects, five waves), write it as CSV and run the primary analyses on it.
 *
 * @example
 * register(program); // then: tiltak demo --seed 2016
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('simulate a HOLF-shaped cluster-randomised trial and analyse it')
    .option('--seed <n>', 'seed of the simulation', '2016')
    .option('--out <dir>', 'folder for the demo data', join('data', 'demo'))
    .action((opts: { seed: string; out: string }) => {
      const seed = Number(opts.seed);
      const rows = simulateTrial({ seed });
      mkdirSync(opts.out, { recursive: true });
      const file = join(opts.out, 'holf-demo.csv');
      writeFileSync(file, toCsv(rows));
      const t2 = toFrame(rows.filter((r) => r.wave === 'T2'));
      const all = toFrame(rows);
      const offices = new Set(rows.map((r) => r.office)).size;
      const families = new Set(rows.map((r) => r.family)).size;
      const out = process.stdout;
      out.write(`Tiltak demo: a simulated HOLF-shaped trial (seed ${seed})\n`);
      out.write(
        `${offices} offices, ${families} families, ${rows.length} family-waves -> ${file}\n\n`,
      );
      const analyses: Array<[string, Parameters<typeof runFit>[1], DataFrame]> = [
        [
          'Income at T2, adjusted for baseline income, CR2 cluster-robust by office',
          { formula: 'income ~ arm + income_t1', cluster: 'office', vcov: 'CR2', level: 0.95 },
          t2,
        ],
        [
          'Employment at T2 (logistic), CR2 cluster-robust by office',
          {
            formula: 'employed ~ arm + immigrant',
            model: 'logit',
            cluster: 'office',
            vcov: 'CR2',
            level: 0.95,
          },
          t2,
        ],
        [
          'Income over T1–T5: arm × wave, families nested in offices, Kenward–Roger df',
          {
            formula: 'income ~ arm * wave + (1 | office/family)',
            df: 'kenward-roger',
            level: 0.95,
          },
          all,
        ],
      ];
      for (const [title, options, data] of analyses) {
        out.write(`== ${title}\n`);
        out.write(formatSummary(runFit(data, options), options.level));
        out.write('\n');
      }
      out.write(
        `Try: npx tiltak fit ${file} --formula "income ~ arm * wave + (1 | office/family)" --json\n`,
      );
    });
}

function toFrame(rows: readonly SimulatedRow[]): DataFrame {
  return dataFrame({
    office: rows.map((r) => r.office),
    arm: rows.map((r) => r.arm),
    family: rows.map((r) => r.family),
    wave: rows.map((r) => r.wave),
    employed: rows.map((r) => r.employed),
    income: rows.map((r) => r.income),
    income_t1: rows.map((r) => r.income_t1),
    immigrant: rows.map((r) => r.immigrant),
  });
}

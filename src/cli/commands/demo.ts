import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  analyzeTrial,
  DEFAULT_PLAN_PATH,
  effectsTable,
  formatEffectsTable,
  lockPlan,
  readPlanFile,
} from '../../analysis/store-plan.ts';
import { dataFrameToCsv, trialLongData } from '../../analysis/trial-data.ts';
import { TiltakError } from '../../stats/errors.ts';
import { DEFAULT_DATA_DIR, openStore, type Store } from '../../store/open-store.ts';
import { consortCounts } from '../../trial/consort-counts.ts';
import {
  buildDemoTrial,
  DEMO_ACTOR,
  DEMO_TRIAL_NAME,
  findTrialByName,
} from '../../trial/demo/index.ts';
import { formatConsort } from './consort.ts';
import { storeOptions } from './plan.ts';

interface DemoFlags {
  seed: string;
  dataDir?: string;
  databaseUrl?: string;
  reset?: boolean;
  scale: string;
  offices: string;
  csv: string;
  json?: boolean;
}

/**
 * Register `tiltak demo [--seed 2016] [--data-dir ./data/pglite] [--reset] [--json]`: build the
 * HOLF-shaped demo trial into the store (register records through import and screening,
 * constrained randomisation, draws, enrolment, questionnaires, register outcomes, municipality
 * data), lock the shipped HOLF analysis plan, run it and print a short summary (CONSORT numbers
 * and effects). When the store already has the demo, it says so and does nothing; `--reset`
 * deletes the PGlite data directory first (refused for PostgreSQL, whose tables are immutable by
 * trigger and are not ours to drop). `tiltak serve` opens the same store.
 *
 * @example
 * register(program); // then: tiltak demo --seed 2016
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('Build the HOLF-shaped demo trial into the store, lock the plan and analyse it.')
    .option('--seed <n>', 'seed of the demo', '2016')
    .option('--data-dir <dir>', `PGlite data directory (default ./${DEFAULT_DATA_DIR})`)
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option('--reset', 'delete the PGlite data directory and build the demo again')
    .option(
      '--scale <scale>',
      'holf, or national (screen a national-scale register extract)',
      'holf',
    )
    .option('--offices <n>', 'a smaller demo with the first n of the 29 offices', '29')
    .option(
      '--csv <file>',
      'also write the analysis data (long format) as CSV',
      join('data', 'demo', 'holf-demo.csv'),
    )
    .option('--json', 'print one JSON object')
    .action(async (flags: DemoFlags) => {
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed))
        throw new TiltakError('BAD_OPTION', `--seed must be an integer, got '${flags.seed}'`);
      if (flags.scale !== 'holf' && flags.scale !== 'national')
        throw new TiltakError(
          'BAD_OPTION',
          `--scale must be holf or national, got '${flags.scale}'`,
        );
      const scale = flags.scale;
      const offices = Number(flags.offices);
      if (!Number.isInteger(offices) || offices < 6 || offices > 29)
        throw new TiltakError(
          'BAD_OPTION',
          `--offices must be a whole number 6..29, got '${flags.offices}'`,
        );
      // A smaller demo keeps HOLF's proportions: 3,201 identified and 320 excluded over 29 offices.
      const size =
        offices === 29
          ? {}
          : {
              offices,
              identified: Math.round((3201 * offices) / 29),
              excluded: Math.round((320 * offices) / 29),
            };
      let store = await openStore(storeOptions(flags));
      try {
        const existing = await findTrialByName(store.db, DEMO_TRIAL_NAME);
        if (existing !== undefined && !flags.reset) {
          const msg = `the demo trial ${DEMO_TRIAL_NAME} already exists in ${store.location} (trial ${existing}); nothing done (use --reset to rebuild it)`;
          process.stdout.write(
            flags.json
              ? `${JSON.stringify({ built: false, trialId: existing, location: store.location, message: msg })}\n`
              : `${msg}\n`,
          );
          return;
        }
        if (existing !== undefined) store = await resetStore(store, flags);
        const log = (s: string) => {
          if (!flags.json) process.stderr.write(s);
        };
        log(`Building the demo trial (seed ${seed}) in ${store.location}\n`);
        const summary = await buildDemoTrial(store, {
          seed,
          scale,
          ...size,
          onProgress: (stage, detail) => log(`  ${stage}: ${detail}\n`),
        });
        const locked = await lockPlan(
          store.db,
          DEMO_ACTOR,
          summary.trialId,
          readPlanFile(DEFAULT_PLAN_PATH),
        );
        log('  analysis: running the locked HOLF plan\n');
        const t = performance.now();
        const { result, run } = await analyzeTrial(store.db, DEMO_ACTOR, summary.trialId);
        const analysisMs = Math.round(performance.now() - t);
        const consort = await consortCounts(store, summary.trialId);
        const csv = resolve(flags.csv);
        mkdirSync(dirname(csv), { recursive: true });
        writeFileSync(csv, dataFrameToCsv(await trialLongData(store.db, summary.trialId)));
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ built: true, location: store.location, summary, planSha256: locked.hash, runId: run.id, analysisMs, csv, consort, effects: effectsTable(result) })}\n`,
          );
          return;
        }
        const out = process.stdout;
        out.write(
          `\nTiltak demo: a simulated HOLF-shaped trial (seed ${seed}), stored in ${store.location}\n`,
        );
        out.write(
          `${summary.offices} offices, ${summary.coordinators} coordinators; ${summary.registerRows} register rows for ${summary.recipients} recipients screened; ${summary.registerOutcomeRows} person-months of outcomes; ${summary.responses} questionnaires; ${summary.municipalities} municipalities\n`,
        );
        out.write(`Allocation record SHA-256 ${summary.allocationSha256}\n\n`);
        out.write(formatConsort(consort));
        out.write(`\nLocked plan SHA-256 ${locked.hash}; analysis run ${run.id}\n`);
        out.write(formatEffectsTable(result));
        out.write(`\nAnalysis data (one row per family and wave) -> ${csv}\n`);
        out.write('Next: npx tiltak consort, npx tiltak analyze, npx tiltak serve\n');
      } finally {
        await store.close();
      }
    });
}

async function resetStore(store: Store, flags: DemoFlags): Promise<Store> {
  if (store.backend !== 'pglite' || store.location === 'memory')
    throw new TiltakError(
      'DEMO_RESET_UNSUPPORTED',
      '--reset only deletes a PGlite data directory; for PostgreSQL, drop and recreate the database yourself',
    );
  const dir = resolve(store.location);
  // Only a directory that PGlite made is deleted, so a mistyped --data-dir cannot wipe a folder.
  if (!existsSync(join(dir, 'PG_VERSION')))
    throw new TiltakError(
      'DEMO_RESET_UNSUPPORTED',
      `${dir} does not look like a PGlite data directory; not deleting it`,
    );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return openStore(storeOptions({ ...flags, dataDir: dir }));
}

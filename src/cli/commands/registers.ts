import { type Command, Option } from 'commander';
import { resolveTrial } from '../../analysis/store-plan.ts';
import { fileFormat, openDuck, sqlString } from '../../registers/duckdb.ts';
import {
  formatBadRows,
  type ImportResult,
  importRegisterFile,
  RegisterRejectedError,
  writePseudonymisedParquet,
} from '../../registers/import.ts';
import { loadPseudonymKey } from '../../registers/pseudonym.ts';
import {
  parseYearMonth,
  type ScreeningInput,
  type ScreeningSummary,
  screen,
} from '../../registers/screening.ts';
import {
  readOfficeMap,
  type StoreScreeningResult,
  storeScreening,
} from '../../registers/store-screening.ts';
import { TiltakError } from '../../stats/errors.ts';
import { holfRuleSet, loadRuleSet } from '../../trial/eligibility-rules.ts';
import { cliActor, withStore } from './plan.ts';

interface ImportOptions {
  keyFile?: string;
  out?: string;
  json?: boolean;
}

interface ScreenOptions {
  rules?: string;
  asOf?: string;
  keyFile?: string;
  out?: string;
  lang: 'nb' | 'en';
  json?: boolean;
  store?: boolean;
  trial: string;
  officeMap?: string;
  office?: string;
  dataDir?: string;
  databaseUrl?: string;
}

function formatStored(r: StoreScreeningResult, trial: string): string {
  const lines = [
    `Stored in trial ${trial}: ${r.identified} identified families (${r.created} new, ${r.updated} with a changed decision, ${r.unchanged} unchanged)`,
    `  not meeting inclusion (not stored): ${r.notIncluded}; outside the trial's offices: ${r.outsideOffices}`,
    ...r.byOffice.map(
      (o) =>
        `  ${o.office.padEnd(20)} ${String(o.identified).padStart(6)} identified, ${String(o.eligible).padStart(6)} eligible`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function print(s: string): void {
  process.stdout.write(s);
}

async function importOrReport(file: string, keyFile: string | undefined, json: boolean) {
  const key = loadPseudonymKey({ keyFile });
  try {
    return await importRegisterFile(file, key);
  } catch (e) {
    if (e instanceof RegisterRejectedError) {
      // The full report goes out before the one-line error, so the office sees every bad row.
      if (json) print(`${JSON.stringify({ status: 'rejected', file, badRows: e.badRows })}\n`);
      else process.stderr.write(formatBadRows(e.badRows));
    }
    throw e;
  }
}

function importSummary(r: ImportResult, out: string | undefined) {
  return {
    status: 'imported',
    file: r.source,
    format: r.format,
    sourceSha256: r.sourceSha256,
    ...r.summary,
    out: out ?? null,
  };
}

async function isPseudonymisedParquet(file: string): Promise<boolean> {
  if (fileFormat(file) !== 'parquet') return false;
  const db = await openDuck();
  try {
    const r = await db.connection.runAndReadAll(
      `SELECT name FROM parquet_schema(${sqlString(file)})`,
    );
    const names = new Set(r.getRowsJS().map((x) => String(x[0])));
    return names.has('pseudonym') && !names.has('personal_id');
  } catch (e) {
    throw new TiltakError(
      'REGISTER_READ_FAILED',
      `${file}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
    );
  } finally {
    db.close();
  }
}

function formatScreening(s: ScreeningSummary, lang: 'nb' | 'en'): string {
  const lines = [
    `Rule set ${s.ruleSet.id} (version ${s.ruleSet.version}), 12 months ending ${s.asOf}`,
    `Families with social assistance in the window: ${s.families}`,
    `Meeting the inclusion criteria: ${s.meetingInclusion}`,
    `Excluded: ${s.excluded}`,
    `Eligible: ${s.eligible}`,
    'Not included, by first failed rule:',
    ...Object.entries(s.notIncludedByRule).map(
      ([id, n]) => `  ${String(n).padStart(7)}  ${id}: ${s.reasons[id]![lang]}`,
    ),
    'Excluded, by first matched rule (families matching each rule in brackets):',
    ...Object.entries(s.exclusionsByRule).map(
      ([id, n]) =>
        `  ${String(n).padStart(7)}  (${s.exclusionMatchesByRule[id]})  ${id}: ${s.reasons[id]![lang]}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Add `tiltak import registers FILE` (validate and pseudonymise a KOSTRA-11C-shaped register file,
 * all or nothing) and `tiltak screen FILE` (screen families with a trial's eligibility rules) to
 * the program. An existing `import` command is reused so other importers can sit beside this one.
 *
 * @example
 * const program = new Command();
 * register(program);
 * await program.parseAsync(['node', 'tiltak', 'screen', 'pseudonymised.parquet', '--json']);
 */
export function register(program: Command): void {
  const importCmd =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files');
  importCmd
    .command('registers')
    .description(
      'validate a social-assistance register file (KOSTRA 11C shape, CSV or Parquet) and pseudonymise it; any bad row rejects the whole file',
    )
    .argument('<file>', 'register file (.csv or .parquet); columns in src/registers/README.md')
    .option(
      '--key-file <file>',
      'file holding the pseudonymisation key (else $TILTAK_PSEUDONYM_KEY)',
    )
    .option('--out <file>', 'write the pseudonymised rows to this Parquet file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: ImportOptions) => {
      const r = await importOrReport(file, opts.keyFile, opts.json === true);
      if (opts.out !== undefined) await writePseudonymisedParquet(r.rows, opts.out);
      const summary = importSummary(r, opts.out);
      if (opts.json === true) print(`${JSON.stringify(summary)}\n`);
      else
        print(
          `Imported ${summary.rows} rows: ${summary.persons} persons, ${summary.municipalities} municipalities, years ${summary.years.join(', ')}` +
            `${opts.out === undefined ? '' : `; written to ${opts.out}`}\n`,
        );
    });

  program
    .command('screen')
    .description(
      'screen families for a trial: a pseudonymised Parquet file from "import registers", or a raw register file (pseudonymised on the fly with the key)',
    )
    .argument('<file>', 'pseudonymised .parquet, or a raw register .csv/.parquet')
    .option('--rules <file>', 'rule-set JSON (default: the HOLF rule set)')
    .option(
      '--as-of <YYYY-MM>',
      'last month of the 12-month window (default: latest month with receipt)',
    )
    .option('--key-file <file>', 'pseudonymisation key for a raw register file')
    .option('--out <file>', 'write one row per family (fields, rule outcomes) to this Parquet file')
    .addOption(
      new Option('--lang <lang>', 'language of the reasons').choices(['nb', 'en']).default('en'),
    )
    .option(
      '--store',
      'store the identified families and their decisions in the trial (one audited transaction; storing again changes nothing)',
    )
    .option('--trial <name-or-id>', 'trial to store into (with --store)', 'HOLF')
    .option(
      '--office-map <file>',
      "CSV with columns municipality,office (office code) saying which office screens each municipality's families; default: the offices' municipality covariate",
    )
    .option('--office <code>', "the file is this office's caseload: store every family under it")
    .option('--data-dir <dir>', 'PGlite data directory (default ./data/pglite)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: ScreenOptions) => {
      const rules = opts.rules === undefined ? holfRuleSet() : loadRuleSet(opts.rules);
      const asOf = opts.asOf === undefined ? undefined : parseYearMonth(opts.asOf);
      const officeMap = opts.officeMap === undefined ? undefined : readOfficeMap(opts.officeMap);
      let input: ScreeningInput;
      if (await isPseudonymisedParquet(file)) input = { parquet: file };
      else input = { rows: (await importOrReport(file, opts.keyFile, opts.json === true)).rows };
      const run = await screen(input, rules, {
        asOf,
        resultsOut: opts.out,
        collect: opts.store === true,
      });
      let stored: (StoreScreeningResult & { trial: string }) | null = null;
      if (opts.store === true)
        stored = await withStore(opts, async (store) => {
          const trial = await resolveTrial(store.db, opts.trial);
          const r = await storeScreening(store.db, cliActor(), {
            trialId: trial.id,
            families: run.families ?? [],
            rules,
            ...(officeMap === undefined ? {} : { officeMap }),
            ...(opts.office === undefined ? {} : { office: opts.office }),
          });
          return { trial: trial.name, ...r };
        });
      if (opts.json === true)
        print(
          `${JSON.stringify({ status: 'screened', file, out: opts.out ?? null, ...run.summary, stored })}\n`,
        );
      else {
        print(formatScreening(run.summary, opts.lang));
        if (stored !== null) print(formatStored(stored, stored.trial));
      }
    });
}

import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseMunicipalityTable } from '../../analysis/municipality/read.ts';
import { readCsv } from '../../io/read-csv.ts';
import { toJsonValue } from '../../store/canonical-json.ts';
import { type OpenStoreOptions, openStore } from '../../store/open-store.ts';
import { importMunicipalityStatistics } from '../../store/repositories/municipality-repository.ts';
import type { JsonValue } from '../../trial/types.ts';

interface Flags {
  dataset?: string;
  actor: string;
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

/**
 * Register `tiltak import municipalities FILE`: validate a municipality table (one row per
 * municipality and year) as a whole and store it in the trial store in one audited transaction.
 * A file with any bad row is rejected with every problem listed and nothing written; importing
 * the same file again changes nothing.
 *
 * @example
 * register(program); // then: tiltak import municipalities kostra-2011.csv --dataset kvp-2011
 */
export function register(program: Command): void {
  const parent =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files');
  parent
    .command('municipalities')
    .description('import a municipality table (KOSTRA-style, one row per municipality and year)')
    .argument('<file>', 'CSV with the columns documented in src/analysis/municipality/schema.ts')
    .option('--dataset <name>', 'name of the data set in the store (default: the file name)')
    .option('--actor <name>', 'who imports, for the audit log', 'cli')
    .option('--data-dir <dir>', 'PGlite data directory (default ./data/pglite)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags: Flags) => {
      const rows = parseMunicipalityTable(readCsv(file));
      const dataset = flags.dataset ?? basename(file).replace(/\.csv$/i, '');
      const options: OpenStoreOptions = {
        ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
        ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      };
      const store = await openStore(options);
      try {
        const result = await importMunicipalityStatistics(
          store.db,
          flags.actor,
          dataset,
          rows.map(({ municipality, year, ...values }) => ({
            municipality,
            year,
            values: toJsonValue(values) as Record<string, JsonValue>,
          })),
        );
        const out = {
          dataset,
          rows: result.rows,
          municipalities: new Set(rows.map((r) => r.municipality)).size,
          years: [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b),
          sha256: result.sha256,
          unchanged: result.unchanged,
        };
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(out)}\n`
            : `${result.unchanged ? 'Already imported, nothing changed' : 'Imported'}: ${out.rows} rows, ${out.municipalities} municipalities, years ${out.years.join(', ')} as '${dataset}' (SHA-256 ${out.sha256.slice(0, 12)}…)\n`,
        );
      } finally {
        await store.close();
      }
    });
}

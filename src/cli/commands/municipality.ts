import type { Command } from 'commander';
import { z } from 'zod';
import { parseMunicipalityTable } from '../../analysis/municipality/read.ts';
import {
  type SpendingModelResult,
  spendingModel,
} from '../../analysis/municipality/spending-model.ts';
import { readCsv } from '../../io/read-csv.ts';
import { TiltakError } from '../../stats/errors.ts';
import { fmt, formatSummary } from '../format-summary.ts';
import { toJsonSummary } from '../json-summary.ts';

const Options = z.object({
  year: z.coerce.number().int().optional(),
  panel: z.boolean().optional(),
  vcov: z
    .enum(['classical', 'HC0', 'HC1', 'HC2', 'HC3', 'CR0', 'CR1', 'CR1S', 'CR2', 'CR3'])
    .optional(),
  level: z.coerce.number().gt(0).lt(1).default(0.95),
  json: z.boolean().optional(),
});

/**
 * Register `tiltak municipality DATA.csv`: the social-assistance spending model of the
 * Qualification Programme report, for one year or a panel with year fixed effects.
 *
 * @example
 * register(program); // then: tiltak municipality kostra.csv --panel --json
 */
export function register(program: Command): void {
  program
    .command('municipality')
    .description('social-assistance spending model across municipalities (KVP report)')
    .argument('<data>', 'CSV with one row per municipality and year')
    .option('--year <year>', 'analyse this year (default: the latest)')
    .option('--panel', 'pool all years with year fixed effects, clustered by municipality')
    .option('--vcov <type>', 'variance (default HC1 for one year, CR2 for a panel)')
    .option('--level <level>', 'confidence level', '0.95')
    .option('--json', 'print one JSON object')
    .action((data: string, raw: Record<string, unknown>) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new TiltakError('BAD_OPTION', `--${String(issue.path[0])}: ${issue.message}`);
      }
      const o = parsed.data;
      const rows = parseMunicipalityTable(readCsv(data));
      const result = spendingModel(rows, {
        level: o.level,
        ...(o.year !== undefined ? { year: o.year } : {}),
        ...(o.panel ? { panel: true } : {}),
        ...(o.vcov ? { vcov: o.vcov } : {}),
      });
      process.stdout.write(
        o.json ? `${JSON.stringify(toJson(result))}\n` : format(result, o.level),
      );
    });
}

function toJson(r: SpendingModelResult): Record<string, unknown> {
  return {
    kind: r.kind,
    years: r.years,
    municipalities: r.municipalities,
    small_municipalities: r.small,
    observations: r.observations,
    small_observations: r.smallObservations,
    model: toJsonSummary(r.summary),
    kvp_expense_slopes: r.slopes,
    standardized: r.standardized,
    vif: r.vif,
  };
}

function format(r: SpendingModelResult, level: number): string {
  const lines = [
    r.kind === 'panel'
      ? `Social-assistance spending model, panel (${r.years.join(', ')}): ${r.municipalities} municipalities in ${r.observations} municipality-years; ${r.small} municipalities under 10,000 inhabitants in at least one year (${r.smallObservations} municipality-years)`
      : `Social-assistance spending model, cross-section (${r.years.join(', ')}): ${r.municipalities} municipalities, ${r.small} under 10,000 inhabitants`,
    '',
    formatSummary(r.summary, level),
    'Slope of KVP operating expenses per inhabitant by municipality size:',
    ...r.slopes.map(
      (s) =>
        `  ${s.term.padEnd(42)} ${fmt(s.estimate).padStart(10)}  (SE ${fmt(s.std_error)}, p ${fmt(s.p_value, 3)})`,
    ),
    '',
    'Standardised coefficients and variance inflation factors:',
    ...r.standardized.map((s) => {
      const v = r.vif.find((x) => x.term === s.term);
      return `  ${s.term.padEnd(42)} beta ${fmt(s.beta, 4).padStart(9)}${v ? `   VIF ${fmt(v.vif, 4)}` : ''}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

import type { Command } from 'commander';
import { z } from 'zod';
import { fitModel } from '../../analysis/fit-model.ts';
import { readCsv } from '../../io/read-csv.ts';
import type { DataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type FitSummary, VCOV_TYPES } from '../../stats/tidy.ts';
import { formatMixedExtras, formatSummary } from '../format-summary.ts';
import { fittedJson } from '../json-summary.ts';

const FitOptions = z.object({
  formula: z
    .string({ error: 'the --formula option is required' })
    .min(1, 'the --formula option is empty'),
  model: z.enum(['ols', 'logit', 'lmm']).optional(),
  vcov: z.enum(VCOV_TYPES).optional(),
  cluster: z.string().min(1).optional(),
  df: z.enum(['residual', 'satterthwaite', 'kenward-roger']).optional(),
  ml: z.boolean().optional(),
  ranef: z.boolean().optional(),
  level: z.coerce
    .number()
    .refine((v) => v > 0 && v < 1, 'the --level must be between 0 and 1, e.g. 0.95')
    .default(0.95),
  json: z.boolean().optional(),
});

/** Validated options of `tiltak fit`. */
export type FitCommandOptions = z.infer<typeof FitOptions>;

/**
 * Register `tiltak fit DATA.csv --formula "…"`: OLS, logistic or linear mixed models with
 * classical, heteroskedasticity-robust or cluster-robust inference.
 *
 * @example
 * registerFit(program); // then: tiltak fit trial.csv --formula "income ~ arm + income_t1" --cluster office
 */
export function register(program: Command): void {
  program
    .command('fit')
    .description('fit a regression model (ols, logit or lmm) and print its coefficient table')
    .argument('<data>', 'CSV file with one row per observation')
    .option(
      '-f, --formula <formula>',
      'R model formula, e.g. "income ~ arm + income_t1 + (1 | office)"',
    )
    .option(
      '--model <model>',
      'ols | logit | lmm (default: lmm when the formula has (…|…) terms, else ols)',
    )
    .option(
      '--vcov <type>',
      `variance: ${VCOV_TYPES.join(' | ')} (default: classical, or CR2 with --cluster)`,
    )
    .option('--cluster <column>', 'cluster column for CR variances')
    .option('--df <method>', 'residual | satterthwaite | kenward-roger')
    .option('--ml', 'fit a mixed model by maximum likelihood instead of REML')
    .option('--ranef', 'also print the conditional modes (BLUPs) of a mixed model')
    .option('--level <level>', 'confidence level', '0.95')
    .option('--json', 'print one JSON object')
    .action((data: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(raw);
      if (opts.ranef && !(opts.model === 'lmm' || opts.formula.includes('|'))) {
        throw new TiltakError('BAD_OPTION', '--ranef applies to mixed models only');
      }
      const fitted = fitModel(readCsv(data), opts);
      const ranef = opts.ranef && fitted.ranef ? fitted.ranef() : null;
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(fittedJson(fitted, ranef))}\n`
          : `${formatSummary(fitted.summary, opts.level)}${formatMixedExtras(fitted, ranef)}`,
      );
    });
}

function parseOptions(raw: Record<string, unknown>): FitCommandOptions {
  const parsed = FitOptions.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `--${String(issue.path[0])}: ` : '';
    throw new TiltakError('BAD_OPTION', `${where}${issue.message}`);
  }
  return parsed.data;
}

/**
 * Fit the model that `opts` describes on `data` and return its summary (see `fitModel`).
 *
 * @example
 * const s = runFit(readCsv('trial.csv'), { formula: 'y ~ arm', cluster: 'office', level: 0.95 });
 */
export function runFit(data: DataFrame, opts: FitCommandOptions): FitSummary {
  return fitModel(data, opts).summary;
}

import type { Command } from 'commander';
import { z } from 'zod';
import { clusterCodes } from '../../analysis/fit-model.ts';
import { readCsv } from '../../io/read-csv.ts';
import type { DataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { hasRandomTerms, modelFrame, parseFormula } from '../../stats/formula/index.ts';
import {
  type WildBootstrapResult,
  wildClusterBootstrap,
} from '../../stats/inference/wild-bootstrap.ts';

const BootOptions = z.object({
  formula: z
    .string({ error: 'the --formula option is required' })
    .min(1, 'the --formula option is empty'),
  cluster: z
    .string({ error: 'the --cluster option is required' })
    .min(1, 'the --cluster option is empty'),
  param: z.string({ error: 'the --param option is required (the term to test, e.g. armHOLF)' }),
  reps: z.coerce
    .number()
    .int('--reps must be a whole number')
    .min(1, '--reps must be at least 1')
    .max(2_000_000, '--reps must be at most 2000000')
    .default(9999),
  weights: z
    .enum(['rademacher', 'webb', 'mammen'], {
      error: '--weights must be rademacher, webb or mammen',
    })
    .default('rademacher'),
  seed: z.coerce.number().int('--seed must be a whole number').default(1),
  level: z.coerce
    .number()
    .refine((v) => v > 0 && v < 1, 'the --level must be between 0 and 1, e.g. 0.95')
    .default(0.95),
  null: z.coerce.number().refine(Number.isFinite, '--null must be a number').default(0),
  json: z.boolean().optional(),
});

/** Validated options of `tiltak boot`. */
export type BootCommandOptions = z.infer<typeof BootOptions>;

/** What `tiltak boot` reports: the bootstrap result plus the model frame's bookkeeping. */
export interface BootReport {
  readonly formula: string;
  readonly cluster: string;
  readonly nDropped: number;
  readonly result: WildBootstrapResult;
  readonly frameWarnings: string[];
}

/**
 * Register `tiltak boot DATA.csv --formula "…" --cluster C --param TERM`: the restricted wild
 * cluster bootstrap (WCR, as fwildclusterboot/boottest) of one OLS coefficient, with the
 * bootstrap p-value and a confidence interval by test inversion.
 *
 * @example
 * register(program); // tiltak boot trial.csv --formula "income ~ arm + income_t1" --cluster office --param armHOLF --weights webb --seed 1
 */
export function register(program: Command): void {
  program
    .command('boot')
    .description('wild cluster bootstrap test and confidence interval for one OLS coefficient')
    .argument('<data>', 'CSV file with one row per observation')
    .option('-f, --formula <formula>', 'R model formula, e.g. "income ~ arm + income_t1"')
    .option('--cluster <column>', 'cluster column (e.g. office)')
    .option('--param <term>', "coefficient to test, as R names it (e.g. 'armHOLF')")
    .option(
      '--reps <n>',
      'bootstrap draws; Rademacher with 2^G <= reps enumerates all signs',
      '9999',
    )
    .option('--weights <kind>', 'rademacher | webb | mammen', 'rademacher')
    .option('--seed <n>', 'seed of the random generator', '1')
    .option('--level <level>', 'confidence level', '0.95')
    .option('--null <value>', 'null value r of H0: beta = r', '0')
    .option('--json', 'print one JSON object')
    .action((data: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(raw);
      const report = runBoot(readCsv(data), opts);
      process.stdout.write(
        opts.json ? `${JSON.stringify(bootJson(report))}\n` : formatBoot(report),
      );
    });
}

function parseOptions(raw: Record<string, unknown>): BootCommandOptions {
  const parsed = BootOptions.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `--${String(issue.path[0])}: ` : '';
    throw new TiltakError('BAD_OPTION', `${where}${issue.message}`);
  }
  return parsed.data;
}

/**
 * Build the model frame and run the bootstrap. Exported for tests and for the report.
 *
 * @example
 * const r = runBoot(readCsv('trial.csv'), { formula: 'y ~ arm', cluster: 'office', param: 'armHOLF',
 *   reps: 9999, weights: 'webb', seed: 1, level: 0.95, null: 0 });
 */
export function runBoot(data: DataFrame, opts: BootCommandOptions): BootReport {
  const formula = parseFormula(opts.formula);
  if (hasRandomTerms(formula)) {
    throw new TiltakError(
      'BAD_OPTION',
      'the wild cluster bootstrap is for OLS; drop the (…|…) terms',
    );
  }
  const mf = modelFrame(formula, data);
  const clustering = clusterCodes(data, mf, opts.cluster);
  if (!mf.colnames.includes(opts.param)) {
    throw new TiltakError(
      'UNKNOWN_TERM',
      `--param '${opts.param}' is not a coefficient of the model; terms: ${mf.colnames.join(', ')}`,
    );
  }
  const result = wildClusterBootstrap(
    { x: mf.x, y: mf.y, n: mf.n, p: mf.p, cluster: clustering.codes, colnames: mf.colnames },
    {
      param: opts.param,
      reps: opts.reps,
      weights: opts.weights,
      seed: opts.seed,
      level: opts.level,
      nullValue: opts.null,
    },
  );
  return {
    formula: formula.text,
    cluster: opts.cluster,
    nDropped: mf.nDropped,
    result,
    frameWarnings: mf.warnings.map((w) => `${w.code}: ${w.message}`),
  };
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The `--json` object of `tiltak boot` (snake_case keys, non-finite numbers as null).
 *
 * @example
 * JSON.stringify(bootJson(runBoot(df, opts)));
 */
export function bootJson(r: BootReport): Record<string, unknown> {
  const b = r.result;
  return {
    method: 'wild cluster bootstrap (restricted, WCR)',
    formula: r.formula,
    cluster: r.cluster,
    term: b.term,
    estimate: b.estimate,
    std_error: b.stdError,
    statistic: b.statistic,
    null_value: b.nullValue,
    p_value: b.pValue,
    conf_low: num(b.confLow),
    conf_high: num(b.confHigh),
    level: b.level,
    reps: b.reps,
    enumerated: b.enumerated,
    weights: b.weights,
    seed: b.seed,
    n_obs: b.nObs,
    n_dropped: r.nDropped,
    n_clusters: b.nClusters,
    small_sample_factor: b.smallSampleFactor,
    warnings: [...r.frameWarnings, ...b.warnings.map((w) => `${w.code}: ${w.message}`)],
  };
}

/**
 * The readable report of `tiltak boot`.
 *
 * @example
 * process.stdout.write(formatBoot(runBoot(df, opts)));
 */
export function formatBoot(r: BootReport): string {
  const b = r.result;
  const f = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : String(v));
  const pct = `${Math.round(b.level * 1000) / 10}%`;
  const draws = b.enumerated
    ? `all ${b.reps} Rademacher sign vectors (exact)`
    : `${b.reps} ${b.weights} draws, seed ${b.seed}`;
  const lines = [
    'Wild cluster bootstrap (restricted, WCR; t with CR1 factor G/(G-1)·(N-1)/(N-k))',
    `  model:    ${r.formula}`,
    `  clusters: ${r.cluster} (G = ${b.nClusters}), N = ${b.nObs}${r.nDropped > 0 ? `, ${r.nDropped} rows dropped (missing)` : ''}`,
    `  term:     ${b.term}   estimate ${f(b.estimate)}   CR1 SE ${f(b.stdError)}   t ${f(b.statistic)}`,
    `  H0:       ${b.term} = ${b.nullValue}   bootstrap p = ${b.pValue.toFixed(4)}   (${draws})`,
    `  ${pct} CI by test inversion: [${f(b.confLow)}, ${f(b.confHigh)}]`,
  ];
  for (const w of [...r.frameWarnings, ...b.warnings.map((x) => `${x.code}: ${x.message}`)]) {
    lines.push(`  warning: ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

import type { Command } from 'commander';
import { z } from 'zod';
import { readCsv } from '../../io/read-csv.ts';
import type { DataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import {
  hasRandomTerms,
  type ModelFrame,
  modelFrame,
  parseFormula,
} from '../../stats/formula/index.ts';
import { fitLogit } from '../../stats/models/glm.ts';
import { fitOls } from '../../stats/models/ols.ts';
import type { FitSummary, VcovType } from '../../stats/tidy.ts';
import { formatSummary } from '../format-summary.ts';
import { toJsonSummary } from '../json-summary.ts';
import { fitMixedSummary } from './fit-lmm.ts';

const VCOV_TYPES = [
  'classical',
  'HC0',
  'HC1',
  'HC2',
  'HC3',
  'CR0',
  'CR1',
  'CR1S',
  'CR2',
  'CR3',
] as const;

const FitOptions = z.object({
  formula: z
    .string({ error: 'the --formula option is required' })
    .min(1, 'the --formula option is empty'),
  model: z.enum(['ols', 'logit', 'lmm']).optional(),
  vcov: z.enum(VCOV_TYPES).optional(),
  cluster: z.string().min(1).optional(),
  df: z.enum(['residual', 'satterthwaite', 'kenward-roger']).optional(),
  ml: z.boolean().optional(),
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
    .option('--level <level>', 'confidence level', '0.95')
    .option('--json', 'print one JSON object')
    .action((data: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(raw);
      const table = readCsv(data);
      const summary = runFit(table, opts);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(toJsonSummary(summary))}\n`
          : formatSummary(summary, opts.level),
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
 * Fit the model that `opts` describes on `data` and return its summary. Exported for the demo and
 * for tests; the CLI action only adds reading and printing.
 *
 * @example
 * const s = runFit(readCsv('trial.csv'), { formula: 'y ~ arm', cluster: 'office', level: 0.95 });
 */
export function runFit(data: DataFrame, opts: FitCommandOptions): FitSummary {
  const formula = parseFormula(opts.formula);
  const mixed = hasRandomTerms(formula);
  const model = opts.model ?? (mixed ? 'lmm' : 'ols');
  if (mixed && model !== 'lmm') {
    throw new TiltakError(
      'BAD_OPTION',
      `--model ${model} cannot fit random-effect terms; use --model lmm`,
    );
  }
  if (model === 'lmm' && !mixed) {
    throw new TiltakError(
      'BAD_OPTION',
      'a mixed model needs at least one random-effect term such as (1 | office)',
    );
  }
  const vcov: VcovType = opts.vcov ?? (opts.cluster !== undefined ? 'CR2' : 'classical');
  if (vcov.startsWith('CR') && opts.cluster === undefined) {
    throw new TiltakError('BAD_OPTION', `--vcov ${vcov} needs --cluster COLUMN`);
  }
  if (model === 'lmm') return fitMixedSummary(data, formula, opts, vcov);
  if (opts.df === 'kenward-roger') {
    throw new TiltakError(
      'BAD_OPTION',
      '--df kenward-roger applies to mixed models (--model lmm) only',
    );
  }
  if (opts.ml)
    throw new TiltakError('BAD_OPTION', '--ml applies to mixed models (--model lmm) only');
  const mf = modelFrame(formula, data, { response: model === 'logit' ? 'binary' : 'numeric' });
  const clustering = opts.cluster !== undefined ? clusterCodes(data, mf, opts.cluster) : undefined;
  const input = { x: mf.x, n: mf.n, p: mf.p, colnames: mf.colnames, y: mf.y };
  const fit = model === 'logit' ? fitLogit(input) : fitOls(input);
  const df =
    opts.df === undefined
      ? undefined
      : opts.df === 'satterthwaite'
        ? ('satterthwaite' as const)
        : ('residual' as const);
  if (df === 'satterthwaite' && !vcov.startsWith('CR')) {
    throw new TiltakError(
      'BAD_OPTION',
      '--df satterthwaite needs a cluster-robust --vcov (CR0 … CR3)',
    );
  }
  const summary = fit.summary({
    type: vcov,
    level: opts.level,
    formula: formula.text,
    nDropped: mf.nDropped,
    groups: clustering ? { [clustering.column]: clustering.levels } : {},
    ...(clustering ? { cluster: clustering.codes } : {}),
    ...(df ? { df } : {}),
  });
  summary.warnings.unshift(...mf.warnings.map((w) => `${w.code}: ${w.message}`));
  return summary;
}

/** Cluster codes of the kept rows of a model frame. */
export interface Clustering {
  column: string;
  codes: Int32Array;
  levels: number;
}

/**
 * 0-based cluster codes for the rows a model frame kept. A missing cluster value or a single
 * cluster is an error, because cluster-robust inference is undefined then.
 *
 * @example
 * const { codes, levels } = clusterCodes(df, mf, 'office');
 */
export function clusterCodes(
  data: DataFrame,
  mf: Pick<ModelFrame, 'rowIndex' | 'n'>,
  column: string,
): Clustering {
  const col = data.columns.get(column);
  if (col === undefined) {
    const names = [...data.columns.keys()].join(', ');
    throw new TiltakError(
      'UNKNOWN_COLUMN',
      `unknown cluster column '${column}' (columns: ${names})`,
    );
  }
  const codes = new Int32Array(mf.n);
  const index = new Map<string, number>();
  for (let i = 0; i < mf.n; i++) {
    const row = mf.rowIndex[i]!;
    const v = col.values[row];
    const missing = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
    if (missing) {
      throw new TiltakError(
        'MISSING_CLUSTER',
        `cluster column '${column}' is missing at row ${row + 1}; every row used needs a cluster`,
      );
    }
    const key = String(v);
    let code = index.get(key);
    if (code === undefined) {
      code = index.size;
      index.set(key, code);
    }
    codes[i] = code;
  }
  if (index.size < 2) {
    throw new TiltakError(
      'SINGLE_CLUSTER',
      `cluster column '${column}' has a single cluster in the rows used; cluster-robust inference needs at least two`,
    );
  }
  return { column, codes, levels: index.size };
}

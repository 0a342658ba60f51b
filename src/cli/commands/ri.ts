import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { balanceCovariates } from '../../design/balance.ts';
import { recordSpace, verifyAllocationRecord } from '../../design/record.ts';
import { type CsvTable, readCsv } from '../../io/read-csv.ts';
import { dataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import {
  type RiInput,
  type RiResult,
  randomizationTest,
} from '../../stats/inference/randomization.ts';
import {
  type AdjustFamily,
  adjustedResiduals,
} from '../../stats/inference/randomization-adjusted.ts';
import type { AllocationSpace } from '../../stats/inference/randomization-kernel.ts';
import { column, labels } from '../csv-columns.ts';

interface RiOpts {
  outcome: string;
  treatment: string;
  cluster: string;
  blocks?: string;
  design?: string;
  statistic: string;
  covariates?: string;
  factors?: string;
  family: string;
  exact?: boolean;
  draws?: string;
  seed: string;
  ci?: string | boolean;
  json?: boolean;
}

/**
 * Register `tiltak ri`: randomisation inference for a cluster-randomised comparison over the
 * allocations the design could have produced (complete, blocked, or an allocation record's space).
 *
 * @example
 * register(program); // tiltak ri data.csv --outcome y --treatment arm --cluster office --json
 */
export function register(program: Command): void {
  program
    .command('ri')
    .description(
      'randomisation inference: exact or sampled two-sided p-value and test-inversion CI',
    )
    .argument('<data>', 'CSV file with one row per unit')
    .requiredOption('--outcome <column>', 'outcome column')
    .requiredOption('--treatment <column>', '0/1 treatment column (constant within cluster)')
    .requiredOption('--cluster <column>', 'cluster column')
    .option('--blocks <column>', 'block (stratum or pair) column: randomised within blocks')
    .option('--design <file>', 'allocation record from tiltak randomize: use its allocation space')
    .option('--statistic <name>', 'diff-in-means | cluster-means | adjusted | ipw', 'diff-in-means')
    .option('--covariates <columns>', 'covariates of the adjusted statistic, comma-separated')
    .option('--factors <columns>', 'numeric covariates to treat as categorical')
    .option('--family <family>', 'adjustment model: auto | gaussian | binomial', 'auto')
    .option('--exact', 'enumerate every allocation')
    .option('--draws <n>', 'sample this many allocations instead of enumerating')
    .option('--seed <n>', 'seed for sampled allocations', '1')
    .option(
      '--ci [level]',
      'confidence interval for a constant additive effect (default 0.95); bisection repeats the test ~50 times',
    )
    .option('--json', 'print one JSON object')
    .action((file: string, opts: RiOpts) => {
      const table = readCsv(file);
      const run = runRi(table, opts);
      process.stdout.write(opts.json ? `${JSON.stringify(toJson(run))}\n` : report(run));
    });
}

interface RiRun {
  result: RiResult;
  nRows: number;
  nClusters: number;
  nTreated: number;
  adjustment: { family: string; terms: readonly string[] } | null;
  source: string;
}

function numeric(table: CsvTable, name: string): Float64Array {
  const c = column(table, name);
  if (c.kind !== 'numeric') {
    const i = c.values.findIndex((v) => v !== null && Number.isNaN(Number(v)));
    throw new TiltakError(
      'NOT_NUMERIC',
      `${table.source}: column '${name}' is not numeric ('${c.values[i]}' at row ${i + 1})`,
      { column: name, row: i + 1 },
    );
  }
  return c.values;
}

function parseInteger(raw: string, what: string): number {
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) {
    throw new TiltakError('BAD_OPTION', `${what} must be an integer, got '${raw}'`);
  }
  return v;
}

function runRi(table: CsvTable, opts: RiOpts): RiRun {
  const statistic = opts.statistic;
  if (!['diff-in-means', 'cluster-means', 'adjusted', 'ipw'].includes(statistic)) {
    throw new TiltakError('BAD_OPTION', `unknown --statistic '${statistic}'`);
  }
  if (opts.exact && opts.draws !== undefined) {
    throw new TiltakError('CONFLICTING_OPTIONS', 'give either --exact or --draws');
  }
  if (opts.blocks !== undefined && opts.design !== undefined) {
    throw new TiltakError('CONFLICTING_OPTIONS', 'give either --blocks or --design');
  }
  let outcome = numeric(table, opts.outcome);
  const treatment = numeric(table, opts.treatment);
  const clusterLabels = labels(table, opts.cluster);
  let ids: string[];
  let space: AllocationSpace | undefined;
  let recordTreated: Set<string> | null = null;
  if (opts.design !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(opts.design, 'utf8'));
    } catch (e) {
      throw new TiltakError('BAD_RECORD', `${opts.design}: ${(e as Error).message}`);
    }
    const rec = verifyAllocationRecord(raw);
    ids = rec.design.ids;
    space = recordSpace(rec);
    recordTreated = new Set(rec.allocation.treated_ids);
  } else {
    ids = [...new Set(clusterLabels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const code = new Map(ids.map((id, g) => [id, g]));
  const cluster = Int32Array.from(clusterLabels, (l, i) => {
    const g = code.get(l);
    if (g === undefined) {
      throw new TiltakError(
        'DESIGN_MISMATCH',
        `row ${i + 1}: cluster '${l}' is not in the allocation record`,
        { row: i + 1, value: l },
      );
    }
    return g;
  });
  const seen = new Uint8Array(ids.length);
  for (const g of cluster) seen[g] = 1;
  const absent = ids.findIndex((_, g) => seen[g] === 0);
  if (absent !== -1) {
    throw new TiltakError(
      'DESIGN_MISMATCH',
      `cluster '${ids[absent]}' of the design has no rows in the data`,
    );
  }
  if (recordTreated !== null) {
    for (let i = 0; i < table.nrow; i++) {
      const inRecord = recordTreated.has(clusterLabels[i]!) ? 1 : 0;
      if (treatment[i] !== inRecord) {
        throw new TiltakError(
          'DESIGN_MISMATCH',
          `row ${i + 1}: treatment ${treatment[i]} of cluster '${clusterLabels[i]}' differs from the allocation record`,
          { row: i + 1 },
        );
      }
    }
  }
  let blockOfCluster: Int32Array | undefined;
  if (opts.blocks !== undefined) {
    const b = labels(table, opts.blocks);
    const bcode = new Map(
      [...new Set(b)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map((l, i) => [l, i]),
    );
    blockOfCluster = new Int32Array(ids.length).fill(-1);
    b.forEach((l, i) => {
      const g = cluster[i]!;
      const v = bcode.get(l)!;
      if (blockOfCluster![g] === -1) blockOfCluster![g] = v;
      else if (blockOfCluster![g] !== v) {
        throw new TiltakError(
          'BLOCK_VARIES_IN_CLUSTER',
          `block '${l}' at row ${i + 1} differs from the block of cluster '${ids[g]}'`,
          { row: i + 1 },
        );
      }
    });
  } else if (space !== undefined && space.kind === 'blocked') {
    blockOfCluster = space.blockOf;
  }
  let adjustment: RiRun['adjustment'] = null;
  if (statistic === 'adjusted') {
    if (opts.covariates === undefined) {
      throw new TiltakError('BAD_OPTION', 'the adjusted statistic needs --covariates');
    }
    const names = opts.covariates
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const factors = new Set((opts.factors ?? '').split(',').map((s) => s.trim()));
    const cols: Record<string, (number | null)[] | (string | null)[] | Float64Array> = {};
    for (const name of names) {
      const c = column(table, name);
      if (c.kind === 'numeric' && factors.has(name)) {
        cols[name] = Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v)));
      } else cols[name] = c.kind === 'numeric' ? c.values : [...c.values];
    }
    const cov = balanceCovariates(dataFrame(cols), names);
    if (!['auto', 'gaussian', 'binomial'].includes(opts.family)) {
      throw new TiltakError('BAD_OPTION', `unknown --family '${opts.family}'`);
    }
    for (let i = 0; i < outcome.length; i++) {
      if (!Number.isFinite(outcome[i]!)) {
        throw new TiltakError(
          'MISSING_VALUE',
          `outcome '${opts.outcome}' is missing at row ${i + 1}`,
          {
            row: i + 1,
          },
        );
      }
    }
    const adj = adjustedResiduals(outcome, cov.x, cov.p, cov.names, opts.family as AdjustFamily);
    outcome = adj.residuals;
    adjustment = { family: adj.family, terms: cov.names };
  }
  const input: RiInput = {
    outcome,
    treatment,
    cluster,
    nClusters: ids.length,
    ...(blockOfCluster !== undefined ? { blockOfCluster } : {}),
    ...(space !== undefined && space.kind === 'masks' ? { space } : {}),
    statistic:
      statistic === 'adjusted' ? 'cluster-means' : (statistic as RiInput['statistic'] & string),
    ...(opts.exact ? { exact: true } : {}),
    ...(opts.draws !== undefined ? { draws: parseInteger(opts.draws, '--draws') } : {}),
    seed: parseInteger(opts.seed, '--seed'),
    ...(opts.ci !== undefined ? { ciLevel: opts.ci === true ? 0.95 : Number(opts.ci) } : {}),
  };
  let bar: cliProgress.SingleBar | null = null;
  if (process.stderr.isTTY) {
    bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'allocations [{bar}] {percentage}% | {value}/{total}' },
      cliProgress.Presets.shades_classic,
    );
  }
  let started = false;
  const withProgress: RiInput = bar
    ? {
        ...input,
        onProgress: (done, total) => {
          if (!started) {
            bar!.start(total, 0);
            started = true;
          }
          bar!.update(done);
        },
      }
    : input;
  let result: RiResult;
  try {
    result = randomizationTest(withProgress);
  } finally {
    if (started) bar!.stop();
  }
  let nTreated = 0;
  const z = new Int8Array(ids.length);
  cluster.forEach((g, i) => {
    z[g] = treatment[i]! === 1 ? 1 : 0;
  });
  for (const v of z) nTreated += v;
  return {
    result,
    nRows: table.nrow,
    nClusters: ids.length,
    nTreated,
    adjustment,
    source: table.source,
  };
}

function toJson(run: RiRun) {
  const r = run.result;
  return {
    statistic: run.adjustment ? 'adjusted' : r.statistic,
    design: r.design,
    observed: r.observed,
    p_value: r.pValue,
    extreme: r.extreme,
    evaluated: r.evaluated,
    total_allocations: r.totalAllocations,
    exact: r.exact,
    seed: r.seed,
    ci: r.ci ? { level: r.ci.level, low: r.ci.low, high: r.ci.high } : null,
    n_rows: run.nRows,
    n_clusters: run.nClusters,
    n_treated_clusters: run.nTreated,
    adjustment: run.adjustment,
    warnings: r.warnings.map((w) => w.message),
  };
}

function report(run: RiRun): string {
  const r = run.result;
  const lines = [
    `Randomisation inference on ${run.source}: ${run.nRows} rows, ${run.nClusters} clusters (${run.nTreated} treated), ${r.design} design`,
    `Statistic: ${run.adjustment ? `adjusted (${run.adjustment.family} residuals on ${run.adjustment.terms.join(', ')})` : r.statistic}`,
    `Observed: ${r.observed.toPrecision(6)}`,
    `Two-sided p-value: ${r.pValue.toPrecision(4)} (${r.extreme} of ${r.evaluated} allocations ${r.exact ? 'enumerated exactly' : `sampled with seed ${r.seed}`}; ${r.totalAllocations} possible)`,
  ];
  if (r.ci) {
    lines.push(
      `${Math.round(r.ci.level * 100)}% CI for a constant additive effect: [${r.ci.low.toPrecision(5)}, ${r.ci.high.toPrecision(5)}]`,
    );
  }
  for (const w of r.warnings) lines.push(`Warning: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BalanceMetric } from '../../design/balance.ts';
import { designSpec, type RandomizeResult, randomize } from '../../design/randomize.ts';
import { allocationRecord } from '../../design/record.ts';
import { type CsvTable, readCsv } from '../../io/read-csv.ts';
import { TiltakError } from '../../stats/errors.ts';
import { column, labels } from '../csv-columns.ts';

interface RandomizeOpts {
  id: string;
  treated: string;
  strata?: string;
  pairs?: string;
  balance?: string;
  metric: string;
  cutoff: string;
  seed?: string;
  maxEnumerate: string;
  samples: string;
  out?: string;
  json?: boolean;
}

/**
 * Register `tiltak randomize`: randomise clusters (complete, stratified, pair-matched or
 * covariate-constrained), print the allocation and its diagnostics, and optionally write an
 * allocation record.
 *
 * @example
 * register(program); // tiltak randomize offices.csv --id office --treated 15 --balance size,region --seed 1
 */
export function register(program: Command): void {
  program
    .command('randomize')
    .description('randomise clusters to treatment and control')
    .argument('<clusters>', 'CSV file with one row per cluster')
    .requiredOption('--id <column>', 'cluster id column')
    .requiredOption('--treated <k>', 'number of clusters to treat')
    .option(
      '--strata <column>',
      'stratify: K split across strata proportionally (largest remainder)',
    )
    .option('--pairs <column>', 'pair-matched: one cluster of each pair treated')
    .option('--balance <columns>', 'covariate-constrained: comma-separated balance columns')
    .option('--metric <metric>', 'balance metric: l2 or l1', 'l2')
    .option('--cutoff <share>', 'share of best-balanced schemes kept', '0.1')
    .option('--seed <n>', 'random seed (drawn and reported when omitted)')
    .option('--max-enumerate <n>', 'enumerate every scheme up to this many', '100000000')
    .option('--samples <n>', 'distinct schemes sampled beyond --max-enumerate', '100000')
    .option('--out <file>', 'write the allocation record (JSON) here')
    .option('--json', 'print one JSON object')
    .action((file: string, opts: RandomizeOpts) => {
      const table = readCsv(file);
      const result = runRandomize(table, opts);
      let sha: string | null = null;
      if (opts.out !== undefined) {
        const rec = allocationRecord(result);
        sha = rec.sha256;
        try {
          writeFileSync(opts.out, `${JSON.stringify(rec, null, 2)}\n`);
        } catch (e) {
          throw new TiltakError('WRITE_FAILED', `${opts.out}: ${(e as Error).message}`);
        }
      }
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(toJson(result, opts.out ?? null, sha))}\n`
          : report(result, opts.out ?? null, sha),
      );
    });
}

function parseInteger(raw: string, what: string): number {
  const v = Number(raw);
  if (!Number.isSafeInteger(v))
    throw new TiltakError('BAD_OPTION', `${what} must be an integer, got '${raw}'`);
  return v;
}

function runRandomize(table: CsvTable, opts: RandomizeOpts): RandomizeResult {
  const ids = labels(table, opts.id);
  const treated = parseInteger(opts.treated, '--treated');
  if (treated > ids.length) {
    throw new TiltakError(
      'BAD_TREATED',
      `--treated ${treated} is more than the ${ids.length} clusters in ${table.source}`,
    );
  }
  if (opts.metric !== 'l2' && opts.metric !== 'l1') {
    throw new TiltakError('BAD_OPTION', `--metric must be l2 or l1, got '${opts.metric}'`);
  }
  const cutoff = Number(opts.cutoff);
  if (!(cutoff > 0 && cutoff <= 1))
    throw new TiltakError('BAD_OPTION', `--cutoff must be in (0, 1], got '${opts.cutoff}'`);
  const seed = opts.seed === undefined ? randomInt(0, 2 ** 31) : parseInteger(opts.seed, '--seed');
  let balance: { columns: string[]; values: (number | string | null)[][] } | undefined;
  if (opts.balance !== undefined) {
    const columns = opts.balance
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const values = columns.map((name) => {
      const c = column(table, name);
      return c.kind === 'numeric'
        ? Array.from(c.values, (v) => (Number.isNaN(v) ? null : v))
        : [...c.values];
    });
    balance = { columns, values };
  }
  const spec = designSpec({
    ids,
    treated,
    ...(opts.strata !== undefined ? { strata: labels(table, opts.strata) } : {}),
    ...(opts.pairs !== undefined ? { pairs: labels(table, opts.pairs) } : {}),
    ...(balance !== undefined ? { balance } : {}),
    metric: opts.metric as BalanceMetric,
    cutoff,
    maxEnumerate: parseInteger(opts.maxEnumerate, '--max-enumerate'),
    samples: parseInteger(opts.samples, '--samples'),
  });
  return randomize(spec, seed);
}

function toJson(r: RandomizeResult, out: string | null, sha: string | null) {
  const d = r.space?.distribution;
  return {
    scheme: r.spec.scheme,
    seed: r.seed,
    n_clusters: r.spec.ids.length,
    n_treated: r.spec.treated,
    total_schemes: r.totalSchemes,
    schemes_scored: r.space ? r.space.schemesScored : r.totalSchemes,
    accepted_schemes: r.acceptedSchemes,
    enumerated: r.space ? r.space.enumerated : true,
    treated_ids: r.treatedIds,
    control_ids: r.controlIds,
    allocation: r.spec.ids.map((id, g) => ({ id, treated: r.treated[g]! })),
    metric: r.space ? r.spec.metric : null,
    cutoff: r.space ? r.spec.cutoff : null,
    chosen_index: r.chosenIndex,
    chosen_score: r.chosenScore,
    // cvcrand reports (nT·nC/n)² × B; multiply any score here by this factor to compare.
    cvcrand_scale: r.space
      ? ((r.spec.treated * (r.spec.ids.length - r.spec.treated)) / r.spec.ids.length) ** 2
      : null,
    score_distribution: d
      ? {
          min: d.min,
          q1: d.q1,
          median: d.median,
          q3: d.q3,
          max: d.max,
          mean: d.mean,
          sd: d.sd,
          cutoff_score: d.cutoffScore,
        }
      : null,
    balance: r.balance
      ? r.balance.map((b) => ({
          term: b.term,
          column: b.column,
          mean_treated: b.meanTreated,
          mean_control: b.meanControl,
          std_diff: b.stdDiff,
        }))
      : null,
    validity: r.validity
      ? {
          pairs: (r.validity.n * (r.validity.n - 1)) / 2,
          always_together: r.validity.alwaysTogether,
          always_apart: r.validity.alwaysApart,
          min_share_together: r.validity.minShare,
          max_share_together: r.validity.maxShare,
          share_together: r.spec.ids.map((_, i) =>
            Array.from(r.validity!.together.subarray(i * r.validity!.n, (i + 1) * r.validity!.n)),
          ),
        }
      : null,
    strata: r.strata,
    warnings: r.warnings.map((w) => w.message),
    record: out,
    record_sha256: sha,
  };
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(5));

function report(r: RandomizeResult, out: string | null, sha: string | null): string {
  const lines: string[] = [];
  lines.push(
    `Randomisation: ${r.spec.scheme}, ${r.spec.treated} of ${r.spec.ids.length} clusters treated, seed ${r.seed}`,
  );
  lines.push(
    `Schemes: ${r.totalSchemes}${r.space && !r.space.enumerated ? ` (${r.space.schemesScored} sampled)` : ''}, accepted: ${r.acceptedSchemes}`,
  );
  if (r.strata) {
    for (const s of r.strata)
      lines.push(`  stratum ${s.stratum}: ${s.treated} of ${s.clusters} treated`);
  }
  lines.push(`Treated: ${r.treatedIds.join(', ')}`);
  lines.push(`Control: ${r.controlIds.join(', ')}`);
  const d = r.space?.distribution;
  if (d) {
    lines.push(
      `Balance score (${r.spec.metric}) of the chosen scheme: ${fmt(r.chosenScore!)}; cutoff score ${fmt(d.cutoffScore)}`,
    );
    lines.push(
      `Scores over all schemes: min ${fmt(d.min)}, Q1 ${fmt(d.q1)}, median ${fmt(d.median)}, mean ${fmt(d.mean)}, Q3 ${fmt(d.q3)}, max ${fmt(d.max)}, SD ${fmt(d.sd)}`,
    );
  }
  if (r.balance) {
    lines.push('Balance:');
    lines.push(
      `  ${'term'.padEnd(24)} ${'treated'.padStart(10)} ${'control'.padStart(10)} ${'std diff'.padStart(9)}`,
    );
    for (const b of r.balance) {
      lines.push(
        `  ${b.term.padEnd(24)} ${fmt(b.meanTreated).padStart(10)} ${fmt(b.meanControl).padStart(10)} ${b.stdDiff.toFixed(3).padStart(9)}`,
      );
    }
  }
  if (r.validity) {
    lines.push(
      `Validity: pairs always together ${r.validity.alwaysTogether}, always apart ${r.validity.alwaysApart}; share together ranges ${r.validity.minShare.toFixed(3)}–${r.validity.maxShare.toFixed(3)}`,
    );
  }
  for (const w of r.warnings) lines.push(`Warning: ${w.message}`);
  if (out) lines.push(`Allocation record: ${out} (sha256 ${sha})`);
  return `${lines.join('\n')}\n`;
}

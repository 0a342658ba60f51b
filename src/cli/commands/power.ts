import { writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { type PowerCurvePoint, powerCurveSpec } from '../../report/charts/power-curve.ts';
import { renderVegaLiteSvg } from '../../report/charts/render-svg.ts';
import { TiltakError } from '../../stats/errors.ts';
import { lmmAnalysis, olsCr2Analysis } from '../../stats/power/analyses.ts';
import {
  clusterTrialPower,
  type PowerInput,
  type PowerResult,
  type PowerTarget,
} from '../../stats/power/analytic.ts';
import { type SimulationPowerResult, simulatePower } from '../../stats/power/simulate.ts';

const positive = (name: string) =>
  z.coerce
    .number()
    .refine((v) => Number.isFinite(v) && v > 0, `--${name} must be a positive number`);
const unit = (name: string) =>
  z.coerce.number().refine((v) => v >= 0 && v <= 1, `--${name} must be between 0 and 1`);

const PowerOptions = z.object({
  solve: z
    .enum(['power', 'clusters', 'size', 'effect'], {
      error: '--solve must be power, clusters, size or effect',
    })
    .default('power'),
  outcome: z
    .enum(['continuous', 'binary'], { error: '--outcome must be continuous or binary' })
    .default('continuous'),
  alpha: z.coerce
    .number()
    .refine((v) => v > 0 && v < 1, '--alpha must be between 0 and 1')
    .default(0.05),
  power: z.coerce
    .number()
    .refine((v) => v > 0 && v < 1, '--power must be between 0 and 1')
    .optional(),
  clusters: positive('clusters').optional(),
  size: positive('size').optional(),
  sizes: z
    .string()
    .transform((s, ctx) => {
      const v = s
        .split(/[,\s]+/)
        .filter((t) => t !== '')
        .map(Number);
      if (v.length < 2 || v.some((x) => !(x > 0))) {
        ctx.addIssue({
          code: 'custom',
          message: `--sizes must list at least two positive sizes, got '${s}'`,
        });
        return z.NEVER;
      }
      return v;
    })
    .optional(),
  effect: z.coerce.number().refine(Number.isFinite, '--effect must be a number').optional(),
  variance: positive('variance').default(1),
  p1: unit('p1').optional(),
  p2: unit('p2').optional(),
  decrease: z.boolean().optional(),
  pooled: z.boolean().optional(),
  icc: z.coerce
    .number({ error: 'the --icc option is required' })
    .refine((v) => v >= 0 && v < 1, '--icc must be in [0, 1)'),
  cv: z.coerce
    .number()
    .refine((v) => v >= 0, '--cv must be >= 0')
    .default(0),
  method: z
    .enum(['taylor', 'eldridge'], { error: '--method must be taylor or eldridge' })
    .optional(),
  baseline: z.boolean().optional(),
  clusterAutocorr: unit('cluster-autocorr').default(0),
  individualAutocorr: unit('individual-autocorr').default(0),
  waves: z.coerce
    .number()
    .int('--waves must be a whole number')
    .min(1, '--waves must be at least 1')
    .default(1),
  simulate: z.boolean().optional(),
  analysis: z
    .enum(['cluster-means', 'ols-cr2', 'lmm', 'lmm-kr'], {
      error: '--analysis must be cluster-means, ols-cr2, lmm or lmm-kr',
    })
    .default('cluster-means'),
  simReps: z.coerce
    .number()
    .int('--sim-reps must be a whole number')
    .min(10, '--sim-reps must be at least 10')
    .default(1000),
  seed: z.coerce.number().int('--seed must be a whole number').default(1),
  svg: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

/** Validated options of `tiltak power`. */
export type PowerCommandOptions = z.infer<typeof PowerOptions>;

/** What `tiltak power` reports. */
export interface PowerReport {
  readonly analytic: PowerResult;
  readonly baseline: boolean;
  readonly waves: number;
  readonly simulation: SimulationPowerResult | null;
  readonly curve: PowerCurvePoint[];
  readonly svg: string | null;
}

const TARGET: Record<PowerCommandOptions['solve'], PowerTarget> = {
  power: 'power',
  clusters: 'nClusters',
  size: 'clusterSize',
  effect: 'effect',
};

/** The analyses `--simulate` can run on each simulated trial (the default: a t test on cluster means). */
const SIMULATION_ANALYSES = {
  'cluster-means': {},
  'ols-cr2': { analysis: olsCr2Analysis, analysisName: 'OLS with CR2, Satterthwaite df' },
  lmm: {
    analysis: lmmAnalysis('satterthwaite'),
    analysisName: 'random-intercept LMM (REML), Satterthwaite df',
  },
  'lmm-kr': {
    analysis: lmmAnalysis('kenward-roger'),
    analysisName: 'random-intercept LMM (REML), Kenward–Roger df',
  },
} as const;

/**
 * Register `tiltak power`: analytic power (clusterPower's cpa.normal / cpa.binary with the
 * noncentral t), solving for power, clusters per arm, cluster size or detectable effect; unequal
 * cluster sizes, baseline adjustment and repeated waves; optional simulation check and an SVG
 * power curve.
 *
 * @example
 * register(program); // tiltak power --solve clusters --power 0.8 --size 21 --effect 0.3 --icc 0.05 --svg curve.svg
 */
export function register(program: Command): void {
  program
    .command('power')
    .description('power and sample size of a two-arm cluster-randomised trial')
    .option('--solve <what>', 'power | clusters | size | effect', 'power')
    .option('--outcome <kind>', 'continuous | binary', 'continuous')
    .option('--alpha <a>', 'two-sided significance level', '0.05')
    .option('--power <p>', 'target power (when solving for clusters, size or effect)')
    .option('--clusters <k>', 'clusters per arm')
    .option('--size <m>', 'mean cluster size')
    .option(
      '--sizes <list>',
      'cluster sizes of one arm, comma-separated (exact relative efficiency)',
    )
    .option('--effect <d>', 'continuous: difference in means')
    .option('--variance <v>', 'continuous: total variance (between + within clusters)', '1')
    .option('--p1 <p>', 'binary: proportion in the control arm')
    .option('--p2 <p>', 'binary: proportion in the intervention arm')
    .option('--decrease', 'binary, --solve effect: look for p2 below p1')
    .option('--pooled', 'binary: pooled variance, as cpa.binary(pooled = TRUE)')
    .option('--icc <rho>', 'intraclass correlation')
    .option('--cv <cv>', 'coefficient of variation of cluster sizes', '0')
    .option('--method <m>', 'unequal sizes: taylor (van Breukelen 2007) | eldridge (Eldridge 2006)')
    .option('--baseline', 'ANCOVA on the baseline cluster mean (Teerenstra 2012)')
    .option('--cluster-autocorr <r>', 'cluster autocorrelation between waves', '0')
    .option('--individual-autocorr <r>', 'individual autocorrelation between waves', '0')
    .option('--waves <T>', 'post-randomisation waves averaged', '1')
    .option('--simulate', 'also estimate power by simulating trials and running --analysis on each')
    .option(
      '--analysis <a>',
      'simulation analysis: cluster-means (t test) | ols-cr2 | lmm (Satterthwaite) | lmm-kr (Kenward–Roger)',
      'cluster-means',
    )
    .option('--sim-reps <n>', 'simulated trials', '1000')
    .option('--seed <n>', 'seed of the simulation', '1')
    .option('--svg <file>', 'write a power curve (power against clusters per arm) as SVG')
    .option('--json', 'print one JSON object')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(raw);
      const report = await runPower(opts);
      if (opts.svg !== undefined && report.svg !== null) {
        try {
          writeFileSync(opts.svg, report.svg);
        } catch (e) {
          throw new TiltakError(
            'WRITE_FAILED',
            `cannot write ${opts.svg}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(powerJson(report, opts.svg ?? null))}\n`
          : formatPower(report, opts.svg ?? null),
      );
    });
}

function parseOptions(raw: Record<string, unknown>): PowerCommandOptions {
  const parsed = PowerOptions.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key =
      issue.path.length > 0
        ? String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
        : '';
    throw new TiltakError('BAD_OPTION', `${key !== '' ? `--${key}: ` : ''}${issue.message}`);
  }
  return parsed.data;
}

/**
 * Compute everything `tiltak power` prints: the analytic solution, the optional simulation, the
 * power curve and its SVG. Exported for tests and the report.
 *
 * @example
 * const r = await runPower({ solve: 'clusters', power: 0.8, size: 21, effect: 0.3, icc: 0.05, ... });
 */
export async function runPower(opts: PowerCommandOptions): Promise<PowerReport> {
  const input: PowerInput = {
    solveFor: TARGET[opts.solve],
    outcome: opts.outcome,
    alpha: opts.alpha,
    icc: opts.icc,
    cv: opts.cv,
    ...(opts.power !== undefined ? { power: opts.power } : {}),
    ...(opts.clusters !== undefined ? { nClusters: opts.clusters } : {}),
    ...(opts.size !== undefined ? { clusterSize: opts.size } : {}),
    ...(opts.sizes !== undefined ? { clusterSizes: opts.sizes } : {}),
    ...(opts.effect !== undefined ? { effect: opts.effect } : {}),
    totalVariance: opts.variance,
    ...(opts.p1 !== undefined ? { p1: opts.p1 } : {}),
    ...(opts.p2 !== undefined ? { p2: opts.p2 } : {}),
    ...(opts.decrease ? { decrease: true } : {}),
    ...(opts.pooled ? { pooled: true } : {}),
    ...(opts.method !== undefined ? { unequalMethod: opts.method } : {}),
    baseline: opts.baseline === true,
    waves: opts.waves,
    clusterAutocorr: opts.clusterAutocorr,
    individualAutocorr: opts.individualAutocorr,
  };
  if (opts.solve === 'power' && opts.power !== undefined) {
    throw new TiltakError(
      'BAD_OPTION',
      '--power is the target of --solve clusters|size|effect; drop it or choose what to solve for',
    );
  }
  if (opts.solve !== 'power' && opts.power === undefined) {
    throw new TiltakError(
      'BAD_OPTION',
      `--solve ${opts.solve} needs the target --power, e.g. --power 0.8`,
    );
  }
  const analytic = clusterTrialPower(input);

  let simulation: SimulationPowerResult | null = null;
  if (opts.simulate) {
    if ((opts.baseline || opts.waves > 1) && opts.outcome === 'binary') {
      throw new TiltakError(
        'BAD_OPTION',
        '--simulate with --baseline or --waves is for continuous outcomes',
      );
    }
    const k = Math.ceil(analytic.nClusters - 1e-9);
    const m = Math.ceil(analytic.clusterSize - 1e-9);
    const bar =
      process.stderr.isTTY && !opts.json
        ? new SingleBar({
            format: 'simulating {bar} {value}/{total} trials',
            stream: process.stderr,
          })
        : null;
    bar?.start(opts.simReps, 0);
    try {
      simulation = simulatePower({
        outcome: opts.outcome,
        nClusters: k,
        clusterSize: m,
        cv: analytic.cv,
        icc: opts.icc,
        alpha: opts.alpha,
        reps: opts.simReps,
        seed: opts.seed,
        baseline: opts.baseline === true,
        waves: opts.waves,
        clusterAutocorr: opts.clusterAutocorr,
        individualAutocorr: opts.individualAutocorr,
        ...SIMULATION_ANALYSES[opts.analysis],
        ...(opts.outcome === 'binary'
          ? { p1: analytic.p1!, p2: analytic.p2! }
          : { effect: analytic.effect, totalVariance: opts.variance }),
        ...(bar !== null ? { onProgress: (done: number) => bar.update(done) } : {}),
      });
    } finally {
      bar?.stop();
    }
  }

  const curve = powerCurve(input, analytic);
  let svg: string | null = null;
  if (opts.svg !== undefined) {
    const points: PowerCurvePoint[] = [...curve];
    if (simulation !== null) {
      points.push({
        x: Math.ceil(analytic.nClusters - 1e-9),
        power: simulation.power,
        series: 'simulated',
      });
    }
    const designK = Math.ceil(analytic.nClusters - 1e-9);
    const what =
      opts.outcome === 'binary'
        ? `p1 ${analytic.p1}, p2 ${round(analytic.p2!)}`
        : `effect ${round(analytic.effect)}`;
    svg = await renderVegaLiteSvg(
      powerCurveSpec({
        points,
        xTitle: 'Clusters per arm',
        target: opts.power ?? 0.8,
        highlight: designK,
        title: `Power: ICC ${opts.icc}, cluster size ${round(analytic.clusterSize)}, ${what}`,
      }),
    );
  }
  return { analytic, baseline: opts.baseline === true, waves: opts.waves, simulation, curve, svg };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Analytic power for clusters per arm from 2 to about twice the design, at most ~60 points. Given
 * cluster sizes fix k, so the curve then uses their mean and CV (the CV approximation).
 */
function powerCurve(input: PowerInput, solved: PowerResult): PowerCurvePoint[] {
  const k = Math.ceil(solved.nClusters - 1e-9);
  const hi = Math.max(2 * k, k + 10);
  const step = Math.max(1, Math.ceil((hi - 2) / 60));
  const { power: _target, clusterSizes: _sizes, ...rest } = input;
  const base: PowerInput = {
    ...rest,
    solveFor: 'power',
    clusterSize: solved.clusterSize,
    cv: solved.cv,
    ...(input.outcome === 'binary' ? { p2: solved.p2! } : { effect: solved.effect }),
  };
  const out: PowerCurvePoint[] = [];
  for (let x = 2; x <= hi; x += step) {
    out.push({ x, power: clusterTrialPower({ ...base, nClusters: x }).power });
  }
  return out;
}

const fin = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/**
 * The `--json` object of `tiltak power` (snake_case keys).
 *
 * @example
 * JSON.stringify(powerJson(await runPower(opts), null));
 */
export function powerJson(r: PowerReport, svgPath: string | null): Record<string, unknown> {
  const a = r.analytic;
  const s = r.simulation;
  return {
    solved_for: { power: 'power', nClusters: 'clusters', clusterSize: 'size', effect: 'effect' }[
      a.solvedFor
    ],
    outcome: a.outcome,
    alpha: a.alpha,
    power: a.power,
    n_clusters: a.nClusters,
    cluster_size: a.clusterSize,
    effect: a.effect,
    p1: a.p1,
    p2: a.p2,
    total_variance: a.totalVariance,
    icc: a.icc,
    cv: a.cv,
    unequal_method: a.unequalMethod,
    baseline: r.baseline,
    waves: r.waves,
    design_effect: a.designEffect,
    df: a.df,
    ncp: a.ncp,
    critical_value: a.criticalValue,
    ceiling: a.ceiling === null ? null : { value: a.ceiling.value, power: a.ceiling.power },
    simulation:
      s === null
        ? null
        : {
            power: s.power,
            mcse: s.mcse,
            conf_low: s.confLow,
            conf_high: s.confHigh,
            reps: s.reps,
            rejections: s.rejections,
            failures: s.failures,
            mean_estimate: fin(s.meanEstimate),
            analysis: s.analysis,
            seed: s.seed,
          },
    curve: r.curve.map((p) => ({ clusters: p.x, power: p.power })),
    svg: svgPath,
    warnings: [...a.warnings, ...(s?.warnings ?? [])].map((w) => `${w.code}: ${w.message}`),
  };
}

/**
 * The readable report of `tiltak power`.
 *
 * @example
 * process.stdout.write(formatPower(await runPower(opts), 'curve.svg'));
 */
export function formatPower(r: PowerReport, svgPath: string | null): string {
  const a = r.analytic;
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
  const solved = (t: PowerTarget) => (a.solvedFor === t ? '  <- solved' : '');
  const lines = [
    `Power of a two-arm cluster-randomised trial (${a.outcome} outcome, two-sided alpha ${a.alpha})`,
    `  power:             ${a.power.toFixed(4)}${solved('power')}`,
    `  clusters per arm:  ${f(a.nClusters)}${solved('nClusters')}${a.solvedFor === 'nClusters' && a.ceiling ? ` (use ${a.ceiling.value}: power ${a.ceiling.power.toFixed(4)})` : ''}`,
    `  cluster size:      ${f(a.clusterSize)}${solved('clusterSize')}${a.solvedFor === 'clusterSize' && a.ceiling ? ` (use ${a.ceiling.value}: power ${a.ceiling.power.toFixed(4)})` : ''}`,
    a.outcome === 'binary'
      ? `  proportions:       p1 ${a.p1}, p2 ${a.p2!.toFixed(4)}${solved('effect')}`
      : `  difference:        ${f(a.effect)} (total variance ${a.totalVariance})${solved('effect')}`,
    `  ICC ${a.icc}, CV of sizes ${round(a.cv)} (${a.unequalMethod}), waves ${r.waves}${r.baseline ? ', baseline-adjusted' : ''}`,
    `  design effect ${a.designEffect.toFixed(4)}, df ${f(a.df)}, noncentrality ${a.ncp.toFixed(4)}`,
  ];
  const s = r.simulation;
  if (s !== null) {
    lines.push(
      `  simulated power:   ${s.power.toFixed(4)} (95% CI ${s.confLow.toFixed(4)}-${s.confHigh.toFixed(4)}; ${s.reps} trials, ${s.analysis}, seed ${s.seed})`,
    );
  }
  if (svgPath !== null) lines.push(`  power curve written to ${svgPath}`);
  for (const w of [...a.warnings, ...(s?.warnings ?? [])])
    lines.push(`  warning: ${w.code}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

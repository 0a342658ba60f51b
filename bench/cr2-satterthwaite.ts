/**
 * Benchmark: OLS with CR2 standard errors and Satterthwaite df on a simulated school-randomised
 * trial (16,000 rows, 40 clusters, 11 coefficients), ours against clubSandwich::coef_test.
 * Run with `node --import tsx bench/cr2-satterthwaite.ts`. Target: ours <= 0.3 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coefTest } from '../src/stats/inference/coef-test.ts';
import { fitOls } from '../src/stats/models/ols.ts';
import { createRng } from '../src/stats/random.ts';
import { hasRscript } from './lib.ts';

const N = 16_000;
const G = 40;
const COVARIATES = 9; // + intercept + treatment = 11 coefficients

function simulate(seed: number) {
  const rng = createRng(seed);
  const normal = () => {
    // Box-Muller on the seeded generator.
    const u = 1 - rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  const cluster = new Int32Array(N);
  for (let i = 0; i < N; i++) cluster[i] = rng.nextInt(G);
  const effect = Float64Array.from({ length: G }, () => 0.5 * normal());
  const treatOf = Int32Array.from({ length: G }, (_, g) => g % 2);
  const p = COVARIATES + 2;
  const x = new Float64Array(N * p);
  const y = new Float64Array(N);
  const colnames = [
    '(Intercept)',
    'treat',
    ...Array.from({ length: COVARIATES }, (_, j) => `x${j + 1}`),
  ];
  for (let i = 0; i < N; i++) {
    const g = cluster[i]!;
    x[i] = 1;
    x[N + i] = treatOf[g]!;
    let eta = 0.3 * treatOf[g]! + effect[g]!;
    for (let j = 0; j < COVARIATES; j++) {
      // Mix of binary and continuous covariates, some with cluster-level shifts.
      const v =
        j % 3 === 0 ? (rng.next() < 0.4 ? 1 : 0) : normal() + (j % 3 === 1 ? effect[g]! : 0);
      x[(j + 2) * N + i] = v;
      eta += 0.1 * (j + 1) * v;
    }
    y[i] = eta + normal();
  }
  return { x, n: N, p, colnames, y, cluster };
}

const data = simulate(20260423);
const run = () => {
  const fit = fitOls(data);
  return coefTest(fit, { type: 'CR2', cluster: data.cluster });
};
run(); // warm up the JIT
const times: number[] = [];
let ours = run();
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  ours = run();
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
const oursSec = times[Math.floor(times.length / 2)]!;
console.log(
  `ours: median ${oursSec.toFixed(4)} s over ${times.length} runs (N=${N}, G=${G}, p=${data.p})`,
);

const hasR = hasRscript();
if (!hasR) {
  console.log('Rscript is not on PATH: R side skipped (install R with clubSandwich to compare).');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'tiltak-bench-'));
try {
  const csv = join(dir, 'data.csv');
  const lines = [[...data.colnames.slice(1), 'y', 'cluster'].join(',')];
  for (let i = 0; i < N; i++) {
    const row: string[] = [];
    for (let j = 1; j < data.p; j++) row.push(String(data.x[j * N + i]));
    row.push(String(data.y[i]), String(data.cluster[i]));
    lines.push(row.join(','));
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const out = join(dir, 'r.json');
  const script = `
suppressPackageStartupMessages({ library(clubSandwich); library(jsonlite) })
d <- read.csv(${JSON.stringify(csv)})
f <- as.formula(paste("y ~", paste(setdiff(names(d), c("y", "cluster")), collapse = " + ")))
tm <- system.time({
  fit <- lm(f, data = d)
  ct <- coef_test(fit, vcov = "CR2", cluster = d$cluster, test = "Satterthwaite")
})[["elapsed"]]
write_json(list(seconds = tm, se = ct$SE, df = ct$df_Satt, p = ct$p_Satt), ${JSON.stringify(out)}, digits = NA)
`;
  console.log('running clubSandwich::coef_test (this takes a while)...');
  execFileSync('Rscript', ['-e', script], { stdio: 'inherit' });
  const r = JSON.parse(readFileSync(out, 'utf8')) as {
    seconds: number[];
    se: number[];
    df: number[];
    p: number[];
  };
  let seErr = 0;
  let dfErr = 0;
  let pErr = 0;
  ours.forEach((row, j) => {
    seErr = Math.max(seErr, Math.abs(row.std_error - r.se[j]!) / r.se[j]!);
    dfErr = Math.max(dfErr, Math.abs(row.df - r.df[j]!) / r.df[j]!);
    pErr = Math.max(pErr, Math.abs(row.p_value - r.p[j]!));
  });
  const rSec = r.seconds[0]!;
  const agree = seErr < 1e-8 && dfErr < 1e-6 && pErr < 1e-8;
  console.log(
    `agreement: max rel SE ${seErr.toExponential(2)}, max rel df ${dfErr.toExponential(2)}, max abs p ${pErr.toExponential(2)} -> ${agree ? 'OK' : 'MISMATCH'}`,
  );
  console.log(`R (clubSandwich): ${rSec.toFixed(3)} s`);
  console.log(`ours: ${oursSec.toFixed(4)} s; ratio R / ours = ${(rSec / oursSec).toFixed(0)}x`);
  if (!agree) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

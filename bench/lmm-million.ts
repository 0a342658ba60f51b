/**
 * Benchmark: random-intercept REML fit on 1,000,000 rows in 500 clusters (two covariates and a
 * cluster-level treatment), ours against lme4::lmer in the same run.
 * Run: `node --import tsx bench/lmm-million.ts`.
 *
 * Both sides simulate the same design from their own seeded generators (the data are not
 * shared, only the shape), so the timing compares like with like without a 1e6-row CSV.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fitLmm } from '../src/stats/models/lmm/index.ts';
import { createRng } from '../src/stats/random.ts';

const N = 1_000_000;
const G = 500;
const P = 4;
const rng = createRng(20260101);
const gauss = (): number => {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
};
const codes = new Int32Array(N);
const x = new Float64Array(N * P);
const y = new Float64Array(N);
const u = Float64Array.from({ length: G }, () => 0.7 * gauss());
for (let i = 0; i < N; i++) {
  const g = rng.nextInt(G);
  codes[i] = g;
  x[i] = 1;
  x[N + i] = g % 2;
  x[2 * N + i] = gauss();
  x[3 * N + i] = rng.next();
  y[i] = 1 + 0.2 * x[N + i]! + 0.5 * x[2 * N + i]! - 0.3 * x[3 * N + i]! + u[g]! + gauss();
}
const input = {
  y,
  x,
  n: N,
  p: P,
  colnames: ['(Intercept)', 'treat', 'x1', 'x2'],
  random: [
    {
      group: 'cluster',
      codes,
      levels: Array.from({ length: G }, (_, g) => `c${g}`),
      z: new Float64Array(N).fill(1),
      q: 1,
      termNames: ['(Intercept)'],
    },
  ],
};
fitLmm(input);
let ours = Infinity;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  fitLmm(input);
  ours = Math.min(ours, (performance.now() - t0) / 1000);
}
const rCode = `
suppressPackageStartupMessages(library(lme4))
set.seed(1); N <- 1e6; G <- 500
g <- sample.int(G, N, TRUE); u <- rnorm(G, 0, 0.7)
d <- data.frame(g = factor(g), treat = g %% 2, x1 = rnorm(N), x2 = runif(N))
d$y <- 1 + 0.2 * d$treat + 0.5 * d$x1 - 0.3 * d$x2 + u[g] + rnorm(N)
t <- system.time(lmer(y ~ treat + x1 + x2 + (1 | g), data = d))[["elapsed"]]
cat(t, "\\n")`;
const r = spawnSync('Rscript', ['-e', rCode], { encoding: 'utf8' });
console.log(`1,000,000 rows, ${G} clusters, random intercept, REML`);
console.log(`  ours: ${ours.toFixed(3)} s`);
if (r.status !== 0 || r.error) console.log('  R: Rscript not available or failed; R side skipped');
else {
  const rt = Number(r.stdout.trim());
  console.log(`  lme4::lmer: ${rt.toFixed(3)} s  ratio ours/R = ${(ours / rt).toFixed(3)}`);
}

/**
 * Benchmark: random-intercept REML fit with Satterthwaite df, and Kenward–Roger, on
 * clubSandwich::AchievementAwardsRCT (16,526 students, 40 schools, 11 fixed effects).
 * Targets: REML + Satterthwaite no slower than lmerTest (~0.35 s); KR <= 2 s.
 * Run: `node --import tsx bench/lmm-achievement.ts`.
 *
 * R's side runs in the same invocation through Rscript (skipped with a note when Rscript is
 * missing). pbkrtest inverts an n x n matrix, so R's KR is timed on the 2001 cohort only
 * (3,821 students, same 40 schools) and the ratio is printed against that smaller problem.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readCsv } from '../src/io/read-csv.ts';
import { fitLmm, type LmmInput } from '../src/stats/models/lmm/index.ts';

function load(name: string, p: number): LmmInput {
  const t = readCsv(`test/fixtures/data/lmm-${name}.csv`);
  const col = (c: string): Float64Array => (t.columns.get(c) as { values: Float64Array }).values;
  const n = t.nrow;
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) x.set(col(`x${j}`), j * n);
  const codes = Int32Array.from(col('g0'));
  const nlev = Math.max(...codes) + 1;
  return {
    y: col('y'),
    x,
    n,
    p,
    colnames: Array.from({ length: p }, (_, j) => `x${j}`),
    random: [
      {
        group: 'school',
        codes,
        levels: Array.from({ length: nlev }, (_, l) => String(l)),
        z: col('z0_0'),
        q: 1,
        termNames: ['(Intercept)'],
      },
    ],
  };
}

function best(reps: number, f: () => void): number {
  let m = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    m = Math.min(m, (performance.now() - t0) / 1000);
  }
  return m;
}

const full = load('achievement', 11);
const y2001 = load('achievement2001', 8);
const satt = (inp: LmmInput) => () => {
  fitLmm(inp).tidy({ df: 'satterthwaite' });
};
const kr = (inp: LmmInput) => () => {
  fitLmm(inp).tidy({ df: 'kenward-roger' });
};
satt(full)();
kr(full)();
const tSatt = best(5, satt(full));
const tKr = best(3, kr(full));
const tKr2001 = best(3, kr(y2001));

const rCode = `
suppressPackageStartupMessages({library(lmerTest); library(pbkrtest); library(clubSandwich)})
aa <- as.data.frame(AchievementAwardsRCT); aa$school <- factor(aa$school_id)
f <- attempted ~ treated + year + sex + siblings + immigrant + father_ed + mother_ed + lagscore + (1 | school)
tm <- function(expr, reps) min(sapply(seq_len(reps), function(i) system.time(eval(expr))[["elapsed"]]))
s <- tm(quote(summary(lmer(f, data = aa))), 5)
a1 <- aa[aa$year == "2001", ]
k <- tm(quote(summary(lmer(attempted ~ treated + sex + siblings + immigrant + father_ed + mother_ed + lagscore + (1 | school), data = a1), ddf = "Kenward-Roger")), 1)
cat(s, k, "\\n")`;
const r = spawnSync('Rscript', ['-e', rCode], { encoding: 'utf8' });
const fmt = (v: number): string => `${v.toFixed(3)} s`;
console.log('AchievementAwardsRCT: 16,526 rows, 40 schools, p = 11');
console.log(`  ours REML + Satterthwaite: ${fmt(tSatt)}`);
console.log(`  ours REML + Kenward-Roger: ${fmt(tKr)} (2001 cohort, 3,821 rows: ${fmt(tKr2001)})`);
if (r.status !== 0 || r.error) {
  console.log('  R: Rscript not available or failed; R side skipped');
} else {
  const [rs, rk] = r.stdout.trim().split(/\s+/).map(Number) as [number, number];
  console.log(
    `  lmerTest REML + Satterthwaite: ${fmt(rs)}  ratio ours/R = ${(tSatt / rs).toFixed(2)}`,
  );
  console.log(
    `  lmerTest+pbkrtest KR on the 2001 cohort (3,821 rows): ${fmt(rk)}  ratio ours/R (same rows) = ${(tKr2001 / rk).toFixed(3)}`,
  );
}

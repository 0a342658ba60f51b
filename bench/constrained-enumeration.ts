/**
 * Covariate-constrained randomisation of a HOLF-sized design: score all C(29, 15) = 77,558,760
 * allocations of 29 offices on 5 balance terms (revolving-door enumeration, three passes), keep the
 * best 10 %, and compute the pairwise validity of the 7.7 million accepted schemes.
 *
 * cvcrand is not installed here; when Rscript is, the same Raab–Butcher score is timed in base R
 * (combn + vectorised scoring, as cvcrand's cvrall does) on C(20, 10) = 184,756 schemes and
 * compared with Tiltak on the same problem. Run: node --import tsx bench/constrained-enumeration.ts
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { balanceCovariates } from '../src/design/balance.ts';
import { constrainedSpace } from '../src/design/constrained.ts';
import { pairValidity } from '../src/design/validity.ts';
import { dataFrame } from '../src/stats/data-frame.ts';
import { createRng } from '../src/stats/random.ts';
import { hasRscript } from './lib.ts';

function offices(n: number) {
  const rng = createRng(n);
  return dataFrame({
    size: Float64Array.from({ length: n }, () => 50 + rng.nextInt(400)),
    urban: Array.from({ length: n }, () => ['by', 'land', 'tett'][rng.nextInt(3)]!),
    income: Float64Array.from({ length: n }, () => 250 + 100 * rng.next()),
    immigrant: Float64Array.from({ length: n }, () => rng.next()),
  });
}
const cols = ['size', 'urban', 'income', 'immigrant'];

console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')} on a shared 2-core machine`,
);
const cov = balanceCovariates(offices(29), cols);
let t0 = performance.now();
const space = constrainedSpace(cov, 15, { cutoff: 0.1 }, createRng(1));
const enumSecs = (performance.now() - t0) / 1000;
t0 = performance.now();
const v = pairValidity(space);
const validSecs = (performance.now() - t0) / 1000;
console.log(
  `tiltak: ${space.totalSchemes.toLocaleString('en')} schemes scored on ${cov.p} terms, ${space.count.toLocaleString('en')} accepted: ${enumSecs.toFixed(2)} s; pairwise validity of the accepted space: ${validSecs.toFixed(2)} s (always together ${v.alwaysTogether}, apart ${v.alwaysApart})`,
);

const small = balanceCovariates(offices(20), cols);
t0 = performance.now();
constrainedSpace(small, 10, { cutoff: 0.1 }, createRng(1));
const smallMs = performance.now() - t0;
console.log(`tiltak: C(20, 10) = 184,756 schemes: ${smallMs.toFixed(1)} ms`);
const hasR = hasRscript();
if (!hasR) console.log('R side skipped: Rscript is not installed');
else {
  const x = Array.from(
    { length: small.p },
    (_, j) => `c(${Array.from(small.x.subarray(j * 20, (j + 1) * 20)).join(',')})`,
  ).join(',');
  const script = `X <- cbind(${x}); t <- system.time({ A <- combn(20, 10); S <- ncol(A)
Z <- matrix(0, S, 20); Z[cbind(rep(seq_len(S), each = 10), as.vector(A))] <- 1
d <- (Z %*% X) / 10 - ((1 - Z) %*% X) / 10; B <- as.vector((d^2) %*% (1 / apply(X, 2, var)))
acc <- order(B)[seq_len(floor(0.1 * S))] })[["elapsed"]]; cat(t)`;
  const rSecs = Number(execFileSync('Rscript', ['-e', script], { encoding: 'utf8' }).trim());
  console.log(
    `base R (cvcrand-style vectorised scoring, NOT cvcrand) on C(20, 10): ${(rSecs * 1000).toFixed(1)} ms; ratio R/tiltak ${((rSecs * 1000) / smallMs).toFixed(1)}x`,
  );
}

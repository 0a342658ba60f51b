/**
 * Shared pieces of the benchmarks: timing, and running R beside Tiltak in the same invocation so
 * every benchmark prints a ratio measured on the same machine at the same time.
 */
import { spawnSync } from 'node:child_process';

let rAvailable: boolean | undefined;

/**
 * True when `Rscript` runs here. Benchmarks print that R's side is skipped when it does not.
 *
 * @example
 * if (!hasRscript()) console.log('R side skipped: Rscript is not installed');
 */
export function hasRscript(): boolean {
  rAvailable ??= spawnSync('Rscript', ['--version'], { stdio: 'ignore' }).status === 0;
  return rAvailable;
}

/**
 * Run R code with `Rscript -e` and return its standard output, or null (with the reason printed)
 * when R is absent or the script fails.
 *
 * @example
 * const out = runR('cat(system.time(lm(y ~ x))[["elapsed"]])');
 */
export function runR(code: string, options: { inherit?: boolean } = {}): string | null {
  if (!hasRscript()) {
    console.log('  R: Rscript is not installed; R side skipped');
    return null;
  }
  const r = spawnSync('Rscript', ['-e', code], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.inherit ? ['ignore', 'pipe', 'inherit'] : 'pipe',
  });
  if (r.status !== 0 || r.error) {
    console.log(
      `  R: the R script failed; R side skipped${r.stderr ? `\n${r.stderr.trim()}` : ''}`,
    );
    return null;
  }
  return r.stdout;
}

/**
 * Median wall time in seconds of `runs` calls of `fn` (after one warm-up call).
 *
 * @example
 * const secs = medianSeconds(() => fitOls(input), 7);
 */
export function medianSeconds(fn: () => unknown, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Print one comparison line: ours, the peer's, and how many times faster we are.
 *
 * @example
 * printRatio('CR2 + Satterthwaite', 0.07, 31.2, 'clubSandwich');
 */
export function printRatio(
  what: string,
  oursSeconds: number,
  peerSeconds: number | null,
  peer: string,
): void {
  const ours = `${oursSeconds.toFixed(3)} s`;
  if (peerSeconds === null) {
    console.log(`${what}: Tiltak ${ours}; ${peer} not measured`);
    return;
  }
  const ratio = peerSeconds / oursSeconds;
  console.log(
    `${what}: Tiltak ${ours}, ${peer} ${peerSeconds.toFixed(3)} s -> Tiltak is ${ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`}`,
  );
}

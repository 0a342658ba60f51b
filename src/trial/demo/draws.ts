import type { Rng } from '../../stats/random.ts';

/**
 * A standard normal draw (Box–Muller; `1 - u` keeps the logarithm's argument in (0, 1]).
 *
 * @example
 * const z = normal(createRng(1));
 */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * `k` distinct indices out of `0..n-1`, uniformly (partial Fisher–Yates), in draw order.
 *
 * @example
 * sampleIndices(10, 3, createRng(1)); // e.g. [7, 2, 9]
 */
export function sampleIndices(n: number, k: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.nextInt(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, m);
}

/**
 * An ISO date `days` after `iso`.
 *
 * @example
 * addDays('2016-09-01', 30); // '2016-10-01'
 */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

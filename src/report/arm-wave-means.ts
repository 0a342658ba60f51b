/**
 * Means of an outcome by arm and wave from long-format trial data, with t-based confidence
 * intervals, for the trajectory chart.
 */
import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import { quantileT } from '../stats/inference/distributions.ts';

/**
 * One arm at one wave: the mean and its confidence interval.
 *
 * @example
 * const m: ArmWaveMean = { arm: 'HOLF', wave: 'T2', mean: 15618, low: 14534, high: 16701, n: 412, clusters: 15, df: 14 };
 */
export interface ArmWaveMean {
  arm: string;
  wave: string;
  mean: number;
  low: number;
  high: number;
  /** Families with a value. */
  n: number;
  /** Clusters (offices) with a value. */
  clusters: number;
  /** Degrees of freedom of the t quantile. */
  df: number;
}

/**
 * Options of {@link armWaveMeans}.
 *
 * @example
 * armWaveMeans(data, { outcome: 'employed', cluster: 'office', unit: 'cluster' } satisfies ArmWaveMeansOptions);
 */
export interface ArmWaveMeansOptions {
  outcome: string;
  arm?: string;
  wave?: string;
  cluster?: string;
  level?: number;
  /**
   * `cluster` (default): each office's mean is one observation; the point is the mean of office
   * means and the CI is mean ± t(level, G − 1) · sd(office means) / √G, which respects the cluster
   * design. `family`: the plain mean of family values with mean ± t(level, n − 1) · sd / √n, which
   * ignores clustering and is too narrow when the ICC is positive.
   */
  unit?: 'cluster' | 'family';
}

/**
 * Mean of `outcome` for each arm and wave (rows with a missing outcome left out), with a t-based
 * confidence interval; waves in order of first appearance sorted naturally (T1 < T2 < … < T10).
 *
 * @example
 * const m = armWaveMeans(readCsv('holf-demo.csv'), { outcome: 'income' });
 * m.find((r) => r.arm === 'HOLF' && r.wave === 'T2'); // { mean, low, high, n, clusters, df }
 */
export function armWaveMeans(data: DataFrame, options: ArmWaveMeansOptions): ArmWaveMean[] {
  const armName = options.arm ?? 'arm';
  const waveName = options.wave ?? 'wave';
  const clusterName = options.cluster ?? 'office';
  const level = options.level ?? 0.95;
  const unit = options.unit ?? 'cluster';
  const y = data.columns.get(options.outcome);
  if (y === undefined || y.kind !== 'numeric') {
    throw new TiltakError(
      y === undefined ? 'UNKNOWN_COLUMN' : 'NOT_NUMERIC',
      y === undefined
        ? `the data have no column '${options.outcome}'`
        : `column '${options.outcome}' is not numeric`,
    );
  }
  const col = (name: string) => {
    const c = data.columns.get(name);
    if (c === undefined)
      throw new TiltakError('UNKNOWN_COLUMN', `the data have no column '${name}'`);
    return c;
  };
  const arm = col(armName);
  const wave = col(waveName);
  const cluster = col(clusterName);
  // arm → wave → cluster → [sum, n]
  const cells = new Map<
    string,
    Map<string, Map<string, { sum: number; n: number; values: number[] }>>
  >();
  for (let i = 0; i < data.nrow; i++) {
    const v = y.values[i]!;
    const a = arm.values[i];
    const w = wave.values[i];
    const g = cluster.values[i];
    if (Number.isNaN(v) || a === null || w === null || g === null) continue;
    const byWave = cells.get(String(a)) ?? new Map();
    cells.set(String(a), byWave);
    const byCluster = byWave.get(String(w)) ?? new Map();
    byWave.set(String(w), byCluster);
    const cell = byCluster.get(String(g)) ?? { sum: 0, n: 0, values: [] };
    byCluster.set(String(g), cell);
    cell.sum += v;
    cell.n += 1;
    cell.values.push(v);
  }
  const out: ArmWaveMean[] = [];
  const arms = [...cells.keys()].sort();
  for (const a of arms) {
    const byWave = cells.get(a)!;
    for (const w of [...byWave.keys()].sort(naturalCompare)) {
      const byCluster = byWave.get(w)!;
      const clusterCells = [...byCluster.values()];
      const obs =
        unit === 'cluster'
          ? clusterCells.map((c) => c.sum / c.n)
          : clusterCells.flatMap((c) => c.values);
      const n = clusterCells.reduce((s, c) => s + c.n, 0);
      const k = obs.length;
      const mean = obs.reduce((s, v) => s + v, 0) / k;
      const df = k - 1;
      let half = Number.NaN;
      if (df > 0) {
        const ss = obs.reduce((s, v) => s + (v - mean) ** 2, 0);
        half = quantileT(1 - (1 - level) / 2, df) * Math.sqrt(ss / df / k);
      }
      out.push({
        arm: a,
        wave: w,
        mean,
        low: mean - half,
        high: mean + half,
        n,
        clusters: k === 0 ? 0 : clusterCells.length,
        df,
      });
    }
  }
  return out;
}

/**
 * Compare labels so that embedded numbers sort by value: T2 < T10.
 *
 * @example
 * ['T10', 'T2'].sort(naturalCompare); // ['T2', 'T10']
 */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

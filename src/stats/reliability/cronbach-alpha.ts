import fQuantile from '@stdlib/stats-base-dists-f-quantile';
import { type StatWarning, TiltakError } from '../errors.ts';
import { eigenSymmetricDecreasing } from '../linalg/eigen.ts';
import { estimateRow, type TidyRow } from '../tidy.ts';
import { pairwiseCor } from './pairwise-cov.ts';
import { columnMeanSd, type KeyOptions, prepareItems } from './prepare.ts';
import { smc } from './smc.ts';

/**
 * Options of {@link cronbachAlpha}.
 *
 * @example
 * const opts: AlphaOptions = { keys: ['A1'] };            // reverse A1
 * const same: AlphaOptions = { keys: [-1, 1, 1, 1, 1] };  // the same, by position
 */
export interface AlphaOptions extends KeyOptions {
  /** Level of the Feldt confidence interval for raw alpha (psych: 0.95). */
  readonly confLevel?: number;
}

/**
 * Scale-level statistics, psych's `$total` plus `$var.r` and the Feldt interval (`$feldt`).
 *
 * @example
 * const { rawAlpha, stdAlpha, feldtLower, feldtUpper } = cronbachAlpha(x, n, k, names).total;
 */
export interface AlphaTotal {
  readonly rawAlpha: number;
  readonly stdAlpha: number;
  /** Guttman's lambda 6 from squared multiple correlations, `G6(smc)`. */
  readonly g6: number;
  readonly averageR: number;
  /** Signal-to-noise ratio `S/N` = k r̄ / (1 − r̄). */
  readonly signalNoise: number;
  /** Asymptotic standard error of raw alpha (Duhachek & Iacobucci), psych's `ase`. */
  readonly ase: number;
  /** Mean and SD of the per-person item mean (psych's default `cumulative = FALSE`). */
  readonly mean: number;
  readonly sd: number;
  readonly medianR: number;
  /** Variance of the inter-item correlations. */
  readonly varR: number;
  readonly feldtLower: number;
  readonly feldtUpper: number;
}

/**
 * What the scale would look like without this item: a row of psych's `$alpha.drop`.
 *
 * @example
 * const worst = a.items.filter((it) => it.dropped.rawAlpha > a.total.rawAlpha);
 */
export interface AlphaIfDropped {
  readonly rawAlpha: number;
  readonly stdAlpha: number;
  readonly g6: number;
  readonly averageR: number;
  readonly signalNoise: number;
  /** NaN when there are no more rows than items, or only two items (psych: NA / absent). */
  readonly alphaSe: number;
  readonly varR: number;
  readonly medR: number;
}

/**
 * One item: a row of psych's `$item.stats` and its row of `$alpha.drop`.
 *
 * @example
 * a.items.map((it) => [it.name, it.rDrop, it.dropped.rawAlpha]);
 */
export interface AlphaItem {
  readonly name: string;
  /** +1, or −1 when reverse-keyed. */
  readonly key: number;
  /** Rows where the item is answered. */
  readonly n: number;
  /** Correlation of the item with the total score (`raw.r`). */
  readonly rawR: number;
  /** Item–total correlation from the correlation matrix (`std.r`). */
  readonly stdR: number;
  /** Item–total correlation corrected for overlap and reliability (`r.cor`). */
  readonly rCor: number;
  /** Correlation of the item with the total of the other items (`r.drop`). */
  readonly rDrop: number;
  /** Mean and SD of the item after reverse-keying. */
  readonly mean: number;
  readonly sd: number;
  readonly dropped: AlphaIfDropped;
}

/**
 * The result of {@link cronbachAlpha}.
 *
 * @example
 * const a: AlphaResult = cronbachAlpha(x, n, k, names, { keys: ['A1'] });
 * a.tidy()[0]; // { term: 'raw_alpha', estimate, std_error: ase, conf_low/high: Feldt, ... }
 */
export interface AlphaResult {
  /** Rows in the data, counting those with no answers (psych's `nsub`). */
  readonly nObs: number;
  readonly nItems: number;
  readonly total: AlphaTotal;
  readonly items: readonly AlphaItem[];
  readonly warnings: readonly StatWarning[];
  /** Raw alpha (with ase and Feldt interval) and standardised alpha as broom-style rows. */
  tidy(): TidyRow[];
}

interface Alpha1 {
  raw: number;
  std: number;
  g6: number;
  avR: number;
  sn: number;
  q: number;
  varR: number;
  medR: number;
}

/**
 * Cronbach's alpha with psych's companion statistics, matching `psych::alpha(x, keys = ...)` with its
 * defaults: pairwise-complete covariances (`use = "pairwise"`), totals as the mean of each row's
 * answered items, and no automatic reversal (`check.keys = FALSE`).
 *
 * Differences from psych, on purpose: an item with no variance is an error (`CONSTANT_ITEM`) rather
 * than silently dropped from alpha while still counted in the score; items whose pairs overlap in
 * fewer than two rows are an error (`TOO_FEW_PAIRS`) rather than an SMC patched from other items.
 * Like psych, a warning (`NEGATIVE_ITEM`) is attached when no keys are given and an item loads
 * negatively on the first principal component.
 *
 * @param items column-major n × k responses; NaN marks a missing answer.
 * @example
 * const x = new Float64Array([1, 2, 3, 4, 5, 2, 2, 3, 5, 4, 1, 3, 2, 5, 5]);
 * const a = cronbachAlpha(x, 5, 3, ['q1', 'q2', 'q3']);
 * a.total.rawAlpha; // 0.93939… (psych::alpha gives the same)
 */
export function cronbachAlpha(
  items: Float64Array,
  n: number,
  k: number,
  names: readonly string[],
  options: AlphaOptions = {},
): AlphaResult {
  const { x, keys, c, r } = prepareItems(items, n, k, names, options);
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new TiltakError('BAD_ARGUMENT', `confLevel must be in (0, 1), got ${confLevel}`);
  }
  const warnings: StatWarning[] = [];
  if (options.keys === undefined) {
    const neg = negativeLoadings(r, k);
    if (neg.length > 0) {
      warnings.push({
        code: 'NEGATIVE_ITEM',
        message: `${neg.length === 1 ? 'item' : 'items'} ${neg.map((j) => `'${names[j]}'`).join(', ')} ${neg.length === 1 ? 'correlates' : 'correlate'} negatively with the scale and probably should be reverse-keyed`,
      });
    }
  }

  const all = Array.from({ length: k }, (_, j) => j);
  const tot = alpha1(c, r, k, all);
  const seDenominator = n > k ? n : Number.NaN;
  const dropped: AlphaIfDropped[] = all.map((j) => {
    if (k === 2) {
      // psych's special case for two items: the "scale" left is a single item.
      const r12 = r[1]!;
      return {
        rawAlpha: c[1]! / c[j === 0 ? 3 : 0]!,
        stdAlpha: r12,
        g6: smc(r, 2)[0]!,
        averageR: r12,
        signalNoise: r12 / (1 - r12),
        alphaSe: Number.NaN,
        varR: 0,
        medR: r12,
      };
    }
    const d = alpha1(
      c,
      r,
      k,
      all.filter((i) => i !== j),
    );
    return {
      rawAlpha: d.raw,
      stdAlpha: d.std,
      g6: d.g6,
      averageR: d.avR,
      signalNoise: d.sn,
      alphaSe: Math.sqrt(d.q / seDenominator),
      varR: d.varR,
      medR: d.medR,
    };
  });

  let sumR = 0;
  for (let i = 0; i < k * k; i++) sumR += r[i]!;
  const rc = Float64Array.from(r);
  const smcAll = smc(r, k);
  for (let j = 0; j < k; j++) rc[j * k + j] = smcAll[j]!;
  let sumRc = 0;
  for (let i = 0; i < k * k; i++) sumRc += rc[i]!;
  let sumC = 0;
  for (let i = 0; i < k * k; i++) sumC += c[i]!;

  const total = rowMeans(x, n, k);
  const tstat = columnMeanSd(total);

  const itemRows: AlphaItem[] = all.map((j) => {
    const col = x.subarray(j * n, j * n + n);
    let colR = 0;
    let colRc = 0;
    let colC = 0;
    for (let i = 0; i < k; i++) {
      colR += r[j * k + i]!;
      colRc += rc[j * k + i]!;
      colC += c[j * k + i]!;
    }
    const cjj = c[j * k + j]!;
    const vDrop = sumC - 2 * colC + cjj;
    const ms = columnMeanSd(col);
    return {
      name: names[j]!,
      key: keys[j]!,
      n: ms.count,
      rawR: pairwiseCor(total, col),
      stdR: colR / Math.sqrt(sumR),
      rCor: colRc / Math.sqrt(sumRc),
      rDrop: (colC - cjj) / Math.sqrt(cjj * vDrop),
      mean: ms.mean,
      sd: ms.sd,
      dropped: dropped[j]!,
    };
  });

  const df1 = n - 1;
  const df2 = (n - 1) * (k - 1);
  const half = (1 - confLevel) / 2;
  const totalStats: AlphaTotal = {
    rawAlpha: tot.raw,
    stdAlpha: tot.std,
    g6: tot.g6,
    averageR: tot.avR,
    signalNoise: tot.sn,
    ase: Math.sqrt(tot.q / n),
    mean: tstat.mean,
    sd: tstat.sd,
    medianR: tot.medR,
    varR: tot.varR,
    feldtLower: 1 - (1 - tot.raw) * fQuantile(1 - half, df1, df2),
    feldtUpper: 1 - (1 - tot.raw) * fQuantile(half, df1, df2),
  };

  return {
    nObs: n,
    nItems: k,
    total: totalStats,
    items: itemRows,
    warnings,
    tidy: () => [
      {
        term: 'raw_alpha',
        estimate: totalStats.rawAlpha,
        std_error: totalStats.ase,
        statistic: Number.NaN,
        df: Number.NaN,
        p_value: Number.NaN,
        conf_low: totalStats.feldtLower,
        conf_high: totalStats.feldtUpper,
      },
      estimateRow('std_alpha', totalStats.stdAlpha),
    ],
  };
}

/** psych's internal `alpha.1` on the sub-matrix of `c` and `r` with rows/columns `idx`. */
function alpha1(c: Float64Array, r: Float64Array, k: number, idx: readonly number[]): Alpha1 {
  const p = idx.length;
  const cs = new Float64Array(p * p);
  const rs = new Float64Array(p * p);
  idx.forEach((src, b) => {
    idx.forEach((srcRow, a) => {
      cs[b * p + a] = c[src * k + srcRow]!;
      rs[b * p + a] = r[src * k + srcRow]!;
    });
  });
  let sumC = 0;
  let trC = 0;
  let sumR = 0;
  for (let i = 0; i < p * p; i++) {
    sumC += cs[i]!;
    sumR += rs[i]!;
  }
  for (let j = 0; j < p; j++) trC += cs[j * p + j]!;
  // tr(C %*% C) is the sum of squared entries of a symmetric C; sum(C %*% C) is the sum of squared
  // column sums.
  let trCC = 0;
  let sumCC = 0;
  for (let j = 0; j < p; j++) {
    let col = 0;
    for (let i = 0; i < p; i++) {
      const v = cs[j * p + i]!;
      trCC += v * v;
      col += v;
    }
    sumCC += col * col;
  }
  const raw = (1 - trC / sumC) * (p / (p - 1));
  const std = (1 - p / sumR) * (p / (p - 1));
  let sumSmc = 0;
  for (const s of smc(rs, p)) sumSmc += s;
  const g6 = 1 - (p - sumSmc) / sumR;
  const avR = (sumR - p) / (p * (p - 1));
  const lower: number[] = [];
  for (let j = 0; j < p; j++) for (let i = j + 1; i < p; i++) lower.push(rs[j * p + i]!);
  const q =
    ((2 * p * p) / ((p - 1) ** 2 * sumC ** 3)) * (sumC * (trCC + trC * trC) - 2 * trC * sumCC);
  return {
    raw,
    std,
    g6,
    avR,
    sn: (p * avR) / (1 - avR),
    q,
    varR: sampleVariance(lower),
    medR: median(lower),
  };
}

function sampleVariance(v: readonly number[]): number {
  if (v.length < 2) return Number.NaN;
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function rowMeans(x: Float64Array, n: number, k: number): Float64Array {
  const sum = new Float64Array(n);
  const cnt = new Int32Array(n);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      const v = x[j * n + i]!;
      if (Number.isNaN(v)) continue;
      sum[i]! += v;
      cnt[i]!++;
    }
  }
  for (let i = 0; i < n; i++) sum[i] = cnt[i]! > 0 ? sum[i]! / cnt[i]! : Number.NaN;
  return sum;
}

/** Items with a negative loading on the first principal component, signed as psych signs it. */
function negativeLoadings(r: Float64Array, k: number): number[] {
  const { vectors } = eigenSymmetricDecreasing(r, k);
  const first = vectors.subarray(0, k);
  let s = 0;
  for (const v of first) s += v;
  const sign = s < 0 ? -1 : 1;
  const out: number[] = [];
  for (let j = 0; j < k; j++) if (sign * first[j]! < 0) out.push(j);
  return out;
}

import { TiltakError } from '../errors.ts';

/** Multiple-comparison adjustments, named as R's `p.adjust` names them. */
export type PAdjustMethod = 'holm' | 'BH' | 'bonferroni' | 'none';

/**
 * Adjust p-values for multiple comparisons exactly as R's `p.adjust` does (NaN entries are left
 * out of the count and stay NaN, as R treats NA).
 *
 * - `holm`: step-down, controls the family-wise error rate;
 * - `BH`: Benjamini–Hochberg step-up, controls the false discovery rate;
 * - `bonferroni`: p · m capped at 1.
 *
 * @example
 * pAdjust([0.01, 0.04, 0.03], 'holm'); // [0.03, 0.06, 0.06]
 */
export function pAdjust(p: ArrayLike<number>, method: PAdjustMethod): Float64Array {
  const out = Float64Array.from(p);
  const idx: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (Number.isNaN(v)) continue;
    if (v < 0 || v > 1)
      throw new TiltakError('BAD_P_VALUE', `p-value ${v} at position ${i + 1} is outside [0, 1]`);
    idx.push(i);
  }
  const m = idx.length;
  if (method === 'none' || m <= 1) return out;
  if (method === 'bonferroni') {
    for (const i of idx) out[i] = Math.min(1, out[i]! * m);
    return out;
  }
  const sorted = [...idx].sort((a, b) => p[a]! - p[b]! || a - b);
  if (method === 'holm') {
    let running = 0;
    sorted.forEach((i, k) => {
      running = Math.max(running, Math.min(1, (m - k) * p[i]!));
      out[i] = running;
    });
    return out;
  }
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = sorted[k]!;
    running = Math.min(running, (m / (k + 1)) * p[i]!);
    out[i] = Math.min(1, running);
  }
  return out;
}

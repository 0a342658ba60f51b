/**
 * Auxiliary weight distributions of the wild (cluster) bootstrap: every one has mean 0 and
 * variance 1, so a draw multiplies a cluster's residuals without changing their expected size.
 */
import type { Rng } from '../random.ts';

/** Names of the weight distributions, as fwildclusterboot and boottest spell them. */
export type WildWeights = 'rademacher' | 'webb' | 'mammen';

const SQRT5 = Math.sqrt(5);
const WEBB = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)] as const;
const MAMMEN_LOW = -(SQRT5 - 1) / 2;
const MAMMEN_HIGH = (SQRT5 + 1) / 2;
const MAMMEN_P_LOW = (SQRT5 + 1) / (2 * SQRT5);

/**
 * Fill `out` with one draw of `out.length` independent weights.
 * Rademacher: ±1 with probability 1/2. Webb: the six points ±√1.5, ±1, ±√0.5, each 1/6
 * (Webb 2014; breaks the ties that make Rademacher coarse when clusters are few).
 * Mammen: −(√5−1)/2 with probability (√5+1)/(2√5), else (√5+1)/2 (third moment 1).
 *
 * @example
 * const v = new Float64Array(29);
 * drawWeights('webb', createRng(1), v);
 */
export function drawWeights(kind: WildWeights, rng: Rng, out: Float64Array): void {
  const g = out.length;
  if (kind === 'rademacher') {
    // One 32-bit draw serves 32 clusters: the bits are independent fair coins.
    for (let start = 0; start < g; start += 32) {
      let bits = rng.nextUint32();
      const end = Math.min(g, start + 32);
      for (let i = start; i < end; i++) {
        out[i] = bits & 1 ? 1 : -1;
        bits >>>= 1;
      }
    }
  } else if (kind === 'webb') {
    for (let i = 0; i < g; i++) out[i] = WEBB[rng.nextInt(6)]!;
  } else {
    for (let i = 0; i < g; i++) out[i] = rng.next() < MAMMEN_P_LOW ? MAMMEN_LOW : MAMMEN_HIGH;
  }
}

/**
 * Fill `out` with the `index`-th of the 2^G Rademacher sign vectors: bit g of `index` set gives
 * +1 for cluster g. Used for full enumeration, where the bootstrap p-value is exact.
 *
 * @example
 * const v = new Float64Array(3);
 * enumerateSigns(5, v); // [1, -1, 1]
 */
export function enumerateSigns(index: number, out: Float64Array): void {
  let b = index;
  for (let i = 0; i < out.length; i++) {
    out[i] = b % 2 === 1 ? 1 : -1;
    b = Math.floor(b / 2);
  }
}

/**
 * Validity check of an accepted allocation space (Moulton 2004): a constraint so tight that some
 * pairs of clusters are always in the same arm, or always in opposite arms, leaves the
 * randomisation test without power to separate them and biases its variance. For every pair of
 * clusters we report the share of accepted schemes that put them in the same arm.
 */

/**
 * Pairwise co-assignment summary of a space of packed masks.
 *
 * @example
 * const v = pairValidity({ n: 4, words: 1, count: 2, masks: Uint32Array.from([0b0011, 0b1100]) });
 * v.alwaysTogether; // 2
 */
export interface PairValidity {
  readonly n: number;
  /** n×n symmetric matrix (row-major) of the share of schemes with i and j in the same arm. */
  readonly together: Float64Array;
  readonly alwaysTogether: number;
  readonly alwaysApart: number;
  readonly minShare: number;
  readonly maxShare: number;
  /** Share of schemes treating each cluster. */
  readonly treatedShare: Float64Array;
}

/**
 * Compute {@link PairValidity}. O(count · k²) through the counts of both-treated pairs: together
 * = both treated + both control = T_ij + (count − t_i − t_j + T_ij).
 *
 * @example
 * pairValidity(space).alwaysApart;
 */
export function pairValidity(space: {
  readonly n: number;
  readonly words: number;
  readonly count: number;
  readonly masks: Uint32Array;
}): PairValidity {
  const { n, words, count, masks } = space;
  const both = new Float64Array(n * n);
  const t = new Float64Array(n);
  const set = new Int32Array(n);
  for (let r = 0; r < count; r++) {
    let k = 0;
    for (let w = 0; w < words; w++) {
      let bits = masks[r * words + w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        set[k++] = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
      }
    }
    for (let a = 0; a < k; a++) {
      const i = set[a]!;
      t[i]!++;
      const row = i * n;
      for (let b = a + 1; b < k; b++) both[row + set[b]!]!++;
    }
  }
  const together = new Float64Array(n * n);
  let alwaysTogether = 0;
  let alwaysApart = 0;
  let minShare = 1;
  let maxShare = 0;
  for (let i = 0; i < n; i++) {
    together[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const tij = both[i * n + j]! + both[j * n + i]!;
      const same = (tij + (count - t[i]! - t[j]! + tij)) / count;
      together[i * n + j] = together[j * n + i] = same;
      if (same === 1) alwaysTogether++;
      if (same === 0) alwaysApart++;
      if (same < minShare) minShare = same;
      if (same > maxShare) maxShare = same;
    }
  }
  const treatedShare = Float64Array.from(t, (v) => v / count);
  return { n, together, alwaysTogether, alwaysApart, minShare, maxShare, treatedShare };
}

/**
 * Pure kernels for randomisation inference over cluster allocations.
 *
 * Every statistic handled here has the form
 *   T(z) = Σ_{g treated} aT_g / Σ_{g treated} bT_g − Σ_{g control} aC_g / Σ_{g control} bC_g,
 * with per-cluster constants (aT, bT, aC, bC). Difference in means on rows (a = Σy, b = n),
 * on cluster means (a = ȳ_g, b = 1) and the inverse-probability-weighted difference
 * (a = Σy / p, b = n / p for treated; 1/(1−p) for control) are all of this form, so one kernel
 * that keeps four running sums covers them, and a revolving-door walk updates those sums in O(1)
 * per allocation.
 */

import {
  choose,
  revolvingDoor,
  revolvingDoorStart,
  revolvingDoorStep,
} from '../combinatorics/revolving-door.ts';
import { TiltakError } from '../errors.ts';
import type { Rng } from '../random.ts';

/**
 * Per-cluster constants of the statistic; see the module comment.
 *
 * @example
 * const c: ClusterContrib = { aT, bT, aC, bC }; // four Float64Array of length G
 */
export interface ClusterContrib {
  readonly aT: Float64Array;
  readonly bT: Float64Array;
  readonly aC: Float64Array;
  readonly bC: Float64Array;
}

/**
 * The set of allocations the test ranges over. Cluster g is bit `g & 31` of word `g >>> 5` of a
 * mask; `words = ceil(G / 32)` words per allocation.
 *
 * @example
 * const complete: AllocationSpace = { kind: 'complete', n: 29, k: 15 };
 * const pairs: AllocationSpace = { kind: 'blocked', blockOf: Int32Array.from([0, 0, 1, 1]),
 *   treatedPerBlock: Int32Array.from([1, 1]) };
 */
export type AllocationSpace =
  | { readonly kind: 'complete'; readonly n: number; readonly k: number }
  | {
      readonly kind: 'blocked';
      readonly blockOf: Int32Array;
      readonly treatedPerBlock: Int32Array;
    }
  | {
      readonly kind: 'masks';
      readonly n: number;
      readonly words: number;
      readonly count: number;
      readonly masks: Uint32Array;
    };

/**
 * Progress callback: allocations done so far and in all.
 *
 * @example
 * const onProgress: ProgressFn = (done, total) => bar.update(done / total);
 */
export type ProgressFn = (done: number, total: number) => void;

/**
 * Number of clusters an allocation space covers.
 *
 * @example
 * spaceClusters({ kind: 'complete', n: 7, k: 2 }); // 7
 */
export function spaceClusters(space: AllocationSpace): number {
  if (space.kind === 'blocked') return space.blockOf.length;
  return space.n;
}

/**
 * Number of allocations in a space (exact while below 2^53).
 *
 * @example
 * spaceSize({ kind: 'complete', n: 29, k: 15 }); // 77558760
 */
export function spaceSize(space: AllocationSpace): number {
  if (space.kind === 'complete') return choose(space.n, space.k);
  if (space.kind === 'masks') return space.count;
  const sizes = blockSizes(space);
  let total = 1;
  for (let b = 0; b < sizes.length; b++) total *= choose(sizes[b]!, space.treatedPerBlock[b]!);
  return total;
}

function blockSizes(space: { blockOf: Int32Array; treatedPerBlock: Int32Array }): Int32Array {
  const sizes = new Int32Array(space.treatedPerBlock.length);
  for (let g = 0; g < space.blockOf.length; g++) sizes[space.blockOf[g]!]!++;
  return sizes;
}

/**
 * Statistic for one allocation given as a 0/1 (or boolean-like) vector over clusters.
 *
 * @example
 * statisticFor(contrib, Uint8Array.from([1, 0, 0, 1]));
 */
export function statisticFor(contrib: ClusterContrib, treated: ArrayLike<number>): number {
  let sAT = 0;
  let sBT = 0;
  let sAC = 0;
  let sBC = 0;
  for (let g = 0; g < treated.length; g++) {
    if (treated[g]) {
      sAT += contrib.aT[g]!;
      sBT += contrib.bT[g]!;
    } else {
      sAC += contrib.aC[g]!;
      sBC += contrib.bC[g]!;
    }
  }
  return sAT / sBT - sAC / sBC;
}

/**
 * Count allocations whose |T| is at least `threshold`, over the whole space (exact enumeration).
 * Complete spaces are walked in revolving-door order with O(1) work per allocation; blocked spaces
 * as the product of per-block lists; explicit spaces mask by mask.
 *
 * @example
 * const { extreme, evaluated } = countExtreme(contrib, { kind: 'complete', n: 7, k: 2 }, 6.5);
 */
export function countExtreme(
  contrib: ClusterContrib,
  space: AllocationSpace,
  threshold: number,
  onProgress?: ProgressFn,
): { extreme: number; evaluated: number } {
  if (space.kind === 'complete')
    return countComplete(contrib, space.n, space.k, threshold, onProgress);
  if (space.kind === 'blocked') return countBlocked(contrib, space, threshold, onProgress);
  return countMasks(contrib, space, threshold, onProgress);
}

const PROGRESS_EVERY = 1 << 21;

function countComplete(
  contrib: ClusterContrib,
  n: number,
  k: number,
  thr: number,
  onProgress?: ProgressFn,
): { extreme: number; evaluated: number } {
  const { aT, bT, aC, bC } = contrib;
  let totAC = 0;
  let totBC = 0;
  for (let g = 0; g < n; g++) {
    totAC += aC[g]!;
    totBC += bC[g]!;
  }
  let sAT = 0;
  let sBT = 0;
  let sAC = 0;
  let sBC = 0;
  for (let g = 0; g < k; g++) {
    sAT += aT[g]!;
    sBT += bT[g]!;
    sAC += aC[g]!;
    sBC += bC[g]!;
  }
  const total = choose(n, k);
  let extreme = Math.abs(sAT / sBT - (totAC - sAC) / (totBC - sBC)) >= thr ? 1 : 0;
  let evaluated = 1;
  if (k === 0 || k === n) return { extreme, evaluated };
  // Knuth's Algorithm R one step at a time (no closure: a call per step through a visitor costs
  // several times the arithmetic, and this loop runs 77.6 million times for 29 offices).
  const cc = revolvingDoorStart(n, k);
  const swap = new Int32Array(2);
  let nextReport = PROGRESS_EVERY;
  for (;;) {
    if (!revolvingDoorStep(cc, n, k, swap)) break;
    const out = swap[0]!;
    const into = swap[1]!;
    sAT += aT[into]! - aT[out]!;
    sBT += bT[into]! - bT[out]!;
    sAC += aC[into]! - aC[out]!;
    sBC += bC[into]! - bC[out]!;
    if ((evaluated & 0xffff) === 0) {
      // Resynchronise the running sums so rounding cannot drift across 10^8 updates.
      sAT = sBT = sAC = sBC = 0;
      for (let j = 1; j <= k; j++) {
        const g = cc[j]!;
        sAT += aT[g]!;
        sBT += bT[g]!;
        sAC += aC[g]!;
        sBC += bC[g]!;
      }
    }
    const t = sAT / sBT - (totAC - sAC) / (totBC - sBC);
    if (t >= thr || -t >= thr) extreme++;
    if (++evaluated === nextReport) {
      nextReport += PROGRESS_EVERY;
      onProgress?.(evaluated, total);
    }
  }
  onProgress?.(evaluated, total);
  return { extreme, evaluated };
}

/** Per-block list of the four treated-minus-nothing sums for each within-block subset. */
function blockLists(
  c: ClusterContrib,
  space: { blockOf: Int32Array; treatedPerBlock: Int32Array },
): Float64Array[] {
  const nb = space.treatedPerBlock.length;
  const members: number[][] = Array.from({ length: nb }, () => []);
  for (let g = 0; g < space.blockOf.length; g++) members[space.blockOf[g]!]!.push(g);
  const lists: Float64Array[] = [];
  for (let b = 0; b < nb; b++) {
    const m = members[b]!;
    const k = space.treatedPerBlock[b]!;
    const size = choose(m.length, k);
    if (size > 2e7) {
      throw new TiltakError(
        'TOO_MANY_ALLOCATIONS',
        `block ${b + 1} alone has ${size} allocations, too many to list; sample with draws`,
      );
    }
    const list = new Float64Array(4 * size);
    let sAT = 0;
    let sBT = 0;
    let sAC = 0;
    let sBC = 0;
    for (let i = 0; i < k; i++) {
      const g = m[i]!;
      sAT += c.aT[g]!;
      sBT += c.bT[g]!;
      sAC += c.aC[g]!;
      sBC += c.bC[g]!;
    }
    list[0] = sAT;
    list[1] = sBT;
    list[2] = sAC;
    list[3] = sBC;
    let pos = 4;
    revolvingDoor(m.length, k, (out, into) => {
      const go = m[out]!;
      const gi = m[into]!;
      sAT += c.aT[gi]! - c.aT[go]!;
      sBT += c.bT[gi]! - c.bT[go]!;
      sAC += c.aC[gi]! - c.aC[go]!;
      sBC += c.bC[gi]! - c.bC[go]!;
      list[pos++] = sAT;
      list[pos++] = sBT;
      list[pos++] = sAC;
      list[pos++] = sBC;
    });
    lists.push(list);
  }
  return lists;
}

function countBlocked(
  c: ClusterContrib,
  space: { blockOf: Int32Array; treatedPerBlock: Int32Array },
  thr: number,
  onProgress?: ProgressFn,
): { extreme: number; evaluated: number } {
  let totAC = 0;
  let totBC = 0;
  for (let g = 0; g < space.blockOf.length; g++) {
    totAC += c.aC[g]!;
    totBC += c.bC[g]!;
  }
  // The largest list goes innermost, so the per-allocation work is one plain loop iteration.
  const lists = blockLists(c, space).sort((x, y) => x.length - y.length);
  const total = lists.reduce((p, l) => p * (l.length / 4), 1);
  const inner = lists[lists.length - 1]!;
  const outer = lists.slice(0, -1);
  let extreme = 0;
  let evaluated = 0;
  let nextReport = PROGRESS_EVERY;
  const walk = (level: number, pAT: number, pBT: number, pAC: number, pBC: number): void => {
    if (level === outer.length) {
      for (let i = 0; i < inner.length; i += 4) {
        const sAC = pAC + inner[i + 2]!;
        const sBC = pBC + inner[i + 3]!;
        const t = (pAT + inner[i]!) / (pBT + inner[i + 1]!) - (totAC - sAC) / (totBC - sBC);
        if (t >= thr || -t >= thr) extreme++;
      }
      evaluated += inner.length / 4;
      if (evaluated >= nextReport) {
        nextReport = evaluated + PROGRESS_EVERY;
        onProgress?.(evaluated, total);
      }
      return;
    }
    const l = outer[level]!;
    for (let i = 0; i < l.length; i += 4) {
      walk(level + 1, pAT + l[i]!, pBT + l[i + 1]!, pAC + l[i + 2]!, pBC + l[i + 3]!);
    }
  };
  walk(0, 0, 0, 0, 0);
  onProgress?.(evaluated, total);
  return { extreme, evaluated };
}

function countMasks(
  c: ClusterContrib,
  space: { n: number; words: number; count: number; masks: Uint32Array },
  thr: number,
  onProgress?: ProgressFn,
): { extreme: number; evaluated: number } {
  const { words, count, masks } = space;
  let totAC = 0;
  let totBC = 0;
  for (let g = 0; g < space.n; g++) {
    totAC += c.aC[g]!;
    totBC += c.bC[g]!;
  }
  let extreme = 0;
  for (let r = 0; r < count; r++) {
    let sAT = 0;
    let sBT = 0;
    let sAC = 0;
    let sBC = 0;
    for (let w = 0; w < words; w++) {
      let bits = masks[r * words + w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const g = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
        sAT += c.aT[g]!;
        sBT += c.bT[g]!;
        sAC += c.aC[g]!;
        sBC += c.bC[g]!;
      }
    }
    const t = sAT / sBT - (totAC - sAC) / (totBC - sBC);
    if (t >= thr || -t >= thr) extreme++;
    if (onProgress && (r & (PROGRESS_EVERY - 1)) === 0) onProgress(r, count);
  }
  onProgress?.(count, count);
  return { extreme, evaluated: count };
}

/**
 * Draw `draws` allocations from a space with replacement (as ri2 does), as packed masks.
 *
 * @example
 * const { masks, words } = sampleAllocations({ kind: 'complete', n: 29, k: 15 }, 1000, createRng(1));
 */
export function sampleAllocations(
  space: AllocationSpace,
  draws: number,
  rng: Rng,
): { masks: Uint32Array; words: number } {
  const n = spaceClusters(space);
  const words = Math.max(1, Math.ceil(n / 32));
  const masks = new Uint32Array(draws * words);
  if (space.kind === 'masks') {
    for (let r = 0; r < draws; r++) {
      const pick = rng.nextInt(space.count);
      for (let w = 0; w < words; w++) masks[r * words + w] = space.masks[pick * words + w]!;
    }
    return { masks, words };
  }
  const groups: Int32Array[] = [];
  const ks: number[] = [];
  if (space.kind === 'complete') {
    groups.push(Int32Array.from({ length: n }, (_, i) => i));
    ks.push(space.k);
  } else {
    const nb = space.treatedPerBlock.length;
    const members: number[][] = Array.from({ length: nb }, () => []);
    for (let g = 0; g < n; g++) members[space.blockOf[g]!]!.push(g);
    for (let b = 0; b < nb; b++) {
      groups.push(Int32Array.from(members[b]!));
      ks.push(space.treatedPerBlock[b]!);
    }
  }
  for (let r = 0; r < draws; r++) {
    for (let b = 0; b < groups.length; b++) {
      const perm = groups[b]!;
      const k = ks[b]!;
      // Partial Fisher–Yates: the first k slots become a uniform k-subset whatever the start order.
      for (let i = 0; i < k; i++) {
        const j = i + rng.nextInt(perm.length - i);
        const tmp = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = tmp;
        const g = perm[i]!;
        masks[r * words + (g >>> 5)]! |= 1 << (g & 31);
      }
    }
  }
  return { masks, words };
}

/**
 * Revolving-door enumeration of k-subsets (Knuth, TAOCP 7.2.1.3, Algorithm R). Consecutive
 * subsets differ by exactly one element leaving and one entering, so a caller that keeps running
 * sums over the chosen elements updates them in O(1) per subset instead of O(k).
 */

/**
 * Called once per transition with the element that leaves and the element that enters the subset.
 * The first subset, {0, …, k−1}, is implied and not reported.
 *
 * @example
 * const visit: SwapVisitor = (out, into) => { sum += y[into] - y[out]; };
 */
export type SwapVisitor = (out: number, into: number) => void;

/**
 * Walk all C(n, k) subsets of {0, …, n−1} in revolving-door order, starting at {0, …, k−1}.
 * `visit` is called C(n, k) − 1 times, once per swap.
 *
 * @example
 * const set = new Set([0, 1]);
 * revolvingDoor(4, 2, (out, into) => { set.delete(out); set.add(into); });
 */
export function revolvingDoor(n: number, k: number, visit: SwapVisitor): void {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`revolvingDoor needs integers 0 <= k <= n, got n=${n}, k=${k}`);
  }
  if (k === 0 || k === n) return;
  const c = revolvingDoorStart(n, k);
  const swap = new Int32Array(2);
  while (revolvingDoorStep(c, n, k, swap)) visit(swap[0]!, swap[1]!);
}

/**
 * The state of a revolving-door walk at its first subset {0, …, k−1}, for
 * {@link revolvingDoorStep}: c[1..k] hold the subset in increasing order, c[k+1] = n and
 * c[k+2] = 0 are sentinels so that the final failed R5 test terminates without reading past the
 * array.
 *
 * @example
 * const c = revolvingDoorStart(5, 2); // c[1] = 0, c[2] = 1
 */
export function revolvingDoorStart(n: number, k: number): Int32Array {
  const c = new Int32Array(k + 3);
  for (let j = 1; j <= k; j++) c[j] = j - 1;
  c[k + 1] = n;
  c[k + 2] = 0;
  return c;
}

/**
 * Advance the walk `c` (from {@link revolvingDoorStart}, 0 < k < n) to the next subset, writing
 * the element that leaves to `swap[0]` and the one that enters to `swap[1]`; false once all
 * C(n, k) subsets have been visited. It allocates nothing and takes no callback, so kernels that
 * keep running sums over 10^8 subsets can call it in their own loop: a visitor closure per step
 * would cost several times their arithmetic.
 *
 * @example
 * const c = revolvingDoorStart(n, k);
 * const swap = new Int32Array(2);
 * while (revolvingDoorStep(c, n, k, swap)) sum += y[swap[1]!]! - y[swap[0]!]!;
 */
export function revolvingDoorStep(c: Int32Array, n: number, k: number, swap: Int32Array): boolean {
  const c1 = c[1]!;
  if (k === 1) {
    if (c1 + 1 >= n) return false;
    c[1] = c1 + 1;
    swap[0] = c1;
    swap[1] = c1 + 1;
    return true;
  }
  const odd = (k & 1) === 1;
  if (odd && c1 + 1 < c[2]!) {
    c[1] = c1 + 1;
    swap[0] = c1;
    swap[1] = c1 + 1;
    return true;
  }
  if (!odd && c1 > 0) {
    c[1] = c1 - 1;
    swap[0] = c1;
    swap[1] = c1 - 1;
    return true;
  }
  let j = 2;
  let tryDecrease = odd;
  while (j <= k) {
    if (tryDecrease) {
      const cj = c[j]!;
      if (cj >= j) {
        c[j] = c[j - 1]!;
        c[j - 1] = j - 2;
        swap[0] = cj;
        swap[1] = j - 2;
        return true;
      }
      j++;
    }
    const cj = c[j]!;
    if (cj + 1 < c[j + 1]!) {
      swap[0] = c[j - 1]!;
      c[j - 1] = cj;
      c[j] = cj + 1;
      swap[1] = cj + 1;
      return true;
    }
    j++;
    tryDecrease = true;
  }
  return false;
}

/**
 * Binomial coefficient C(n, k) as a double; exact while the result is below 2^53.
 *
 * @example
 * choose(29, 15); // 77558760
 */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= kk; i++) r = (r * (n - kk + i)) / i;
  return Math.round(r);
}

/**
 * Seeded pseudo-random numbers. Domain code never calls `Math.random`: every random draw goes
 * through an {@link Rng} created from an explicit seed, so runs are reproducible and auditable.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32. It is fast on
 * 32-bit integer arithmetic, which matters in bootstrap and randomisation loops.
 */
export interface Rng {
  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n) without modulo bias. */
  nextInt(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Create a seeded generator. Seeds are integers; non-integer or huge seeds are folded to 32 bits
 * together with their high part so that distinct safe integers give distinct streams.
 *
 * @example
 * const rng = createRng(20160101);
 * const u = rng.next();        // in [0, 1)
 * const k = rng.nextInt(29);   // 0..28
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const hi = Math.floor(Math.abs(seed) / 2 ** 32) >>> 0;
  const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
  const s = new Uint32Array([sm(), sm(), sm(), sm()]);
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
  const next = (): number => {
    const a = nextUint32() >>> 5;
    const b = nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };
  const nextInt = (n: number): number => {
    if (!(n >= 1) || !Number.isInteger(n))
      throw new RangeError(`nextInt needs a positive integer, got ${n}`);
    if (n <= 2 ** 32) {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const v = nextUint32();
        if (v < limit) return v % n;
      }
    }
    return Math.floor(next() * n);
  };
  return { next, nextUint32, nextInt };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Fisher–Yates shuffle of `arr` in place, driven by `rng`.
 *
 * @example
 * shuffleInPlace([1, 2, 3, 4], createRng(1));
 */
export function shuffleInPlace<T>(arr: T[] | Int32Array | Float64Array, rng: Rng): void {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = tmp;
  }
}

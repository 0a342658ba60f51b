import { expect } from 'vitest';

/**
 * Assert |actual - expected| <= tol * max(|expected|, floor): relative error with an absolute
 * floor, so values near zero are compared absolutely.
 *
 * @example
 * expectClose(0.1 + 0.2, 0.3, 1e-12, 'sum');
 */
export function expectClose(
  actual: number,
  expected: number,
  tol: number,
  what: string,
  floor = 1,
): void {
  if (expected === null || (Number.isNaN(expected) && Number.isNaN(actual))) return;
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
  if (!(err <= tol)) {
    throw new Error(
      `${what}: got ${actual}, R gives ${expected} (relative error ${err.toExponential(2)} > ${tol})`,
    );
  }
}

/** Worst relative error of `a` against `b` (with a floor of 1e-300 on |b|). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const err = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-300);
    if (err > worst) worst = err;
  }
  return worst;
}

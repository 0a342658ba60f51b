/**
 * Small dense kernels on column-major `Float64Array` matrices. They serve p x p and n_g x p
 * blocks inside the estimators, so they favour clarity and contiguous inner loops over blocking.
 */
import { TiltakError } from '../errors.ts';

/**
 * C = A' B for A (n x p) and B (n x q), both column-major; C is p x q.
 *
 * @example
 * const xtx = crossprod(x, x, n, p, p);
 */
export function crossprod(
  a: Float64Array,
  b: Float64Array,
  n: number,
  p: number,
  q: number,
): Float64Array {
  const c = new Float64Array(p * q);
  for (let j = 0; j < q; j++) {
    const bj = j * n;
    for (let i = 0; i < p; i++) {
      const ai = i * n;
      let s = 0;
      for (let r = 0; r < n; r++) s += a[ai + r]! * b[bj + r]!;
      c[j * p + i] = s;
    }
  }
  return c;
}

/**
 * C = A B for A (m x k) and B (k x q), column-major.
 *
 * @example
 * const c = matmul(a, b, 2, 2, 2);
 */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  q: number,
): Float64Array {
  const c = new Float64Array(m * q);
  for (let j = 0; j < q; j++) {
    for (let l = 0; l < k; l++) {
      const blj = b[j * k + l]!;
      if (blj === 0) continue;
      const al = l * m;
      const cj = j * m;
      for (let i = 0; i < m; i++) c[cj + i]! += a[al + i]! * blj;
    }
  }
  return c;
}

/**
 * Lower Cholesky factor L (A = L L') of a symmetric positive definite p x p matrix.
 * Throws `NOT_POSITIVE_DEFINITE` when a pivot is not positive.
 *
 * @example
 * const l = choleskyLower(new Float64Array([4, 2, 2, 3]), 2);
 */
export function choleskyLower(a: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j]!;
    for (let k = 0; k < j; k++) s -= l[k * p + j]! ** 2;
    if (!(s > 0)) {
      throw new TiltakError(
        'NOT_POSITIVE_DEFINITE',
        `matrix is not positive definite at pivot ${j + 1} (value ${s})`,
      );
    }
    const d = Math.sqrt(s);
    l[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let t = a[j * p + i]!;
      for (let k = 0; k < j; k++) t -= l[k * p + i]! * l[k * p + j]!;
      l[j * p + i] = t / d;
    }
  }
  return l;
}

/**
 * Inverse of a symmetric positive definite p x p matrix through its Cholesky factor.
 *
 * @example
 * const inv = invertSpd(new Float64Array([4, 2, 2, 3]), 2);
 */
export function invertSpd(a: Float64Array, p: number): Float64Array {
  const l = choleskyLower(a, p);
  // Solve L Y = I, then A^{-1} = Y' Y.
  const y = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    for (let i = c; i < p; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[k * p + i]! * y[c * p + k]!;
      y[c * p + i] = s / l[i * p + i]!;
    }
  }
  const out = new Float64Array(p * p);
  for (let a1 = 0; a1 < p; a1++) {
    for (let b1 = a1; b1 < p; b1++) {
      let s = 0;
      for (let k = b1; k < p; k++) s += y[a1 * p + k]! * y[b1 * p + k]!;
      out[b1 * p + a1] = s;
      out[a1 * p + b1] = s;
    }
  }
  return out;
}

/**
 * Solve A x = b for a symmetric positive definite A (p x p) and one right-hand side.
 *
 * @example
 * const x = solveSpd(new Float64Array([4, 2, 2, 3]), new Float64Array([1, 1]), 2);
 */
export function solveSpd(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = choleskyLower(a, p);
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[k * p + i]! * z[k]!;
    z[i] = s / l[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= l[i * p + k]! * z[k]!;
    z[i] = s / l[i * p + i]!;
  }
  return z;
}

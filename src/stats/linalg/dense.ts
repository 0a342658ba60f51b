/**
 * Small dense kernels on column-major `Float64Array` matrices. They serve p x p and n_g x p
 * blocks inside the estimators and the mixed-model engine (fixed effects, one cluster's random
 * effects, the crossed-factor Schur block), so they favour contiguous inner loops over blocking.
 * The `(array, offset, k)` kernels work in place on blocks of a larger buffer and allocate nothing.
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
  const l = a.slice(0, p * p);
  const j = choleskyFailedPivot(l, 0, p);
  if (j >= 0) {
    // Columns before j hold L and column j is untouched, so the failed pivot is recomputed exactly.
    let s = l[j * p + j]!;
    for (let k = 0; k < j; k++) s -= l[k * p + j]! ** 2;
    throw new TiltakError(
      'NOT_POSITIVE_DEFINITE',
      `matrix is not positive definite at pivot ${j + 1} (value ${s})`,
    );
  }
  return l;
}

/**
 * In-place lower Cholesky factor of the symmetric positive definite `k x k` matrix `a` stored at
 * offset `off` (column-major; only the lower triangle is read, the upper triangle is zeroed).
 * Returns false when a pivot is not positive. Allocates nothing, for the mixed-model hot loop.
 *
 * @example
 * const a = new Float64Array([4, 2, 2, 3]);
 * cholInPlace(a, 0, 2); // a = [2, 1, 0, sqrt(2)]
 */
export function cholInPlace(a: Float64Array, off: number, k: number): boolean {
  return choleskyFailedPivot(a, off, k) < 0;
}

/**
 * {@link cholInPlace} reporting where it failed: -1 when `a` is positive definite, else the index
 * of the first pivot that is not positive (columns before it then hold L, it and later columns are
 * untouched).
 *
 * @example
 * choleskyFailedPivot(new Float64Array([1, 2, 2, 1]), 0, 2); // 1
 */
export function choleskyFailedPivot(a: Float64Array, off: number, k: number): number {
  for (let j = 0; j < k; j++) {
    const cj = off + j * k;
    let d = a[cj + j]!;
    for (let l = 0; l < j; l++) {
      const v = a[off + l * k + j]!;
      d -= v * v;
    }
    if (!(d > 0)) return j;
    d = Math.sqrt(d);
    a[cj + j] = d;
    for (let i = j + 1; i < k; i++) {
      let s = a[cj + i]!;
      for (let l = 0; l < j; l++) s -= a[off + l * k + i]! * a[off + l * k + j]!;
      a[cj + i] = s / d;
    }
    for (let i = 0; i < j; i++) a[cj + i] = 0;
  }
  return -1;
}

/**
 * Solve `L X = B` in place for lower-triangular `L` (`k x k` at `lOff`) and `B` with `ncol`
 * columns of length `k` (column stride `k`) at `bOff`.
 *
 * @example
 * forwardSolve(l, 0, 2, b, 0, 1);
 */
export function forwardSolve(
  l: Float64Array,
  lOff: number,
  k: number,
  b: Float64Array,
  bOff: number,
  ncol: number,
): void {
  for (let c = 0; c < ncol; c++) {
    const o = bOff + c * k;
    for (let i = 0; i < k; i++) {
      let s = b[o + i]!;
      for (let m = 0; m < i; m++) s -= l[lOff + m * k + i]! * b[o + m]!;
      b[o + i] = s / l[lOff + i * k + i]!;
    }
  }
}

/**
 * Solve `L' X = B` in place for lower-triangular `L`; see {@link forwardSolve}.
 *
 * @example
 * backSolveT(l, 0, 2, b, 0, 1);
 */
export function backSolveT(
  l: Float64Array,
  lOff: number,
  k: number,
  b: Float64Array,
  bOff: number,
  ncol: number,
): void {
  for (let c = 0; c < ncol; c++) {
    const o = bOff + c * k;
    for (let i = k - 1; i >= 0; i--) {
      let s = b[o + i]!;
      for (let m = i + 1; m < k; m++) s -= l[lOff + i * k + m]! * b[o + m]!;
      b[o + i] = s / l[lOff + i * k + i]!;
    }
  }
}

/**
 * Inverse of a symmetric positive definite p x p matrix through its Cholesky factor.
 *
 * @example
 * const inv = invertSpd(new Float64Array([4, 2, 2, 3]), 2);
 */
export function invertSpd(a: Float64Array, p: number): Float64Array {
  const l = choleskyLower(a, p);
  // Solve L Y = I, then A^{-1} = Y' Y (exactly symmetric, unlike the two solves of invSpd).
  const y = new Float64Array(p * p);
  for (let c = 0; c < p; c++) y[c * p + c] = 1;
  forwardSolve(l, 0, p, y, 0, p);
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
  const z = b.slice(0, p);
  forwardSolve(l, 0, p, z, 0, 1);
  backSolveT(l, 0, p, z, 0, 1);
  return z;
}

/**
 * Inverse of a symmetric positive definite matrix, or null when it is not positive definite.
 *
 * @example
 * invSpd(new Float64Array([4, 0, 0, 2]), 2); // [0.25, 0, 0, 0.5]
 */
export function invSpd(a: Float64Array, k: number): Float64Array | null {
  const l = Float64Array.from(a);
  if (!cholInPlace(l, 0, k)) return null;
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  forwardSolve(l, 0, k, inv, 0, k);
  backSolveT(l, 0, k, inv, 0, k);
  return inv;
}

/**
 * Inverse of a general square matrix by Gauss–Jordan with partial pivoting; null when singular.
 *
 * @example
 * invGeneral(new Float64Array([0, 1, 1, 0]), 2); // [0, 1, 1, 0]
 */
export function invGeneral(a: Float64Array, k: number): Float64Array | null {
  return gaussJordanInverse(a, k, true);
}

/**
 * Inverse of a small symmetric matrix by Gauss–Jordan on the diagonal pivots, without pivoting;
 * null as soon as a pivot is not positive, which is how a Newton step learns that its Hessian is
 * not positive definite.
 *
 * @example
 * invPositivePivots(new Float64Array([4, 0, 0, 2]), 2); // [0.25, 0, 0, 0.5]
 */
export function invPositivePivots(a: Float64Array, k: number): Float64Array | null {
  return gaussJordanInverse(a, k, false);
}

function gaussJordanInverse(
  a: Float64Array,
  k: number,
  partialPivoting: boolean,
): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let pv: number;
    if (partialPivoting) {
      let piv = c;
      for (let r = c + 1; r < k; r++)
        if (Math.abs(m[c * k + r]!) > Math.abs(m[c * k + piv]!)) piv = r;
      pv = m[c * k + piv]!;
      if (pv === 0 || !Number.isFinite(pv)) return null;
      if (piv !== c) {
        for (let j = 0; j < k; j++) {
          let t = m[j * k + c]!;
          m[j * k + c] = m[j * k + piv]!;
          m[j * k + piv] = t;
          t = inv[j * k + c]!;
          inv[j * k + c] = inv[j * k + piv]!;
          inv[j * k + piv] = t;
        }
      }
    } else {
      pv = m[c * k + c]!;
      if (!(pv > 0)) return null;
    }
    for (let j = 0; j < k; j++) {
      m[j * k + c]! /= pv;
      inv[j * k + c]! /= pv;
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[c * k + r]!;
      if (f === 0) continue;
      for (let j = 0; j < k; j++) {
        m[j * k + r]! -= f * m[j * k + c]!;
        inv[j * k + r]! -= f * inv[j * k + c]!;
      }
    }
  }
  return inv;
}

/**
 * Quadratic form `a' M b` for a `k x k` column-major `M`.
 *
 * @example
 * qform(new Float64Array([1, 0]), m, new Float64Array([1, 0]), 2); // m[0]
 */
export function qform(a: Float64Array, m: Float64Array, b: Float64Array, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) {
    const bj = b[j]!;
    if (bj === 0) continue;
    let t = 0;
    for (let i = 0; i < k; i++) t += a[i]! * m[j * k + i]!;
    s += t * bj;
  }
  return s;
}

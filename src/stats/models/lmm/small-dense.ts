/**
 * Small dense kernels for the mixed-model engine: column-major `Float64Array` matrices of a few
 * dozen rows (fixed effects, one cluster's random effects, the crossed-factor Schur block).
 * Kept local so that the LMM hot loop does not depend on the layout choices of other modules.
 */

/**
 * In-place lower Cholesky factor of the symmetric positive definite `k x k` matrix `a`
 * (column-major; only the lower triangle is read, the upper triangle is zeroed).
 * Returns false when a pivot is not positive.
 *
 * @example
 * const a = new Float64Array([4, 2, 2, 3]);
 * cholInPlace(a, 0, 2); // a = [2, 1, 0, sqrt(2)]
 */
export function cholInPlace(a: Float64Array, off: number, k: number): boolean {
  for (let j = 0; j < k; j++) {
    const cj = off + j * k;
    let d = a[cj + j]!;
    for (let l = 0; l < j; l++) {
      const v = a[off + l * k + j]!;
      d -= v * v;
    }
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[cj + j] = d;
    for (let i = j + 1; i < k; i++) {
      let s = a[cj + i]!;
      for (let l = 0; l < j; l++) s -= a[off + l * k + i]! * a[off + l * k + j]!;
      a[cj + i] = s / d;
    }
    for (let i = 0; i < j; i++) a[cj + i] = 0;
  }
  return true;
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
  const m = Float64Array.from(a);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++)
      if (Math.abs(m[c * k + r]!) > Math.abs(m[c * k + piv]!)) piv = r;
    const pv = m[c * k + piv]!;
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
 * Eigen-decomposition of a symmetric matrix: values in decreasing order, vectors as columns.
 *
 * @example
 * const { values, vectors } = symEigen(a, 3);
 */
export interface SmallEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Cyclic Jacobi eigen-decomposition of a small symmetric matrix, eigenvalues sorted decreasing
 * (as R's `eigen`), which the Satterthwaite F test and the Hessian check need.
 *
 * @example
 * symEigen(new Float64Array([2, 1, 1, 2]), 2).values; // [3, 1]
 */
export function symEigen(a: Float64Array, k: number): SmallEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let j = 0; j < k; j++) for (let i = 0; i < j; i++) off += m[j * k + i]! ** 2;
    if (off < 1e-30 * (1 + frob(m))) break;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[q * k + p]!;
        if (apq === 0) continue;
        const app = m[p * k + p]!;
        const aqq = m[q * k + q]!;
        const tau = (aqq - app) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[p * k + r]!;
          const mrq = m[q * k + r]!;
          m[p * k + r] = c * mrp - s * mrq;
          m[q * k + r] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[r * k + p]!;
          const mqr = m[r * k + q]!;
          m[r * k + p] = c * mpr - s * mqr;
          m[r * k + q] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[p * k + r]!;
          const vrq = v[q * k + r]!;
          v[p * k + r] = c * vrp - s * vrq;
          v[q * k + r] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort(
    (x, y) => m[y * k + y]! - m[x * k + x]!,
  );
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    values[dst] = m[src * k + src]!;
    for (let r = 0; r < k; r++) vectors[dst * k + r] = v[src * k + r]!;
  });
  return { values, vectors };
}

function frob(m: Float64Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i]! * m[i]!;
  return s;
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

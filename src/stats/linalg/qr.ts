/**
 * Householder QR with R's limited column pivoting (LINPACK `dqrdc2`), the decomposition behind
 * `lm.fit` and `glm.fit`. A column whose norm, after removing the earlier columns, falls below
 * `tol` times its original norm is moved to the end, so the LATER of two collinear columns is the
 * one aliased — exactly the choice R makes, which keeps our coefficient names and NAs identical.
 */

/**
 * Compact QR of an n x p column-major matrix as `dqrdc2` leaves it.
 *
 * @example
 * const d: QrDecomposition = qrDqrdc2(x, n, p);
 * if (d.rank < p) console.log('aliased:', Array.from(d.pivot.subarray(d.rank)));
 */
export interface QrDecomposition {
  /** n x p column-major: R on and above the diagonal, Householder vectors below. */
  readonly qr: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Numerical rank: the first `rank` pivoted columns are estimable. */
  readonly rank: number;
  /** Householder scalars, one per column. */
  readonly qraux: Float64Array;
  /** 0-based original column index of each pivoted position. */
  readonly pivot: Int32Array;
}

function norm2(a: Float64Array, from: number, len: number): number {
  // Scaled like BLAS dnrm2 so very large or small columns neither overflow nor underflow.
  let scale = 0;
  let ssq = 1;
  for (let i = from; i < from + len; i++) {
    const v = a[i]!;
    if (v !== 0) {
      const av = Math.abs(v);
      if (scale < av) {
        ssq = 1 + ssq * (scale / av) ** 2;
        scale = av;
      } else ssq += (av / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}

/**
 * Decompose `x` (n x p, column-major; not modified) as R's `qr(x, LAPACK = FALSE, tol)` does.
 *
 * @example
 * const d = qrDqrdc2(new Float64Array([1, 1, 1, 1, 2, 3]), 3, 2);
 * d.rank; // 2
 */
export function qrDqrdc2(x: Float64Array, n: number, p: number, tol = 1e-7): QrDecomposition {
  const a = Float64Array.from(x);
  const qraux = new Float64Array(p);
  const work0 = new Float64Array(p);
  const work1 = new Float64Array(p);
  const pivot = new Int32Array(p);
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    pivot[j] = j;
    const nrm = norm2(a, j * n, n);
    qraux[j] = nrm;
    work0[j] = nrm;
    work1[j] = nrm === 0 ? 1 : nrm;
  }
  const lup = Math.min(n, p);
  let k = p + 1; // 1-based as in the Fortran, so the cycling test reads the same
  for (let l = 0; l < lup; l++) {
    // Cycle negligible columns to the end; `l + 1 < k` prevents endless cycling.
    while (l + 1 < k && qraux[l]! < work1[l]! * tol) {
      col.set(a.subarray(l * n, l * n + n));
      a.copyWithin(l * n, (l + 1) * n, p * n);
      a.set(col, (p - 1) * n);
      const i = pivot[l]!;
      const t = qraux[l]!;
      const tt = work0[l]!;
      const ttt = work1[l]!;
      for (let j = l + 1; j < p; j++) {
        pivot[j - 1] = pivot[j]!;
        qraux[j - 1] = qraux[j]!;
        work0[j - 1] = work0[j]!;
        work1[j - 1] = work1[j]!;
      }
      pivot[p - 1] = i;
      qraux[p - 1] = t;
      work0[p - 1] = tt;
      work1[p - 1] = ttt;
      k--;
    }
    if (l === n - 1) break;
    const ll = l * n + l;
    let nrmxl = norm2(a, ll, n - l);
    if (nrmxl === 0) continue;
    if (a[ll] !== 0) nrmxl = Math.sign(a[ll]!) * Math.abs(nrmxl);
    for (let i = ll; i < l * n + n; i++) a[i]! /= nrmxl;
    a[ll] = 1 + a[ll]!;
    for (let j = l + 1; j < p; j++) {
      const lj = j * n + l;
      let dot = 0;
      for (let i = 0; i < n - l; i++) dot += a[ll + i]! * a[lj + i]!;
      const t = -dot / a[ll]!;
      for (let i = 0; i < n - l; i++) a[lj + i]! += t * a[ll + i]!;
      if (qraux[j] === 0) continue;
      const tt = Math.max(1 - (Math.abs(a[lj]!) / qraux[j]!) ** 2, 0);
      if (Math.abs(tt) < 1e-6) {
        qraux[j] = norm2(a, lj + 1, n - l - 1);
        work0[j] = qraux[j]!;
      } else qraux[j] = qraux[j]! * Math.sqrt(tt);
    }
    qraux[l] = a[ll]!;
    a[ll] = -nrmxl;
  }
  const rank = Math.min(k - 1, n);
  return { qr: a, n, p, rank, qraux, pivot };
}

/**
 * Q'y for a decomposition (LINPACK `dqrsl`), using the first `rank` reflectors.
 *
 * @example
 * const qty = qrQty(qrDqrdc2(x, n, p), y);
 */
export function qrQty(d: QrDecomposition, y: Float64Array): Float64Array {
  const { qr, n, qraux, rank } = d;
  const out = Float64Array.from(y);
  const ju = Math.min(rank, n - 1);
  for (let j = 0; j < ju; j++) {
    if (qraux[j] === 0) continue;
    const jj = j * n + j;
    const diag = qraux[j]!;
    let dot = diag * out[j]!;
    for (let i = j + 1; i < n; i++) dot += qr[j * n + i]! * out[i]!;
    const t = -dot / diag;
    out[j] = out[j]! + t * diag;
    for (let i = j + 1; i < n; i++) out[i] = out[i]! + t * qr[jj - j + i]!;
  }
  return out;
}

/**
 * Least-squares coefficients in ORIGINAL column order; aliased columns get NaN (R's NA).
 *
 * @example
 * const b = qrCoef(qrDqrdc2(x, n, p), y);
 */
export function qrCoef(d: QrDecomposition, y: Float64Array): Float64Array {
  const { qr, n, p, rank, pivot } = d;
  const qty = qrQty(d, y);
  const z = new Float64Array(rank);
  for (let i = rank - 1; i >= 0; i--) {
    let s = qty[i]!;
    for (let j = i + 1; j < rank; j++) s -= qr[j * n + i]! * z[j]!;
    z[i] = s / qr[i * n + i]!;
  }
  const b = new Float64Array(p).fill(Number.NaN);
  for (let i = 0; i < rank; i++) b[pivot[i]!] = z[i]!;
  return b;
}

/**
 * (R'R)^{-1} over the estimable columns (R's `chol2inv(qr$qr[1:k, 1:k])`), a k x k column-major
 * matrix whose rows and columns follow the ORIGINAL order of the estimable columns.
 *
 * @example
 * const m = qrUnscaledCov(qrDqrdc2(x, n, p)); // (X'X)^{-1}
 */
export function qrUnscaledCov(d: QrDecomposition): Float64Array {
  const { qr, n, rank: k, pivot } = d;
  // Rinv is upper triangular: solve R * Rinv = I column by column.
  const rinv = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let i = c; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let j = i + 1; j <= c; j++) s -= qr[j * n + i]! * rinv[c * k + j]!;
      rinv[c * k + i] = s / qr[i * n + i]!;
    }
  }
  const piv = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      for (let j = b; j < k; j++) s += rinv[j * k + a]! * rinv[j * k + b]!;
      piv[b * k + a] = s;
      piv[a * k + b] = s;
    }
  }
  // Reorder from pivoted to original order among the estimable columns.
  const order = Array.from(pivot.subarray(0, k)).map((orig, pos) => ({ orig, pos }));
  order.sort((u, v) => u.orig - v.orig);
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) out[b * k + a] = piv[order[b]!.pos * k + order[a]!.pos]!;
  }
  return out;
}

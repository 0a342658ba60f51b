/**
 * Symmetric eigen-decomposition by Householder tridiagonalisation and the implicit QL algorithm
 * (EISPACK tred2/tql2 as in JAMA). Storage is column-major so the inner rotation loops run over
 * contiguous memory.
 */

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (column j belongs to value j).
 *
 * @example
 * const { values, vectors } = eigenSymmetric(a, n);
 */
export interface SymmetricEigen {
  readonly values: Float64Array;
  /** n x n column-major. */
  readonly vectors: Float64Array;
  readonly n: number;
}

/**
 * Decompose the symmetric n x n column-major matrix `a` (only read, never modified).
 *
 * @example
 * const { values } = eigenSymmetric(new Float64Array([2, 1, 1, 2]), 2); // [1, 3]
 */
export function eigenSymmetric(a: Float64Array, n: number): SymmetricEigen {
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v, n };
  tred2(v, d, e, n);
  tql2(v, d, e, n);
  return { values: d, vectors: v, n };
}

/**
 * {@link eigenSymmetric} with the eigenvalues in decreasing order, as R's `eigen` returns them
 * (column j of `vectors` still belongs to `values[j]`). The Satterthwaite and Kenward-Roger
 * tests, the Hessian check and the reliability code (psych's `Pinv`, principal axes) read it
 * that way. Tridiagonal QL is backward stable, so the error is relative to the matrix norm
 * whatever its scale.
 *
 * @example
 * const { values } = eigenSymmetricDecreasing(new Float64Array([2, 1, 1, 2]), 2); // [3, 1]
 */
export function eigenSymmetricDecreasing(a: Float64Array, n: number): SymmetricEigen {
  const asc = eigenSymmetric(a, n);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = n - 1 - j;
    values[j] = asc.values[src]!;
    vectors.set(asc.vectors.subarray(src * n, src * n + n), j * n);
  }
  return { values, vectors, n };
}

// v[c * n + r] is V[r][c] in JAMA's notation.
function tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        g = e[j]! + v[j * n + j]! * f;
        const cj = j * n;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[cj + k]! * d[k]!;
          e[k]! += v[cj + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) v[cj + k]! -= f * e[k]! + g * d[k]!;
        d[j] = v[cj + i - 1]!;
        v[cj + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    const ci1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[ci1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        const cj = j * n;
        for (let k = 0; k <= i; k++) g += v[ci1 + k]! * v[cj + k]!;
        for (let k = 0; k <= i; k++) v[cj + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1]!;
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  implicitQl(d, e, n, 'eigenSymmetric', v, null, 0, null);
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      for (let r = 0; r < n; r++) {
        const t = v[i * n + r]!;
        v[i * n + r] = v[k * n + r]!;
        v[k * n + r] = t;
      }
    }
  }
}

/**
 * The implicit QL iteration of tql2 on the tridiagonal (d, e), with e in tred2's layout (e[i] is
 * the subdiagonal entry left of d[i]). Each plane rotation goes either to the columns of the
 * eigenvector matrix `v` (n x n), or, when `v` is null, to the rows of the n x k block `y`
 * (giving V'y) and into `rot` so that it can be replayed. One loop for both keeps the two
 * callers' arithmetic identical; the branch is taken the same way on every rotation.
 */
function implicitQl(
  d: Float64Array,
  e: Float64Array,
  n: number,
  who: string,
  v: Float64Array | null,
  y: Float64Array | null,
  k: number,
  rot: Rotations | null,
): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        iter++;
        if (iter > 300) throw new Error(`${who}: QL iteration did not converge`);
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (v !== null) {
            const ci = i * n;
            const ci1 = ci + n;
            for (let q = 0; q < n; q++) {
              const t = v[ci1 + q]!;
              v[ci1 + q] = s * v[ci + q]! + c * t;
              v[ci + q] = c * v[ci + q]! - s * t;
            }
          } else {
            for (let col = 0; col < k; col++) {
              const o = col * n + i;
              const yi = y![o]!;
              const yi1 = y![o + 1]!;
              y![o] = c * yi - s * yi1;
              y![o + 1] = s * yi + c * yi1;
            }
            pushRotation(rot!, i, c, s);
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * f(A) = V diag(f(lambda)) V' for a symmetric matrix, e.g. the inverse square root that CR2 needs.
 *
 * @example
 * const isqrt = symmetricFunction(a, n, (l) => 1 / Math.sqrt(l));
 */
export function symmetricFunction(
  a: Float64Array,
  n: number,
  fn: (lambda: number) => number,
): Float64Array {
  const { values, vectors } = eigenSymmetric(a, n);
  const fv = values.map(fn);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const w = fv[k]!;
    if (w === 0) continue;
    const ck = k * n;
    for (let j = 0; j < n; j++) {
      const vj = vectors[ck + j]! * w;
      if (vj === 0) continue;
      const cj = j * n;
      for (let i = 0; i < n; i++) out[cj + i]! += vectors[ck + i]! * vj;
    }
  }
  return out;
}

/**
 * f(A) B for a symmetric m x m matrix A and an m x k block B, without forming eigenvectors:
 * Householder tridiagonalisation A = Q T Q', implicit QL on T with its plane rotations applied
 * to the k columns of Q'B (and replayed backwards afterwards). About 2 m^3 flops instead of the
 * ~9 m^3 of a full decomposition, which is what makes dense CR2 on large clusters affordable.
 *
 * @example
 * const y = symmetricFunctionApply(a, m, x, k, (l) => (l > 1e-12 ? 1 / Math.sqrt(l) : 0));
 */
export function symmetricFunctionApply(
  a: Float64Array,
  m: number,
  b: Float64Array,
  k: number,
  fn: (lambda: number) => number,
): Float64Array {
  const w = Float64Array.from(a);
  const d = new Float64Array(m);
  const e = new Float64Array(m);
  const y = Float64Array.from(b);
  // Householder vectors, packed: reflector j acts on rows j+1..m-1.
  const vs: Float64Array[] = [];
  const betas = new Float64Array(Math.max(m - 2, 0));
  const p = new Float64Array(m);
  for (let j = 0; j < m - 2; j++) {
    const s = m - j - 1;
    const v = new Float64Array(s);
    let norm2 = 0;
    for (let i = 0; i < s; i++) {
      v[i] = w[j * m + j + 1 + i]!;
      norm2 += v[i]! * v[i]!;
    }
    vs.push(v);
    const norm = Math.sqrt(norm2);
    if (norm === 0) {
      e[j + 1] = 0;
      betas[j] = 0;
      continue;
    }
    const alpha = v[0]! > 0 ? -norm : norm;
    v[0] = v[0]! - alpha;
    let vv = 0;
    for (let i = 0; i < s; i++) vv += v[i]! * v[i]!;
    const beta = vv === 0 ? 0 : 2 / vv;
    betas[j] = beta;
    e[j + 1] = alpha;
    if (beta === 0) continue;
    // Trailing block A22 <- H A22 H via p = beta A22 v, w = p - (beta/2)(v.p) v.
    const o = j + 1;
    let vp = 0;
    for (let c = 0; c < s; c++) {
      const col = (o + c) * m + o;
      let t = 0;
      for (let i = 0; i < s; i++) t += w[col + i]! * v[i]!;
      p[c] = beta * t;
      vp += v[c]! * p[c]!;
    }
    const kk = (beta / 2) * vp;
    for (let c = 0; c < s; c++) p[c] = p[c]! - kk * v[c]!;
    for (let c = 0; c < s; c++) {
      const col = (o + c) * m + o;
      const vc = v[c]!;
      const pc = p[c]!;
      for (let i = 0; i < s; i++) w[col + i] = w[col + i]! - v[i]! * pc - p[i]! * vc;
    }
  }
  for (let i = 0; i < m; i++) d[i] = w[i * m + i]!;
  if (m >= 2) e[m - 1] = w[(m - 2) * m + m - 1]!;
  e[0] = 0;
  // y <- Q'B = H_{m-3} ... H_0 B.
  for (let j = 0; j < vs.length; j++) applyReflector(vs[j]!, betas[j]!, j + 1, y, m, k);
  const rot = tql2Rotations(d, e, m, y, k);
  for (let t = 0; t < m; t++) {
    const f = fn(d[t]!);
    for (let c = 0; c < k; c++) y[c * m + t]! *= f;
  }
  // Replay the rotations backwards (V Z), then Q = H_0 ... H_{m-3}.
  for (let r = rot.count - 1; r >= 0; r--) {
    const i = rot.index[r]!;
    const c = rot.cos[r]!;
    const s = rot.sin[r]!;
    for (let col = 0; col < k; col++) {
      const o = col * m + i;
      const yi = y[o]!;
      const yi1 = y[o + 1]!;
      y[o] = c * yi + s * yi1;
      y[o + 1] = -s * yi + c * yi1;
    }
  }
  for (let j = vs.length - 1; j >= 0; j--) applyReflector(vs[j]!, betas[j]!, j + 1, y, m, k);
  return y;
}

function applyReflector(
  v: Float64Array,
  beta: number,
  from: number,
  y: Float64Array,
  m: number,
  k: number,
): void {
  if (beta === 0) return;
  const s = v.length;
  for (let c = 0; c < k; c++) {
    const o = c * m + from;
    let t = 0;
    for (let i = 0; i < s; i++) t += v[i]! * y[o + i]!;
    t *= beta;
    if (t === 0) continue;
    for (let i = 0; i < s; i++) y[o + i] = y[o + i]! - t * v[i]!;
  }
}

interface Rotations {
  count: number;
  index: Int32Array;
  cos: Float64Array;
  sin: Float64Array;
}

function pushRotation(rot: Rotations, i: number, c: number, s: number): void {
  if (rot.count === rot.index.length) {
    const cap = rot.index.length * 2;
    const idx = new Int32Array(cap);
    idx.set(rot.index);
    const cs = new Float64Array(cap);
    cs.set(rot.cos);
    const sn = new Float64Array(cap);
    sn.set(rot.sin);
    rot.index = idx;
    rot.cos = cs;
    rot.sin = sn;
  }
  rot.index[rot.count] = i;
  rot.cos[rot.count] = c;
  rot.sin[rot.count] = s;
  rot.count++;
}

// tql2 without eigenvectors: every rotation is applied to the rows of y (giving V'y) and recorded.
function tql2Rotations(
  d: Float64Array,
  e: Float64Array,
  n: number,
  y: Float64Array,
  k: number,
): Rotations {
  const cap = Math.max(16, 4 * n);
  const rot: Rotations = {
    count: 0,
    index: new Int32Array(cap),
    cos: new Float64Array(cap),
    sin: new Float64Array(cap),
  };
  implicitQl(d, e, n, 'symmetricFunctionApply', null, y, k, rot);
  return rot;
}

// Linear-algebra kernels checked against closed forms (tolerance 1e-10 relative: exact algebra
// in double precision) and against R's pivoting rule (R's aliasing itself is compared with lm in
// test/ols-regression.test.ts).
import { describe, expect, it } from 'vitest';
import { crossprod, invertSpd, solveSpd } from '../src/stats/linalg/dense.ts';
import {
  eigenSymmetric,
  symmetricFunction,
  symmetricFunctionApply,
} from '../src/stats/linalg/eigen.ts';
import { qrCoef, qrDqrdc2, qrUnscaledCov } from '../src/stats/linalg/qr.ts';
import { createRng } from '../src/stats/random.ts';

function randomMatrix(n: number, p: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * p }, () => rng.next() * 2 - 1);
}

describe('qrDqrdc2', () => {
  const n = 50;
  const p = 4;
  const x = randomMatrix(n, p, 7);
  const y = randomMatrix(n, 1, 8);

  it('solves least squares like the normal equations on a well-conditioned design', () => {
    const b = qrCoef(qrDqrdc2(x, n, p), y);
    const ref = solveSpd(crossprod(x, x, n, p, p), crossprod(x, y, n, p, 1), p);
    for (let j = 0; j < p; j++)
      expect(Math.abs(b[j]! - ref[j]!) / Math.abs(ref[j]!)).toBeLessThan(1e-10);
  });

  it("gives (X'X)^{-1} as the unscaled covariance", () => {
    const m = qrUnscaledCov(qrDqrdc2(x, n, p));
    const ref = invertSpd(crossprod(x, x, n, p, p), p);
    for (let i = 0; i < p * p; i++)
      expect(Math.abs(m[i]! - ref[i]!)).toBeLessThan(1e-10 * Math.abs(ref[0]!));
  });

  it('moves the LATER of two collinear columns to the end and reports the rank', () => {
    // Columns: intercept, a, 2a, b -> R's qr() gives rank 3, pivot 1 2 4 3.
    const a = randomMatrix(n, 1, 9);
    const bcol = randomMatrix(n, 1, 10);
    const z = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      z[i] = 1;
      z[n + i] = a[i]!;
      z[2 * n + i] = 2 * a[i]!;
      z[3 * n + i] = bcol[i]!;
    }
    const d = qrDqrdc2(z, n, 4);
    expect(d.rank).toBe(3);
    expect(Array.from(d.pivot)).toEqual([0, 1, 3, 2]);
    const coef = qrCoef(d, y);
    expect(Number.isNaN(coef[2]!)).toBe(true);
    expect(Number.isFinite(coef[3]!)).toBe(true);
  });

  it('applies the 1e-7 relative tolerance to near-dependent columns', () => {
    const a = randomMatrix(n, 1, 11);
    const noise = randomMatrix(n, 1, 12);
    const build = (eps: number) => {
      const z = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) {
        z[i] = 1;
        z[n + i] = a[i]!;
        z[2 * n + i] = a[i]! + eps * noise[i]!;
      }
      return qrDqrdc2(z, n, 3).rank;
    };
    expect(build(1e-10)).toBe(2);
    expect(build(1e-4)).toBe(3);
  });
});

describe('eigenSymmetric', () => {
  it('recovers the closed-form spectrum of the second-difference matrix', () => {
    const n = 40;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i > 0) {
        a[i * n + i - 1] = -1;
        a[(i - 1) * n + i] = -1;
      }
    }
    const { values } = eigenSymmetric(a, n);
    for (let k = 1; k <= n; k++) {
      const exact = 2 - 2 * Math.cos((k * Math.PI) / (n + 1));
      expect(Math.abs(values[k - 1]! - exact)).toBeLessThan(1e-12);
    }
  });

  it('returns orthonormal eigenvectors with A V = V Lambda', () => {
    const n = 25;
    const r = randomMatrix(n, n, 13);
    const a = new Float64Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) a[j * n + i] = r[j * n + i]! + r[i * n + j]!;
    const { values, vectors } = eigenSymmetric(a, n);
    const vtv = crossprod(vectors, vectors, n, n, n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++)
        expect(Math.abs(vtv[j * n + i]! - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    for (let t = 0; t < n; t++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += a[l * n + i]! * vectors[t * n + l]!;
        expect(Math.abs(s - values[t]! * vectors[t * n + i]!)).toBeLessThan(1e-11);
      }
  });

  it('computes an inverse square root whose square inverts the matrix', () => {
    const n = 12;
    const r = randomMatrix(n, n, 14);
    const a = crossprod(r, r, n, n, n);
    for (let i = 0; i < n; i++) a[i * n + i]! += 1;
    const s = symmetricFunction(a, n, (l) => 1 / Math.sqrt(l));
    const inv = invertSpd(a, n);
    const ss = crossprod(s, s, n, n, n);
    for (let i = 0; i < n * n; i++) expect(Math.abs(ss[i]! - inv[i]!)).toBeLessThan(1e-10);
  });
});

describe('symmetricFunctionApply', () => {
  it('equals f(A) B from the full decomposition, including dropped eigenvalues', () => {
    for (const [m, k, seed] of [
      [1, 2, 21],
      [2, 3, 22],
      [3, 1, 23],
      [37, 4, 24],
    ] as const) {
      // With m > 2 the matrix has rank m - 1, so the dropped-eigenvalue branch is exercised too.
      const rows = m > 2 ? m - 1 : m;
      const r = randomMatrix(rows, m, seed);
      const a = crossprod(r, r, rows, m, m);
      const b = randomMatrix(m, k, seed + 100);
      const fn = (l: number) => (l > 1e-12 ? 1 / Math.sqrt(l) : 0);
      const full = symmetricFunction(a, m, fn);
      const fast = symmetricFunctionApply(a, m, b, k, fn);
      for (let c = 0; c < k; c++)
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let l = 0; l < m; l++) s += full[l * m + i]! * b[c * m + l]!;
          expect(Math.abs(fast[c * m + i]! - s)).toBeLessThan(1e-9 * Math.max(1, Math.abs(s)));
        }
    }
  });
});

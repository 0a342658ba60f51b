/**
 * Small-sample degrees of freedom for cluster-robust tests, as clubSandwich computes them
 * (Pustejovsky & Tipton 2018): Satterthwaite df for single contrasts (`coef_test`) and the
 * Hotelling T^2 approximation HTZ for several (`Wald_test`).
 *
 * clubSandwich builds, for each contrast pair (s, t), a G x G matrix
 * P_st = diag_g(c_s' M Omega_g M c_t) - H_s H_t', where row g of H_s is L' F_g' M c_s and M = L L'.
 * Every quantity needed is a trace of products of such matrices, which we expand into sums over
 * clusters of k x k products; nothing of size G x G or n x n is formed.
 */
import { choleskyLower } from '../linalg/dense.ts';
import { eigenSymmetric } from '../linalg/eigen.ts';
import type { CrComponents } from '../vcov/sandwich.ts';

interface ContrastPieces {
  /** m = M c. */
  readonly m: Float64Array;
  /** G x k, row g = L' F_g' m. */
  readonly h: Float64Array;
}

function pieces(comp: CrComponents, bread: Float64Array, lower: Float64Array, c: Float64Array) {
  const { G, k, f } = comp;
  const m = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let l = 0; l < k; l++) s += bread[l * k + i]! * c[l]!;
    m[i] = s;
  }
  const h = new Float64Array(G * k);
  const y = new Float64Array(k);
  for (let g = 0; g < G; g++) {
    const off = g * k * k;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += f[off + i * k + l]! * m[l]!;
      y[i] = s;
    }
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = i; l < k; l++) s += lower[i * k + l]! * y[l]!;
      h[g * k + i] = s;
    }
  }
  return { m, h } satisfies ContrastPieces;
}

/** a_g = m_s' Omega_g m_t for each cluster. */
function diagTerms(comp: CrComponents, ms: Float64Array, mt: Float64Array): Float64Array {
  const { G, k, omega } = comp;
  const a = new Float64Array(G);
  const tmp = new Float64Array(k);
  for (let g = 0; g < G; g++) {
    const off = g * k * k;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += omega[off + l * k + i]! * mt[l]!;
      tmp[i] = s;
    }
    let s = 0;
    for (let i = 0; i < k; i++) s += ms[i]! * tmp[i]!;
    a[g] = s;
  }
  return a;
}

function rowDots(h1: Float64Array, h2: Float64Array, G: number, k: number): Float64Array {
  const out = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += h1[g * k + i]! * h2[g * k + i]!;
    out[g] = s;
  }
  return out;
}

/** H_a' H_b (k x k). */
function cross(h1: Float64Array, h2: Float64Array, G: number, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let g = 0; g < G; g++)
    for (let j = 0; j < k; j++) {
      const b = h2[g * k + j]!;
      for (let i = 0; i < k; i++) out[j * k + i]! += h1[g * k + i]! * b;
    }
  return out;
}

/** tr(A B) for k x k column-major A, B. */
function traceProduct(a: Float64Array, b: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) for (let l = 0; l < k; l++) s += a[l * k + i]! * b[i * k + l]!;
  return s;
}

function sum(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Satterthwaite degrees of freedom of c' beta for each contrast c (length k over the estimable
 * coefficients), as `clubSandwich::coef_test(test = "Satterthwaite")` computes them.
 *
 * @example
 * const { components } = vcovDetailed(fit.sandwich, { type: 'CR2', cluster });
 * satterthwaiteDf(components!, fit.sandwich.bread, [unitVector(k, 1)]);
 */
export function satterthwaiteDf(
  comp: CrComponents,
  bread: Float64Array,
  contrasts: ReadonlyArray<Float64Array>,
): Float64Array {
  const { G, k } = comp;
  const lower = choleskyLower(bread, k);
  const out = new Float64Array(contrasts.length);
  contrasts.forEach((c, idx) => {
    const { m, h } = pieces(comp, bread, lower, c);
    const a = diagTerms(comp, m, m);
    const hh = rowDots(h, h, G, k);
    const trace = sum(a) - sum(hh);
    const cr = cross(h, h, G, k);
    const sumSq = dotv(a, a) - 2 * dotv(a, hh) + traceProduct(cr, cr, k);
    out[idx] = (trace * trace) / sumSq;
  });
  return out;
}

/**
 * Symmetric power of a q x q matrix, dropping eigenvalues at or below 1e-12 as clubSandwich's
 * `matrix_power` does.
 */
function matrixPower(a: Float64Array, q: number, power: number): Float64Array {
  const { values, vectors } = eigenSymmetric(a, q);
  const out = new Float64Array(q * q);
  for (let t = 0; t < q; t++) {
    const lam = values[t]!;
    if (!(lam > 1e-12)) continue;
    const w = lam ** power;
    for (let j = 0; j < q; j++)
      for (let i = 0; i < q; i++) out[j * q + i]! += vectors[t * q + i]! * vectors[t * q + j]! * w;
  }
  return out;
}

/**
 * The HTZ degrees of freedom nu for testing C beta = 0 (rows of C given as contrasts), as
 * `clubSandwich::Wald_test(test = "HTZ")`: the test uses F = delta Q / q on (q, nu - q + 1) df with
 * delta = (nu - q + 1) / nu.
 *
 * @example
 * const nu = htzNu(components!, fit.sandwich.bread, [e1, e2]);
 */
export function htzNu(
  comp: CrComponents,
  bread: Float64Array,
  contrasts: ReadonlyArray<Float64Array>,
): number {
  const { G, k } = comp;
  const q = contrasts.length;
  const lower = choleskyLower(bread, k);
  const raw = contrasts.map((c) => pieces(comp, bread, lower, c));
  // Omega_st = tr(P_st).
  const om = new Float64Array(q * q);
  for (let s = 0; s < q; s++)
    for (let t = 0; t <= s; t++) {
      const v =
        sum(diagTerms(comp, raw[s]!.m, raw[t]!.m)) - sum(rowDots(raw[s]!.h, raw[t]!.h, G, k));
      om[t * q + s] = v;
      om[s * q + t] = v;
    }
  const nsqrt = matrixPower(om, q, -0.5);
  // Pieces are linear in the contrast, so those of Omega^{-1/2} C are the same combinations.
  const tr = Array.from({ length: q }, (_, s) => {
    const m = new Float64Array(k);
    const h = new Float64Array(G * k);
    for (let u = 0; u < q; u++) {
      const w = nsqrt[u * q + s]!;
      if (w === 0) continue;
      for (let i = 0; i < k; i++) m[i]! += w * raw[u]!.m[i]!;
      for (let i = 0; i < G * k; i++) h[i]! += w * raw[u]!.h[i]!;
    }
    return { m, h };
  });
  const a: Float64Array[][] = [];
  const hd: Float64Array[][] = [];
  const cr: Float64Array[][] = [];
  for (let s = 0; s < q; s++) {
    a.push([]);
    hd.push([]);
    cr.push([]);
    for (let t = 0; t < q; t++) {
      a[s]!.push(diagTerms(comp, tr[s]!.m, tr[t]!.m));
      hd[s]!.push(rowDots(tr[s]!.h, tr[t]!.h, G, k));
      cr[s]!.push(cross(tr[s]!.h, tr[t]!.h, G, k));
    }
  }
  // tr(B_st B_uv) with B_st = diag(a_st) - H_s H_t'.
  const trBB = (s: number, t: number, u: number, v: number): number =>
    dotv(a[s]![t]!, a[u]![v]!) -
    dotv(a[s]![t]!, hd[u]![v]!) -
    dotv(a[u]![v]!, hd[s]![t]!) +
    traceProduct(cr[t]![u]!, cr[v]![s]!, k);
  let total = 0;
  for (let s = 0; s < q; s++)
    for (let t = 0; t < q; t++) total += trBB(s, t, s, t) + trBB(s, s, t, t);
  return (q * (q + 1)) / total;
}

/**
 * Kenward–Roger adjusted covariance and denominator df for linear mixed models, as pbkrtest's
 * `vcovAdj` / `KRmodcomp` / `Lb_ddf` (Halekoh & Højsgaard 2014, JSS 59(9)).
 *
 * pbkrtest forms `Sigma^{-1}` as a dense `n x n` matrix. Here `Sigma = sigma^2 (Z Lambda Lambda' Z'
 * + I)` is split into the connected components of the grouping structure (the top-level clusters
 * when factors are nested), and each block is inverted implicitly by Woodbury,
 * `Sigma_c^{-1} = sigma^{-2} (I - U S^{-1} U')` with `U = Z_c Lambda`, `S = I + U'U`. Every trace and
 * product that pbkrtest takes over `n x n` matrices reduces to `Q_c x Q_c` and `Q_c x p` products,
 * so the cost is O(sum_c n_c Q_c (Q_c + p)).
 *
 * The variance parameters are pbkrtest's: for each random term the distinct elements of its
 * covariance matrix (`G = Z_i Z_j' + Z_j Z_i'`), then the residual variance (`G = I`).
 */
import { TiltakError } from '../errors.ts';
import { invGeneral, invSpd } from '../linalg/dense.ts';
import { eigenSymmetricDecreasing } from '../linalg/eigen.ts';
import type { PreparedTerm } from '../models/lmm/system.ts';
import { thetaToFactors } from '../models/lmm/system.ts';

/**
 * pbkrtest's `PhiA` with its attributes `P` and `W`.
 *
 * @example
 * const { vcovAdj } = kenwardRogerState(input);
 */
export interface KrState {
  p: number;
  /** Unadjusted covariance `Phi` (`vcov`), `p x p`. */
  phi: Float64Array;
  /** Adjusted covariance `PhiA`, `p x p`. */
  vcovAdj: Float64Array;
  P: Float64Array[];
  /** `2 IE2^{-1}`, `g x g`. */
  W: Float64Array;
  g: number;
}

/**
 * Inputs of {@link kenwardRogerState}.
 *
 * @example
 * kenwardRogerState({ terms, x, n, p, theta, sigma, phi: vcov });
 */
export interface KrInput {
  terms: PreparedTerm[];
  x: Float64Array;
  n: number;
  p: number;
  theta: Float64Array;
  sigma: number;
  phi: Float64Array;
}

/** Largest `n_c x Q_c` dense block this implementation accepts for one component. */
const MAX_BLOCK = 6e7;

/**
 * Compute pbkrtest's adjusted covariance and its `P`/`W` attributes.
 *
 * @example
 * const kr = kenwardRogerState({ terms, x, n, p, theta, sigma, phi: fit.vcov });
 */
export function kenwardRogerState(inp: KrInput): KrState {
  const { terms, x, n, p, theta, sigma, phi } = inp;
  const T = thetaToFactors(terms, theta);
  const s2 = sigma * sigma;
  // Parameters: (term, row a, col b) with a >= b, then the residual.
  const params: { k: number; a: number; b: number }[] = [];
  terms.forEach((t, k) => {
    for (let b = 0; b < t.q; b++) for (let a = b; a < t.q; a++) params.push({ k, a, b });
  });
  const gRe = params.length;
  const g = gRe + 1;
  const Ktr = new Float64Array(g * g);
  const QQ: Float64Array[] = Array.from({ length: g * g }, () => new Float64Array(p * p));
  const PP: Float64Array[] = Array.from({ length: g }, () => new Float64Array(p * p));

  // Components of the bipartite row/level graph.
  const nodeBase: number[] = [];
  let nNodes = 0;
  for (const t of terms) {
    nodeBase.push(nNodes);
    nNodes += t.nlev;
  }
  const parent = new Int32Array(nNodes);
  for (let i = 0; i < nNodes; i++) parent[i] = i;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  for (let i = 0; i < n; i++) {
    const r0 = find(nodeBase[0]! + terms[0]!.codes[i]!);
    for (let k = 1; k < terms.length; k++) {
      const rk = find(nodeBase[k]! + terms[k]!.codes[i]!);
      if (rk !== r0) parent[rk] = r0;
    }
  }
  const compOfRoot = new Int32Array(nNodes).fill(-1);
  let nComp = 0;
  const rowComp = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = find(nodeBase[0]! + terms[0]!.codes[i]!);
    if (compOfRoot[r] === -1) compOfRoot[r] = nComp++;
    rowComp[i] = compOfRoot[r]!;
  }
  const compRows: number[][] = Array.from({ length: nComp }, () => []);
  for (let i = 0; i < n; i++) compRows[rowComp[i]!]!.push(i);
  const nodeLocal = new Int32Array(nNodes).fill(-1);

  let trW2total = 0;
  for (let c = 0; c < nComp; c++) {
    const rows = compRows[c]!;
    const nc = rows.length;
    // Local random-effect layout: nodes in order of first appearance.
    const nodes: { k: number; l: number; off: number }[] = [];
    let Qc = 0;
    for (const i of rows) {
      for (let k = 0; k < terms.length; k++) {
        const node = nodeBase[k]! + terms[k]!.codes[i]!;
        if (nodeLocal[node] === -1) {
          nodeLocal[node] = nodes.length;
          nodes.push({ k, l: terms[k]!.codes[i]!, off: Qc });
          Qc += terms[k]!.q;
        }
      }
    }
    if (nc * Qc > MAX_BLOCK)
      throw new TiltakError(
        'KR_TOO_LARGE',
        `Kenward-Roger: a block of ${nc} rows with ${Qc} random effects is too large; the grouping factors are not nested in small clusters`,
      );
    const Z = new Float64Array(nc * Qc);
    const U = new Float64Array(nc * Qc);
    const Xc = new Float64Array(nc * p);
    rows.forEach((i, r) => {
      for (let k = 0; k < terms.length; k++) {
        const t = terms[k]!;
        const nd = nodes[nodeLocal[nodeBase[k]! + t.codes[i]!]!]!;
        for (let a = 0; a < t.q; a++) Z[(nd.off + a) * nc + r] = t.z[a * n + i]!;
      }
      for (let j = 0; j < p; j++) Xc[j * nc + r] = x[j * n + i]!;
    });
    for (const nd of nodes) {
      const q = terms[nd.k]!.q;
      const Tk = T[nd.k]!;
      for (let b = 0; b < q; b++) {
        for (let r = 0; r < nc; r++) {
          let s = 0;
          for (let a = b; a < q; a++) s += Z[(nd.off + a) * nc + r]! * Tk[b * q + a]!;
          U[(nd.off + b) * nc + r] = s;
        }
      }
    }
    const S = crossSelf(U, nc, Qc);
    for (let a = 0; a < Qc; a++) S[a * Qc + a]! += 1;
    const Sinv = invSpd(S, Qc);
    if (Sinv === null)
      throw new TiltakError('KR_FAILED', "Kenward-Roger: I + U'U is not positive definite");
    const applyW = (B: Float64Array, ncol: number): Float64Array => {
      const UtB = crossMulLocal(U, B, nc, Qc, ncol);
      const SUtB = mul(Sinv, UtB, Qc, Qc, ncol);
      const out = new Float64Array(nc * ncol);
      for (let j = 0; j < ncol; j++) {
        for (let r = 0; r < nc; r++) {
          let s = B[j * nc + r]!;
          for (let a = 0; a < Qc; a++) s -= U[a * nc + r]! * SUtB[j * Qc + a]!;
          out[j * nc + r] = s / s2;
        }
      }
      return out;
    };
    const WX = applyW(Xc, p);
    const WZ = applyW(Z, Qc);
    const M = crossMulLocal(Z, WZ, nc, Qc, Qc);
    const A = crossMulLocal(Z, WX, nc, Qc, p);
    const N = crossMulLocal(WZ, WZ, nc, Qc, Qc);
    const K = crossMulLocal(WZ, WX, nc, Qc, p);
    const XW2X = crossMulLocal(WX, WX, nc, p, p);
    const XW3X = crossMulLocal(WX, applyW(WX, p), nc, p, p);
    let trSinv = 0;
    let trSinv2 = 0;
    for (let a = 0; a < Qc; a++) {
      trSinv += Sinv[a * Qc + a]!;
      for (let b = 0; b < Qc; b++) trSinv2 += Sinv[b * Qc + a]! * Sinv[a * Qc + b]!;
    }
    // tr(H) = Qc - tr(S^-1), tr(H^2) = Qc - 2 tr(S^-1) + tr(S^-2) with H = U S^-1 U'.
    const trH = Qc - trSinv;
    const trH2 = Qc - 2 * trSinv + trSinv2;
    const trW2 = (nc - 2 * trH + trH2) / (s2 * s2);
    trW2total += trW2;

    // Per parameter: index pairs inside this component, F_r = E_r A, M E_r.
    const F: Float64Array[] = [];
    const ME: Float64Array[] = [];
    const trNE = new Float64Array(gRe);
    for (let r = 0; r < gRe; r++) {
      const pr = params[r]!;
      const Fr = new Float64Array(Qc * p);
      const MEr = new Float64Array(Qc * Qc);
      let tr = 0;
      for (const nd of nodes) {
        if (nd.k !== pr.k) continue;
        const ia = nd.off + pr.a;
        const ib = nd.off + pr.b;
        for (let j = 0; j < p; j++) {
          Fr[j * Qc + ia]! += A[j * Qc + ib]!;
          if (ia !== ib) Fr[j * Qc + ib]! += A[j * Qc + ia]!;
        }
        for (let t = 0; t < Qc; t++) {
          MEr[ib * Qc + t]! += M[ia * Qc + t]!;
          if (ia !== ib) MEr[ia * Qc + t]! += M[ib * Qc + t]!;
        }
        tr += ia === ib ? N[ia * Qc + ia]! : N[ia * Qc + ib]! + N[ib * Qc + ia]!;
      }
      F.push(Fr);
      ME.push(MEr);
      trNE[r] = tr;
      // P_r = -A' E_r A = -A' F_r
      const ap = crossMulLocal(A, Fr, Qc, p, p);
      const P = PP[r]!;
      for (let t = 0; t < p * p; t++) P[t]! -= ap[t]!;
    }
    for (let t = 0; t < p * p; t++) PP[gRe]![t]! -= XW2X[t]!;
    for (let r = 0; r < gRe; r++) {
      const MF = mul(M, F[r]!, Qc, Qc, p);
      for (let s = r; s < gRe; s++) {
        // QQ_rs = F_r' M F_s, stored for r <= s; QQ_sr is its transpose.
        const q = crossMulLocal(F[s]!, MF, Qc, p, p);
        const dst = QQ[r * g + s]!;
        for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) dst[b * p + a]! += q[a * p + b]!;
        let tr = 0;
        const A1 = ME[r]!;
        const B1 = ME[s]!;
        for (let a = 0; a < Qc; a++)
          for (let b = 0; b < Qc; b++) tr += A1[b * Qc + a]! * B1[a * Qc + b]!;
        Ktr[s * g + r]! += tr;
      }
      const qres = crossMulLocal(F[r]!, K, Qc, p, p);
      const dst = QQ[r * g + gRe]!;
      for (let t = 0; t < p * p; t++) dst[t]! += qres[t]!;
      Ktr[gRe * g + r]! += trNE[r]!;
    }
    const dres = QQ[gRe * g + gRe]!;
    for (let t = 0; t < p * p; t++) dres[t]! += XW3X[t]!;
    for (const nd of nodes) nodeLocal[nodeBase[nd.k]! + nd.l] = -1;
  }
  Ktr[gRe * g + gRe]! += trW2total;
  // Traces were accumulated in the upper triangle (row r <= column s); mirror them.
  for (let r = 0; r < g; r++) for (let s = r + 1; s < g; s++) Ktr[r * g + s] = Ktr[s * g + r]!;

  // IE2 and W = 2 IE2^{-1}
  const IE2 = new Float64Array(g * g);
  const phiP = PP.map((P) => mul(phi, P, p, p, p));
  const Pphi = PP.map((P) => mul(P, phi, p, p, p));
  for (let i = 0; i < g; i++) {
    for (let j = i; j < g; j++) {
      const qq = QQ[i * g + j]!;
      let sPhiQ = 0;
      for (let t = 0; t < p * p; t++) sPhiQ += phi[t]! * qq[t]!;
      let sPP = 0;
      const a = phiP[i]!;
      const b = Pphi[j]!;
      for (let t = 0; t < p * p; t++) sPP += a[t]! * b[t]!;
      const v = Ktr[j * g + i]! - 2 * sPhiQ + sPP;
      IE2[j * g + i] = v;
      IE2[i * g + j] = v;
    }
  }
  const eig = eigenSymmetricDecreasing(IE2, g);
  let condi = Infinity;
  for (let i = 0; i < g; i++) condi = Math.min(condi, Math.abs(eig.values[i]!));
  let W: Float64Array;
  if (condi > 1e-10) {
    const inv = invGeneral(IE2, g);
    if (inv === null)
      throw new TiltakError('KR_FAILED', 'Kenward-Roger: singular information matrix');
    W = inv.map((v) => 2 * v);
  } else {
    W = new Float64Array(g * g);
    const tol = Math.max(g, g) * Math.abs(eig.values[0]!) * 2.220446049250313e-16;
    for (let e = 0; e < g; e++) {
      const lam = eig.values[e]!;
      if (Math.abs(lam) <= Math.max(tol, 1.4901161193847656e-8 * Math.abs(eig.values[0]!)))
        continue;
      for (let a = 0; a < g; a++)
        for (let b = 0; b < g; b++)
          W[b * g + a]! += (2 * eig.vectors[e * g + a]! * eig.vectors[e * g + b]!) / lam;
    }
  }
  const UU = new Float64Array(p * p);
  for (let i = 0; i < g - 1; i++) {
    for (let j = i + 1; j < g; j++) {
      const w = W[j * g + i]!;
      const qq = QQ[i * g + j]!;
      const ppp = mul(Pphi[i]!, PP[j]!, p, p, p);
      for (let t = 0; t < p * p; t++) UU[t]! += w * (qq[t]! - ppp[t]!);
    }
  }
  const UUs = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) UUs[b * p + a] = UU[b * p + a]! + UU[a * p + b]!;
  for (let i = 0; i < g; i++) {
    const w = W[i * g + i]!;
    const qq = QQ[i * g + i]!;
    const ppp = mul(Pphi[i]!, PP[i]!, p, p, p);
    for (let t = 0; t < p * p; t++) UUs[t]! += w * (qq[t]! - ppp[t]!);
  }
  const G = mul(mul(phi, UUs, p, p, p), phi, p, p, p);
  const vcovAdj = new Float64Array(p * p);
  for (let t = 0; t < p * p; t++) vcovAdj[t] = phi[t]! + 2 * G[t]!;
  // Symmetrise away rounding so that downstream Cholesky factors see a symmetric matrix.
  for (let a = 0; a < p; a++)
    for (let b = 0; b < a; b++) {
      const v = 0.5 * (vcovAdj[b * p + a]! + vcovAdj[a * p + b]!);
      vcovAdj[b * p + a] = v;
      vcovAdj[a * p + b] = v;
    }
  return { p, phi, vcovAdj, P: PP, W, g };
}

/**
 * Kenward–Roger quantities for a restriction `L` (`r x p`, full row rank).
 *
 * @example
 * const { ddf, fValue } = krTest(kr, L, 4, beta);
 */
export interface KrTest {
  ndf: number;
  ddf: number;
  /** Scaled F statistic `F.scaling * Wald / q` (pbkrtest's `Ftest`). */
  fValue: number;
  fScaling: number;
  /** Unscaled `Wald / q` with the adjusted covariance. */
  fUnscaled: number;
}

/**
 * pbkrtest's `.KR_adjust` for `H0: L beta = 0`; for one row this is `Lb_ddf`.
 *
 * @example
 * const t = krTest(kr, L, 4, fit.fixef);
 */
export function krTest(st: KrState, L: Float64Array, r: number, beta: Float64Array): KrTest {
  const { p, phi, W, g } = st;
  const LPhiLt = sandwichRows(L, r, phi, p);
  const inv = invGeneral(LPhiLt, r);
  if (inv === null) throw new TiltakError('KR_FAILED', "Kenward-Roger: L Phi L' is singular");
  // Theta = L' (L Phi L')^{-1} L  (p x p)
  const LtInv = new Float64Array(p * r);
  for (let c = 0; c < p; c++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += L[c * r + i]! * inv[j * r + i]!;
      LtInv[j * p + c] = s;
    }
  const Theta = new Float64Array(p * p);
  for (let b = 0; b < p; b++)
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += LtInv[j * p + a]! * L[b * r + j]!;
      Theta[b * p + a] = s;
    }
  const ThetaPhi = mul(Theta, phi, p, p, p);
  const u = st.P.map((P) => mul(mul(ThetaPhi, P, p, p, p), phi, p, p, p));
  const trace = u.map((m) => {
    let s = 0;
    for (let i = 0; i < p; i++) s += m[i * p + i]!;
    return s;
  });
  let A1 = 0;
  let A2 = 0;
  for (let i = 0; i < g; i++) {
    for (let j = i; j < g; j++) {
      const e = i === j ? 1 : 2;
      const w = W[j * g + i]!;
      A1 += e * w * trace[i]! * trace[j]!;
      let s = 0;
      const ui = u[i]!;
      const uj = u[j]!;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) s += ui[b * p + a]! * uj[a * p + b]!;
      A2 += e * w * s;
    }
  }
  const q = r;
  const B = (1 / (2 * q)) * (A1 + 6 * A2);
  const gg = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2);
  const c1 = gg / (3 * q + 2 * (1 - gg));
  const c2 = (q - gg) / (3 * q + 2 * (1 - gg));
  const c3 = (q + 2 - gg) / (3 * q + 2 * (1 - gg));
  let V0 = 1 + c1 * B;
  const V1 = 1 - c2 * B;
  const V2 = 1 - c3 * B;
  if (Math.abs(V0) < 1e-10) V0 = 0;
  const num = 1 - A2 / q;
  const ratio = Math.abs(num) < 1e-14 && Math.abs(V1) < 1e-14 ? 1 : num / V1;
  const rho = (1 / q) * ratio * ratio * (V0 / V2);
  const ddf = 4 + (q + 2) / (q * rho - 1);
  const fScaling = Math.abs(ddf - 2) < 1e-2 ? 1 : (ddf * (1 - A2 / q)) / (ddf - 2);
  const LPhiALt = sandwichRows(L, r, st.vcovAdj, p);
  const Lb = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += L[c * r + i]! * beta[c]!;
    Lb[i] = s;
  }
  const invA = invGeneral(LPhiALt, r);
  if (invA === null) throw new TiltakError('KR_FAILED', "Kenward-Roger: L PhiA L' is singular");
  let wald = 0;
  for (let a = 0; a < r; a++)
    for (let b = 0; b < r; b++) wald += Lb[a]! * invA[b * r + a]! * Lb[b]!;
  return { ndf: q, ddf, fValue: (fScaling * wald) / q, fScaling, fUnscaled: wald / q };
}

function sandwichRows(L: Float64Array, r: number, V: Float64Array, p: number): Float64Array {
  const out = new Float64Array(r * r);
  for (let a = 0; a < r; a++)
    for (let b = 0; b < r; b++) {
      let s = 0;
      for (let c = 0; c < p; c++) {
        const lb = L[c * r + b]!;
        if (lb === 0) continue;
        let t = 0;
        for (let d = 0; d < p; d++) t += L[d * r + a]! * V[c * p + d]!;
        s += t * lb;
      }
      out[b * r + a] = s;
    }
  return out;
}

function crossSelf(U: Float64Array, nr: number, nc: number): Float64Array {
  return crossMulLocal(U, U, nr, nc, nc);
}

function crossMulLocal(
  a: Float64Array,
  b: Float64Array,
  r: number,
  ca: number,
  cb: number,
): Float64Array {
  const out = new Float64Array(ca * cb);
  for (let j = 0; j < cb; j++) {
    const bo = j * r;
    for (let i = 0; i < ca; i++) {
      const ao = i * r;
      let s = 0;
      for (let t = 0; t < r; t++) s += a[ao + t]! * b[bo + t]!;
      out[j * ca + i] = s;
    }
  }
  return out;
}

function mul(a: Float64Array, b: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let j = 0; j < c; j++)
    for (let t = 0; t < k; t++) {
      const v = b[j * k + t]!;
      if (v === 0) continue;
      for (let i = 0; i < r; i++) out[j * r + i]! += a[t * r + i]! * v;
    }
  return out;
}

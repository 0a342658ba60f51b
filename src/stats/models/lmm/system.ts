/**
 * The penalised least-squares system behind lme4's profiled deviance (Bates, Mächler, Bolker &
 * Walker 2015, JSS 67(1), section 3): for relative covariance factor `Lambda(theta)`,
 * `L L' = Lambda' Z'Z Lambda + I`, with beta and sigma profiled out.
 *
 * All cross-products (Z'Z, Z'X, X'X, Z'y, X'y, y'y) are formed once in O(n); each deviance
 * evaluation then costs O(levels x p^2) plus a dense factor for the non-leading terms. The factor
 * is block-arrow shaped: the leading term (most levels, as lme4 orders terms) is block-diagonal
 * with one `q0 x q0` block per level; all further terms (the office term of `(1 | office/family)`,
 * the second factor of a crossed design) form a dense Schur complement of size
 * `m = sum_k q_k l_k`, which is small whenever the later factors have few levels.
 */
import { TiltakError } from '../../errors.ts';
import { backSolveT, cholInPlace, forwardSolve } from '../../linalg/dense.ts';
import type { RandomTermInput } from './types.ts';

/**
 * A random term after validation, level compaction and ordering.
 *
 * @example
 * const t: PreparedTerm = prepareTerms(input.random, input.n)[0]!;
 */
export interface PreparedTerm extends RandomTermInput {
  nlev: number;
  /** Offset of this term's effects in the full random-effects vector. */
  reOffset: number;
  thetaOffset: number;
  ntheta: number;
}

/**
 * Validate the random terms, drop unused levels, and order them as lme4's `mkReTrms` does
 * (decreasing number of levels, ties in input order).
 *
 * @example
 * const terms = prepareTerms(input.random, input.n);
 */
export function prepareTerms(random: RandomTermInput[], n: number): PreparedTerm[] {
  const prepared = random.map((t, k) => {
    if (!(t.q >= 1) || !Number.isInteger(t.q))
      throw new TiltakError('INVALID_INPUT', `random term ${k} ('${t.group}'): q must be >= 1`);
    if (t.codes.length !== n)
      throw new TiltakError(
        'INVALID_INPUT',
        `random term '${t.group}': ${t.codes.length} level codes for ${n} rows`,
      );
    if (t.z.length !== n * t.q)
      throw new TiltakError(
        'INVALID_INPUT',
        `random term '${t.group}': z has ${t.z.length} values, expected ${n * t.q}`,
      );
    if (t.termNames.length !== t.q)
      throw new TiltakError(
        'INVALID_INPUT',
        `random term '${t.group}': ${t.termNames.length} term names for q = ${t.q}`,
      );
    const map = new Int32Array(t.levels.length).fill(-1);
    const used: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = t.codes[i]!;
      if (!(c >= 0 && c < t.levels.length))
        throw new TiltakError(
          'INVALID_INPUT',
          `random term '${t.group}': row ${i + 1} has level code ${c}, outside 0..${t.levels.length - 1}`,
          { row: i + 1, value: c },
        );
    }
    // Level order is kept (lme4 keeps factor level order) but unused levels are dropped.
    const seen = new Uint8Array(t.levels.length);
    for (let i = 0; i < n; i++) seen[t.codes[i]!] = 1;
    for (let l = 0; l < t.levels.length; l++) {
      if (seen[l]) {
        map[l] = used.length;
        used.push(t.levels[l]!);
      }
    }
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = map[t.codes[i]!]!;
    for (let j = 0; j < t.q; j++) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(t.z[j * n + i]!))
          throw new TiltakError(
            'NON_FINITE',
            `random term '${t.group}': column '${t.termNames[j]}' is not finite in row ${i + 1}`,
            { row: i + 1, column: t.termNames[j] },
          );
      }
    }
    if (used.length < 2)
      throw new TiltakError(
        'SINGLE_GROUP',
        `grouping factor '${t.group}' has ${used.length} level${used.length === 1 ? ` ('${used[0]}')` : 's'}; a random effect needs at least 2`,
        { group: t.group },
      );
    if (used.length >= n)
      throw new TiltakError(
        'TOO_MANY_RANDOM_EFFECTS',
        `grouping factor '${t.group}' has ${used.length} levels for ${n} observations; it must have fewer levels than observations`,
        { group: t.group },
      );
    if (used.length * t.q >= n)
      throw new TiltakError(
        'TOO_MANY_RANDOM_EFFECTS',
        `term (${t.termNames.join(' + ')} | ${t.group}) has ${used.length * t.q} random effects for ${n} observations; variance parameters are unidentifiable`,
        { group: t.group },
      );
    return {
      k,
      term: {
        group: t.group,
        codes,
        levels: used,
        z: t.z,
        q: t.q,
        termNames: t.termNames.slice(),
        nlev: used.length,
        reOffset: 0,
        thetaOffset: 0,
        ntheta: (t.q * (t.q + 1)) / 2,
      },
    };
  });
  prepared.sort((a, b) => b.term.nlev - a.term.nlev || a.k - b.k);
  let re = 0;
  let th = 0;
  return prepared.map(({ term }) => {
    term.reOffset = re;
    term.thetaOffset = th;
    re += term.q * term.nlev;
    th += term.ntheta;
    return term;
  });
}

/**
 * Lower-triangular factor `T_k` of each term from theta (lme4 packs the lower triangle column by
 * column), column-major `q x q`.
 *
 * @example
 * thetaToFactors(terms, theta)[0]; // T for the leading term
 */
export function thetaToFactors(terms: PreparedTerm[], theta: ArrayLike<number>): Float64Array[] {
  return terms.map((t) => {
    const q = t.q;
    const T = new Float64Array(q * q);
    let o = t.thetaOffset;
    for (let c = 0; c < q; c++) for (let r = c; r < q; r++) T[c * q + r] = theta[o++]!;
    return T;
  });
}

/**
 * Precomputed cross-products and the workspace for repeated deviance evaluations.
 *
 * @example
 * const sys = new LmmSystem(terms, y, x, n, p);
 * sys.evaluate(theta);
 * sys.deviance(true);
 */
export class LmmSystem {
  readonly n: number;
  readonly p: number;
  readonly terms: PreparedTerm[];
  readonly ntheta: number;
  readonly q0: number;
  readonly l0: number;
  /** Size of the dense part (all terms after the leading one). */
  readonly m: number;
  private readonly a0: Float64Array;
  private readonly zx0: Float64Array;
  private readonly zy0: Float64Array;
  private readonly crossStart: Int32Array;
  private readonly crossCol: Int32Array;
  private readonly crossTerm: Int32Array;
  private readonly crossValOff: Int32Array;
  private readonly crossVal: Float64Array;
  private readonly dRest: Float64Array;
  private readonly zxRest: Float64Array;
  private readonly zyRest: Float64Array;
  private readonly xtx: Float64Array;
  private readonly xty: Float64Array;
  private readonly yty: number;
  // Workspace filled by evaluate().
  readonly lBlk: Float64Array;
  readonly c0: Float64Array;
  readonly cu0: Float64Array;
  readonly wVal: Float64Array;
  readonly l22: Float64Array;
  readonly cRest: Float64Array;
  readonly cuRest: Float64Array;
  /** Lower Cholesky factor of `X'X - RZX'RZX` (= RX'). */
  readonly lx: Float64Array;
  readonly cb: Float64Array;
  readonly beta: Float64Array;
  ldL2 = 0;
  ldRX2 = 0;
  pwrss = 0;
  factors: Float64Array[] = [];

  constructor(terms: PreparedTerm[], y: Float64Array, x: Float64Array, n: number, p: number) {
    this.n = n;
    this.p = p;
    this.terms = terms;
    this.ntheta = terms.reduce((s, t) => s + t.ntheta, 0);
    const t0 = terms[0]!;
    const q0 = t0.q;
    const l0 = t0.nlev;
    this.q0 = q0;
    this.l0 = l0;
    const restOff = q0 * l0;
    this.m = terms.reduce((s, t) => s + t.q * t.nlev, 0) - restOff;
    const m = this.m;
    this.xtx = new Float64Array(p * p);
    this.xty = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      const xa = a * n;
      for (let b = 0; b <= a; b++) {
        const xb = b * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += x[xa + i]! * x[xb + i]!;
        this.xtx[b * p + a] = s;
        this.xtx[a * p + b] = s;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += x[xa + i]! * y[i]!;
      this.xty[a] = s;
    }
    let yy = 0;
    for (let i = 0; i < n; i++) yy += y[i]! * y[i]!;
    this.yty = yy;

    // Leading term: per-level blocks.
    const c0 = t0.codes;
    const z0 = t0.z;
    this.a0 = new Float64Array(l0 * q0 * q0);
    this.zx0 = new Float64Array(l0 * q0 * p);
    this.zy0 = new Float64Array(l0 * q0);
    for (let a = 0; a < q0; a++) {
      for (let b = 0; b <= a; b++) {
        for (let i = 0; i < n; i++) {
          this.a0[c0[i]! * q0 * q0 + b * q0 + a]! += z0[a * n + i]! * z0[b * n + i]!;
        }
      }
      for (let c = 0; c < p; c++) {
        const xc = c * n;
        for (let i = 0; i < n; i++)
          this.zx0[c0[i]! * q0 * p + c * q0 + a]! += z0[a * n + i]! * x[xc + i]!;
      }
      for (let i = 0; i < n; i++) this.zy0[c0[i]! * q0 + a]! += z0[a * n + i]! * y[i]!;
    }
    for (let j = 0; j < l0; j++) {
      const o = j * q0 * q0;
      for (let a = 0; a < q0; a++)
        for (let b = 0; b < a; b++) this.a0[o + a * q0 + b] = this.a0[o + b * q0 + a]!;
    }

    // Remaining terms: dense cross-products and the sparse coupling with the leading term.
    this.dRest = new Float64Array(m * m);
    this.zxRest = new Float64Array(m * p);
    this.zyRest = new Float64Array(m);
    const rest = terms.slice(1);
    const restBase = rest.map((t) => t.reOffset - restOff);
    const crossStart = new Int32Array(l0 + 1);
    const crossCol: number[] = [];
    const crossTerm: number[] = [];
    const crossValOff: number[] = [];
    const crossVal: number[] = [];
    if (m > 0) {
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < rest.length; k++) {
          const tk = rest[k]!;
          const ia = restBase[k]! + tk.codes[i]! * tk.q;
          for (let a = 0; a < tk.q; a++) {
            const za = tk.z[a * n + i]!;
            if (za === 0) continue;
            for (let k2 = 0; k2 < rest.length; k2++) {
              const t2 = rest[k2]!;
              const ib = restBase[k2]! + t2.codes[i]! * t2.q;
              for (let b = 0; b < t2.q; b++)
                this.dRest[(ib + b) * m + ia + a]! += za * t2.z[b * n + i]!;
            }
            for (let c = 0; c < p; c++) this.zxRest[c * m + ia + a]! += za * x[c * n + i]!;
            this.zyRest[ia + a]! += za * y[i]!;
          }
        }
      }
      // Rows grouped by leading level so each level's coupling blocks are gathered together.
      const counts = new Int32Array(l0 + 1);
      for (let i = 0; i < n; i++) counts[c0[i]! + 1]!++;
      for (let j = 0; j < l0; j++) counts[j + 1]! += counts[j]!;
      const order = new Int32Array(n);
      const fill = counts.slice(0, l0);
      for (let i = 0; i < n; i++) order[fill[c0[i]!]!++] = i;
      const slot = new Int32Array(m).fill(-1);
      for (let j = 0; j < l0; j++) {
        crossStart[j] = crossCol.length;
        const touched: number[] = [];
        for (let r = counts[j]!; r < counts[j + 1]!; r++) {
          const i = order[r]!;
          for (let k = 0; k < rest.length; k++) {
            const tk = rest[k]!;
            const col = restBase[k]! + tk.codes[i]! * tk.q;
            let s = slot[col]!;
            if (s < 0) {
              s = crossCol.length;
              slot[col] = s;
              touched.push(col);
              crossCol.push(col);
              crossTerm.push(k + 1);
              crossValOff.push(crossVal.length);
              for (let v = 0; v < q0 * tk.q; v++) crossVal.push(0);
            }
            const vo = crossValOff[s]!;
            for (let b = 0; b < tk.q; b++) {
              const zb = tk.z[b * n + i]!;
              for (let a = 0; a < q0; a++) crossVal[vo + b * q0 + a]! += z0[a * n + i]! * zb;
            }
          }
        }
        for (const col of touched) slot[col] = -1;
      }
    }
    crossStart[l0] = crossCol.length;
    this.crossStart = crossStart;
    this.crossCol = Int32Array.from(crossCol);
    this.crossTerm = Int32Array.from(crossTerm);
    this.crossValOff = Int32Array.from(crossValOff);
    this.crossVal = Float64Array.from(crossVal);

    this.lBlk = new Float64Array(l0 * q0 * q0);
    this.c0 = new Float64Array(l0 * q0 * p);
    this.cu0 = new Float64Array(l0 * q0);
    this.wVal = new Float64Array(this.crossVal.length);
    this.l22 = new Float64Array(m * m);
    this.cRest = new Float64Array(m * p);
    this.cuRest = new Float64Array(m);
    this.lx = new Float64Array(p * p);
    this.cb = new Float64Array(p);
    this.beta = new Float64Array(p);
  }

  /**
   * Factor the system at `theta`; afterwards `ldL2`, `ldRX2`, `pwrss`, `beta` describe the
   * profiled fit. Returns false when `X'V^{-1}X` is not positive definite.
   */
  evaluate(theta: ArrayLike<number>): boolean {
    const { p, q0, l0, m } = this;
    const T = thetaToFactors(this.terms, theta);
    this.factors = T;
    const xs = this.lx;
    xs.set(this.xtx);
    const rhs = this.cb;
    rhs.set(this.xty);
    const termQ = Int32Array.from(this.terms, (t) => t.q);
    // Small kernels keep each hot loop in its own optimisable function.
    const lead =
      q0 === 1
        ? leadingScalar(
            T,
            termQ,
            l0,
            p,
            this.a0,
            this.zx0,
            this.zy0,
            this.crossStart,
            this.crossTerm,
            this.crossValOff,
            this.crossVal,
            this.lBlk,
            this.c0,
            this.cu0,
            this.wVal,
          )
        : leadingBlock(
            T,
            termQ,
            q0,
            l0,
            p,
            this.a0,
            this.zx0,
            this.zy0,
            this.crossStart,
            this.crossTerm,
            this.crossValOff,
            this.crossVal,
            this.lBlk,
            this.c0,
            this.cu0,
            this.wVal,
          );
    let ldL2 = lead;
    let sumCu = subtractLeading(q0, l0, p, this.c0, this.cu0, xs, rhs);
    if (m > 0) {
      const D = this.l22;
      D.set(this.dRest);
      const C = this.cRest;
      C.set(this.zxRest);
      const cu = this.cuRest;
      cu.set(this.zyRest);
      for (let k = 1; k < this.terms.length; k++) {
        const tk = this.terms[k]!;
        const base = tk.reOffset - q0 * l0;
        scaleDense(T[k]!, tk.q, tk.nlev, base, D, C, cu, m, p);
      }
      for (let i = 0; i < m; i++) D[i * m + i]! += 1;
      couplingDowndate(
        termQ,
        q0,
        l0,
        p,
        m,
        this.crossStart,
        this.crossCol,
        this.crossTerm,
        this.crossValOff,
        this.wVal,
        this.c0,
        this.cu0,
        D,
        C,
        cu,
      );
      if (!cholInPlace(D, 0, m)) return false;
      for (let i = 0; i < m; i++) ldL2 += 2 * Math.log(D[i * m + i]!);
      forwardSolve(D, 0, m, C, 0, p);
      forwardSolve(D, 0, m, cu, 0, 1);
      sumCu += subtractDense(m, p, C, cu, xs, rhs);
    }
    if (!cholInPlace(xs, 0, p)) return false;
    let ldRX2 = 0;
    for (let i = 0; i < p; i++) ldRX2 += 2 * Math.log(xs[i * p + i]!);
    forwardSolve(xs, 0, p, rhs, 0, 1);
    let sumCb = 0;
    for (let i = 0; i < p; i++) sumCb += rhs[i]! * rhs[i]!;
    this.beta.set(rhs);
    backSolveT(xs, 0, p, this.beta, 0, 1);
    this.ldL2 = ldL2;
    this.ldRX2 = ldRX2;
    this.pwrss = this.yty - sumCu - sumCb;
    return true;
  }

  /** REML criterion or ML deviance from the last {@link evaluate}, as lme4's `devfun`. */
  deviance(reml: boolean, pwrss = this.pwrss): number {
    const n = this.n;
    if (!(pwrss > 0)) return Infinity;
    if (reml) {
      const nmp = n - this.p;
      return this.ldL2 + this.ldRX2 + nmp * (1 + Math.log((2 * Math.PI * pwrss) / nmp));
    }
    return this.ldL2 + n * (1 + Math.log((2 * Math.PI * pwrss) / n));
  }

  /** `(X'V^{-1}X)^{-1} / sigma^2`, i.e. `(RX'RX)^{-1}`, from the last evaluation. */
  unscaledVcov(): Float64Array {
    const p = this.p;
    const inv = new Float64Array(p * p);
    for (let i = 0; i < p; i++) inv[i * p + i] = 1;
    forwardSolve(this.lx, 0, p, inv, 0, p);
    backSolveT(this.lx, 0, p, inv, 0, p);
    return inv;
  }

  /** Spherical modes `u` (`L' u = cu - RZX beta`) for the last evaluation, full RE order. */
  sphericalModes(): Float64Array {
    const { p, q0, l0, m } = this;
    const u = new Float64Array(q0 * l0 + m);
    const beta = this.beta;
    if (m > 0) {
      const ur = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let s = this.cuRest[i]!;
        for (let c = 0; c < p; c++) s -= this.cRest[c * m + i]! * beta[c]!;
        ur[i] = s;
      }
      backSolveT(this.l22, 0, m, ur, 0, 1);
      u.set(ur, q0 * l0);
    }
    const v = new Float64Array(q0);
    for (let j = 0; j < l0; j++) {
      const co = j * q0 * p;
      for (let a = 0; a < q0; a++) {
        let s = this.cu0[j * q0 + a]!;
        for (let c = 0; c < p; c++) s -= this.c0[co + c * q0 + a]! * beta[c]!;
        v[a] = s;
      }
      for (let b = this.crossStart[j]!; b < this.crossStart[j + 1]!; b++) {
        const col = this.crossCol[b]!;
        const qk = this.terms[this.crossTerm[b]!]!.q;
        const vo = this.crossValOff[b]!;
        for (let a = 0; a < q0; a++) {
          let s = 0;
          for (let d = 0; d < qk; d++) s += this.wVal[vo + d * q0 + a]! * u[q0 * l0 + col + d]!;
          v[a]! -= s;
        }
      }
      backSolveT(this.lBlk, j * q0 * q0, q0, v, 0, 1);
      u.set(v, j * q0);
    }
    return u;
  }
}

/** out[:, c] = T' src[:, c] for lower-triangular T (q x q), columns of length q. */
function applyTt(
  T: Float64Array,
  q: number,
  src: Float64Array,
  so: number,
  ncol: number,
  out: Float64Array,
  oo: number,
): void {
  for (let c = 0; c < ncol; c++) {
    for (let r = 0; r < q; r++) {
      let s = 0;
      for (let t = r; t < q; t++) s += T[r * q + t]! * src[so + c * q + t]!;
      out[oo + c * q + r] = s;
    }
  }
}

/** Rows o..o+q of an (ld x ncol) matrix replaced by T' times them. */
function scaleRowsTt(
  T: Float64Array,
  q: number,
  M: Float64Array,
  ld: number,
  ncol: number,
  o: number,
): void {
  if (q === 1) {
    const t = T[0]!;
    for (let c = 0; c < ncol; c++) M[c * ld + o]! *= t;
    return;
  }
  const v = new Float64Array(q);
  for (let c = 0; c < ncol; c++) {
    for (let r = 0; r < q; r++) {
      let s = 0;
      for (let t = r; t < q; t++) s += T[r * q + t]! * M[c * ld + o + t]!;
      v[r] = s;
    }
    for (let r = 0; r < q; r++) M[c * ld + o + r] = v[r]!;
  }
}

/** Columns o..o+q of a square (ld x ld) matrix replaced by them times T. */
function scaleColsT(T: Float64Array, q: number, M: Float64Array, ld: number, o: number): void {
  if (q === 1) {
    const t = T[0]!;
    for (let r = 0; r < ld; r++) M[o * ld + r]! *= t;
    return;
  }
  const v = new Float64Array(q);
  for (let r = 0; r < ld; r++) {
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let t = c; t < q; t++) s += M[(o + t) * ld + r]! * T[c * q + t]!;
      v[c] = s;
    }
    for (let c = 0; c < q; c++) M[(o + c) * ld + r] = v[c]!;
  }
}

/** Leading term with one effect per level: scalar factors. Returns log|L0|^2. */
function leadingScalar(
  T: Float64Array[],
  termQ: Int32Array,
  l0: number,
  p: number,
  a0: Float64Array,
  zx0: Float64Array,
  zy0: Float64Array,
  crossStart: Int32Array,
  crossTerm: Int32Array,
  crossValOff: Int32Array,
  crossVal: Float64Array,
  lBlk: Float64Array,
  c0: Float64Array,
  cu0: Float64Array,
  wVal: Float64Array,
): number {
  const t = T[0]![0]!;
  let ld = 0;
  for (let j = 0; j < l0; j++) {
    const l = Math.sqrt(t * t * a0[j]! + 1);
    lBlk[j] = l;
    ld += Math.log(l);
    const f = t / l;
    const co = j * p;
    for (let c = 0; c < p; c++) c0[co + c] = f * zx0[co + c]!;
    cu0[j] = f * zy0[j]!;
    for (let b = crossStart[j]!; b < crossStart[j + 1]!; b++) {
      const tk = T[crossTerm[b]!]!;
      const qk = termQ[crossTerm[b]!]!;
      const vo = crossValOff[b]!;
      for (let c = 0; c < qk; c++) {
        let s = 0;
        for (let r = c; r < qk; r++) s += crossVal[vo + r]! * tk[c * qk + r]!;
        wVal[vo + c] = f * s;
      }
    }
  }
  return 2 * ld;
}

/** Leading term with `q0 > 1` effects per level: `q0 x q0` Cholesky blocks. */
function leadingBlock(
  T: Float64Array[],
  termQ: Int32Array,
  q0: number,
  l0: number,
  p: number,
  a0: Float64Array,
  zx0: Float64Array,
  zy0: Float64Array,
  crossStart: Int32Array,
  crossTerm: Int32Array,
  crossValOff: Int32Array,
  crossVal: Float64Array,
  lBlk: Float64Array,
  c0: Float64Array,
  cu0: Float64Array,
  wVal: Float64Array,
): number {
  const T0 = T[0]!;
  let ldL2 = 0;
  let maxQ = 1;
  for (let k = 0; k < termQ.length; k++) maxQ = Math.max(maxQ, termQ[k]!);
  const tmp = new Float64Array(q0 * Math.max(q0, maxQ));
  for (let j = 0; j < l0; j++) {
    const lo = j * q0 * q0;
    const co = j * q0 * p;
    const uo = j * q0;
    for (let c = 0; c < q0; c++) {
      for (let r = 0; r < q0; r++) {
        let s = 0;
        for (let t = c; t < q0; t++) s += a0[lo + t * q0 + r]! * T0[c * q0 + t]!;
        tmp[c * q0 + r] = s;
      }
    }
    for (let c = 0; c < q0; c++) {
      for (let r = c; r < q0; r++) {
        let s = 0;
        for (let t = r; t < q0; t++) s += T0[r * q0 + t]! * tmp[c * q0 + t]!;
        lBlk[lo + c * q0 + r] = s + (r === c ? 1 : 0);
      }
    }
    cholInPlace(lBlk, lo, q0);
    for (let a = 0; a < q0; a++) ldL2 += 2 * Math.log(lBlk[lo + a * q0 + a]!);
    applyTt(T0, q0, zx0, co, p, c0, co);
    forwardSolve(lBlk, lo, q0, c0, co, p);
    applyTt(T0, q0, zy0, uo, 1, cu0, uo);
    forwardSolve(lBlk, lo, q0, cu0, uo, 1);
    for (let b = crossStart[j]!; b < crossStart[j + 1]!; b++) {
      const tk = T[crossTerm[b]!]!;
      const qk = termQ[crossTerm[b]!]!;
      const vo = crossValOff[b]!;
      for (let c = 0; c < qk; c++) {
        for (let a = 0; a < q0; a++) {
          let s = 0;
          for (let r = c; r < qk; r++) s += crossVal[vo + r * q0 + a]! * tk[c * qk + r]!;
          tmp[c * q0 + a] = s;
        }
      }
      applyTt(T0, q0, tmp, 0, qk, wVal, vo);
      forwardSolve(lBlk, lo, q0, wVal, vo, qk);
    }
  }
  return ldL2;
}

/** `X'X -= C0'C0`, `X'y -= C0'cu0` (lower triangle); returns `|cu0|^2`. */
function subtractLeading(
  q0: number,
  l0: number,
  p: number,
  c0: Float64Array,
  cu0: Float64Array,
  xs: Float64Array,
  rhs: Float64Array,
): number {
  let sumCu = 0;
  for (let j = 0; j < l0; j++) {
    const co = j * q0 * p;
    for (let a = 0; a < q0; a++) {
      const cua = cu0[j * q0 + a]!;
      sumCu += cua * cua;
      for (let c = 0; c < p; c++) {
        const v = c0[co + c * q0 + a]!;
        if (v === 0) continue;
        rhs[c]! -= v * cua;
        for (let d = c; d < p; d++) xs[c * p + d]! -= v * c0[co + d * q0 + a]!;
      }
    }
  }
  return sumCu;
}

/** `Lambda' (.) Lambda` on the dense block for one term's levels. */
function scaleDense(
  Tk: Float64Array,
  q: number,
  nlev: number,
  base: number,
  D: Float64Array,
  C: Float64Array,
  cu: Float64Array,
  m: number,
  p: number,
): void {
  for (let l = 0; l < nlev; l++) {
    const o = base + l * q;
    scaleRowsTt(Tk, q, D, m, m, o);
    scaleColsT(Tk, q, D, m, o);
    scaleRowsTt(Tk, q, C, m, p, o);
    scaleRowsTt(Tk, q, cu, m, 1, o);
  }
}

/** Subtract the leading term's contribution `W'W`, `W'C0`, `W'cu0` level by level. */
function couplingDowndate(
  termQ: Int32Array,
  q0: number,
  l0: number,
  p: number,
  m: number,
  crossStart: Int32Array,
  crossCol: Int32Array,
  crossTerm: Int32Array,
  crossValOff: Int32Array,
  wVal: Float64Array,
  c0: Float64Array,
  cu0: Float64Array,
  D: Float64Array,
  C: Float64Array,
  cu: Float64Array,
): void {
  for (let j = 0; j < l0; j++) {
    const b0 = crossStart[j]!;
    const b1 = crossStart[j + 1]!;
    const co = j * q0 * p;
    const uo = j * q0;
    for (let b = b0; b < b1; b++) {
      const colB = crossCol[b]!;
      const qb = termQ[crossTerm[b]!]!;
      const vb = crossValOff[b]!;
      for (let bb = b0; bb < b1; bb++) {
        const colC = crossCol[bb]!;
        const qc = termQ[crossTerm[bb]!]!;
        const vc = crossValOff[bb]!;
        for (let e = 0; e < qc; e++) {
          for (let d = 0; d < qb; d++) {
            let s = 0;
            for (let a = 0; a < q0; a++) s += wVal[vb + d * q0 + a]! * wVal[vc + e * q0 + a]!;
            D[(colC + e) * m + colB + d]! -= s;
          }
        }
      }
      for (let d = 0; d < qb; d++) {
        let s = 0;
        for (let a = 0; a < q0; a++) s += wVal[vb + d * q0 + a]! * cu0[uo + a]!;
        cu[colB + d]! -= s;
        for (let c = 0; c < p; c++) {
          let s2 = 0;
          for (let a = 0; a < q0; a++) s2 += wVal[vb + d * q0 + a]! * c0[co + c * q0 + a]!;
          C[c * m + colB + d]! -= s2;
        }
      }
    }
  }
}

/** `X'X -= C'C`, `X'y -= C'cu` for the dense part; returns `|cu|^2`. */
function subtractDense(
  m: number,
  p: number,
  C: Float64Array,
  cu: Float64Array,
  xs: Float64Array,
  rhs: Float64Array,
): number {
  let sumCu = 0;
  for (let i = 0; i < m; i++) sumCu += cu[i]! * cu[i]!;
  for (let c = 0; c < p; c++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += C[c * m + i]! * cu[i]!;
    rhs[c]! -= s;
    for (let d = c; d < p; d++) {
      let s2 = 0;
      for (let i = 0; i < m; i++) s2 += C[c * m + i]! * C[d * m + i]!;
      xs[c * p + d]! -= s2;
    }
  }
  return sumCu;
}

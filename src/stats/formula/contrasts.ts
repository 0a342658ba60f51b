import type { TermsSpec } from './terms.ts';

/**
 * A variable restricted to the rows in the model: numbers, or a factor with its levels.
 *
 * @example
 * const v: DesignVariable = { kind: 'factor', codes: Int32Array.of(0, 1), levels: ['a', 'b'] };
 */
export type DesignVariable =
  | { readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly kind: 'factor'; readonly codes: Int32Array; readonly levels: readonly string[] };

/**
 * A model matrix: column-major `n x p` values, R's column names and `assign` attribute.
 *
 * @example
 * const d = designMatrix(spec, vars, n);
 * d.x[j * d.n + i]; // row i, column j
 */
export interface Design {
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly colnames: string[];
  readonly assign: Int32Array;
}

/**
 * R's choice, per term and factor, between treatment contrasts (1) and full indicator coding (2).
 * A factor is coded by contrasts when the term without it (its margin) is empty or contained in
 * an earlier term; otherwise by indicators (R's `TermCode`). Without an intercept, the first factor
 * of the first term that has one is switched to indicators (R's `modelmatrix`). Numeric variables
 * get 1 too; the code only matters for factors. Returns one array per term, parallel to its
 * variables.
 *
 * @example
 * factorCoding(termsOf('y ~ a:b').fixed, [false, true, true]); // [[2, 2]]
 */
export function factorCoding(spec: TermsSpec, isFactor: readonly boolean[]): number[][] {
  const codes = spec.terms.map((term, j) =>
    term.map((v) => {
      const margin = term.filter((w) => w !== v);
      if (margin.length === 0) return 1;
      for (let k = 0; k < j; k++) {
        const earlier = spec.terms[k]!;
        if (margin.every((w) => earlier.includes(w))) return 1;
      }
      return 2;
    }),
  );
  if (!spec.intercept) {
    outer: for (let j = 0; j < spec.terms.length; j++) {
      const term = spec.terms[j]!;
      for (let a = 0; a < term.length; a++) {
        if (isFactor[term[a]!]) {
          codes[j]![a] = 2;
          break outer;
        }
      }
    }
  }
  return codes;
}

/**
 * Build R's `model.matrix()` for expanded terms: intercept first, then each term's columns with
 * the first variable varying fastest, names joined by `:`, treatment contrasts with the first level
 * as reference. `vars[k]` is the value of variable `k` of `spec` (undefined for the response).
 *
 * @example
 * const d = designMatrix(termsOf('y ~ x + g').fixed, [undefined, xVar, gVar], n);
 * d.colnames; // ['(Intercept)', 'x', 'gb']
 */
export function designMatrix(
  spec: TermsSpec,
  vars: readonly (DesignVariable | undefined)[],
  n: number,
): Design {
  const isFactor = spec.variables.map((_, k) => vars[k]?.kind === 'factor');
  const coding = factorCoding(spec, isFactor);
  const colnames: string[] = [];
  const assign: number[] = [];
  if (spec.intercept) {
    colnames.push('(Intercept)');
    assign.push(0);
  }
  interface Plan {
    readonly term: readonly number[];
    readonly offset: readonly number[]; // first level that gets a column (0 or 1)
    readonly stride: readonly number[];
    readonly start: number;
  }
  const plans: Plan[] = [];
  spec.terms.forEach((term, j) => {
    let names = [''];
    const offset: number[] = [];
    const stride: number[] = [];
    let width = 1;
    term.forEach((k, a) => {
      const v = vars[k]!;
      const label = spec.variableLabels[k]!;
      let pieces: string[];
      if (v.kind === 'numeric') {
        pieces = [label];
        offset.push(0);
      } else {
        const first = coding[j]![a] === 1 ? 1 : 0;
        pieces = v.levels.slice(first).map((l) => label + l);
        offset.push(first);
      }
      stride.push(width);
      width *= pieces.length;
      // Earlier variables vary fastest, so the new variable's pieces form the outer loop.
      const next: string[] = [];
      for (const piece of pieces)
        for (const prefix of names) next.push(prefix === '' ? piece : `${prefix}:${piece}`);
      names = next;
    });
    plans.push({ term, offset, stride, start: colnames.length });
    for (const nm of names) {
      colnames.push(nm);
      assign.push(j + 1);
    }
  });
  const p = colnames.length;
  const x = new Float64Array(n * p);
  if (spec.intercept) x.fill(1, 0, n);
  for (const plan of plans) fillTerm(x, n, plan, vars);
  return { x, n, p, colnames, assign: Int32Array.from(assign) };
}

function fillTerm(
  x: Float64Array,
  n: number,
  plan: {
    term: readonly number[];
    offset: readonly number[];
    stride: readonly number[];
    start: number;
  },
  vars: readonly (DesignVariable | undefined)[],
): void {
  const m = plan.term.length;
  const nums: Float64Array[] = [];
  const facs: { codes: Int32Array; offset: number; stride: number }[] = [];
  for (let a = 0; a < m; a++) {
    const v = vars[plan.term[a]!]!;
    if (v.kind === 'numeric') nums.push(v.values);
    else facs.push({ codes: v.codes, offset: plan.offset[a]!, stride: plan.stride[a]! });
  }
  const base = plan.start * n;
  if (facs.length === 0 && nums.length === 1) {
    x.set(nums[0]!, base);
    return;
  }
  if (facs.length === 1 && nums.length === 0) {
    // The common case, a factor main effect: one indicator per row.
    const { codes, offset } = facs[0]!;
    for (let i = 0; i < n; i++) {
      const lev = codes[i]! - offset;
      if (lev >= 0) x[base + lev * n + i] = 1;
    }
    return;
  }
  rows: for (let i = 0; i < n; i++) {
    let col = 0;
    for (let f = 0; f < facs.length; f++) {
      const fac = facs[f]!;
      const lev = fac.codes[i]! - fac.offset;
      if (lev < 0) continue rows;
      col += lev * fac.stride;
    }
    let v = 1;
    for (let k = 0; k < nums.length; k++) v *= nums[k]![i]!;
    x[base + col * n + i] = v;
  }
}

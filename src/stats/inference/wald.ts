/**
 * Joint Wald tests that several coefficients are zero, with any variance type:
 * chi-square, F (df2 = n - k for classical and HC, G - 1 for CR as clubSandwich's "Naive-F"),
 * and clubSandwich's HTZ small-sample test for CR types.
 */
import { TiltakError } from '../errors.ts';
import { solveSpd } from '../linalg/dense.ts';
import type { RegressionFit } from '../models/regression-fit.ts';
import type { VcovType } from '../tidy.ts';
import { type VcovDetail, vcovDetailed } from '../vcov/vcov.ts';
import { pUpperChisq, pUpperF } from './distributions.ts';
import { htzNu } from './satterthwaite-cr.ts';

/**
 * Options for {@link waldTest}.
 *
 * @example
 * const o: WaldOptions = { type: 'CR2', cluster, columns: [1, 2], test: 'HTZ' };
 */
export interface WaldOptions {
  type: VcovType;
  cluster?: Int32Array;
  /** 0-based indices into the full coefficient vector of the coefficients tested = 0. */
  columns: number[];
  test: 'F' | 'chisq' | 'HTZ';
}

/**
 * A joint test result; `df2` is Infinity for chi-square.
 *
 * @example
 * const { statistic, df2, p_value } = waldTest(fit, { type: 'HC1', columns: [1], test: 'F' });
 */
export interface WaldResult {
  statistic: number;
  df1: number;
  df2: number;
  p_value: number;
  test: string;
}

/**
 * Test that the coefficients in `columns` are jointly zero.
 *
 * @example
 * waldTest(fit, { type: 'CR2', cluster: codes, columns: [1, 2], test: 'HTZ' });
 * // { statistic, df1: 2, df2, p_value, test: 'HTZ' }
 */
export function waldTest(fit: RegressionFit, options: WaldOptions): WaldResult {
  const { columns, test, type } = options;
  const q = columns.length;
  if (q === 0) throw new TiltakError('BAD_CONSTRAINT', 'Wald test needs at least one coefficient');
  const pos = new Map<number, number>();
  for (const [j, col] of fit.estimable.entries()) pos.set(col, j);
  const seen = new Set<number>();
  const idx = columns.map((c) => {
    if (!Number.isInteger(c) || c < 0 || c >= fit.p) {
      throw new TiltakError('BAD_CONSTRAINT', `coefficient index ${c} is outside 0..${fit.p - 1}`);
    }
    const j = pos.get(c);
    if (j === undefined) {
      throw new TiltakError('BAD_CONSTRAINT', `coefficient '${fit.colnames[c]}' is aliased (NA)`);
    }
    if (seen.has(c)) {
      throw new TiltakError('BAD_CONSTRAINT', `coefficient '${fit.colnames[c]}' is listed twice`);
    }
    seen.add(c);
    return j;
  });
  const model = fit.sandwich;
  const detail = vcovDetailed(
    model,
    options.cluster === undefined ? { type } : { type, cluster: options.cluster },
  );
  return waldFromDetail(model.coef, model.bread, detail, idx, test, fit.dfResidual, type);
}

/**
 * The joint test of `idx` (positions in `coef`) from a computed variance: chi-square, F (df2 =
 * `dfResidual`, or G - 1 under CR) or HTZ (CR only, from the detail's components and `bread`).
 * Shared by regression fits and mixed models.
 *
 * @example
 * const r = waldFromDetail(beta, bread, vcovDetailed(model, { type: 'CR2', cluster }), [1, 2], 'HTZ', n - k, 'CR2');
 */
export function waldFromDetail(
  coef: ArrayLike<number>,
  bread: Float64Array,
  detail: VcovDetail,
  idx: readonly number[],
  test: WaldOptions['test'],
  dfResidual: number,
  type: VcovType,
): WaldResult {
  const q = idx.length;
  const k = coef.length;
  const v = detail.vcov;
  const sub = new Float64Array(q * q);
  const cb = new Float64Array(q);
  for (let s = 0; s < q; s++) {
    cb[s] = coef[idx[s]!]!;
    for (let t = 0; t < q; t++) sub[t * q + s] = v[idx[t]! * k + idx[s]!]!;
  }
  const sol = solveSpd(sub, cb, q);
  let qstat = 0;
  for (let s = 0; s < q; s++) qstat += cb[s]! * sol[s]!;
  if (test === 'chisq') {
    return {
      statistic: qstat,
      df1: q,
      df2: Number.POSITIVE_INFINITY,
      p_value: pUpperChisq(qstat, q),
      test: 'chisq',
    };
  }
  if (test === 'F') {
    const df2 = detail.clusters === null ? dfResidual : detail.clusters.G - 1;
    return { statistic: qstat / q, df1: q, df2, p_value: pUpperF(qstat / q, q, df2), test: 'F' };
  }
  if (detail.components === null) {
    throw new TiltakError('HTZ_NEEDS_CLUSTER', `HTZ needs a cluster-robust variance, got ${type}`);
  }
  const contrasts = idx.map((j) => {
    const c = new Float64Array(k);
    c[j] = 1;
    return c;
  });
  const nu = htzNu(detail.components, bread, contrasts);
  const delta = Math.max((nu - q + 1) / nu, 0);
  const df2 = nu - q + 1;
  const f = (delta * qstat) / q;
  return {
    statistic: f,
    df1: q,
    df2,
    p_value: df2 > 0 ? pUpperF(f, q, df2) : Number.NaN,
    test: 'HTZ',
  };
}

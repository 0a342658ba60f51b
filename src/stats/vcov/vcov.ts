/**
 * Variance matrices of the estimable coefficients for every {@link VcovType}.
 */
import { TiltakError } from '../errors.ts';
import type { VcovType } from '../tidy.ts';
import {
  type ClusterIndex,
  type CrComponents,
  clusterIndex,
  crComponents,
  crVcov,
  type SandwichModel,
  sandwichProduct,
} from './sandwich.ts';
import { HC_OMEGA, isCrType, isHcType } from './types.ts';

/**
 * Which variance to compute; `cluster` (0-based code per row) is required for CR types.
 *
 * @example
 * const opts: VcovOptions = { type: 'CR2', cluster: officeCodes };
 */
export interface VcovOptions {
  type: VcovType;
  cluster?: Int32Array;
}

/**
 * The k x k covariance of the estimable coefficients (column-major, original column order),
 * agreeing with `vcov` (classical), `sandwich::vcovHC` (HC*) and `clubSandwich::vcovCR` (CR*).
 *
 * @example
 * const v = vcovOf(fitOls(input), { type: 'CR2', cluster: codes });
 * const se0 = Math.sqrt(v[0]);
 */
export function vcovOf(
  fit: { readonly sandwich: SandwichModel },
  options: VcovOptions,
): Float64Array {
  return vcovDetailed(fit.sandwich, options).vcov;
}

/**
 * A covariance together with the cluster pieces it came from (for df computations).
 *
 * @example
 * const { vcov, clusters } = vcovDetailed(model, { type: 'CR1', cluster });
 */
export interface VcovDetail {
  readonly vcov: Float64Array;
  readonly clusters: ClusterIndex | null;
  readonly components: CrComponents | null;
}

/**
 * Like {@link vcovOf}, but also returns the per-cluster components so that Satterthwaite and HTZ
 * degrees of freedom reuse them instead of recomputing.
 *
 * @example
 * const { vcov, components } = vcovDetailed(fit.sandwich, { type: 'CR2', cluster });
 */
export function vcovDetailed(model: SandwichModel, options: VcovOptions): VcovDetail {
  const { type, cluster } = options;
  if (type === 'classical') return { vcov: model.classical, clusters: null, components: null };
  if (isHcType(type)) return { vcov: vcovHc(model, type), clusters: null, components: null };
  if (isCrType(type)) {
    if (cluster === undefined) {
      throw new TiltakError('MISSING_CLUSTER', `variance type ${type} needs a cluster variable`);
    }
    const idx = clusterIndex(cluster, model.n);
    const components = crComponents(model, idx, type);
    return { vcov: crVcov(model.bread, components), clusters: idx, components };
  }
  throw new TiltakError('UNKNOWN_VCOV', `unknown variance type '${String(type)}'`);
}

function vcovHc(model: SandwichModel, type: 'HC0' | 'HC1' | 'HC2' | 'HC3'): Float64Array {
  const { n, k, xw, rw, bread } = model;
  const omega = HC_OMEGA[type];
  const xm = new Float64Array(n * k);
  for (let j = 0; j < k; j++)
    for (let l = 0; l < k; l++) {
      const c = bread[j * k + l]!;
      for (let i = 0; i < n; i++) xm[j * n + i]! += xw[l * n + i]! * c;
    }
  const wgt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let j = 0; j < k; j++) h += xm[j * n + i]! * xw[j * n + i]!;
    wgt[i] = omega(rw[i]! * rw[i]!, h, n, k);
  }
  const meat = new Float64Array(k * k);
  for (let j = 0; j < k; j++)
    for (let l = 0; l <= j; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xw[j * n + i]! * xw[l * n + i]! * wgt[i]!;
      meat[j * k + l] = s;
      meat[l * k + j] = s;
    }
  return sandwichProduct(bread, meat, k);
}

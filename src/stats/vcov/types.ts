/**
 * The variance types as small functions behind the sandwich engine: an HC type is a weight on
 * each squared residual (sandwich::meatHC), a CR type is clubSandwich's adjustment of the
 * per-cluster estimating matrices (a constant factor, or a function of the cluster's hat block).
 */
import type { VcovType } from '../tidy.ts';

/**
 * Heteroskedasticity-consistent types.
 *
 * @example
 * const t: HcType = 'HC3';
 */
export type HcType = 'HC0' | 'HC1' | 'HC2' | 'HC3';
/**
 * Cluster-robust types (clubSandwich's names).
 *
 * @example
 * const t: CrType = 'CR2';
 */
export type CrType = 'CR0' | 'CR1' | 'CR1S' | 'CR2' | 'CR3';

/**
 * True for HC types.
 *
 * @example
 * isHcType('HC2'); // true
 */
export function isHcType(t: VcovType): t is HcType {
  return t === 'HC0' || t === 'HC1' || t === 'HC2' || t === 'HC3';
}

/**
 * True for cluster-robust types.
 *
 * @example
 * isCrType('CR2'); // true
 */
export function isCrType(t: VcovType): t is CrType {
  return t === 'CR0' || t === 'CR1' || t === 'CR1S' || t === 'CR2' || t === 'CR3';
}

/**
 * Weight on the squared residual of one row: omega(r^2, hat value, n, k).
 *
 * @example
 * const hc0: HcOmega = (r2) => r2;
 */
export type HcOmega = (r2: number, h: number, n: number, k: number) => number;

/**
 * sandwich::vcovHC's omega functions.
 *
 * @example
 * HC_OMEGA.HC3(4, 0.5, 10, 2); // 16
 */
export const HC_OMEGA: Readonly<Record<HcType, HcOmega>> = {
  HC0: (r2) => r2,
  HC1: (r2, _h, n, k) => (r2 * n) / (n - k),
  HC2: (r2, h) => r2 / (1 - h),
  HC3: (r2, h) => r2 / (1 - h) ** 2,
};

/**
 * How a CR type adjusts cluster g's estimating matrix: by a constant `scale` on the variance
 * (`kind: 'none'`), by (I - H_gg)^{-1/2} in the working metric (`'invsqrt'`, CR2), or by
 * (I - H_gg)^{-1} (`'inverse'`, CR3, the clustered jackknife).
 *
 * @example
 * const a: CrAdjustment = crAdjustment('CR2', 30, 600, 5); // { kind: 'invsqrt', scale: 1 }
 */
export interface CrAdjustment {
  readonly kind: 'none' | 'invsqrt' | 'inverse';
  readonly scale: number;
}

/**
 * clubSandwich's adjustment for `type` with G clusters, n rows and k estimable coefficients:
 * CR1 = G/(G-1), CR1S = G(n-1)/((G-1)(n-k)).
 *
 * @example
 * crAdjustment('CR1', 30, 900, 5).scale; // 30 / 29
 */
export function crAdjustment(type: CrType, G: number, n: number, k: number): CrAdjustment {
  switch (type) {
    case 'CR0':
      return { kind: 'none', scale: 1 };
    case 'CR1':
      return { kind: 'none', scale: G / (G - 1) };
    case 'CR1S':
      return { kind: 'none', scale: (G * (n - 1)) / ((G - 1) * (n - k)) };
    case 'CR2':
      return { kind: 'invsqrt', scale: 1 };
    case 'CR3':
      return { kind: 'inverse', scale: 1 };
  }
}

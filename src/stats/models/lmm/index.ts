/**
 * Linear mixed models (lme4-compatible REML/ML fits with Satterthwaite and Kenward–Roger
 * inference).
 *
 * @example
 * import { fitLmm } from './stats/models/lmm/index.ts';
 * const fit = fitLmm(input);
 */

export { type LrtResult, lrtLmm } from '../../inference/lmm-lrt.ts';
export { fitLmm, lmmInputOf } from './fit-lmm.ts';
export type * from './types.ts';

/**
 * R model formulas and the model frame: parse `y ~ arm * wave + (1 | office)`, expand terms as R's
 * `terms()` does, and build the model matrix as `model.matrix()` and lme4 do.
 *
 * @example
 * import { modelFrame } from './formula/index.ts';
 * const mf = modelFrame('y ~ arm + (1 | office)', df);
 */
export type {
  BinaryNode,
  BinaryOp,
  CallNode,
  Expr,
  Formula,
  NameNode,
  NumberNode,
  ParenNode,
  Span,
  UnaryNode,
} from './ast.ts';
export { type Design, type DesignVariable, designMatrix, factorCoding } from './contrasts.ts';
export { deparse, deparseFormula, deparseName } from './deparse.ts';
export { LEVEL_COLLATOR } from './levels.ts';
export {
  type ModelFrame,
  type ModelFrameOptions,
  modelFrame,
  type RandomTermFrame,
} from './model-frame.ts';
export { parseFormula } from './parse.ts';
export { formatRNumber } from './r-format.ts';
export {
  FORMULA_FUNCTIONS,
  type FormulaTerms,
  fixedFormula,
  hasRandomTerms,
  type RandomSpec,
  type TermsSpec,
  termsOf,
} from './terms.ts';
export { type Token, tokenize } from './tokenize.ts';

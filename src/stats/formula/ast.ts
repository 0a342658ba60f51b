/**
 * Syntax tree of an R model formula. Every node carries 0-based character offsets into the
 * formula text (`start` inclusive, `end` exclusive) so that later stages can point at the exact
 * place a problem comes from.
 */

/**
 * Binary operators that R formulas use; `|` separates a random-effect term from its group and
 * `a %in% b` is R's nesting operator (the same columns as `a:b`).
 *
 * @example
 * const op: BinaryOp = ':';
 */
export type BinaryOp = '+' | '-' | '*' | '/' | '^' | ':' | '|' | '||' | '%in%';

/**
 * Span of a node in the formula text, 0-based, `end` exclusive.
 *
 * @example
 * const s: Span = { start: 4, end: 7 }; // 'arm' in 'y ~ arm'
 */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * A column name; `quoted` is true when it was written in backquotes.
 *
 * @example
 * parseFormula('~ `odd name`').rhs; // { type: 'name', name: 'odd name', quoted: true, start: 2, end: 12 }
 */
export interface NameNode extends Span {
  readonly type: 'name';
  readonly name: string;
  readonly quoted: boolean;
}

/**
 * A numeric literal such as `1`, `0` or `2.5`.
 *
 * @example
 * parseFormula('y ~ 0 + x').rhs; // binary '+' whose left is { type: 'number', value: 0 }
 */
export interface NumberNode extends Span {
  readonly type: 'number';
  readonly value: number;
}

/**
 * `left op right`.
 *
 * @example
 * parseFormula('y ~ a:b').rhs; // { type: 'binary', op: ':', left: a, right: b }
 */
export interface BinaryNode extends Span {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * Unary `-x` or `+x`.
 *
 * @example
 * parseFormula('y ~ -1 + x').rhs; // binary '+' whose left is { type: 'unary', op: '-' }
 */
export interface UnaryNode extends Span {
  readonly type: 'unary';
  readonly op: '+' | '-';
  readonly operand: Expr;
}

/**
 * A parenthesised expression; kept so that deparsing reproduces R's labels.
 *
 * @example
 * parseFormula('y ~ (1 | g)').rhs.type; // 'paren'
 */
export interface ParenNode extends Span {
  readonly type: 'paren';
  readonly expr: Expr;
}

/**
 * A function call such as `log(x)`, `factor(year)` or `I(x^2)`.
 *
 * @example
 * parseFormula('y ~ log(x)').rhs; // { type: 'call', fn: 'log', args: [x] }
 */
export interface CallNode extends Span {
  readonly type: 'call';
  readonly fn: string;
  readonly args: readonly Expr[];
}

/**
 * Any expression of a formula.
 *
 * @example
 * const e: Expr = { type: 'name', name: 'x', quoted: false, start: 4, end: 5 };
 */
export type Expr = NameNode | NumberNode | BinaryNode | UnaryNode | ParenNode | CallNode;

/**
 * A parsed formula: `lhs ~ rhs`, with `lhs` null for a one-sided formula `~ rhs`.
 *
 * @example
 * const f = parseFormula('y ~ arm + (1 | office)');
 * f.lhs?.type; // 'name'
 */
export interface Formula {
  readonly type: 'formula';
  /** The text the formula was parsed from. */
  readonly text: string;
  readonly lhs: Expr | null;
  readonly rhs: Expr;
}

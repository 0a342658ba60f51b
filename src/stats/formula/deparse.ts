import type { Expr, Formula } from './ast.ts';
import { formatRNumber } from './r-format.ts';

const SYNTACTIC = /^(?:[\p{L}][\p{L}\p{N}._]*|\.(?:[\p{L}._][\p{L}\p{N}._]*)?)$/u;
const RESERVED = new Set(['if', 'else', 'repeat', 'while', 'function', 'for', 'next', 'break']);
RESERVED.add('TRUE').add('FALSE').add('NULL').add('Inf').add('NaN').add('NA').add('in');

/**
 * R's spelling of a variable name: backquoted when it is not a syntactic name, as in
 * `` `my var` ``.
 *
 * @example
 * deparseName('my var'); // '`my var`'
 */
export function deparseName(name: string): string {
  return SYNTACTIC.test(name) && !RESERVED.has(name) ? name : `\`${name}\``;
}

/**
 * Turn an expression back into text exactly as R's `deparse()` writes it, which is what R uses for
 * variable names, term labels and model-matrix column names: spaces around `+ - * |`, none around
 * `/ ^ :`, parentheses kept as written.
 *
 * @example
 * deparse(parseFormula('y ~ I(x*2)').rhs); // 'I(x * 2)'
 */
export function deparse(e: Expr): string {
  switch (e.type) {
    case 'name':
      return deparseName(e.name);
    case 'number':
      return formatRNumber(e.value);
    case 'paren':
      return `(${deparse(e.expr)})`;
    case 'unary':
      return `${e.op}${deparse(e.operand)}`;
    case 'call':
      return `${e.fn}(${e.args.map(deparse).join(', ')})`;
    case 'binary': {
      const tight = e.op === '/' || e.op === '^' || e.op === ':';
      return tight
        ? `${deparse(e.left)}${e.op}${deparse(e.right)}`
        : `${deparse(e.left)} ${e.op} ${deparse(e.right)}`;
    }
  }
}

/**
 * Deparse a whole formula, `y ~ a + b`.
 *
 * @example
 * deparseFormula(parseFormula('y~a+b')); // 'y ~ a + b'
 */
export function deparseFormula(f: Formula): string {
  return f.lhs === null ? `~${deparse(f.rhs)}` : `${deparse(f.lhs)} ~ ${deparse(f.rhs)}`;
}

/**
 * R's `.` on the right of a formula: every column of the data not used on the left-hand side,
 * in the data's column order (`y ~ .`, `y ~ . - x`, `y ~ . + (1 | g)`).
 */
import { TiltakError } from '../errors.ts';
import type { Expr, Formula, NameNode } from './ast.ts';
import { syntaxError } from './tokenize.ts';

function isDot(e: Expr): e is NameNode {
  return e.type === 'name' && e.name === '.' && !e.quoted;
}

function names(e: Expr | null, out: Set<string>): Set<string> {
  if (e === null) return out;
  if (e.type === 'name') out.add(e.name);
  else if (e.type === 'binary') {
    names(e.left, out);
    names(e.right, out);
  } else if (e.type === 'paren') names(e.expr, out);
  else if (e.type === 'unary') names(e.operand, out);
  else if (e.type === 'call') for (const a of e.args) names(a, out);
  return out;
}

/**
 * True when the formula's right-hand side uses `.`.
 *
 * @example
 * hasDot(parseFormula('y ~ .')); // true
 */
export function hasDot(f: Formula): boolean {
  return containsDot(f.rhs);
}

function containsDot(e: Expr): boolean {
  if (isDot(e)) return true;
  if (e.type === 'binary') return containsDot(e.left) || containsDot(e.right);
  if (e.type === 'paren') return containsDot(e.expr);
  if (e.type === 'unary') return containsDot(e.operand);
  if (e.type === 'call') return e.args.some(containsDot);
  return false;
}

/**
 * Replace each `.` on the right-hand side by the sum of the data's columns that the left-hand
 * side does not use. A `.` inside a random-effect term or a function call is refused, and so is a
 * `.` that would stand for no column.
 *
 * @example
 * expandDot(parseFormula('y ~ .'), ['y', 'arm', 'x']).rhs; // arm + x
 */
export function expandDot(f: Formula, columns: readonly string[]): Formula {
  const used = names(f.lhs, new Set());
  const rest = columns.filter((c) => !used.has(c));
  const visit = (e: Expr, inside: string | null): Expr => {
    if (isDot(e)) {
      if (inside !== null) syntaxError(e.start, `'.' cannot be used inside ${inside}`, f.text);
      if (rest.length === 0)
        throw new TiltakError(
          'EMPTY_DOT',
          "'.' stands for the columns not on the left-hand side, and there are none",
          { position: e.start + 1 },
        );
      const cols = rest.map(
        (name): NameNode => ({ type: 'name', name, quoted: true, start: e.start, end: e.end }),
      );
      return cols.slice(1).reduce<Expr>(
        (acc, c) => ({
          type: 'binary',
          op: '+',
          left: acc,
          right: c,
          start: e.start,
          end: e.end,
        }),
        cols[0]!,
      );
    }
    switch (e.type) {
      case 'binary':
        if (e.op === '|' || e.op === '||') {
          visit(e.left, 'a random-effect term');
          return e;
        }
        return { ...e, left: visit(e.left, inside), right: visit(e.right, inside) };
      case 'paren':
        return { ...e, expr: visit(e.expr, inside) };
      case 'unary':
        return { ...e, operand: visit(e.operand, inside) };
      case 'call':
        for (const a of e.args) visit(a, `${e.fn}()`);
        return e;
      default:
        return e;
    }
  };
  return { ...f, rhs: visit(f.rhs, null) };
}

import type { BinaryOp, Expr, Formula } from './ast.ts';
import { syntaxError, type Token, tokenize } from './tokenize.ts';

/**
 * Parse an R model formula into a {@link Formula} syntax tree with source positions.
 *
 * Operator precedence follows R (`?Syntax`), from loosest to tightest: `~`, `|`, binary `+ -`,
 * `* /`, `%in%`, `:`, unary `+ -`, `^` (right-associative). Syntax errors throw
 * `TiltakError('FORMULA_SYNTAX')` whose message gives the 1-based position.
 *
 * @example
 * const f = parseFormula('y ~ arm * wave + (1 | office)');
 * f.rhs.type; // 'binary'
 */
export function parseFormula(text: string): Formula {
  const p = new Parser(text);
  return p.formula();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(t: Token, ...ops: string[]): boolean {
    return t.kind === 'op' && ops.includes(t.text);
  }

  formula(): Formula {
    const first = this.peek();
    if (first.kind === 'eof') syntaxError(0, 'the formula is empty', this.text);
    let lhs: Expr | null = null;
    if (!this.isOp(first, '~')) {
      lhs = this.bar();
      const t = this.peek();
      if (!this.isOp(t, '~')) {
        if (t.kind === 'eof') syntaxError(t.start, "expected '~' after the response", this.text);
        this.unexpected(t);
      }
    }
    const tilde = this.peek();
    this.pos++;
    if (this.peek().kind === 'eof') {
      syntaxError(tilde.start, "expected a term after '~'", this.text);
    }
    const rhs = this.bar();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.unexpected(rest);
    return { type: 'formula', text: this.text, lhs, rhs };
  }

  private unexpected(t: Token): never {
    if (t.kind === 'rparen') syntaxError(t.start, "unmatched ')'", this.text);
    if (this.isOp(t, '~')) syntaxError(t.start, "a formula has only one '~'", this.text);
    if (t.kind === 'name' || t.kind === 'number') {
      syntaxError(t.start, `unexpected '${t.text}'; join terms with '+'`, this.text);
    }
    syntaxError(t.start, `unexpected '${t.text}'`, this.text);
  }

  private binaryLevel(ops: readonly BinaryOp[], next: () => Expr): Expr {
    let left = next();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.text as BinaryOp)) return left;
      this.pos++;
      const right = next();
      left = {
        type: 'binary',
        op: t.text as BinaryOp,
        left,
        right,
        start: left.start,
        end: right.end,
      };
    }
  }

  private bar(): Expr {
    return this.binaryLevel(['|', '||'], () => this.sum());
  }

  private sum(): Expr {
    return this.binaryLevel(['+', '-'], () => this.product());
  }

  private product(): Expr {
    return this.binaryLevel(['*', '/'], () => this.special());
  }

  private special(): Expr {
    return this.binaryLevel(['%in%'], () => this.colon());
  }

  private colon(): Expr {
    return this.binaryLevel([':'], () => this.unary());
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-', '+')) {
      this.pos++;
      const operand = this.unary();
      return { type: 'unary', op: t.text as '+' | '-', operand, start: t.start, end: operand.end };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    const t = this.peek();
    if (!this.isOp(t, '^')) return base;
    this.pos++;
    // R lets the exponent carry its own sign (x^-1) and chains to the right (a^b^c = a^(b^c)).
    const exponent = this.unary();
    return {
      type: 'binary',
      op: '^',
      left: base,
      right: exponent,
      start: base.start,
      end: exponent.end,
    };
  }

  private closeParen(open: Token): Token {
    const t = this.peek();
    if (t.kind !== 'rparen') {
      syntaxError(
        t.start,
        `expected ')' to close the '(' at position ${open.start + 1}${t.kind === 'eof' ? '' : `, found '${t.text}'`}`,
        this.text,
      );
    }
    this.pos++;
    return t;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.pos++;
      return { type: 'number', value: Number(t.text), start: t.start, end: t.end };
    }
    if (t.kind === 'name') {
      this.pos++;
      const next = this.peek();
      if (next.kind === 'lparen' && !t.quoted) {
        this.pos++;
        const args: Expr[] = [];
        if (this.peek().kind === 'rparen') {
          syntaxError(next.start, `${t.text}() needs an argument`, this.text);
        }
        for (;;) {
          args.push(this.bar());
          if (this.peek().kind !== 'comma') break;
          this.pos++;
        }
        const close = this.closeParen(next);
        return { type: 'call', fn: t.text, args, start: t.start, end: close.end };
      }
      return { type: 'name', name: t.text, quoted: t.quoted, start: t.start, end: t.end };
    }
    if (t.kind === 'lparen') {
      this.pos++;
      if (this.peek().kind === 'rparen') syntaxError(t.start, 'empty parentheses', this.text);
      const expr = this.bar();
      const close = this.closeParen(t);
      return { type: 'paren', expr, start: t.start, end: close.end };
    }
    const prev = this.pos > 0 ? this.tokens[this.pos - 1]! : null;
    const after =
      prev === null ? '' : prev.kind === 'lparen' ? " after '('" : ` after '${prev.text}'`;
    if (t.kind === 'eof' || t.kind === 'rparen') {
      if (prev === null) syntaxError(t.start, 'the formula is empty', this.text);
      syntaxError(prev.start, `expected a term${after}`, this.text);
    }
    syntaxError(t.start, `unexpected '${t.text}'; expected a term${after}`, this.text);
  }
}

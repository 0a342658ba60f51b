import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isTiltakError } from '../src/stats/errors.ts';
import {
  deparse,
  deparseFormula,
  type Expr,
  fixedFormula,
  hasRandomTerms,
  parseFormula,
  termsOf,
  tokenize,
} from '../src/stats/formula/index.ts';

// A compact rendering of the tree: operators in prefix form, so precedence is visible.
function show(e: Expr): string {
  switch (e.type) {
    case 'name':
      return e.name;
    case 'number':
      return String(e.value);
    case 'paren':
      return `(${show(e.expr)})`;
    case 'unary':
      return `[${e.op} ${show(e.operand)}]`;
    case 'call':
      return `${e.fn}{${e.args.map(show).join(',')}}`;
    case 'binary':
      return `[${e.op} ${show(e.left)} ${show(e.right)}]`;
  }
}

function syntaxMessage(text: string): string {
  try {
    parseFormula(text);
  } catch (e) {
    if (isTiltakError(e, 'FORMULA_SYNTAX')) return e.message;
    throw e;
  }
  throw new Error(`'${text}' parsed without error`);
}

describe('tokenize', () => {
  it('gives 0-based offsets and strips backquotes', () => {
    const toks = tokenize('y ~ `odd name` + log(x1)');
    expect(toks.map((t) => [t.kind, t.text, t.start, t.end])).toEqual([
      ['name', 'y', 0, 1],
      ['op', '~', 2, 3],
      ['name', 'odd name', 4, 14],
      ['op', '+', 15, 16],
      ['name', 'log', 17, 20],
      ['lparen', '(', 20, 21],
      ['name', 'x1', 21, 23],
      ['rparen', ')', 23, 24],
      ['eof', '', 24, 24],
    ]);
  });
  it('reads numbers and names with dots, underscores and Norwegian letters', () => {
    expect(tokenize('.5 1e3 2.5E-2 inntekt.før_skatt').map((t) => t.kind)).toEqual([
      'number',
      'number',
      'number',
      'name',
      'eof',
    ]);
    expect(tokenize('inntekt.før_skatt')[0]!.text).toBe('inntekt.før_skatt');
  });
});

describe('parseFormula: structure and precedence as in R', () => {
  const cases: [string, string][] = [
    ['y ~ a + b', '[+ a b]'],
    ['y ~ a + b:c', '[+ a [: b c]]'],
    ['y ~ a * b + c', '[+ [* a b] c]'],
    ['y ~ a:b * c', '[* [: a b] c]'],
    ['y ~ -1 + x', '[+ [- 1] x]'],
    ['y ~ x - 1', '[- x 1]'],
    ['y ~ 0 + x', '[+ 0 x]'],
    ['y ~ -a:b', '[: [- a] b]'],
    ['y ~ (a + b)^2', '[^ ([+ a b]) 2]'],
    ['y ~ I(x^2^3)', 'I{[^ x [^ 2 3]]}'],
    ['y ~ I(-x^2)', 'I{[- [^ x 2]]}'],
    ['y ~ I(x/2 + 1)', 'I{[+ [/ x 2] 1]}'],
    ['y ~ a/b', '[/ a b]'],
    ['y ~ a * b %in% c:d', '[* a [%in% b [: c d]]]'],
    ['y ~ factor(year) + log(income)', '[+ factor{year} log{income}]'],
    ['y ~ x + (1 | g)', '[+ x ([| 1 g])]'],
    ['y ~ x + (1 + x | g1/g2)', '[+ x ([| [+ 1 x] [/ g1 g2]])]'],
    ['y ~ (0 + x | g) + (1 | a) + (1 | b)', '[+ [+ ([| [+ 0 x] g]) ([| 1 a])] ([| 1 b])]'],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(show(parseFormula(text).rhs)).toBe(expected);
  });

  it('records source positions of every node', () => {
    const f = parseFormula('y ~ arm + (1 | office)');
    expect(f.lhs).toMatchObject({ type: 'name', name: 'y', start: 0, end: 1 });
    const rhs = f.rhs;
    expect(rhs).toMatchObject({ type: 'binary', op: '+', start: 4, end: 22 });
    if (rhs.type !== 'binary') throw new Error('not binary');
    expect(rhs.left).toMatchObject({ name: 'arm', start: 4, end: 7 });
    expect(rhs.right).toMatchObject({ type: 'paren', start: 10, end: 22 });
  });

  it('parses one-sided formulas', () => {
    const f = parseFormula('~ x + z');
    expect(f.lhs).toBeNull();
    expect(deparseFormula(f)).toBe('~x + z');
  });

  it('deparses as R does: spaces around + - * |, none around / ^ :', () => {
    const f = parseFormula('log(y)~I(x*2)+I(x/2)+I(x^2)+a:b+I(-x)+(1|g)+I((x-1)^2)');
    expect(deparseFormula(f)).toBe(
      'log(y) ~ I(x * 2) + I(x/2) + I(x^2) + a:b + I(-x) + (1 | g) + I((x - 1)^2)',
    );
    expect(deparse(parseFormula('~ `odd name`').rhs)).toBe('`odd name`');
  });
});

describe('parseFormula: syntax errors give a 1-based position', () => {
  const cases: [string, string][] = [
    ['y ~ arm +', "formula syntax error at position 9: expected a term after '+'"],
    [
      'y ~ a + * b',
      "formula syntax error at position 9: unexpected '*'; expected a term after '+'",
    ],
    ['y ~ a b', "formula syntax error at position 7: unexpected 'b'; join terms with '+'"],
    [
      'y ~ (a + b',
      "formula syntax error at position 11: expected ')' to close the '(' at position 5",
    ],
    ['y ~ a)', "formula syntax error at position 6: unmatched ')'"],
    ['y', "formula syntax error at position 2: expected '~' after the response"],
    ['', 'formula syntax error at position 1: the formula is empty'],
    ['y ~', "formula syntax error at position 3: expected a term after '~'"],
    ['y ~ a ~ b', "formula syntax error at position 7: a formula has only one '~'"],
    ['y ~ x + $z', "formula syntax error at position 9: unexpected character '$'"],
    ['y ~ `x', 'formula syntax error at position 5: unterminated backquoted name'],
    ['y ~ ()', 'formula syntax error at position 5: empty parentheses'],
    ['y ~ log()', 'formula syntax error at position 8: log() needs an argument'],
    ['y ~ a:', "formula syntax error at position 6: expected a term after ':'"],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(syntaxMessage(text)).toBe(message);
  });

  it('rejects semantic misuse with positions', () => {
    const msg = (t: string) => {
      try {
        termsOf(t);
      } catch (e) {
        return isTiltakError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(msg('y ~ x * (1 | g)')).toBe(
      "FORMULA_SYNTAX: formula syntax error at position 9: a random-effect term '( … | group)' must be added to the model with '+'",
    );
    expect(msg('y ~ 2 + x')).toBe(
      'FORMULA_SYNTAX: formula syntax error at position 5: the number 2 cannot be a term; only 0 and 1 (the intercept) can',
    );
    expect(msg('y ~ (a + b)^c')).toBe(
      "FORMULA_SYNTAX: formula syntax error at position 13: the power after '^' must be a whole number of at least 1",
    );
    expect(msg('y ~ lg(x)')).toBe(
      "UNKNOWN_FUNCTION: unknown function 'lg' at position 5 in formula 'y ~ lg(x)'; a formula may use factor, log, exp, sqrt, abs, I",
    );
    expect(msg('y ~ log(x, 2)')).toBe(
      'FORMULA_SYNTAX: formula syntax error at position 5: log() takes exactly one argument',
    );
  });
});

describe('termsOf: R term expansion and ordering', () => {
  // Expected labels and intercepts are R's terms() output, from test/fixtures/r/formula.R.
  const fx = JSON.parse(
    readFileSync(fileURLToPath(new URL('./fixtures/r/formula.json', import.meta.url)), 'utf8'),
  ) as { terms: { formula: string; term_labels: string[]; intercept: boolean }[] };
  it.each(fx.terms.map((c) => [c.formula, c] as const))('%s', (_f, c) => {
    const t = termsOf(c.formula).fixed;
    expect(t.termLabels).toEqual(c.term_labels);
    expect(t.intercept).toBe(c.intercept);
  });

  it('splits random terms off and expands nesting as lme4 does', () => {
    const t = termsOf('y ~ arm + (1 | office/family) + (0 + x | g) + (1 | a/b/c)');
    expect(t.fixedFormula).toBe('y ~ arm');
    expect(t.random.map((r) => r.group)).toEqual([
      'family:office',
      'office',
      'g',
      'c:(b:a)',
      'b:a',
      'a',
    ]);
    expect(t.random[0]!.groupParts.map((p) => p.name)).toEqual(['family', 'office']);
    expect(t.random[3]!.groupParts.map((p) => p.name)).toEqual(['c', 'b', 'a']);
    expect(t.random[2]!.lhs.termLabels).toEqual(['x']);
    expect(t.random[2]!.lhs.intercept).toBe(false);
    expect(fixedFormula('y ~ (1 | g)')).toBe('y ~ 1');
    expect(fixedFormula('y ~ (1 | g) - 1')).toBe('y ~ -1');
  });

  it('hasRandomTerms', () => {
    expect(hasRandomTerms('y ~ x + (1 | g)')).toBe(true);
    expect(hasRandomTerms('y ~ x * z')).toBe(false);
    expect(hasRandomTerms(parseFormula('y ~ (x | g)'))).toBe(true);
  });
});

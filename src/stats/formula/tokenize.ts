import { TiltakError } from '../errors.ts';

/**
 * Token kinds of the formula language.
 *
 * @example
 * tokenize('(x)')[0]!.kind; // 'lparen'
 */
export type TokenKind = 'name' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

/**
 * One token with its 0-based offsets into the formula text.
 *
 * @example
 * tokenize('y ~ x')[2]; // { kind: 'name', text: 'x', start: 4, end: 5, quoted: false }
 */
export interface Token {
  readonly kind: TokenKind;
  /** The token text; for a backquoted name, the name without the backquotes. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly quoted: boolean;
}

/**
 * Throw the one FORMULA_SYNTAX error shape used by the tokenizer and parser. Positions in messages
 * are 1-based because people count characters from one.
 *
 * @example
 * syntaxError(8, "expected a term after '+'", 'y ~ arm +');
 */
export function syntaxError(offset: number, message: string, text: string): never {
  throw new TiltakError(
    'FORMULA_SYNTAX',
    `formula syntax error at position ${offset + 1}: ${message}`,
    {
      position: offset + 1,
      formula: text,
    },
  );
}

// R accepts letters of any script in names when running in a UTF-8 locale.
const NAME_START = /[\p{L}.]/u;
const NAME_PART = /[\p{L}\p{N}._]/u;
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const OPS = new Set(['~', '+', '-', '*', '/', '^', ':', '|']);

/**
 * Split formula text into tokens. Whitespace is skipped; backquoted names may contain any
 * character except a backquote.
 *
 * @example
 * tokenize('y ~ log(x)').map((t) => t.text); // ['y', '~', 'log', '(', 'x', ')', '']
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (ch === '`') {
      const close = text.indexOf('`', i + 1);
      if (close === -1) syntaxError(start, 'unterminated backquoted name', text);
      if (close === i + 1) syntaxError(start, 'empty backquoted name', text);
      tokens.push({
        kind: 'name',
        text: text.slice(i + 1, close),
        start,
        end: close + 1,
        quoted: true,
      });
      i = close + 1;
      continue;
    }
    const num =
      /[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))
        ? NUMBER.exec(text.slice(i))
        : null;
    if (num !== null) {
      i += num[0].length;
      tokens.push({ kind: 'number', text: num[0], start, end: i, quoted: false });
      continue;
    }
    if (NAME_START.test(ch)) {
      i++;
      while (i < n && NAME_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), start, end: i, quoted: false });
      continue;
    }
    if (OPS.has(ch)) {
      if (ch === '|' && text[i + 1] === '|') {
        // lme4's double bar: uncorrelated random effects.
        tokens.push({ kind: 'op', text: '||', start, end: i + 2, quoted: false });
        i += 2;
        continue;
      }
      tokens.push({ kind: 'op', text: ch, start, end: i + 1, quoted: false });
      i++;
      continue;
    }
    if (ch === '%') {
      const close = text.indexOf('%', i + 1);
      const op = close === -1 ? text.slice(i) : text.slice(i, close + 1);
      if (op !== '%in%') syntaxError(start, `operator '${op}' is not supported in a formula`, text);
      tokens.push({ kind: 'op', text: op, start, end: close + 1, quoted: false });
      i = close + 1;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      const kind = ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma';
      tokens.push({ kind, text: ch, start, end: i + 1, quoted: false });
      i++;
      continue;
    }
    syntaxError(start, `unexpected character '${ch}'`, text);
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n, quoted: false });
  return tokens;
}

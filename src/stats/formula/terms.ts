import { TiltakError } from '../errors.ts';
import type { BinaryNode, Expr, Formula, NameNode } from './ast.ts';
import { deparse, deparseFormula } from './deparse.ts';
import { parseFormula } from './parse.ts';
import { syntaxError } from './tokenize.ts';

/**
 * Functions a formula may call; anything else is an UNKNOWN_FUNCTION error.
 *
 * @example
 * FORMULA_FUNCTIONS.includes('log'); // true
 */
export const FORMULA_FUNCTIONS: readonly string[] = ['factor', 'log', 'exp', 'sqrt', 'abs', 'I'];

/**
 * The expanded terms of one side of a model, as R's `terms()` computes them.
 *
 * @example
 * const t = termsOf('y ~ b * a').fixed;
 * t.termLabels; // ['b', 'a', 'b:a']
 */
export interface TermsSpec {
  /** Variables in R's order (`attr(terms, 'variables')`): response first, then by first appearance. */
  readonly variables: readonly Expr[];
  /** R's deparsed variable names, parallel to `variables`. */
  readonly variableLabels: readonly string[];
  /** Each term as ascending variable indices, in R's order (by degree, then as expanded). */
  readonly terms: readonly (readonly number[])[];
  /** R's `attr(terms, 'term.labels')`. */
  readonly termLabels: readonly string[];
  readonly intercept: boolean;
  /** Index of the response among `variables`, or -1. */
  readonly responseIndex: number;
}

/**
 * One random-effect term after lme4's expansion of nested grouping (`(1 | a/b)` becomes
 * `(1 | b:a)` and `(1 | a)`).
 *
 * @example
 * termsOf('y ~ (1 | office/family)').random.map((r) => r.group); // ['family:office', 'office']
 */
export interface RandomSpec {
  /** Terms of the left-hand side of the bar, as in `model.matrix(~ lhs)`. */
  readonly lhs: TermsSpec;
  /** Grouping columns, the slowest-varying first, as R's `:` combines factors. */
  readonly groupParts: readonly NameNode[];
  /** lme4's name for the grouping factor, e.g. `family:office` or `c:(b:a)`. */
  readonly group: string;
  /** Offsets of the bar expression in the formula text. */
  readonly start: number;
  readonly end: number;
}

/**
 * A formula split into its fixed part (R's `terms`) and lme4-style random-effect terms.
 *
 * @example
 * const t = termsOf('y ~ x + (x | g)');
 * t.fixed.termLabels; // ['x']
 */
export interface FormulaTerms {
  readonly formula: Formula;
  readonly response: Expr | null;
  readonly fixed: TermsSpec;
  readonly random: readonly RandomSpec[];
  /** The fixed-effects formula, lme4's `nobars()`, deparsed. */
  readonly fixedFormula: string;
}

function asFormula(f: string | Formula): Formula {
  return typeof f === 'string' ? parseFormula(f) : f;
}

function unparen(e: Expr): Expr {
  return e.type === 'paren' ? unparen(e.expr) : e;
}

function isBar(e: Expr): boolean {
  const u = unparen(e);
  return u.type === 'binary' && (u.op === '|' || u.op === '||');
}

/**
 * lme4's expandDoubleVerts: `(a + b || g)` is `(1 | g) + (0 + a | g) + (0 + b | g)`, one
 * uncorrelated term per term of the left-hand side (the intercept only when it has one).
 */
function splitDoubleBar(lhs: TermsSpec): TermsSpec[] {
  const out: TermsSpec[] = [];
  if (lhs.intercept) out.push({ ...lhs, terms: [], termLabels: [], intercept: true });
  lhs.terms.forEach((t, i) => {
    out.push({ ...lhs, terms: [t], termLabels: [lhs.termLabels[i]!], intercept: false });
  });
  return out;
}

/**
 * True when the formula has at least one random-effect term `( … | group)`.
 *
 * @example
 * hasRandomTerms('y ~ arm + (1 | office)'); // true
 */
export function hasRandomTerms(formula: string | Formula): boolean {
  return termsOf(formula).random.length > 0;
}

/**
 * The fixed-effects part of a formula with every random-effect term removed, as lme4's `nobars()`.
 *
 * @example
 * fixedFormula('y ~ arm + (1 | office)'); // 'y ~ arm'
 */
export function fixedFormula(formula: string | Formula): string {
  return termsOf(formula).fixedFormula;
}

/**
 * Expand a formula into R's terms: fixed terms ordered by degree with R's labels, the intercept
 * flag, and the random-effect terms with nested grouping expanded as lme4 does.
 *
 * @example
 * termsOf('y ~ (a + b + c)^2').fixed.termLabels; // ['a','b','c','a:b','a:c','b:c']
 */
export function termsOf(formula: string | Formula): FormulaTerms {
  const f = asFormula(formula);
  const bars: BinaryNode[] = [];
  const fixedRhs = stripBars(f.rhs, bars, f.text);
  const fixedExpr: Expr = fixedRhs ?? {
    type: 'number',
    value: 1,
    start: f.rhs.start,
    end: f.rhs.start,
  };
  const fixed = buildTerms(fixedExpr, f.lhs, f.text);
  const random: RandomSpec[] = [];
  for (const bar of bars) {
    const full = buildTerms(bar.left, null, f.text);
    const sides = bar.op === '||' ? splitDoubleBar(full) : [full];
    for (const lhs of sides) {
      for (const parts of expandGroups(bar.right, f.text)) {
        random.push({
          lhs,
          groupParts: parts.names,
          group: parts.label,
          start: bar.start,
          end: bar.end,
        });
      }
    }
  }
  const fixedText = deparseFormula({ ...f, rhs: fixedExpr });
  return { formula: f, response: f.lhs, fixed, random, fixedFormula: fixedText };
}

// Separates the top-level sum into fixed pieces and bar terms, as lme4's findbars/nobars do.
function stripBars(e: Expr, bars: BinaryNode[], text: string): Expr | null {
  if (isBar(e)) {
    bars.push(unparen(e) as BinaryNode);
    return null;
  }
  if (e.type === 'binary' && (e.op === '+' || e.op === '-')) {
    const left = stripBars(e.left, bars, text);
    if (e.op === '-') {
      assertNoBars(e.right, text);
      if (left === null)
        return { type: 'unary', op: '-', operand: e.right, start: e.start, end: e.end };
      return { ...e, left };
    }
    const right = stripBars(e.right, bars, text);
    if (left === null) return right;
    if (right === null) return left;
    return { ...e, left, right };
  }
  if (e.type === 'paren') {
    const inner = stripBars(e.expr, bars, text);
    return inner === null ? null : inner === e.expr ? e : { ...e, expr: inner };
  }
  assertNoBars(e, text);
  return e;
}

function assertNoBars(e: Expr, text: string): void {
  const visit = (x: Expr): void => {
    if (isBar(x)) {
      syntaxError(
        x.start,
        "a random-effect term '( … | group)' must be added to the model with '+'",
        text,
      );
    }
    if (x.type === 'binary') {
      visit(x.left);
      visit(x.right);
    } else if (x.type === 'paren') visit(x.expr);
    else if (x.type === 'unary') visit(x.operand);
    else if (x.type === 'call') x.args.forEach(visit);
  };
  visit(e);
}

function colonNames(e: Expr, text: string): NameNode[] {
  const u = unparen(e);
  if (u.type === 'name') return [u];
  if (u.type === 'binary' && u.op === ':')
    return [...colonNames(u.left, text), ...colonNames(u.right, text)];
  return syntaxError(u.start, "a grouping factor must be a column name, 'a:b' or 'a/b'", text);
}

function slashParts(e: Expr): Expr[] {
  const u = unparen(e);
  if (u.type === 'binary' && u.op === '/') return [...slashParts(u.left), ...slashParts(u.right)];
  return [e];
}

// lme4's expandSlash: a/b/c gives c:(b:a), b:a and a, in that order.
function expandGroups(e: Expr, text: string): { names: NameNode[]; label: string }[] {
  const parts = slashParts(e);
  const out: { names: NameNode[]; label: string }[] = [];
  let names: NameNode[] = [];
  let label = '';
  let compound = false;
  const levels: { names: NameNode[]; label: string }[] = [];
  parts.forEach((p, j) => {
    const pn = colonNames(p, text);
    const pl = deparse(unparen(p));
    if (j === 0) {
      names = pn;
      label = pl;
      compound = pn.length > 1;
    } else {
      label = `${pl}:${compound ? `(${label})` : label}`;
      names = [...pn, ...names];
      compound = true;
    }
    levels.push({ names, label });
  });
  for (let j = levels.length - 1; j >= 0; j--) out.push(levels[j]!);
  return out;
}

interface EncodeState {
  intercept: boolean;
  parity: boolean;
  readonly labels: string[];
  readonly exprs: Expr[];
  readonly index: Map<string, number>;
  readonly text: string;
}

function variableIndex(e: Expr, st: EncodeState): number {
  const label = deparse(e);
  let k = st.index.get(label);
  if (k === undefined) {
    k = st.labels.length;
    st.index.set(label, k);
    st.labels.push(label);
    st.exprs.push(e);
  }
  return k;
}

function checkCalls(e: Expr, text: string): void {
  if (e.type === 'call') {
    if (!FORMULA_FUNCTIONS.includes(e.fn)) {
      throw new TiltakError(
        'UNKNOWN_FUNCTION',
        `unknown function '${e.fn}' at position ${e.start + 1} in formula '${text}'; a formula may use ${FORMULA_FUNCTIONS.join(', ')}`,
        { function: e.fn, position: e.start + 1 },
      );
    }
    if (e.args.length !== 1) {
      syntaxError(e.start, `${e.fn}() takes exactly one argument`, text);
    }
    checkCalls(e.args[0]!, text);
  } else if (e.type === 'binary') {
    if (e.op === '|' || e.op === '||')
      syntaxError(e.start, `'${e.op}' is only allowed in a random-effect term`, text);
    checkCalls(e.left, text);
    checkCalls(e.right, text);
  } else if (e.type === 'unary') checkCalls(e.operand, text);
  else if (e.type === 'paren') checkCalls(e.expr, text);
}

type Term = number[];

const keyOf = (t: Term): string => t.join(',');

function trim(terms: Term[]): Term[] {
  const seen = new Set<string>();
  const out: Term[] = [];
  for (const t of terms) {
    const k = keyOf(t);
    if (t.length > 0 && !seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

function or(a: Term, b: Term): Term {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function interact(left: Term[], right: Term[]): Term[] {
  const out: Term[] = [];
  for (const l of left) for (const r of right) out.push(or(l, r));
  return trim(out);
}

function encode(e: Expr, st: EncodeState): Term[] {
  switch (e.type) {
    case 'number':
      if (e.value === 1) st.intercept = st.parity;
      else if (e.value === 0) st.intercept = !st.parity;
      else
        syntaxError(
          e.start,
          `the number ${deparse(e)} cannot be a term; only 0 and 1 (the intercept) can`,
          st.text,
        );
      return [];
    case 'name':
    case 'call':
      return [[variableIndex(e, st)]];
    case 'paren':
      return encode(e.expr, st);
    case 'unary':
      return e.op === '+' ? encode(e.operand, st) : deleteTerms([], e.operand, st);
    case 'binary':
      switch (e.op) {
        case '+': {
          const l = encode(e.left, st);
          return trim([...l, ...encode(e.right, st)]);
        }
        case ':': {
          const l = encode(e.left, st);
          return interact(l, encode(e.right, st));
        }
        case '*': {
          const l = encode(e.left, st);
          const r = encode(e.right, st);
          return trim([...l, ...r, ...interact(l, r)]);
        }
        case '%in%': {
          // R's InTerms: each term on the left combined with everything on the right.
          const l = encode(e.left, st);
          const all = encode(e.right, st).reduce<Term>((acc, t) => or(acc, t), []);
          return trim(l.map((t) => or(t, all)));
        }
        case '/': {
          const l = encode(e.left, st);
          const r = encode(e.right, st);
          const all = l.reduce<Term>((acc, t) => or(acc, t), []);
          return trim([...l, ...r.map((t) => or(all, t))]);
        }
        case '^': {
          const pw = unparen(e.right);
          if (pw.type !== 'number' || !Number.isInteger(pw.value) || pw.value < 1) {
            syntaxError(
              e.right.start,
              "the power after '^' must be a whole number of at least 1",
              st.text,
            );
          }
          const base = encode(e.left, st);
          let acc = base;
          for (let i = 1; i < pw.value; i++) acc = interact(acc, base);
          return trim(pw.value === 1 ? base : [...acc]);
        }
        case '-':
          return deleteTerms(encode(e.left, st), e.right, st);
        case '|':
        case '||':
          return syntaxError(e.start, `'${e.op}' is only allowed in a random-effect term`, st.text);
      }
  }
}

function deleteTerms(left: Term[], right: Expr, st: EncodeState): Term[] {
  st.parity = !st.parity;
  const drop = new Set(encode(right, st).map(keyOf));
  st.parity = !st.parity;
  return left.filter((t) => !drop.has(keyOf(t)));
}

function buildTerms(rhs: Expr, response: Expr | null, text: string): TermsSpec {
  const st: EncodeState = {
    intercept: true,
    parity: true,
    labels: [],
    exprs: [],
    index: new Map(),
    text,
  };
  let responseIndex = -1;
  if (response !== null) {
    checkCalls(response, text);
    responseIndex = variableIndex(response, st);
  }
  checkCalls(rhs, text);
  const raw = encode(rhs, st);
  // R's terms(): stable sort by order (number of variables in the term).
  const terms = raw.map((t, i) => ({ t, i })).sort((a, b) => a.t.length - b.t.length || a.i - b.i);
  const sorted = terms.map((x) => x.t);
  return {
    variables: st.exprs,
    variableLabels: st.labels,
    terms: sorted,
    termLabels: sorted.map((t) => t.map((k) => st.labels[k]!).join(':')),
    intercept: st.intercept,
    responseIndex,
  };
}

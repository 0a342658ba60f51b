import type { Column, DataFrame } from '../data-frame.ts';
import { TiltakError } from '../errors.ts';
import type { Expr, NameNode } from './ast.ts';
import { deparse } from './deparse.ts';
import {
  factorOfNumbers,
  factorOfStrings,
  isLogicalLike,
  logicalValues,
  type RawFactor,
} from './levels.ts';

/**
 * A formula variable evaluated on every row of the data: numbers (NaN missing) or a factor
 * (code -1 missing). `logical` factors always have the levels FALSE and TRUE, as R's logicals.
 *
 * @example
 * const v: VariableValue = { kind: 'numeric', label: 'x', values: new Float64Array([1, 2]), columns: ['x'], nanProduced: 0 };
 */
export type VariableValue =
  | {
      readonly kind: 'numeric';
      readonly label: string;
      readonly values: Float64Array;
      /** Data columns the value is computed from. */
      readonly columns: readonly string[];
      /** Rows whose inputs were present but whose value is NaN (e.g. log of a negative number). */
      readonly nanProduced: number;
    }
  | {
      readonly kind: 'factor';
      readonly label: string;
      readonly factor: RawFactor;
      readonly logical: boolean;
      readonly columns: readonly string[];
      readonly nanProduced: number;
    };

/**
 * What variables are evaluated against: the data and, for error messages, the formula text.
 *
 * @example
 * const ctx: EvalContext = { data: df, text: 'y ~ x' };
 */
export interface EvalContext {
  readonly data: DataFrame;
  readonly text: string;
}

const NUMBER_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
/** Share of non-missing cells that must be numbers before a character column counts as numeric. */
const MOSTLY_NUMERIC = 0.9;

function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * The existing column name closest to `name`, when one is close enough to be a likely typo.
 *
 * @example
 * closestName('ofice', ['office', 'arm']); // 'office'
 */
export function closestName(name: string, names: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const c of names) {
    const d = c.toLowerCase() === lower ? 0 : levenshtein(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/**
 * Look up the column a name refers to, or throw UNKNOWN_COLUMN with the position and a suggestion.
 *
 * @example
 * columnOf({ type: 'name', name: 'x', quoted: false, start: 4, end: 5 }, ctx);
 */
export function columnOf(node: NameNode, ctx: EvalContext): Column {
  const col = ctx.data.columns.get(node.name);
  if (col !== undefined) return col;
  const near = closestName(node.name, ctx.data.columns.keys());
  throw new TiltakError(
    'UNKNOWN_COLUMN',
    `unknown column '${node.name}' at position ${node.start + 1} in formula '${ctx.text}'${near === null ? '' : `; did you mean '${near}'?`}`,
    { column: node.name, position: node.start + 1, suggestion: near },
  );
}

function notANumber(column: string, row: number, value: string): never {
  throw new TiltakError(
    'NON_NUMERIC_VALUE',
    `column '${column}' row ${row + 1}: '${value}' is not a number`,
    {
      column,
      row: row + 1,
      value,
    },
  );
}

function firstNonNumber(values: ReadonlyArray<string | null>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !NUMBER_RE.test(v)) return i;
  }
  return -1;
}

function numericColumn(name: string, col: Column): Float64Array {
  if (col.kind === 'numeric') return col.values;
  if (isLogicalLike(col.values)) return logicalValues(col.values);
  const bad = firstNonNumber(col.values);
  if (bad >= 0) notANumber(name, bad, col.values[bad]!);
  const out = new Float64Array(col.values.length);
  for (let i = 0; i < out.length; i++) {
    const v = col.values[i];
    out[i] = v === null || v === undefined ? Number.NaN : Number(v);
  }
  return out;
}

function namesIn(e: Expr, acc: NameNode[] = []): NameNode[] {
  if (e.type === 'name') acc.push(e);
  else if (e.type === 'binary') {
    namesIn(e.left, acc);
    namesIn(e.right, acc);
  } else if (e.type === 'unary') namesIn(e.operand, acc);
  else if (e.type === 'paren') namesIn(e.expr, acc);
  else if (e.type === 'call') for (const a of e.args) namesIn(a, acc);
  return acc;
}

const UNARY_FN: Readonly<Record<string, (v: number) => number>> = {
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
  I: (v) => v,
};

function evalNumeric(e: Expr, ctx: EvalContext, n: number): Float64Array {
  switch (e.type) {
    case 'name':
      return numericColumn(e.name, columnOf(e, ctx));
    case 'number':
      return new Float64Array(n).fill(e.value);
    case 'paren':
      return evalNumeric(e.expr, ctx, n);
    case 'unary': {
      const v = evalNumeric(e.operand, ctx, n);
      if (e.op === '+') return v;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = -v[i]!;
      return out;
    }
    case 'call': {
      const fn = UNARY_FN[e.fn];
      if (fn === undefined) {
        throw new TiltakError(
          'NON_NUMERIC_VALUE',
          `${e.fn}() at position ${e.start + 1} in formula '${ctx.text}' does not give a number`,
          { position: e.start + 1 },
        );
      }
      const v = evalNumeric(e.args[0]!, ctx, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = fn(v[i]!);
      return out;
    }
    case 'binary': {
      if (e.op === ':' || e.op === '|' || e.op === '||' || e.op === '%in%') {
        throw new TiltakError(
          'FORMULA_SYNTAX',
          `formula syntax error at position ${e.start + 1}: '${e.op}' cannot be used inside an arithmetic expression`,
          { position: e.start + 1 },
        );
      }
      const a = evalNumeric(e.left, ctx, n);
      const b = evalNumeric(e.right, ctx, n);
      const out = new Float64Array(n);
      switch (e.op) {
        case '+':
          for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
          break;
        case '-':
          for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
          break;
        case '*':
          for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
          break;
        case '/':
          for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
          break;
        case '^':
          // R defines 1^y and x^0 as 1 even for NaN; JavaScript agrees except for 1^NaN.
          for (let i = 0; i < n; i++) out[i] = a[i] === 1 ? 1 : a[i]! ** b[i]!;
          break;
      }
      return out;
    }
  }
}

function countNanProduced(values: Float64Array, inputs: readonly Float64Array[]): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i]!)) continue;
    let present = true;
    for (const c of inputs) if (Number.isNaN(c[i]!)) present = false;
    if (present) count++;
  }
  return count;
}

/**
 * Evaluate one formula variable (`x`, `factor(year)`, `log(income)`, `I(x^2)`) on every row.
 * Character columns become factors; a character column of `TRUE`/`FALSE` is R's logical; a
 * character column that is at least 90 % numbers is taken to be a numeric column with stray text,
 * and its first non-number is reported as NON_NUMERIC_VALUE (wrap it in `factor()` to make it a
 * factor on purpose).
 *
 * @example
 * const v = evaluateVariable(parseFormula('~ log(x)').rhs, { data, text: '~ log(x)' });
 */
export function evaluateVariable(e: Expr, ctx: EvalContext): VariableValue {
  const n = ctx.data.nrow;
  const label = deparse(e);
  if (e.type === 'name') {
    const col = columnOf(e, ctx);
    const columns = [e.name];
    if (col.kind === 'numeric')
      return { kind: 'numeric', label, values: col.values, columns, nanProduced: 0 };
    // Classify on the distinct values, not on every cell: columns can have millions of rows.
    const factor = factorOfStrings(col.values);
    if (factor.levels.length > 0 && isLogicalLike(factor.levels)) {
      const truth = logicalValues(factor.levels);
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = factor.codes[i]! < 0 ? -1 : truth[factor.codes[i]!]!;
      const logical: RawFactor = { codes, levels: ['FALSE', 'TRUE'] };
      return { kind: 'factor', label, factor: logical, logical: true, columns, nanProduced: 0 };
    }
    const isNumber = factor.levels.map((l) => NUMBER_RE.test(l));
    if (isNumber.some((b) => b) && !isNumber.every((b) => b)) {
      const counts = new Float64Array(factor.levels.length);
      for (let i = 0; i < n; i++) if (factor.codes[i]! >= 0) counts[factor.codes[i]!]++;
      let present = 0;
      let numbers = 0;
      counts.forEach((c, k) => {
        present += c;
        if (isNumber[k]) numbers += c;
      });
      if (numbers >= MOSTLY_NUMERIC * present) {
        const bad = firstNonNumber(col.values);
        notANumber(e.name, bad, col.values[bad]!);
      }
    }
    return { kind: 'factor', label, factor, logical: false, columns, nanProduced: 0 };
  }
  if (e.type === 'call' && e.fn === 'factor') {
    const arg = e.args[0]!;
    const names = namesIn(arg);
    const columns = [...new Set(names.map((x) => x.name))];
    if (arg.type === 'name') {
      const col = columnOf(arg, ctx);
      if (col.kind === 'character') {
        return {
          kind: 'factor',
          label,
          factor: factorOfStrings(col.values),
          logical: false,
          columns,
          nanProduced: 0,
        };
      }
      return {
        kind: 'factor',
        label,
        factor: factorOfNumbers(col.values),
        logical: false,
        columns,
        nanProduced: 0,
      };
    }
    const v = evalNumeric(arg, ctx, n);
    const inputs = names.map((x) => numericColumn(x.name, columnOf(x, ctx)));
    return {
      kind: 'factor',
      label,
      factor: factorOfNumbers(v),
      logical: false,
      columns,
      nanProduced: countNanProduced(v, inputs),
    };
  }
  const names = namesIn(e);
  const values = evalNumeric(e, ctx, n);
  const inputs = names.map((x) => numericColumn(x.name, columnOf(x, ctx)));
  return {
    kind: 'numeric',
    label,
    values,
    columns: [...new Set(names.map((x) => x.name))],
    nanProduced: countNanProduced(values, inputs),
  };
}

/**
 * Evaluate an expression that must be numeric (a numeric model's response): a character column
 * is an error naming its first non-number, except a `TRUE`/`FALSE` column, which counts as 1/0
 * as R's logicals do in arithmetic.
 *
 * @example
 * const y = evaluateNumeric(parseFormula('log(y) ~ 1').lhs!, { data, text: 'log(y) ~ 1' });
 */
export function evaluateNumeric(e: Expr, ctx: EvalContext): VariableValue & { kind: 'numeric' } {
  const names = namesIn(e);
  const values = evalNumeric(e, ctx, ctx.data.nrow);
  const inputs = names.map((x) => numericColumn(x.name, columnOf(x, ctx)));
  return {
    kind: 'numeric',
    label: deparse(e),
    values,
    columns: [...new Set(names.map((x) => x.name))],
    nanProduced: countNanProduced(values, inputs),
  };
}

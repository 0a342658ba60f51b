import type { DataFrame } from '../data-frame.ts';
import { type StatWarning, TiltakError } from '../errors.ts';
import type { Expr, Formula } from './ast.ts';
import { type DesignVariable, designMatrix } from './contrasts.ts';
import { deparse } from './deparse.ts';
import { expandDot, hasDot } from './dot.ts';
import {
  type EvalContext,
  evaluateNumeric,
  evaluateVariable,
  type VariableValue,
} from './evaluate.ts';
import { factorOfNumbers, subsetFactor } from './levels.ts';
import { parseFormula } from './parse.ts';
import { formatRNumber } from './r-format.ts';
import { type TermsSpec, termsOf } from './terms.ts';

/**
 * One random-effect term of a mixed model, laid out as lme4 builds it.
 *
 * @example
 * const r = modelFrame('y ~ x + (1 | office)', df).random[0]!;
 * r.group; // 'office'
 */
export interface RandomTermFrame {
  /** lme4's name: 'office'; for (1 | office/family) 'family:office' and 'office'. */
  readonly group: string;
  /** 0-based level code per kept row. */
  readonly codes: Int32Array;
  /** Level labels; for an interaction group lme4's 'f1:o1'. */
  readonly levels: string[];
  /** Column-major n x q raw random-effect model matrix (the left-hand side of the bar). */
  readonly z: Float64Array;
  readonly q: number;
  /** lme4's column names, e.g. ['(Intercept)', 'x']. */
  readonly termNames: string[];
}

/**
 * The model frame and fixed-effects model matrix of a formula on a data frame, matching R's
 * `model.frame(..., drop.unused.levels = TRUE)` + `model.matrix()` and lme4's random-effect terms.
 *
 * @example
 * const mf = modelFrame('y ~ arm * wave', df);
 * mf.colnames; // ['(Intercept)', 'armlocal', 'waveT3', 'armlocal:waveT3']
 */
export interface ModelFrame {
  readonly formula: string;
  /** The response as R names it, '' for a one-sided formula. */
  readonly response: string;
  /** Response per kept row; a binary response is coded 0/1 like glm (factor: first level = 0). Empty for a one-sided formula. */
  readonly y: Float64Array;
  /** Fixed-effects model matrix, column-major n x p. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Exactly R's colnames(model.matrix(...)). */
  readonly colnames: string[];
  /** R's attr(X, 'assign'): term index per column, 0 = intercept. */
  readonly assign: Int32Array;
  /** R's attr(terms, 'term.labels') of the fixed part, in R's order. */
  readonly termLabels: string[];
  readonly hasIntercept: boolean;
  /** Random-effect terms in formula order, nested bars expanded as lme4 does. */
  readonly random: RandomTermFrame[];
  /** Index into the data of each kept row. */
  readonly rowIndex: Int32Array;
  /** Rows dropped for a missing value in any used column. */
  readonly nDropped: number;
  /** Data columns used, in order of first appearance. */
  readonly variables: string[];
  /** Numerical notes, e.g. rows dropped because log() of a negative number is NaN. */
  readonly warnings: StatWarning[];
}

/**
 * Options of {@link modelFrame}.
 *
 * @example
 * modelFrame('employed ~ arm', df, { response: 'binary' });
 */
export interface ModelFrameOptions {
  /** 'numeric' (default) or 'binary' (0/1, TRUE/FALSE or a two-level factor, coded like glm). */
  readonly response?: 'numeric' | 'binary';
}

interface Evaluated {
  readonly value: VariableValue;
  /** Where the variable first appears, for error messages. */
  readonly expr: Expr;
}

/**
 * Build the model frame and model matrix of an R formula on a data frame.
 *
 * Rows with a missing value in any used column (response, fixed, random, grouping) are dropped and
 * counted; factor levels absent from the kept rows are dropped. Misuse throws a `TiltakError` with
 * code UNKNOWN_COLUMN, UNKNOWN_FUNCTION, FORMULA_SYNTAX, NON_NUMERIC_VALUE, SINGLE_LEVEL_FACTOR,
 * CONSTANT_PREDICTOR, BAD_RESPONSE, RESPONSE_IN_PREDICTORS or EMPTY_DATA.
 *
 * @example
 * const df = dataFrame({ y: [1, 2, 3, 5], x: [1, 2, 3, 4], arm: ['HOLF', 'local', 'HOLF', 'local'] });
 * const mf = modelFrame('y ~ x + arm', df);
 * mf.colnames; // ['(Intercept)', 'x', 'armlocal']
 */
export function modelFrame(
  formula: string | Formula,
  data: DataFrame,
  options: ModelFrameOptions = {},
): ModelFrame {
  const parsed = typeof formula === 'string' ? parseFormula(formula) : formula;
  const f = hasDot(parsed) ? expandDot(parsed, [...data.columns.keys()]) : parsed;
  const text = f.text;
  const ctx: EvalContext = { data, text };
  const terms = termsOf(f);
  const binary = options.response === 'binary';

  // Evaluate every variable once, keyed by R's label, so shared variables are not recomputed.
  const cache = new Map<string, Evaluated>();
  const variables: string[] = [];
  const addColumns = (cols: readonly string[]): void => {
    for (const c of cols) if (!variables.includes(c)) variables.push(c);
  };
  const evalVar = (e: Expr): VariableValue => {
    const label = deparse(e);
    let hit = cache.get(label);
    if (hit === undefined) {
      hit = { value: evaluateVariable(e, ctx), expr: e };
      cache.set(label, hit);
    }
    addColumns(hit.value.columns);
    return hit.value;
  };

  let response: VariableValue | null = null;
  if (f.lhs !== null) {
    response = binary ? evaluateVariable(f.lhs, ctx) : evaluateNumeric(f.lhs, ctx);
    addColumns(response.columns);
  }
  const ri = terms.fixed.responseIndex;
  if (ri >= 0 && terms.fixed.terms.some((t) => t.includes(ri))) {
    // R drops such terms with a warning and leaves a gap in `assign`; that is never what was meant.
    throw new TiltakError(
      'RESPONSE_IN_PREDICTORS',
      `the response '${terms.fixed.variableLabels[ri]}' also appears on the right-hand side of '${text}'`,
      { column: terms.fixed.variableLabels[ri] },
    );
  }
  const fixedValues = terms.fixed.variables.map((e, k) => (k === ri ? undefined : evalVar(e)));
  const randomValues = terms.random.map((r) => ({
    lhs: r.lhs.variables.map((e) => evalVar(e)),
    groups: r.groupParts.map((g) => evalVar(g)),
  }));

  // Drop rows with a missing value anywhere in the frame.
  const nrow = data.nrow;
  const keep = new Uint8Array(nrow).fill(1);
  const all: VariableValue[] = [...[...cache.values()].map((h) => h.value)];
  if (response !== null) all.push(response);
  for (const v of all) {
    if (v.kind === 'numeric') {
      const vals = v.values;
      for (let i = 0; i < nrow; i++) if (Number.isNaN(vals[i]!)) keep[i] = 0;
    } else {
      const codes = v.factor.codes;
      for (let i = 0; i < nrow; i++) if (codes[i]! < 0) keep[i] = 0;
    }
  }
  let n = 0;
  for (let i = 0; i < nrow; i++) n += keep[i]!;
  if (n === 0) {
    throw new TiltakError(
      'EMPTY_DATA',
      `no rows left for formula '${text}': every one of the ${nrow} rows has a missing value in ${variables.map((v) => `'${v}'`).join(', ')}`,
      { nrow },
    );
  }
  const rowIndex = new Int32Array(n);
  for (let i = 0, k = 0; i < nrow; i++) if (keep[i]) rowIndex[k++] = i;

  const warnings: StatWarning[] = [];
  for (const v of all) {
    if (v.nanProduced > 0) {
      warnings.push({
        code: 'NAN_PRODUCED',
        message: `${v.label} is NaN in ${v.nanProduced} row(s) with present data; they were dropped`,
      });
    }
  }

  // Subset each variable to the kept rows once.
  const subsetCache = new Map<string, DesignVariable>();
  const subset = (v: VariableValue, role: 'term' | 'group'): DesignVariable => {
    const cacheKey = `${role}:${v.label}`;
    let d = subsetCache.get(cacheKey);
    if (d !== undefined) return d;
    if (role === 'group') {
      // lme4's makeFac: any grouping variable becomes factor(x); lme4 checks only the combined factor.
      const raw = v.kind === 'numeric' ? factorOfNumbers(v.values) : v.factor;
      const fac = subsetFactor(raw, rowIndex, true);
      d = { kind: 'factor', codes: fac.codes, levels: fac.levels };
    } else if (v.kind === 'numeric') {
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = v.values[rowIndex[k]!]!;
      d = { kind: 'numeric', values: out };
    } else {
      // R keeps both levels of a logical; factors lose levels that no longer occur.
      const fac = subsetFactor(v.factor, rowIndex, !v.logical);
      let used = fac.levels.length;
      if (v.logical) {
        const seen = new Uint8Array(2);
        for (let k = 0; k < n; k++) seen[fac.codes[k]!] = 1;
        used = seen[0]! + seen[1]!;
      }
      if (used < 2) {
        const only = v.logical ? (fac.codes[0] === 1 ? 'TRUE' : 'FALSE') : fac.levels[0]!;
        throw new TiltakError(
          'SINGLE_LEVEL_FACTOR',
          `column '${v.label}' has a single level '${only}' in the rows used; a factor needs at least two`,
          { column: v.label, level: only },
        );
      }
      d = { kind: 'factor', codes: fac.codes, levels: fac.levels };
    }
    subsetCache.set(cacheKey, d);
    return d;
  };

  const y = response === null ? new Float64Array(0) : responseValues(response, rowIndex, binary);

  const fixedDesign = fixedValues.map((v) => (v === undefined ? undefined : subset(v, 'term')));
  if (terms.fixed.intercept) checkConstant(terms.fixed, fixedDesign, fixedValues);
  const design = designMatrix(terms.fixed, fixedDesign, n);

  const random: RandomTermFrame[] = terms.random.map((r, t) => {
    const rv = randomValues[t]!;
    const lhsDesign = rv.lhs.map((v) => subset(v, 'term'));
    const zd = designMatrix(r.lhs, lhsDesign, n);
    const groups = rv.groups.map((g) => subset(g, 'group'));
    const { codes, levels } = groupFactor(groups, n);
    if (levels.length < 2) {
      throw new TiltakError(
        'SINGLE_LEVEL_FACTOR',
        `grouping factor '${r.group}' has a single level '${levels[0]}' in the rows used; a grouping factor needs at least two`,
        { column: r.group, level: levels[0] },
      );
    }
    return { group: r.group, codes, levels, z: zd.x, q: zd.p, termNames: zd.colnames };
  });

  return {
    formula: text,
    response: f.lhs === null ? '' : deparse(f.lhs),
    y,
    x: design.x,
    n,
    p: design.p,
    colnames: design.colnames,
    assign: design.assign,
    termLabels: [...terms.fixed.termLabels],
    hasIntercept: terms.fixed.intercept,
    random,
    rowIndex,
    nDropped: nrow - n,
    variables,
    warnings,
  };
}

function badResponse(label: string, detail: string): never {
  throw new TiltakError(
    'BAD_RESPONSE',
    `response '${label}' ${detail}; a binary response must be 0/1, TRUE/FALSE or have two levels`,
    {
      column: label,
    },
  );
}

function responseValues(v: VariableValue, rowIndex: Int32Array, binary: boolean): Float64Array {
  const n = rowIndex.length;
  const y = new Float64Array(n);
  if (v.kind === 'numeric') {
    for (let k = 0; k < n; k++) {
      const val = v.values[rowIndex[k]!]!;
      if (binary && val !== 0 && val !== 1) {
        badResponse(v.label, `has the value ${formatRNumber(val)} in row ${rowIndex[k]! + 1}`);
      }
      y[k] = val;
    }
    return y;
  }
  if (v.logical) {
    for (let k = 0; k < n; k++) y[k] = v.factor.codes[rowIndex[k]!]!;
    return y;
  }
  const fac = subsetFactor(v.factor, rowIndex, true);
  if (fac.levels.length > 2) {
    badResponse(
      v.label,
      `has ${fac.levels.length} levels (${fac.levels
        .slice(0, 4)
        .map((l) => `'${l}'`)
        .join(', ')}${fac.levels.length > 4 ? ', …' : ''})`,
    );
  }
  if (fac.levels.length < 2) {
    badResponse(
      v.label,
      `has the single value '${fac.levels[0]}' in the rows used, so it cannot tell events from non-events`,
    );
  }
  for (let k = 0; k < n; k++) y[k] = fac.codes[k]!;
  return y;
}

function checkConstant(
  spec: TermsSpec,
  design: readonly (DesignVariable | undefined)[],
  values: readonly (VariableValue | undefined)[],
): void {
  for (const term of spec.terms) {
    if (term.length !== 1) continue;
    const d = design[term[0]!];
    if (d === undefined || d.kind !== 'numeric') continue;
    const vals = d.values;
    const first = vals[0]!;
    let constant = true;
    for (let i = 1; i < vals.length; i++) {
      if (vals[i] !== first) {
        constant = false;
        break;
      }
    }
    if (!constant) continue;
    const v = values[term[0]!]!;
    const plainColumn = v.columns.length === 1 && v.columns[0] === v.label;
    throw new TiltakError(
      'CONSTANT_PREDICTOR',
      `${plainColumn ? 'column' : 'term'} '${v.label}' is constant (every used row is ${formatRNumber(first)})`,
      { column: v.label, value: first },
    );
  }
}

// lme4 groups by `f1:f2`, whose levels run with the first factor slowest; unused combinations go.
function groupFactor(groups: DesignVariable[], n: number): { codes: Int32Array; levels: string[] } {
  const facs = groups as Extract<DesignVariable, { kind: 'factor' }>[];
  if (facs.length === 1) {
    const g = facs[0]!;
    return { codes: g.codes, levels: [...g.levels] };
  }
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (const g of facs) k = k * g.levels.length + g.codes[i]!;
    key[i] = k;
  }
  const uniq = [...new Set(key)].sort((a, b) => a - b);
  const pos = new Map<number, number>();
  uniq.forEach((k, j) => {
    pos.set(k, j);
  });
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = pos.get(key[i]!)!;
  const levels = uniq.map((k) => {
    const parts: string[] = [];
    for (let a = facs.length - 1; a >= 0; a--) {
      const L = facs[a]!.levels.length;
      parts.push(facs[a]!.levels[k % L]!);
      k = Math.floor(k / L);
    }
    return parts.reverse().join(':');
  });
  return { codes, levels };
}

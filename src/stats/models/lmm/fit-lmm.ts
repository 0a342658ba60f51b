/**
 * Linear mixed models by profiled REML or ML, agreeing with lme4's `lmer`; Satterthwaite
 * (lmerTest) and Kenward–Roger (pbkrtest) inference on the fixed effects.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { type StatWarning, TiltakError } from '../../errors.ts';
import { pTwoSidedT, pUpperF, quantileT } from '../../inference/distributions.ts';
import { type KrState, kenwardRogerState, krTest } from '../../inference/kenward-roger.ts';
import {
  type SatterthwaiteState,
  satterthwaiteDf,
  satterthwaiteF,
  satterthwaiteState,
} from '../../inference/lmm-satterthwaite.ts';
import { satterthwaiteDf as satterthwaiteCrDf } from '../../inference/satterthwaite-cr.ts';
import { waldFromDetail } from '../../inference/wald.ts';
import { waldRows } from '../../inference/wald-rows.ts';
import { minimizeBoundedNM } from '../../optim/nelder-mead.ts';
import { newtonPolish } from '../../optim/newton-polish.ts';
import type { FitSummary, TidyRow, VarianceComponent } from '../../tidy.ts';
import { vcovCrLmmDetail } from './lmm-cr.ts';
import { LmmSystem, type PreparedTerm, prepareTerms, thetaToFactors } from './system.ts';
import type {
  IccEstimate,
  LmmAnovaRow,
  LmmDf,
  LmmFit,
  LmmInput,
  LmmOptions,
  LmmTidyOptions,
  RandomCorrelation,
  RanefTable,
} from './types.ts';

/** lme4's `isSingular` tolerance on theta elements with a zero lower bound. */
const SINGULAR_TOL = 1e-4;
/** Squared-norm ratio below which a fixed-effect column counts as linearly dependent. */
const RANK_TOL = 1e-11;

/**
 * Fit a linear mixed model.
 *
 * @example
 * const fit = fitLmm({ y, x, n, p: 2, colnames: ['(Intercept)', 'Days'], random: [
 *   { group: 'Subject', codes, levels, z, q: 2, termNames: ['(Intercept)', 'Days'] } ] });
 * fit.tidy({ df: 'satterthwaite' });
 */
export function fitLmm(input: LmmInput, options: LmmOptions = {}): LmmFit {
  const reml = options.reml ?? true;
  const { n } = input;
  validate(input);
  const warnings: StatWarning[] = [];
  const { keep, dropped } = rankColumns(input);
  if (dropped.length > 0)
    warnings.push({
      code: 'RANK_DEFICIENT',
      message: `fixed-effect model matrix is rank deficient so dropping ${dropped.length} column${dropped.length > 1 ? 's' : ''}: ${dropped.join(', ')}`,
    });
  const p = keep.length;
  const x = new Float64Array(n * p);
  keep.forEach((c, j) => {
    x.set(input.x.subarray(c * n, (c + 1) * n), j * n);
  });
  const colnames = keep.map((c) => input.colnames[c]!);
  const terms = prepareTerms(input.random, n);
  const sys = new LmmSystem(terms, input.y, x, n, p);
  const nth = sys.ntheta;
  const lower = new Float64Array(nth).fill(-Infinity);
  const upper = new Float64Array(nth).fill(Infinity);
  const start = new Float64Array(nth);
  for (const t of terms) {
    let o = t.thetaOffset;
    for (let c = 0; c < t.q; c++)
      for (let r = c; r < t.q; r++) {
        if (r === c) {
          lower[o] = 0;
          start[o] = 1;
        }
        o++;
      }
  }
  let evals = 0;
  const objective = (th: Float64Array): number => {
    evals++;
    return sys.evaluate(th) ? sys.deviance(reml) : Infinity;
  };
  const maxEval = options.maxEvaluations ?? 20000;
  // The simplex only needs to get close: the Newton polish below resolves the last digits.
  const opt = minimizeBoundedNM(objective, start, {
    lower,
    upper,
    step: 0.25,
    maxEval,
    ftolAbs: 1e-9,
    xtol: 1e-7,
  });
  // Polishing a point the simplex did not converge to would hide the non-convergence.
  const pol = opt.converged ? newtonPolish(objective, opt.x, lower, upper) : opt;
  const theta = pol.value <= opt.value ? pol.x : opt.x;
  if (!opt.converged)
    warnings.push({
      code: 'NOT_CONVERGED',
      message: `optimiser stopped after ${opt.evaluations} deviance evaluations without meeting its tolerance`,
    });
  sys.evaluate(theta);
  const beta = Float64Array.from(sys.beta);
  const u = sys.sphericalModes();
  const T = thetaToFactors(terms, theta);
  const b = sphericalToB(terms, T, u);
  // Recompute the penalised RSS from residuals: the cross-product form loses digits when y'y is
  // large relative to the residual sum of squares.
  const pwrss = residualPwrss(input.y, x, n, p, beta, terms, b, u);
  const crit = sys.deviance(reml, pwrss);
  const sigma = Math.sqrt(pwrss / (reml ? n - p : n));
  const unscaled = sys.unscaledVcov();
  const vcov = unscaled.map((v) => v * sigma * sigma);
  let singular = false;
  for (let i = 0; i < nth; i++) if (lower[i] === 0 && theta[i]! < SINGULAR_TOL) singular = true;
  if (singular)
    warnings.push({
      code: 'SINGULAR_FIT',
      message: 'boundary (singular) fit: a random-effect variance is estimated at (or near) zero',
    });
  const { components, correlations } = varCorr(terms, T, sigma);
  const npar = p + nth + 1;
  const loglik = -crit / 2;
  const ngrps: Record<string, number> = {};
  for (const t of terms) ngrps[t.group] = t.nlev;

  let satt: SatterthwaiteState | null = null;
  let kr: KrState | null = null;
  const getSatt = (): SatterthwaiteState => {
    if (satt === null) {
      satt = satterthwaiteState(sys, theta, sigma, reml);
      sys.evaluate(theta);
    }
    return satt;
  };
  const getKr = (): KrState => {
    if (!reml)
      throw new TiltakError(
        'KR_NEEDS_REML',
        'Kenward-Roger df are only available for REML fits; refit with { reml: true }',
      );
    if (kr === null) kr = kenwardRogerState({ terms, x, n, p, theta, sigma, phi: vcov });
    return kr;
  };
  const unit = (j: number): Float64Array => {
    const l = new Float64Array(p);
    l[j] = 1;
    return l;
  };

  const fit: LmmFit = {
    reml,
    n,
    colnames,
    dropped,
    fixef: beta,
    vcov,
    theta,
    sigma,
    varianceComponents: components,
    correlations,
    loglik,
    criterion: crit,
    aic: -2 * loglik + 2 * npar,
    bic: -2 * loglik + Math.log(n) * npar,
    npar,
    ngrps,
    warnings,
    evaluations: evals,
    groups: terms.map((t) => t.group),
    ranef(): RanefTable[] {
      return terms.map((t) => {
        const values = new Float64Array(t.nlev * t.q);
        for (let l = 0; l < t.nlev; l++)
          for (let a = 0; a < t.q; a++) values[a * t.nlev + l] = b[t.reOffset + l * t.q + a]!;
        return { group: t.group, termNames: t.termNames, levels: t.levels, values };
      });
    },
    icc(level = 0.95): IccEstimate[] {
      return iccDelta(terms, T, getSatt(), level);
    },
    tidy(opts: LmmTidyOptions = {}): TidyRow[] {
      const df = opts.df ?? 'satterthwaite';
      const level = opts.level ?? 0.95;
      checkLevel(level);
      const V = df === 'kenward-roger' ? getKr().vcovAdj : vcov;
      return colnames.map((term, j) => {
        const se = Math.sqrt(V[j * p + j]!);
        let d: number;
        if (df === 'residual') d = n - p;
        else if (df === 'satterthwaite') d = satterthwaiteDf(getSatt(), unit(j), vcov);
        else d = krTest(getKr(), unit(j), 1, beta).ddf;
        const est = beta[j]!;
        const t = est / se;
        const crit = quantileT(1 - (1 - level) / 2, d);
        return {
          term,
          estimate: est,
          std_error: se,
          statistic: t,
          df: d,
          p_value: pTwoSidedT(t, d),
          conf_low: est - crit * se,
          conf_high: est + crit * se,
        };
      });
    },
    anova(opts: { df?: LmmDf } = {}): LmmAnovaRow[] {
      const df = opts.df ?? 'satterthwaite';
      return termColumns().map(({ cols, label }) => termTest(cols, label, df));
    },
    vcovCR(type, cluster) {
      return crDetail(type, cluster).detail.vcov;
    },
    tidyCR(type, opts = {}) {
      const level = opts.level ?? 0.95;
      if (!(level > 0 && level < 1))
        throw new TiltakError('BAD_LEVEL', `confidence level must be in (0, 1), got ${level}`);
      const { detail, bread } = crDetail(type, opts.cluster);
      const method = opts.df ?? (type === 'CR2' || type === 'CR3' ? 'satterthwaite' : 'naive');
      const dfs =
        method === 'naive'
          ? new Float64Array(p).fill(detail.clusters!.G - 1)
          : satterthwaiteCrDf(
              detail.components!,
              bread,
              Array.from({ length: p }, (_, j) => unit(j)),
            );
      return waldRows(colnames, beta, detail.vcov, dfs, level);
    },
    anovaCR(type, opts = {}) {
      const { detail, bread } = crDetail(type, opts.cluster);
      return termColumns().map(({ cols, label }) => {
        const r = waldFromDetail(beta, bread, detail, cols, 'HTZ', n - p, type);
        return { term: label, numDf: r.df1, denDf: r.df2, fValue: r.statistic, pValue: r.p_value };
      });
    },
    summary(opts: LmmTidyOptions = {}): FitSummary {
      const df = opts.df ?? 'satterthwaite';
      return {
        model: 'lmm',
        formula: input.formula ?? '',
        nObs: n,
        nDropped: 0,
        groups: ngrps,
        vcov: 'classical',
        dfMethod: df,
        coefficients: fit.tidy(opts),
        rSquared: null,
        adjRSquared: null,
        loglik,
        aic: fit.aic,
        bic: fit.bic,
        warnings: [...warnings, ...(df === 'satterthwaite' ? getSatt().warnings : [])].map(
          (w) => w.message,
        ),
        varianceComponents: components,
        reml,
      };
    },
  };

  // The last cluster-robust computation, so a coefficient table and term tests under the same
  // variance (as `tiltak fit` prints them) share one pass over the clusters.
  let crLast: {
    type: string;
    cluster: Int32Array | undefined;
    value: ReturnType<typeof vcovCrLmmDetail>;
  } | null = null;
  function crDetail(type: Parameters<typeof vcovCrLmmDetail>[1], cluster?: Int32Array) {
    if (crLast === null || crLast.type !== type || crLast.cluster !== cluster)
      crLast = {
        type,
        cluster,
        value: vcovCrLmmDetail(
          { terms, x, y: input.y, n, p, theta, beta, sigma, vcov },
          type,
          cluster,
        ),
      };
    return crLast.value;
  }

  /** The fixed terms (by `assign`) and their columns among the estimable coefficients. */
  function termColumns(): { cols: number[]; label: string }[] {
    if (input.assign === undefined)
      throw new TiltakError(
        'NO_ASSIGN',
        'term tests need the assign vector of the fixed-effect columns',
      );
    const assign = keep.map((c) => input.assign![c]!);
    const labels = input.termLabels ?? [];
    const termIds = [...new Set(assign)].filter((a) => a > 0);
    return termIds.map((tid) => ({
      cols: assign.flatMap((a, j) => (a === tid ? [j] : [])),
      label: labels[tid - 1] ?? `term${tid}`,
    }));
  }

  /** F test of the columns `cols` jointly equal to zero. */
  function termTest(cols: number[], label: string, df: LmmDf): LmmAnovaRow {
    const r = cols.length;
    const L = new Float64Array(r * p);
    cols.forEach((c, i) => {
      L[c * r + i] = 1;
    });
    let f: number;
    let ndf: number;
    let ddf: number;
    if (df === 'kenward-roger') {
      const t = krTest(getKr(), L, r, beta);
      f = t.fValue;
      ndf = t.ndf;
      ddf = t.ddf;
    } else if (df === 'satterthwaite') {
      const t = satterthwaiteF(getSatt(), L, r, beta, vcov);
      f = t.fValue;
      ndf = t.numDf;
      ddf = t.denDf;
    } else {
      const sub = new Float64Array(r * r);
      for (let a = 0; a < r; a++)
        for (let c = 0; c < r; c++) sub[c * r + a] = vcov[cols[c]! * p + cols[a]!]!;
      const inv = invertOrThrow(sub, r);
      let w = 0;
      for (let a = 0; a < r; a++)
        for (let c = 0; c < r; c++) w += beta[cols[a]!]! * inv[c * r + a]! * beta[cols[c]!]!;
      f = w / r;
      ndf = r;
      ddf = n - p;
    }
    return { term: label, numDf: ndf, denDf: ddf, fValue: f, pValue: pUpperF(f, ndf, ddf) };
  }

  // Kept for lrtLmm: refit the same input with other options.
  Object.defineProperty(fit, 'input', { value: input, enumerable: false });
  return fit;
}

/**
 * The input a fit was made from (for refitting with ML in likelihood-ratio tests).
 *
 * @example
 * const ml = fitLmm(lmmInputOf(fit), { reml: false });
 */
export function lmmInputOf(fit: LmmFit): LmmInput {
  const inp = (fit as unknown as { input?: LmmInput }).input;
  if (inp === undefined) throw new TiltakError('NO_INPUT', 'this fit does not carry its input');
  return inp;
}

function invertOrThrow(a: Float64Array, r: number): Float64Array {
  // Small symmetric positive definite block of vcov.
  const l = Float64Array.from(a);
  for (let j = 0; j < r; j++) {
    for (let i = j; i < r; i++) {
      let s = l[j * r + i]!;
      for (let k = 0; k < j; k++) s -= l[k * r + i]! * l[k * r + j]!;
      if (i === j) {
        if (!(s > 0))
          throw new TiltakError('SINGULAR_VCOV', 'covariance of the tested columns is singular');
        l[j * r + j] = Math.sqrt(s);
      } else l[j * r + i] = s / l[j * r + j]!;
    }
  }
  const inv = new Float64Array(r * r);
  for (let c = 0; c < r; c++) {
    const e = new Float64Array(r);
    e[c] = 1;
    for (let i = 0; i < r; i++) {
      let s = e[i]!;
      for (let k = 0; k < i; k++) s -= l[k * r + i]! * e[k]!;
      e[i] = s / l[i * r + i]!;
    }
    for (let i = r - 1; i >= 0; i--) {
      let s = e[i]!;
      for (let k = i + 1; k < r; k++) s -= l[i * r + k]! * e[k]!;
      e[i] = s / l[i * r + i]!;
    }
    inv.set(e, c * r);
  }
  return inv;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1))
    throw new TiltakError('INVALID_LEVEL', `confidence level must be in (0, 1), got ${level}`);
}

function validate(input: LmmInput): void {
  const { y, x, n, p } = input;
  if (!(Number.isInteger(n) && n > 0))
    throw new TiltakError('INVALID_INPUT', `n must be a positive integer, got ${n}`);
  if (y.length !== n)
    throw new TiltakError('INVALID_INPUT', `y has ${y.length} values for n = ${n}`);
  if (x.length !== n * p)
    throw new TiltakError('INVALID_INPUT', `x has ${x.length} values, expected n * p = ${n * p}`);
  if (input.colnames.length !== p)
    throw new TiltakError('INVALID_INPUT', `${input.colnames.length} column names for p = ${p}`);
  if (input.random.length === 0)
    throw new TiltakError('NO_RANDOM_TERMS', 'a mixed model needs at least one random term');
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(y[i]!))
      throw new TiltakError('NON_FINITE', `response is not finite in row ${i + 1} (${y[i]})`, {
        row: i + 1,
        value: y[i],
      });
  for (let j = 0; j < p; j++)
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(x[j * n + i]!))
        throw new TiltakError(
          'NON_FINITE',
          `column '${input.colnames[j]}' is not finite in row ${i + 1} (${x[j * n + i]})`,
          { row: i + 1, column: input.colnames[j], value: x[j * n + i] },
        );
}

/** Sequential Gram–Schmidt on X'X in column order, dropping later columns as lme4 does. */
function rankColumns(input: LmmInput): { keep: number[]; dropped: string[] } {
  const { x, n, p } = input;
  const G = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[a * n + i]! * x[b * n + i]!;
      G[b * p + a] = s;
      G[a * p + b] = s;
    }
  const keep: number[] = [];
  const L: Float64Array[] = [];
  const dropped: string[] = [];
  for (let j = 0; j < p; j++) {
    const row = new Float64Array(keep.length);
    let d = G[j * p + j]!;
    for (let t = 0; t < keep.length; t++) {
      let s = G[keep[t]! * p + j]!;
      for (let k = 0; k < t; k++) s -= row[k]! * L[t]![k]!;
      row[t] = s / L[t]![t]!;
      d -= row[t]! * row[t]!;
    }
    if (G[j * p + j]! > 0 && d > RANK_TOL * G[j * p + j]!) {
      const full = new Float64Array(keep.length + 1);
      full.set(row);
      full[keep.length] = Math.sqrt(d);
      L.push(full);
      keep.push(j);
    } else dropped.push(input.colnames[j]!);
  }
  return { keep, dropped };
}

function sphericalToB(terms: PreparedTerm[], T: Float64Array[], u: Float64Array): Float64Array {
  const b = new Float64Array(u.length);
  terms.forEach((t, k) => {
    const Tk = T[k]!;
    const q = t.q;
    for (let l = 0; l < t.nlev; l++) {
      const o = t.reOffset + l * q;
      for (let r = 0; r < q; r++) {
        let s = 0;
        for (let c = 0; c <= r; c++) s += Tk[c * q + r]! * u[o + c]!;
        b[o + r] = s;
      }
    }
  });
  return b;
}

function residualPwrss(
  y: Float64Array,
  x: Float64Array,
  n: number,
  p: number,
  beta: Float64Array,
  terms: PreparedTerm[],
  b: Float64Array,
  u: Float64Array,
): number {
  const r = Float64Array.from(y);
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    for (let i = 0; i < n; i++) r[i]! -= x[j * n + i]! * bj;
  }
  for (const t of terms) {
    for (let a = 0; a < t.q; a++) {
      for (let i = 0; i < n; i++) r[i]! -= t.z[a * n + i]! * b[t.reOffset + t.codes[i]! * t.q + a]!;
    }
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i]! * r[i]!;
  for (let i = 0; i < u.length; i++) s += u[i]! * u[i]!;
  return s;
}

function varCorr(
  terms: PreparedTerm[],
  T: Float64Array[],
  sigma: number,
): { components: VarianceComponent[]; correlations: RandomCorrelation[] } {
  const components: VarianceComponent[] = [];
  const correlations: RandomCorrelation[] = [];
  // lme4 names a factor's second and later terms (from `||` or repeated bars) `g.1`, `g.2`, …
  const seen = new Map<string, number>();
  const names = terms.map((t) => {
    const n = seen.get(t.group) ?? 0;
    seen.set(t.group, n + 1);
    return n === 0 ? t.group : `${t.group}.${n}`;
  });
  terms.forEach((t, k) => {
    const q = t.q;
    const group = names[k]!;
    const Tk = T[k]!;
    const cov = new Float64Array(q * q);
    for (let a = 0; a < q; a++)
      for (let c = 0; c < q; c++) {
        let s = 0;
        for (let m = 0; m <= Math.min(a, c); m++) s += Tk[m * q + a]! * Tk[m * q + c]!;
        cov[c * q + a] = s * sigma * sigma;
      }
    for (let a = 0; a < q; a++) {
      const v = cov[a * q + a]!;
      components.push({
        group,
        term: t.termNames[a]!,
        variance: v,
        std_dev: Math.sqrt(v),
      });
    }
    for (let c = 0; c < q; c++)
      for (let a = c + 1; a < q; a++) {
        const den = Math.sqrt(cov[a * q + a]! * cov[c * q + c]!);
        correlations.push({
          group,
          term1: t.termNames[c]!,
          term2: t.termNames[a]!,
          correlation: den > 0 ? cov[c * q + a]! / den : Number.NaN,
        });
      }
  });
  components.push({ group: 'Residual', term: '', variance: sigma * sigma, std_dev: sigma });
  return { components, correlations };
}

/**
 * ICC of each term whose first column is the intercept: `v_k / (sum_j v_j + sigma^2)` with `v_k`
 * the intercept variances. CI: delta method for `logit(ICC)` using lmerTest's covariance of
 * `(theta, sigma)` (twice the inverse Hessian of the deviance), back-transformed.
 */
function iccDelta(
  terms: PreparedTerm[],
  T: Float64Array[],
  st: SatterthwaiteState,
  level: number,
): IccEstimate[] {
  checkLevel(level);
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const idx = terms.flatMap((t, k) => (t.termNames[0] === '(Intercept)' ? [k] : []));
  const v = idx.map((k) => T[k]![0]! ** 2);
  const total = v.reduce((a, c) => a + c, 0);
  return idx.map((k, w) => {
    const icc = v[w]! / (total + 1);
    const rest = 1 + total - v[w]!;
    const g = new Float64Array(st.k);
    idx.forEach((k2, w2) => {
      const t = T[k2]![0]!;
      g[terms[k2]!.thetaOffset] = w2 === w ? 2 / t : (-2 * t) / rest;
    });
    let varL = 0;
    for (let a = 0; a < st.k; a++)
      for (let c = 0; c < st.k; c++) varL += g[a]! * st.vcovVarpar[c * st.k + a]! * g[c]!;
    const lg = Math.log(icc / (1 - icc));
    const se = Math.sqrt(varL);
    const inv = (x: number): number => 1 / (1 + Math.exp(-x));
    return icc > 0
      ? { group: terms[k]!.group, icc, confLow: inv(lg - z * se), confHigh: inv(lg + z * se) }
      : { group: terms[k]!.group, icc, confLow: 0, confHigh: Number.NaN };
  });
}

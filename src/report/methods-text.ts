/**
 * Methods text generated from a plan run: each model with its formula, estimation method and df
 * method, the sensitivity analyses, the multiplicity adjustment, the randomisation tests and the
 * software versions. Plain sentences; the HTML report escapes and wraps them.
 */
import type { OutcomeResult, PlanRunResult } from '../analysis/plan/results.ts';
import type { AnalysisPlan, PlanModel } from '../analysis/plan/schema.ts';
import { R_REFERENCE } from './software.ts';

/**
 * A paragraph of methods text, optionally with a heading.
 *
 * @example
 * const p: MethodsParagraph = { heading: 'Multiplicity', text: 'Holm across primary outcomes.' };
 */
export interface MethodsParagraph {
  heading?: string;
  text: string;
}

const ADJUSTMENT: Record<string, string> = {
  holm: 'Holm’s step-down adjustment, which controls the family-wise error rate',
  BH: 'the Benjamini–Hochberg adjustment, which controls the false discovery rate',
  bonferroni: 'the Bonferroni adjustment',
  none: 'no adjustment',
};

/**
 * The df and variance method of a model in words, naming the R function it agrees with.
 *
 * @example
 * describeInference({ type: 'lmm', formula: 'y ~ arm + (1 | office)', df: 'kenward-roger' });
 * // 'Kenward–Roger adjusted covariance and denominator degrees of freedom (as pbkrtest …)'
 */
export function describeInference(m: PlanModel): string {
  if (m.type === 'lmm') {
    const est = m.ml ? 'maximum likelihood' : 'restricted maximum likelihood (REML)';
    const df =
      m.df === 'kenward-roger'
        ? 'Kenward–Roger adjusted covariance and denominator degrees of freedom (as pbkrtest and lmerTest with ddf = "Kenward-Roger")'
        : m.df === 'residual'
          ? 'residual degrees of freedom (n − p)'
          : 'Satterthwaite degrees of freedom (as lmerTest)';
    return `a linear mixed model fitted by ${est} (as lme4::lmer), with t tests and F tests using ${df}`;
  }
  const what =
    m.type === 'logit' ? 'a logistic regression' : 'an ordinary least-squares regression';
  const vcov = m.vcov ?? (m.cluster !== undefined ? 'CR2' : 'classical');
  if (vcov.startsWith('CR')) {
    const name =
      vcov === 'CR2'
        ? 'CR2 (bias-reduced linearisation) cluster-robust standard errors'
        : `${vcov} cluster-robust standard errors`;
    return `${what} with ${name} clustered by ${m.cluster ?? 'cluster'} and Satterthwaite degrees of freedom (as clubSandwich::coef_test with test = "Satterthwaite")`;
  }
  if (vcov.startsWith('HC'))
    return `${what} with ${vcov} heteroskedasticity-robust standard errors`;
  return `${what} with model-based standard errors and residual degrees of freedom`;
}

/**
 * Build the methods section from a plan run (and, when given, the plan, whose waves and
 * sensitivity formulas the results do not repeat).
 *
 * @example
 * methodsText(result, { plan, software: defaultSoftware() }).map((p) => p.text).join('\n\n');
 */
export function methodsText(
  results: PlanRunResult,
  options: { plan?: AnalysisPlan; software: Record<string, string>; trajectoryNote?: string },
): MethodsParagraph[] {
  const out: MethodsParagraph[] = [];
  const pct = Math.round(results.level * 1000) / 10;
  out.push({
    heading: 'Analysis plan',
    text: `The pre-specified analysis plan of the ${results.trial} trial (${results.outcomes.length} outcome${results.outcomes.length === 1 ? '' : 's'}) was locked before the outcomes were analysed; this report is from a run of the plan with SHA-256 ${results.planHash}. Confidence intervals are ${pct}% and p-values two-sided.`,
  });
  for (const o of results.outcomes) {
    out.push({ heading: o.label, text: outcomeText(o, options.plan) });
  }
  const adjusted = results.outcomes.filter((o) => o.pAdjusted !== null);
  const method = ADJUSTMENT[results.adjustment.method] ?? results.adjustment.method;
  out.push({
    heading: 'Multiplicity',
    text:
      adjusted.length > 0
        ? `The p-values of the pre-specified effects of the ${results.adjustment.families.join(' and ')} outcomes (${adjusted.map((o) => o.id).join(', ')}) were adjusted with ${method} (as R’s p.adjust with method = "${results.adjustment.method}"). Other outcomes are reported unadjusted.`
        : `No outcome was in an adjusted family (${results.adjustment.families.join(', ')}); p-values are unadjusted.`,
  });
  out.push({
    heading: 'Intraclass correlations',
    text: 'For each mixed model the ICC of each grouping factor is its random-intercept variance divided by the total variance (all variance components plus the residual), with a Wald confidence interval, as CONSORT for cluster trials asks.',
  });
  if (options.trajectoryNote !== undefined) {
    out.push({ heading: 'Trajectories', text: options.trajectoryNote });
  }
  const sw = options.software;
  const tiltak = [
    sw.Tiltak !== undefined ? `Tiltak ${sw.Tiltak}` : 'Tiltak',
    ...(sw.Node !== undefined ? [`on Node.js ${sw.Node}`] : []),
  ].join(' ');
  const rNames = Object.keys(R_REFERENCE).filter((k) => k !== 'R');
  const rList = rNames
    .filter((k) => sw[k] !== undefined)
    .map((k) => `${k} ${sw[k]}`)
    .join(', ');
  const others = Object.entries(sw)
    .filter(([k]) => k !== 'Tiltak' && k !== 'Node' && k !== 'R' && !rNames.includes(k))
    .map(([k, v]) => `${k} ${v}`);
  out.push({
    heading: 'Software',
    text: `The analysis was run with ${tiltak}. Its numbers are validated in its test suite against R${sw.R !== undefined ? ` ${sw.R}` : ''}${rList !== '' ? ` with ${rList}` : ''} (estimates of the mixed models to 1e-6 relative, closed-form results to 1e-8).${others.length > 0 ? ` Other components: ${others.join(', ')}.` : ''}`,
  });
  return out;
}

function outcomeText(o: OutcomeResult, plan: AnalysisPlan | undefined): string {
  const p = plan?.outcomes.find((x) => x.id === o.id);
  const waves = p?.waves ? ` at wave${p.waves.length > 1 ? 's' : ''} ${p.waves.join(', ')}` : '';
  const groups = Object.entries(o.summary.groups)
    .map(([g, n]) => `${n} ${g} levels`)
    .join(', ');
  const parts = [
    `${cap(o.family)} outcome, ${o.summary.nObs} observations${waves}${groups !== '' ? ` (${groups})` : ''}. Primary model: ${describeInference(o.model)}: ${o.model.formula}. The pre-specified effect is the coefficient ${o.effect.term}.`,
  ];
  if (o.termTests.length > 0) {
    parts.push(
      `Whole terms tested by F tests with the same df method: ${o.termTests.map((t) => t.term).join(', ')}.`,
    );
  }
  o.sensitivity.forEach((s, i) => {
    const ps = p?.sensitivity[i];
    if (s.kind === 'model') {
      const desc =
        ps !== undefined && ps.type !== 'ri' ? `${describeInference(ps)}: ${ps.formula}` : s.label;
      parts.push(`Sensitivity analysis “${s.label}”: ${desc}.`);
    } else if (s.ri !== null) {
      const stat =
        s.ri.statistic === 'cluster-means'
          ? 'the difference between the arms’ means of office means (each office weighs one)'
          : 'the difference in means between the arms';
      const how = s.ri.exact
        ? `exact enumeration of all ${s.ri.evaluated.toLocaleString('en')} allocations`
        : `${s.ri.evaluated.toLocaleString('en')} allocations drawn with a seeded generator`;
      parts.push(
        `Randomisation test “${s.label}”: the sharp null of no effect, statistic ${stat}, two-sided p-value over ${how} of the design, and a confidence interval for a constant additive effect by test inversion.`,
      );
    }
  });
  return parts.join(' ');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

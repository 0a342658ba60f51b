/**
 * The R script of an analysis bundle: it reads the bundle's data.csv and re-runs every outcome of
 * the plan — primary model, whole-term F tests and sensitivity models — with lme4/lmerTest
 * (Satterthwaite, or Kenward–Roger via pbkrtest) and clubSandwich (CR2 with Satterthwaite df),
 * applies the plan's multiplicity adjustment with p.adjust, prints the effects and writes them to
 * results-r.json beside the data.
 */
import type { AnalysisPlan, PlanModel } from '../analysis/plan/schema.ts';
import type { DataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import { factorOfStrings } from '../stats/formula/levels.ts';

/** Functions a formula may call; anything else is refused rather than written into R code. */
const FORMULA_FUNCTIONS = new Set([
  'factor',
  'I',
  'log',
  'log1p',
  'exp',
  'sqrt',
  'scale',
  'poly',
  'as.numeric',
  'offset',
]);

/**
 * Check that a plan formula is only formula syntax before it is written into R code: names,
 * numbers, operators and calls of a few transformation functions — no strings, no other calls.
 *
 * @example
 * rFormula('income ~ arm + factor(year) + (1 | office)'); // returned unchanged
 * rFormula('y ~ system(x)'); // throws UNSAFE_FORMULA
 */
export function rFormula(formula: string): string {
  if (!/^[\w\s.~+\-*/:|()^,]+$/.test(formula)) {
    throw new TiltakError(
      'UNSAFE_FORMULA',
      `formula '${formula}' has characters a formula cannot have`,
    );
  }
  for (const m of formula.matchAll(/([A-Za-z_.][\w.]*)\s*\(/g)) {
    if (!FORMULA_FUNCTIONS.has(m[1]!)) {
      throw new TiltakError(
        'UNSAFE_FORMULA',
        `formula '${formula}' calls '${m[1]}', which the R script does not allow`,
      );
    }
  }
  return formula;
}

/** An R string literal (R reads JSON's escapes, \u included). */
function rString(s: string): string {
  return JSON.stringify(s);
}

function rVector(xs: readonly string[]): string {
  return `c(${xs.map(rString).join(', ')})`;
}

/** R code that fits `m` on `dd` and leaves `fit` (the model) and `tab` (a coefficient table with
 * columns estimate, std_error, df, p_value and term rownames). */
function fitCode(m: PlanModel): string[] {
  const f = rFormula(m.formula);
  if (m.type === 'lmm') {
    const ddf = m.df === 'kenward-roger' ? 'Kenward-Roger' : 'Satterthwaite';
    const lines = [`fit <- lmer(${f}, data = dd, REML = ${m.ml ? 'FALSE' : 'TRUE'})`];
    if (m.df === 'residual') {
      lines.push(
        's <- coef(summary(fit, ddf = "lme4"))',
        'rdf <- nobs(fit) - length(fixef(fit))',
        'tab <- data.frame(estimate = s[, "Estimate"], std_error = s[, "Std. Error"], df = rdf, p_value = 2 * pt(-abs(s[, "t value"]), rdf), row.names = rownames(s))',
      );
    } else {
      lines.push(
        `s <- coef(summary(fit, ddf = ${rString(ddf)}))`,
        'tab <- data.frame(estimate = s[, "Estimate"], std_error = s[, "Std. Error"], df = s[, "df"], p_value = s[, "Pr(>|t|)"], row.names = rownames(s))',
      );
    }
    return lines;
  }
  const fitLine =
    m.type === 'logit'
      ? `fit <- glm(${f}, data = dd, family = binomial())`
      : `fit <- lm(${f}, data = dd)`;
  const vcov = m.vcov ?? (m.cluster !== undefined ? 'CR2' : 'classical');
  if (vcov.startsWith('CR')) {
    if (m.cluster === undefined)
      throw new TiltakError('BAD_PLAN', `a ${vcov} model needs a cluster`);
    return [
      fitLine,
      `ct <- coef_test(fit, vcov = ${rString(vcov)}, cluster = dd[rownames(model.frame(fit)), ${rString(m.cluster)}], test = "Satterthwaite")`,
      'tab <- data.frame(estimate = ct$beta, std_error = ct$SE, df = ct$df_Satt, p_value = ct$p_Satt, row.names = ct$Coef)',
    ];
  }
  if (vcov.startsWith('HC')) {
    return [
      fitLine,
      `V <- sandwich::vcovHC(fit, type = ${rString(vcov)})`,
      'b <- coef(fit); se <- sqrt(diag(V)); rdf <- df.residual(fit)',
      `tab <- data.frame(estimate = b, std_error = se, df = ${m.type === 'logit' ? 'Inf' : 'rdf'}, p_value = 2 * ${m.type === 'logit' ? 'pnorm(-abs(b / se))' : 'pt(-abs(b / se), rdf)'}, row.names = names(b))`,
    ];
  }
  return [
    fitLine,
    's <- coef(summary(fit))',
    m.type === 'logit'
      ? 'tab <- data.frame(estimate = s[, 1], std_error = s[, 2], df = Inf, p_value = s[, 4], row.names = rownames(s))'
      : 'tab <- data.frame(estimate = s[, 1], std_error = s[, 2], df = df.residual(fit), p_value = s[, 4], row.names = rownames(s))',
  ];
}

/**
 * Generate analysis.R for a plan and the data it ran on (the data set the factor levels, so that R
 * names the coefficients exactly as Tiltak does, whatever R's locale).
 *
 * @example
 * writeFileSync('analysis.R', analysisScript(plan, data));
 * // Rscript analysis.R BUNDLE_DIR  → prints the effects, writes BUNDLE_DIR/results-r.json
 */
export function analysisScript(plan: AnalysisPlan, data: DataFrame): string {
  const L: string[] = [];
  L.push(
    `# Re-runs the pre-specified analysis plan "${plan.title.replace(/[\r\n]/g, ' ')}" (${plan.trial})`,
    '# on data.csv of this bundle, as Tiltak ran it. Generated by Tiltak.',
    '# Usage: Rscript analysis.R [BUNDLE_DIR]   (default: the current directory)',
    '# Needs: lme4, lmerTest, pbkrtest (Kenward-Roger), clubSandwich, jsonlite.',
    '# Randomisation tests are not re-run here (they need the allocation space; see ri2).',
    'suppressMessages({',
    '  library(lme4)',
    '  library(lmerTest)',
    '  library(clubSandwich)',
    '  library(jsonlite)',
    '})',
    'args <- commandArgs(trailingOnly = TRUE)',
    'bundle <- if (length(args) > 0) args[1] else "."',
  );
  const classes: string[] = [];
  const factors: string[] = [];
  for (const [name, col] of data.columns) {
    classes.push(`${rString(name)} = ${rString(col.kind === 'numeric' ? 'numeric' : 'character')}`);
    if (col.kind === 'character') {
      const lv = factorOfStrings(col.values).levels;
      factors.push(
        `d[[${rString(name)}]] <- factor(d[[${rString(name)}]], levels = ${rVector(lv)})`,
      );
    }
  }
  L.push(
    `d <- read.csv(file.path(bundle, "data.csv"), colClasses = c(${classes.join(', ')}), na.strings = "NA", check.names = FALSE, encoding = "UTF-8")`,
    "# Factor levels in Tiltak's order (ICU root collation), so coefficient names agree.",
    ...factors,
    'row_of <- function(tab, term) {',
    '  if (!term %in% rownames(tab)) stop(sprintf("no coefficient %s (have: %s)", term, paste(rownames(tab), collapse = ", ")))',
    '  list(term = term, estimate = tab[term, "estimate"], std_error = tab[term, "std_error"], df = tab[term, "df"], p_value = tab[term, "p_value"])',
    '}',
    'out <- list()',
  );
  for (const o of plan.outcomes) {
    L.push('', `# ---- ${o.id}: ${o.label.replace(/[\r\n]/g, ' ')} (${o.family})`);
    L.push(
      o.waves
        ? `dd <- droplevels(d[d$wave %in% ${rVector(o.waves)}, , drop = FALSE])`
        : 'dd <- droplevels(d)',
    );
    L.push(...fitCode(o.model));
    L.push(
      `res <- list(family = ${rString(o.family)}, effect = row_of(tab, ${rString(o.effect)}), n = nobs(fit))`,
    );
    if (o.terms.length > 0 && o.model.type === 'lmm') {
      const ddf = o.model.df === 'kenward-roger' ? 'Kenward-Roger' : 'Satterthwaite';
      L.push(
        `a <- anova(fit, ddf = ${rString(ddf)})`,
        `res$terms <- lapply(${rVector(o.terms)}, function(t) list(term = t, num_df = a[t, "NumDF"], den_df = a[t, "DenDF"], F = a[t, "F value"], p_value = a[t, "Pr(>F)"]))`,
      );
    }
    const models = o.sensitivity.filter((s): s is PlanModel => s.type !== 'ri');
    if (models.length > 0) {
      L.push('res$sensitivity <- list()');
      for (const s of models) {
        L.push(...fitCode(s));
        L.push(
          `res$sensitivity[[length(res$sensitivity) + 1]] <- c(list(label = ${rString(s.label ?? s.formula)}), row_of(tab, ${rString(o.effect)}))`,
        );
      }
    }
    L.push(`out[[${rString(o.id)}]] <- res`);
  }
  L.push(
    '',
    `# ---- Multiplicity: ${plan.adjustment.method} across the ${plan.adjustment.families.join(', ')} outcomes`,
    `fam <- ${rVector(plan.adjustment.families)}`,
    'ids <- names(out)[vapply(out, function(r) r$family %in% fam, logical(1))]',
    `padj <- p.adjust(vapply(ids, function(i) out[[i]]$effect$p_value, numeric(1)), method = ${rString(plan.adjustment.method)})`,
    'for (i in seq_along(ids)) out[[ids[i]]]$p_adjusted <- unname(padj[i])',
    '',
    'effects <- do.call(rbind, lapply(names(out), function(i) {',
    '  e <- out[[i]]$effect',
    '  data.frame(outcome = i, term = e$term, estimate = e$estimate, std_error = e$std_error, df = e$df, p_value = e$p_value,',
    '             p_adjusted = if (is.null(out[[i]]$p_adjusted)) NA else out[[i]]$p_adjusted)',
    '}))',
    'print(effects, digits = 10, row.names = FALSE)',
    'write_json(out, file.path(bundle, "results-r.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)',
    '',
  );
  return L.join('\n');
}

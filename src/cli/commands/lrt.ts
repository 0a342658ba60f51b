import type { Command } from 'commander';
import { compareMixedModels } from '../../analysis/fit-model.ts';
import { readCsv } from '../../io/read-csv.ts';
import { TiltakError } from '../../stats/errors.ts';
import { fmt, fmtP } from '../format-summary.ts';

/**
 * Register `tiltak lrt DATA.csv --null "…" --alternative "…"`: a likelihood-ratio test between two
 * nested mixed models, both fitted by maximum likelihood, as lme4's `anova(m0, m1)`.
 *
 * @example
 * register(program); // then: tiltak lrt trial.csv --null "y ~ wave + (1 | office)" --alternative "y ~ arm * wave + (1 | office)"
 */
export function register(program: Command): void {
  program
    .command('lrt')
    .description('likelihood-ratio test between two nested mixed models (ML fits)')
    .argument('<data>', 'CSV file with one row per observation')
    .option('--null <formula>', 'the smaller model')
    .option('--alternative <formula>', 'the larger model')
    .option('--json', 'print one JSON object')
    .action((data: string, opts: { null?: string; alternative?: string; json?: boolean }) => {
      if (!opts.null || !opts.alternative) {
        throw new TiltakError('BAD_OPTION', 'give both --null and --alternative formulas');
      }
      const t = compareMixedModels(readCsv(data), opts.null, opts.alternative);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({
            null: opts.null,
            alternative: opts.alternative,
            npar: t.npar,
            loglik: t.loglik,
            aic: t.aic,
            bic: t.bic,
            deviance: t.deviance,
            chisq: t.chisq,
            df: t.df,
            p_value: t.pValue,
            refitted_with_ml: t.refitted,
          })}\n`,
        );
        return;
      }
      const rows = [
        ['', 'npar', 'AIC', 'BIC', 'logLik', 'deviance', 'Chisq', 'Df', 'Pr(>Chisq)'],
        [
          'null',
          String(t.npar[0]),
          fmt(t.aic[0]),
          fmt(t.bic[0]),
          fmt(t.loglik[0]),
          fmt(t.deviance[0]),
          '',
          '',
          '',
        ],
        [
          'alternative',
          String(t.npar[1]),
          fmt(t.aic[1]),
          fmt(t.bic[1]),
          fmt(t.loglik[1]),
          fmt(t.deviance[1]),
          fmt(t.chisq),
          String(t.df),
          fmtP(t.pValue),
        ],
      ];
      const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
      process.stdout.write(
        `Likelihood-ratio test (models fitted by ML)\nnull:        ${opts.null}\nalternative: ${opts.alternative}\n\n${rows
          .map((r) =>
            r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(' '),
          )
          .join('\n')}\n`,
      );
    });
}

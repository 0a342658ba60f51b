import type { DataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type Formula, modelFrame } from '../../stats/formula/index.ts';
import { fitLmm } from '../../stats/models/lmm/index.ts';
import type { FitSummary, VcovType } from '../../stats/tidy.ts';
import type { FitCommandOptions } from './fit.ts';

/**
 * The mixed-model branch of `tiltak fit`: builds the model frame with its random-effect terms,
 * fits by REML (or ML with --ml) and reports Satterthwaite (default) or Kenward–Roger tests.
 *
 * @example
 * const s = fitMixedSummary(df, parseFormula('y ~ arm + (1 | office)'), opts, 'classical');
 */
export function fitMixedSummary(
  data: DataFrame,
  formula: Formula,
  opts: FitCommandOptions,
  vcov: VcovType,
): FitSummary {
  if (vcov !== 'classical') {
    throw new TiltakError(
      'BAD_OPTION',
      `--vcov ${vcov} is not available for mixed models; use the model-based variance (classical)`,
    );
  }
  const mf = modelFrame(formula, data);
  const fit = fitLmm(
    {
      y: mf.y,
      x: mf.x,
      n: mf.n,
      p: mf.p,
      colnames: mf.colnames,
      random: mf.random,
      assign: mf.assign,
      termLabels: mf.termLabels,
      formula: formula.text,
    },
    { reml: opts.ml !== true },
  );
  const df = opts.df ?? 'satterthwaite';
  const summary = fit.summary({ df, level: opts.level });
  summary.nDropped = mf.nDropped;
  summary.warnings.unshift(...mf.warnings.map((w) => `${w.code}: ${w.message}`));
  return summary;
}

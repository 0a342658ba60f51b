/**
 * Task `wild-bootstrap`: {@link wildClusterBootstrap} on a model frame built from a formula and
 * JSON columns, as `tiltak boot` does. The bootstrap has no progress hook, so the job reports its
 * start and its end only.
 */
import { clusterCodes } from '../../analysis/fit-model.ts';
import { dataFrame } from '../../stats/data-frame.ts';
import { TiltakError } from '../../stats/errors.ts';
import { hasRandomTerms, modelFrame, parseFormula } from '../../stats/formula/index.ts';
import { wildClusterBootstrap } from '../../stats/inference/wild-bootstrap.ts';
import { toJson } from '../json.ts';
import type { WildBootstrapParams } from '../params.ts';
import type { JobContext, JsonValue } from '../types.ts';

/**
 * Run the bootstrap. The result holds the test, the interval, `tidy` (one broom row), the model
 * frame's bookkeeping and, with `keepDraws`, the bootstrap t statistics.
 *
 * @example
 * const r = run(wildBootstrapParams.parse({ formula: 'y ~ arm', data, cluster: 'office', param: 'armHOLF' }),
 *   { progress() {} });
 * r; // { term: 'armHOLF', pValue: 0.03…, confLow: …, … }
 */
export function run(p: WildBootstrapParams, ctx: JobContext): JsonValue {
  ctx.progress(0, 'bootstrapping');
  const lengths = new Set(Object.values(p.data).map((c) => c.length));
  if (lengths.size > 1) {
    const desc = Object.entries(p.data)
      .map(([k, v]) => `${k}: ${v.length}`)
      .join(', ');
    throw new TiltakError('LENGTH_MISMATCH', `data columns differ in length (${desc})`);
  }
  const data = dataFrame(p.data);
  const formula = parseFormula(p.formula);
  if (hasRandomTerms(formula)) {
    throw new TiltakError(
      'BAD_OPTION',
      'the wild cluster bootstrap is for OLS; drop the (…|…) terms',
    );
  }
  const mf = modelFrame(formula, data);
  const clustering = clusterCodes(data, mf, p.cluster);
  if (!mf.colnames.includes(p.param)) {
    throw new TiltakError(
      'UNKNOWN_TERM',
      `param '${p.param}' is not a coefficient of the model; terms: ${mf.colnames.join(', ')}`,
    );
  }
  const r = wildClusterBootstrap(
    { x: mf.x, y: mf.y, n: mf.n, p: mf.p, cluster: clustering.codes, colnames: mf.colnames },
    {
      param: p.param,
      reps: p.reps,
      weights: p.weights,
      seed: p.seed,
      level: p.level,
      nullValue: p.nullValue,
      confInt: p.confInt,
    },
  );
  const { tBoot, pValueAt: _pValueAt, tidy, ...rest } = r;
  return toJson({
    ...rest,
    tidy: tidy.call(r),
    formula: formula.text,
    cluster: p.cluster,
    nDropped: mf.nDropped,
    frameWarnings: mf.warnings,
    ...(p.keepDraws ? { tBoot } : {}),
  });
}

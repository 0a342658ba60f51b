/**
 * Task `constrained-randomisation`: {@link randomize} with a balance spec. `randomize` has no
 * progress hook, so the job reports its start and its end only.
 */
import { designSpec, randomize } from '../../design/randomize.ts';
import { allocationRecord } from '../../design/record.ts';
import { toJson } from '../json.ts';
import type { ConstrainedRandomisationParams } from '../params.ts';
import type { JobContext, JsonValue } from '../types.ts';

/**
 * Draw a constrained allocation. The result has the allocation, the balance table, the score
 * distribution, the pairwise validity check and the allocation record (which `ri-enumeration`
 * accepts as `allocationRecord`).
 *
 * @example
 * const r = run({ ids: ['a', 'b', 'c', 'd'], treated: 2, seed: 7, metric: 'l2', cutoff: 0.5,
 *   validity: true, balance: { columns: ['size'], values: [[10, 12, 30, 31]] } }, { progress() {} });
 * r.treatedIds; // two of a, b, c, d
 */
export function run(p: ConstrainedRandomisationParams, ctx: JobContext): JsonValue {
  ctx.progress(0, 'scoring allocations');
  const spec = designSpec({
    ids: p.ids,
    treated: p.treated,
    balance: p.balance,
    metric: p.metric,
    cutoff: p.cutoff,
    ...(p.maxEnumerate === undefined ? {} : { maxEnumerate: p.maxEnumerate }),
    ...(p.samples === undefined ? {} : { samples: p.samples }),
  });
  const r = randomize(spec, p.seed, { validity: p.validity });
  return toJson({
    seed: r.seed,
    treatedIds: r.treatedIds,
    controlIds: r.controlIds,
    totalSchemes: r.totalSchemes,
    acceptedSchemes: r.acceptedSchemes,
    schemesScored: r.space?.schemesScored ?? null,
    enumerated: r.space?.enumerated ?? null,
    distribution: r.space?.distribution ?? null,
    chosenIndex: r.chosenIndex,
    chosenScore: r.chosenScore,
    balance: r.balance,
    validity: r.validity,
    warnings: r.warnings,
    record: allocationRecord(r),
  });
}

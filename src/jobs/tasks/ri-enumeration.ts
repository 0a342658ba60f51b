/**
 * Task `ri-enumeration`: {@link randomizationTest} on JSON rows, with its progress hook. The hook
 * covers the p-value's enumeration (or draws); the confidence interval by test inversion
 * re-evaluates the space many times without a hook, so with `ciLevel` the p-value maps to the
 * first half of the bar and the interval is reported as one step.
 */
import { recordSpace, verifyAllocationRecord } from '../../design/record.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type RiInput, randomizationTest } from '../../stats/inference/randomization.ts';
import { toJson } from '../json.ts';
import type { RiEnumerationParams } from '../params.ts';
import type { JobContext, JsonValue } from '../types.ts';

/**
 * Run the randomisation test described by validated parameters.
 *
 * @example
 * const r = await run({ outcome: [15, 15, 20, 20, 10, 15, 30], treatment: [1, 0, 0, 0, 0, 0, 1],
 *   cluster: [0, 1, 2, 3, 4, 5, 6], statistic: 'diff-in-means' }, { progress() {} });
 * r; // { observed: 6.5, pValue: 0.38095…, … }
 */
export function run(p: RiEnumerationParams, ctx: JobContext): JsonValue {
  const input = riInput(p);
  const share = p.ciLevel === undefined ? 1 : 0.5;
  ctx.progress(0, 'enumerating allocations');
  const result = randomizationTest({
    ...input,
    onProgress: (done, total) => ctx.progress((share * done) / total, 'enumerating allocations'),
  });
  return toJson({ ...result, clusters: input.labels });
}

/**
 * Map JSON rows to the typed input of {@link randomizationTest}: cluster labels to codes (in
 * order of first appearance, or in the record's id order), per-row blocks to blocks of clusters.
 *
 * @example
 * riInput({ outcome: [1, 2], treatment: [1, 0], cluster: ['a', 'b'], statistic: 'diff-in-means' }).nClusters; // 2
 */
export function riInput(p: RiEnumerationParams): RiInput & { labels: string[] } {
  const n = p.outcome.length;
  const codes = new Map<string, number>();
  let space: RiInput['space'];
  let blockOfCluster: Int32Array | undefined;
  if (p.allocationRecord !== undefined) {
    const rec = verifyAllocationRecord(p.allocationRecord);
    rec.design.ids.forEach((id, g) => {
      codes.set(id, g);
    });
    const s = recordSpace(rec);
    if (s.kind === 'masks') space = s;
    else if (s.kind === 'blocked') blockOfCluster = s.blockOf;
  }
  const fromRecord = codes.size > 0;
  const cluster = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = String(p.cluster[i]);
    let g = codes.get(l);
    if (g === undefined) {
      if (fromRecord) {
        throw new TiltakError(
          'UNKNOWN_CLUSTER',
          `row ${i + 1}: cluster '${l}' is not one of the allocation record's clusters`,
          { row: i + 1, value: l },
        );
      }
      g = codes.size;
      codes.set(l, g);
    }
    cluster[i] = g;
  }
  const G = codes.size;
  if (p.block !== undefined) blockOfCluster = blocksOfClusters(p.block, cluster, G);
  const labels = [...codes.keys()];
  const input: RiInput & { labels: string[] } = {
    outcome: Float64Array.from(p.outcome),
    treatment: p.treatment,
    cluster,
    nClusters: G,
    statistic: p.statistic,
    labels,
    ...(space === undefined ? {} : { space }),
    ...(blockOfCluster === undefined ? {} : { blockOfCluster }),
    ...(p.exact === undefined ? {} : { exact: p.exact }),
    ...(p.draws === undefined ? {} : { draws: p.draws }),
    ...(p.seed === undefined ? {} : { seed: p.seed }),
    ...(p.ciLevel === undefined ? {} : { ciLevel: p.ciLevel }),
  };
  return input;
}

function blocksOfClusters(
  block: readonly (string | number)[],
  cluster: Int32Array,
  G: number,
): Int32Array {
  const codes = new Map<string, number>();
  const out = new Int32Array(G).fill(-1);
  for (let i = 0; i < cluster.length; i++) {
    const l = String(block[i]);
    let b = codes.get(l);
    if (b === undefined) {
      b = codes.size;
      codes.set(l, b);
    }
    const g = cluster[i]!;
    if (out[g] === -1) out[g] = b;
    else if (out[g] !== b) {
      throw new TiltakError(
        'BLOCK_VARIES_IN_CLUSTER',
        `row ${i + 1}: block '${l}' differs from the block of the cluster's earlier rows`,
        { row: i + 1, value: l },
      );
    }
  }
  return out;
}

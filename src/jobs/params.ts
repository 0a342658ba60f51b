/**
 * Parameters of the built-in job kinds, as zod schemas. They are checked in the caller's thread
 * when a job is submitted, so bad input fails at once with the field named; the worker receives
 * the parsed values (defaults filled in). The server can reuse the schemas for its OpenAPI
 * description. Only plain JSON goes in: arrays, not typed arrays.
 */
import { z } from 'zod';
import { TiltakError } from '../stats/errors.ts';

const label = z.union([z.string().min(1), z.number().int()]);
const seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * `ri-enumeration`: randomisation test of the sharp null (src/stats/inference/randomization.ts).
 * One entry per row in `outcome`, `treatment` (0/1) and `cluster` (any labels); `block` labels
 * rows by stratum or pair (constant within a cluster). `allocationRecord` (the JSON of a
 * `tiltak randomize` record) takes the design from the record instead, with cluster labels equal
 * to its ids — the accepted space of a constrained design.
 *
 * @example
 * riEnumerationParams.parse({ outcome: [1, 2, 3, 4], treatment: [1, 1, 0, 0], cluster: ['a', 'b', 'c', 'd'] });
 */
export const riEnumerationParams = z
  .object({
    outcome: z.array(z.number()).min(1),
    treatment: z.array(z.union([z.literal(0), z.literal(1)])),
    cluster: z.array(label),
    block: z.array(label).optional(),
    allocationRecord: z.record(z.string(), z.unknown()).optional(),
    statistic: z.enum(['diff-in-means', 'cluster-means', 'ipw']).default('diff-in-means'),
    exact: z.boolean().optional(),
    draws: z.number().int().min(1).max(10_000_000).optional(),
    seed: seed.optional(),
    ciLevel: z.number().gt(0).lt(1).optional(),
  })
  .superRefine((p, ctx) => {
    const n = p.outcome.length;
    for (const f of ['treatment', 'cluster', 'block'] as const) {
      const v = p[f];
      if (v !== undefined && v.length !== n) {
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: `has ${v.length} entries, outcome has ${n}`,
        });
      }
    }
    if (p.block !== undefined && p.allocationRecord !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['block'],
        message: 'give either block or allocationRecord, not both',
      });
    }
  });

/**
 * `constrained-randomisation`: covariate-constrained randomisation of clusters
 * (src/design/randomize.ts). `balance.values[j]` holds column j's value for every cluster, in
 * the order of `ids`.
 *
 * @example
 * constrainedRandomisationParams.parse({ ids: ['a', 'b', 'c', 'd'], treated: 2, seed: 7,
 *   balance: { columns: ['size'], values: [[10, 12, 30, 31]] } });
 */
export const constrainedRandomisationParams = z
  .object({
    ids: z.array(z.string().min(1)).min(2),
    treated: z.number().int().min(1),
    balance: z.object({
      columns: z.array(z.string().min(1)).min(1),
      values: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
    }),
    metric: z.enum(['l2', 'l1']).default('l2'),
    cutoff: z.number().gt(0).max(1).default(0.1),
    maxEnumerate: z.number().int().min(1).optional(),
    samples: z.number().int().min(1).optional(),
    seed,
    validity: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    if (p.balance.values.length !== p.balance.columns.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['balance', 'values'],
        message: `has ${p.balance.values.length} columns of values for ${p.balance.columns.length} column names`,
      });
    }
    p.balance.values.forEach((v, j) => {
      if (v.length !== p.ids.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['balance', 'values', j],
          message: `column '${p.balance.columns[j] ?? j}' has ${v.length} values for ${p.ids.length} clusters`,
        });
      }
    });
  });

/**
 * `wild-bootstrap`: restricted wild cluster bootstrap of one OLS coefficient
 * (src/stats/inference/wild-bootstrap.ts), on a model frame built from `formula` and `data`
 * (columns of numbers or strings, null for missing). `keepDraws` returns the bootstrap t
 * statistics too (B numbers).
 *
 * @example
 * wildBootstrapParams.parse({ formula: 'y ~ arm', data: { y: [1, 2], arm: ['a', 'b'], office: ['o1', 'o2'] },
 *   cluster: 'office', param: 'armb' });
 */
export const wildBootstrapParams = z.object({
  formula: z.string().min(1),
  data: z.record(
    z.string(),
    z.union([z.array(z.union([z.number(), z.null()])), z.array(z.union([z.string(), z.null()]))]),
  ),
  cluster: z.string().min(1),
  param: z.string().min(1),
  reps: z.number().int().min(1).max(2_000_000).default(9999),
  weights: z.enum(['rademacher', 'webb', 'mammen']).default('rademacher'),
  seed: seed.default(1),
  level: z.number().gt(0).lt(1).default(0.95),
  nullValue: z.number().default(0),
  confInt: z.boolean().default(true),
  keepDraws: z.boolean().default(false),
});

/**
 * `power-simulation`: power by simulating trials (src/stats/power/simulate.ts), analysed by
 * `analysis`: `cluster-means` (t test), `ols-cr2` (OLS, CR2 + Satterthwaite), `lmm`
 * (random-intercept LMM, Satterthwaite df) or `lmm-kr` (Kenward–Roger df), as `tiltak power`.
 *
 * @example
 * powerSimulationParams.parse({ nClusters: 15, clusterSize: 21, icc: 0.05, effect: 0.3, reps: 500, seed: 1 });
 */
export const powerSimulationParams = z.object({
  outcome: z.enum(['continuous', 'binary']).default('continuous'),
  nClusters: z.number().int().min(2),
  clusterSize: z.number().min(1),
  cv: z.number().min(0).optional(),
  icc: z.number().min(0).lt(1),
  effect: z.number().optional(),
  totalVariance: z.number().gt(0).optional(),
  p1: z.number().gt(0).lt(1).optional(),
  p2: z.number().gt(0).lt(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  reps: z.number().int().min(1).max(1_000_000).default(1000),
  seed: seed.default(1),
  analysis: z.enum(['cluster-means', 'ols-cr2', 'lmm', 'lmm-kr']).default('cluster-means'),
  baseline: z.boolean().optional(),
  waves: z.number().int().min(1).max(20).optional(),
  clusterAutocorr: z.number().min(0).max(1).optional(),
  individualAutocorr: z.number().min(0).max(1).optional(),
});

/**
 * `register-import`: import a raw register file (CSV or Parquet) with pseudonymisation, then
 * screen it with a rule set (src/registers). The key comes from `keyFile` or, when absent, from
 * the `TILTAK_PSEUDONYM_KEY` environment variable the worker inherits; it is never a parameter.
 * `out` writes the pseudonymised rows as Parquet, `resultsOut` the per-family screening table;
 * `collect` returns the per-family results in the job result.
 *
 * @example
 * registerImportParams.parse({ path: 'kostra-11c-2019.csv', keyFile: 'tiltak.key', asOf: '2019-06' });
 */
export const registerImportParams = z.object({
  path: z.string().min(1),
  keyFile: z.string().min(1).optional(),
  rulesFile: z.string().min(1).optional(),
  asOf: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .optional(),
  out: z.string().min(1).optional(),
  resultsOut: z.string().min(1).optional(),
  collect: z.boolean().default(false),
  /**
   * How the submitter knows the file (e.g. its name on their machine): used instead of `path` in
   * messages and the result, whose output paths are then left out too.
   */
  displayName: z.string().min(1).max(200).optional(),
});

/** Parsed parameters of `ri-enumeration`. @example const p: RiEnumerationParams = riEnumerationParams.parse(raw); */
export type RiEnumerationParams = z.infer<typeof riEnumerationParams>;
/** Parsed parameters of `constrained-randomisation`. @example const p: ConstrainedRandomisationParams = constrainedRandomisationParams.parse(raw); */
export type ConstrainedRandomisationParams = z.infer<typeof constrainedRandomisationParams>;
/** Parsed parameters of `wild-bootstrap`. @example const p: WildBootstrapParams = wildBootstrapParams.parse(raw); */
export type WildBootstrapParams = z.infer<typeof wildBootstrapParams>;
/** Parsed parameters of `power-simulation`. @example const p: PowerSimulationParams = powerSimulationParams.parse(raw); */
export type PowerSimulationParams = z.infer<typeof powerSimulationParams>;
/** Parsed parameters of `register-import`. @example const p: RegisterImportParams = registerImportParams.parse(raw); */
export type RegisterImportParams = z.infer<typeof registerImportParams>;

/**
 * Validate `raw` with `schema`, throwing `BAD_JOB_PARAMS` that names the kind, the field (as a
 * path such as `outcome[3]` or `balance.values[0]`) and what is wrong. The error's details carry
 * every issue as `{ field, message }`.
 *
 * @example
 * parseJobParams('power-simulation', powerSimulationParams, { nClusters: 1 });
 * // TiltakError BAD_JOB_PARAMS: "power-simulation: nClusters: Too small: expected number to be >=2"
 */
export function parseJobParams<T>(kind: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    field: fieldPath(i.path),
    message: i.message,
  }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new TiltakError(
    'BAD_JOB_PARAMS',
    `${kind}: ${first.field === '' ? 'parameters' : first.field}: ${first.message}${more}`,
    { field: first.field, issues },
  );
}

function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { JsonValue } from '../../trial/types.ts';
import { writeAudited } from '../audit.ts';
import { canonicalJson, sha256Hex, toJsonValue } from '../canonical-json.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import type { AnalysisDatabase } from './analysis-repository.ts';
import { jsonObject, nonEmpty } from './zod-types.ts';

const rowsSchema = z
  .array(
    z.object({
      municipality: z.string().regex(/^\d{4}$/, 'a municipality number has four digits'),
      year: z.number().int().min(1900).max(2100),
      values: jsonObject,
    }),
  )
  .min(1, 'nothing to import')
  .refine(
    (rows) => new Set(rows.map((r) => `${r.municipality}-${r.year}`)).size === rows.length,
    'each municipality-year may appear only once in a data set',
  );

/**
 * One municipality-year of a stored data set: the municipality number, the year and the values
 * (expenses, KVP participants, deprivation indicators, population, …).
 *
 * @example
 * const r: MunicipalityStatistic = { municipality: '0301', year: 2011, values: { population: 613285 } };
 */
export interface MunicipalityStatistic {
  readonly municipality: string;
  readonly year: number;
  readonly values: Readonly<Record<string, JsonValue>>;
}

/**
 * Store a municipality data set (all or nothing, audited as one entry carrying the SHA-256 of the
 * rows). The data set is replaced as a whole; importing the identical rows again changes nothing
 * (no write, no audit entry) and returns `unchanged: true`.
 *
 * @example
 * await importMunicipalityStatistics(store.db, 'demo', 'kvp-demo', rows);
 */
export async function importMunicipalityStatistics(
  db: Kysely<Database>,
  actor: string,
  dataset: string,
  rows: readonly MunicipalityStatistic[],
): Promise<{ rows: number; sha256: string; unchanged: boolean }> {
  const name = parseInput(nonEmpty, dataset, 'data set name');
  const p = parseInput(rowsSchema, rows, 'municipality statistics');
  const sorted = [...p].sort((a, b) =>
    a.municipality === b.municipality ? a.year - b.year : a.municipality < b.municipality ? -1 : 1,
  );
  const sha = sha256Hex(canonicalJson(sorted));
  const held = await listMunicipalityStatistics(db, name);
  if (held.length > 0 && sha256Hex(canonicalJson(toJsonValue(held))) === sha)
    return { rows: sorted.length, sha256: sha, unchanged: true };
  return writeAudited(
    db,
    { actor, action: 'import', entity: 'municipality_statistic' },
    async (trx) => {
      const w = trx as unknown as Kysely<AnalysisDatabase>;
      await w.deleteFrom('municipality_statistic').where('dataset', '=', name).execute();
      for (let i = 0; i < sorted.length; i += 500)
        await w
          .insertInto('municipality_statistic')
          .values(
            sorted.slice(i, i + 500).map((r) => ({
              dataset: name,
              municipality: r.municipality,
              year: r.year,
              values: JSON.stringify(r.values),
            })),
          )
          .execute();
      const result = { rows: sorted.length, sha256: sha, unchanged: false };
      return {
        entityId: `${name}:${sha}`,
        before: held.length === 0 ? null : { rows: held.length },
        after: { dataset: name, rows: sorted.length, sha256: sha },
        result,
      };
    },
  );
}

/**
 * The rows of a stored municipality data set, by municipality and year (empty when unknown).
 *
 * @example
 * const rows = await listMunicipalityStatistics(store.db, 'kvp-demo');
 */
export async function listMunicipalityStatistics(
  db: Kysely<Database>,
  dataset: string,
): Promise<MunicipalityStatistic[]> {
  if (typeof dataset !== 'string' || dataset.trim() === '')
    throw new TiltakError('INVALID_INPUT', 'data set name must not be empty');
  const rows = await (db as unknown as Kysely<AnalysisDatabase>)
    .selectFrom('municipality_statistic')
    .select(['municipality', 'year', 'values'])
    .where('dataset', '=', dataset.trim())
    .orderBy('municipality')
    .orderBy('year')
    .execute();
  return rows.map((r) => ({
    municipality: r.municipality,
    year: r.year,
    values: r.values as Record<string, JsonValue>,
  }));
}

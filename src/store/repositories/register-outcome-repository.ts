import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { RegisterOutcome } from '../../trial/types.ts';
import { writeAudited } from '../audit.ts';
import { canonicalJson, sha256Hex } from '../canonical-json.ts';
import { assertPseudonym } from '../pseudonym.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { jsonObject, nonEmpty } from './zod-types.ts';

const rowsSchema = z
  .array(
    z.object({
      pseudonym: nonEmpty,
      year: z.number().int().min(1900).max(2100),
      month: z.number().int().min(1).max(12),
      variables: jsonObject,
    }),
  )
  .min(1, 'nothing to import')
  .refine(
    (rows) =>
      new Set(rows.map((r) => `${r.pseudonym}\u0000${r.year}-${r.month}`)).size === rows.length,
    'each person-month may appear only once in a batch',
  );

/**
 * Import register outcomes per person-month, replacing rows already held for the same person and
 * month. The batch is all-or-nothing and is audited as one entry carrying the SHA-256 of the batch,
 * since an entry per person-month would dwarf the data itself.
 *
 * @example
 * await upsertRegisterOutcomes(store.db, 'import:a-ordningen', [{ pseudonym: 'P-1', year: 2018, month: 3, variables: { employed: 1 } }], 'a-ordningen 2018');
 */
export async function upsertRegisterOutcomes(
  db: Kysely<Database>,
  actor: string,
  rows: readonly RegisterOutcome[],
  source = 'register import',
): Promise<{ rows: number; replaced: number; sha256: string }> {
  const p = parseInput(rowsSchema, rows, 'register outcomes');
  p.forEach((r, i) => {
    assertPseudonym(r.pseudonym, `row ${i + 1} pseudonym`);
  });
  const sha = sha256Hex(canonicalJson(p));
  return writeAudited(db, { actor, action: 'import', entity: 'register_outcome' }, async (trx) => {
    let replaced = 0;
    const chunk = 500;
    for (let i = 0; i < p.length; i += chunk) {
      const part = p.slice(i, i + chunk);
      const res = await trx
        .insertInto('register_outcome')
        .values(
          part.map((r) => ({
            pseudonym: r.pseudonym,
            year: r.year,
            month: r.month,
            variables: JSON.stringify(r.variables),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['pseudonym', 'year', 'month']).doUpdateSet((eb) => ({
            variables: eb.ref('excluded.variables'),
          })),
        )
        // xmax is non-zero exactly for rows the upsert updated rather than inserted.
        .returning(sql<boolean>`xmax::text <> '0'`.as('updated'))
        .execute();
      replaced += res.filter((r) => r.updated).length;
    }
    const result = { rows: p.length, replaced, sha256: sha };
    return { entityId: `batch:${sha}`, before: null, after: { source, ...result }, result };
  });
}

/**
 * A person's register outcomes in calendar order.
 *
 * @example
 * const months = await listRegisterOutcomes(store.db, 'P-1');
 */
export async function listRegisterOutcomes(
  db: Kysely<Database>,
  pseudonym: string,
): Promise<RegisterOutcome[]> {
  const rows = await db
    .selectFrom('register_outcome')
    .selectAll()
    .where('pseudonym', '=', pseudonym)
    .orderBy('year')
    .orderBy('month')
    .execute();
  return rows.map((r) => ({
    pseudonym: r.pseudonym,
    year: r.year,
    month: r.month,
    variables: r.variables as RegisterOutcome['variables'],
  }));
}

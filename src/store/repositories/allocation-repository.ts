import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Allocation, JsonValue } from '../../trial/types.ts';
import { toIso, writeAudited } from '../audit.ts';
import { canonicalJson, sha256Hex, toJsonValue } from '../canonical-json.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { nonEmpty } from './zod-types.ts';

const allocationSchema = z.object({
  trialId: nonEmpty,
  offices: z
    .array(z.object({ officeId: nonEmpty, armKey: nonEmpty }))
    .min(1, 'an allocation assigns at least one office')
    .refine(
      (o) => new Set(o.map((x) => x.officeId)).size === o.length,
      'an office can be allocated only once',
    ),
  recordSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex SHA-256')
    .optional(),
});

/**
 * An office-level allocation to store: the allocation record (any JSON, as produced by the
 * randomisation), the office to arm assignments it made, and optionally the record's SHA-256 as
 * published, which must match.
 *
 * @example
 * const a: AllocationInput = { trialId, record, offices: [{ officeId, armKey: 'holf' }] };
 */
export interface AllocationInput {
  readonly trialId: string;
  readonly record: unknown;
  readonly offices: readonly { readonly officeId: string; readonly armKey: string }[];
  readonly recordSha256?: string;
}

/**
 * Store a trial's allocation. Immutable once made: a second allocation for the same trial is
 * refused here, and database triggers reject any UPDATE or DELETE of allocation rows.
 *
 * @example
 * const allocation = await recordAllocation(store.db, 'stat:anne', { trialId, record, offices });
 * allocation.recordSha256; // SHA-256 of the record's canonical JSON
 */
export async function recordAllocation(
  db: Kysely<Database>,
  actor: string,
  input: AllocationInput,
): Promise<Allocation> {
  const p = parseInput(allocationSchema, input, 'allocation');
  const record: JsonValue = toJsonValue(input.record);
  const canonical = canonicalJson(record);
  const sha = sha256Hex(canonical);
  if (p.recordSha256 !== undefined && p.recordSha256 !== sha)
    throw new TiltakError(
      'HASH_MISMATCH',
      `the allocation record hashes to ${sha}, not the given ${p.recordSha256}`,
    );
  return writeAudited(db, { actor, action: 'allocate', entity: 'allocation' }, async (trx) => {
    if ((await getAllocation(trx, p.trialId)) !== undefined)
      throw new TiltakError(
        'ALLOCATION_IMMUTABLE',
        `trial ${p.trialId} already has an allocation; allocations cannot be changed or redone`,
      );
    const arms = await trx
      .selectFrom('trial_arm')
      .select('key')
      .where('trial_id', '=', p.trialId)
      .execute();
    if (arms.length === 0) throw new TiltakError('NOT_FOUND', `trial ${p.trialId} does not exist`);
    const armKeys = new Set(arms.map((a) => a.key));
    const offices = await trx
      .selectFrom('office')
      .select('id')
      .where('trial_id', '=', p.trialId)
      .execute();
    const officeIds = new Set(offices.map((o) => o.id));
    for (const o of p.offices) {
      if (!officeIds.has(o.officeId))
        throw new TiltakError(
          'NOT_FOUND',
          `office ${o.officeId} is not an office of trial ${p.trialId}`,
        );
      if (!armKeys.has(o.armKey))
        throw new TiltakError(
          'UNKNOWN_ARM',
          `arm '${o.armKey}' is not an arm of trial ${p.trialId}`,
        );
    }
    const allocation: Allocation = {
      id: newId(),
      trialId: p.trialId,
      record,
      recordSha256: sha,
      offices: p.offices,
      createdBy: actor,
      createdAt: new Date().toISOString(),
    };
    await trx
      .insertInto('allocation')
      .values({
        id: allocation.id,
        trial_id: allocation.trialId,
        record_canonical: canonical,
        record_sha256: sha,
        created_by: actor,
        created_at: allocation.createdAt,
      })
      .execute();
    await trx
      .insertInto('allocation_office')
      .values(
        p.offices.map((o) => ({
          allocation_id: allocation.id,
          office_id: o.officeId,
          arm_key: o.armKey,
        })),
      )
      .execute();
    return { entityId: allocation.id, before: null, after: allocation, result: allocation };
  });
}

/**
 * A trial's allocation, or `undefined` before randomisation. The stored record is re-hashed on
 * read, so a record altered behind the store's back is reported rather than trusted.
 *
 * @example
 * const allocation = await getAllocation(store.db, trialId);
 */
export async function getAllocation(
  db: Kysely<Database>,
  trialId: string,
): Promise<Allocation | undefined> {
  const r = await db
    .selectFrom('allocation')
    .selectAll()
    .where('trial_id', '=', trialId)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  if (sha256Hex(r.record_canonical) !== r.record_sha256)
    throw new TiltakError(
      'HASH_MISMATCH',
      `the stored allocation record of trial ${trialId} no longer matches its SHA-256`,
    );
  const offices = await db
    .selectFrom('allocation_office')
    .select(['office_id', 'arm_key'])
    .where('allocation_id', '=', r.id)
    .orderBy('office_id')
    .execute();
  return {
    id: r.id,
    trialId: r.trial_id,
    record: JSON.parse(r.record_canonical) as JsonValue,
    recordSha256: r.record_sha256,
    offices: offices.map((o) => ({ officeId: o.office_id, armKey: o.arm_key })),
    createdBy: r.created_by,
    createdAt: toIso(r.created_at),
  };
}

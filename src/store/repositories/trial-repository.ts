import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Trial, Wave, WaveKey } from '../../trial/types.ts';
import { standardWaves, validateWaves } from '../../trial/waves.ts';
import { writeAudited } from '../audit.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { isoDate, nonEmpty } from './zod-types.ts';

const waveSchema = z.object({
  key: z.enum(['T1', 'T2', 'T3', 'T4', 'T5']),
  label: nonEmpty,
  targetMonths: z.number().int(),
  startMonths: z.number().int(),
  endMonths: z.number().int(),
});

const trialInputSchema = z.object({
  name: nonEmpty,
  registration: z.string().trim().min(1).nullable().default(null),
  startDate: isoDate,
  arms: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z0-9_-]+$/, 'arm keys are lower-case letters, digits, - and _'),
        name: nonEmpty,
      }),
    )
    .min(2, 'a trial needs at least two arms')
    .refine((a) => new Set(a.map((x) => x.key)).size === a.length, 'arm keys must be unique'),
  waves: z.array(waveSchema).optional(),
});

/**
 * What is needed to create a trial; waves default to {@link standardWaves}.
 *
 * @example
 * const t: TrialInput = { name: 'HOLF', startDate: '2016-09-01', arms: [{ key: 'holf', name: 'HOLF' }, { key: 'local', name: 'Local projects' }] };
 */
export type TrialInput = z.input<typeof trialInputSchema>;

/**
 * Create a trial with its arms and waves (audited as one entry).
 *
 * @example
 * const trial = await createTrial(store.db, 'stat:anne', { name: 'HOLF', registration: 'NCT03102775', startDate: '2016-09-01', arms });
 */
export async function createTrial(
  db: Kysely<Database>,
  actor: string,
  input: TrialInput,
): Promise<Trial> {
  const parsed = parseInput(trialInputSchema, input, 'trial');
  const waves: Wave[] = parsed.waves ?? standardWaves();
  validateWaves(waves);
  const trial: Trial = {
    id: newId(),
    name: parsed.name,
    registration: parsed.registration,
    startDate: parsed.startDate,
    arms: parsed.arms,
    waves,
  };
  return writeAudited(db, { actor, action: 'create', entity: 'trial' }, async (trx) => {
    await trx
      .insertInto('trial')
      .values({
        id: trial.id,
        name: trial.name,
        registration: trial.registration,
        start_date: trial.startDate,
      })
      .execute();
    await trx
      .insertInto('trial_arm')
      .values(
        trial.arms.map((a, i) => ({ trial_id: trial.id, key: a.key, name: a.name, position: i })),
      )
      .execute();
    await trx
      .insertInto('trial_wave')
      .values(
        waves.map((w) => ({
          trial_id: trial.id,
          key: w.key,
          label: w.label,
          target_months: w.targetMonths,
          start_months: w.startMonths,
          end_months: w.endMonths,
        })),
      )
      .execute();
    return { entityId: trial.id, before: null, after: trial, result: trial };
  });
}

/**
 * Read a trial with its arms (in their given order) and waves, or `undefined`.
 *
 * @example
 * const trial = await getTrial(store.db, id);
 */
export async function getTrial(db: Kysely<Database>, id: string): Promise<Trial | undefined> {
  const row = await db.selectFrom('trial').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const arms = await db
    .selectFrom('trial_arm')
    .select(['key', 'name'])
    .where('trial_id', '=', id)
    .orderBy('position')
    .execute();
  const waves = await db
    .selectFrom('trial_wave')
    .selectAll()
    .where('trial_id', '=', id)
    .orderBy('start_months')
    .execute();
  return {
    id: row.id,
    name: row.name,
    registration: row.registration,
    startDate: row.start_date,
    arms,
    waves: waves.map((w) => ({
      key: w.key as WaveKey,
      label: w.label,
      targetMonths: w.target_months,
      startMonths: w.start_months,
      endMonths: w.end_months,
    })),
  };
}

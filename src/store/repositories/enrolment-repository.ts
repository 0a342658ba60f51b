import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Enrolment } from '../../trial/types.ts';
import { writeAudited } from '../audit.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { isoDate, nonEmpty } from './zod-types.ts';

const enrolmentSchema = z
  .object({
    familyId: nonEmpty,
    status: z.enum(['invited', 'consented', 'declined', 'enrolled', 'withdrawn']),
    consentDate: isoDate.nullable().default(null),
    enrolledDate: isoDate.nullable().default(null),
    withdrawnDate: isoDate.nullable().default(null),
  })
  .refine((e) => !['consented', 'enrolled'].includes(e.status) || e.consentDate !== null, {
    message: 'consentDate is required once a family has consented',
    path: ['consentDate'],
  })
  .refine((e) => e.status !== 'enrolled' || e.enrolledDate !== null, {
    message: 'enrolledDate is required for an enrolled family',
    path: ['enrolledDate'],
  })
  .refine((e) => e.status !== 'withdrawn' || e.withdrawnDate !== null, {
    message: 'withdrawnDate is required for a withdrawn family',
    path: ['withdrawnDate'],
  })
  .refine(
    (e) => e.consentDate === null || e.enrolledDate === null || e.consentDate <= e.enrolledDate,
    { message: 'a family cannot be enrolled before it consented', path: ['enrolledDate'] },
  );

/**
 * Enrolment and consent as given to {@link setEnrolment}.
 *
 * @example
 * const e: EnrolmentInput = { familyId, status: 'enrolled', consentDate: '2017-01-10', enrolledDate: '2017-01-15' };
 */
export type EnrolmentInput = z.input<typeof enrolmentSchema>;

/**
 * Set a family's enrolment status and consent dates (audited with before and after). Only a
 * family drawn into follow-up can be enrolled.
 *
 * @example
 * await setEnrolment(store.db, 'coordinator:17', { familyId, status: 'consented', consentDate: '2017-01-10' });
 */
export async function setEnrolment(
  db: Kysely<Database>,
  actor: string,
  input: EnrolmentInput,
): Promise<Enrolment> {
  const e: Enrolment = parseInput(enrolmentSchema, input, 'enrolment');
  return writeAudited(db, { actor, action: 'update', entity: 'enrolment' }, async (trx) => {
    const draw = await trx
      .selectFrom('family_draw')
      .select('draw_group')
      .where('family_id', '=', e.familyId)
      .executeTakeFirst();
    if (draw?.draw_group !== 'drawn')
      throw new TiltakError('NOT_DRAWN', `family ${e.familyId} was not drawn into follow-up`);
    const before = (await getEnrolment(trx, e.familyId)) ?? null;
    const row = {
      status: e.status,
      consent_date: e.consentDate,
      enrolled_date: e.enrolledDate,
      withdrawn_date: e.withdrawnDate,
      updated_at: new Date(),
    };
    await trx
      .insertInto('enrolment')
      .values({ family_id: e.familyId, ...row })
      .onConflict((oc) => oc.column('family_id').doUpdateSet(row))
      .execute();
    return { entityId: e.familyId, before, after: e, result: e };
  });
}

/**
 * A family's enrolment, or `undefined`.
 *
 * @example
 * const e = await getEnrolment(store.db, familyId);
 */
export async function getEnrolment(
  db: Kysely<Database>,
  familyId: string,
): Promise<Enrolment | undefined> {
  const r = await db
    .selectFrom('enrolment')
    .selectAll()
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return r === undefined
    ? undefined
    : {
        familyId: r.family_id,
        status: r.status,
        consentDate: r.consent_date,
        enrolledDate: r.enrolled_date,
        withdrawnDate: r.withdrawn_date,
      };
}

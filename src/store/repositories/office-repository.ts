import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Office, StaffMember } from '../../trial/types.ts';
import { writeAudited } from '../audit.ts';
import { toJsonValue } from '../canonical-json.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { jsonObject, nonEmpty } from './zod-types.ts';

const officeInputSchema = z.object({
  trialId: nonEmpty,
  code: nonEmpty,
  name: nonEmpty,
  covariates: jsonObject.default({}),
});

/**
 * What is needed to create an office (a cluster).
 *
 * @example
 * const o: OfficeInput = { trialId, code: '0301-01', name: 'NAV Grünerløkka', covariates: { caseload: 310 } };
 */
export type OfficeInput = z.input<typeof officeInputSchema>;

/**
 * Create an office in a trial.
 *
 * @example
 * const office = await createOffice(store.db, 'stat:anne', { trialId, code: '0301-01', name: 'NAV A' });
 */
export async function createOffice(
  db: Kysely<Database>,
  actor: string,
  input: OfficeInput,
): Promise<Office> {
  const p = parseInput(officeInputSchema, input, 'office');
  const office: Office = {
    id: newId(),
    trialId: p.trialId,
    code: p.code,
    name: p.name,
    covariates: p.covariates,
  };
  return writeAudited(db, { actor, action: 'create', entity: 'office' }, async (trx) => {
    const trial = await trx
      .selectFrom('trial')
      .select('id')
      .where('id', '=', p.trialId)
      .executeTakeFirst();
    if (trial === undefined)
      throw new TiltakError('NOT_FOUND', `trial ${p.trialId} does not exist`);
    await trx
      .insertInto('office')
      .values({
        id: office.id,
        trial_id: office.trialId,
        code: office.code,
        name: office.name,
        covariates: JSON.stringify(office.covariates),
      })
      .execute();
    return { entityId: office.id, before: null, after: office, result: office };
  });
}

/**
 * Replace an office's covariates (audited with before and after).
 *
 * @example
 * await updateOfficeCovariates(store.db, 'stat:anne', officeId, { caseload: 320 });
 */
export async function updateOfficeCovariates(
  db: Kysely<Database>,
  actor: string,
  officeId: string,
  covariates: Record<string, unknown>,
): Promise<Office> {
  const cov = parseInput(jsonObject, toJsonValue(covariates), 'office covariates');
  return writeAudited(db, { actor, action: 'update', entity: 'office' }, async (trx) => {
    const before = await getOffice(trx, officeId);
    if (before === undefined)
      throw new TiltakError('NOT_FOUND', `office ${officeId} does not exist`);
    await trx
      .updateTable('office')
      .set({ covariates: JSON.stringify(cov) })
      .where('id', '=', officeId)
      .execute();
    const after: Office = { ...before, covariates: cov };
    return { entityId: officeId, before, after, result: after };
  });
}

/**
 * Read an office, or `undefined`.
 *
 * @example
 * const office = await getOffice(store.db, officeId);
 */
export async function getOffice(db: Kysely<Database>, id: string): Promise<Office | undefined> {
  const r = await db.selectFrom('office').selectAll().where('id', '=', id).executeTakeFirst();
  return r === undefined ? undefined : toOffice(r);
}

/**
 * All offices of a trial, by code.
 *
 * @example
 * const offices = await listOffices(store.db, trialId);
 */
export async function listOffices(db: Kysely<Database>, trialId: string): Promise<Office[]> {
  const rows = await db
    .selectFrom('office')
    .selectAll()
    .where('trial_id', '=', trialId)
    .orderBy('code')
    .execute();
  return rows.map(toOffice);
}

const staffInputSchema = z.object({
  officeId: nonEmpty,
  role: z.enum(['coordinator', 'leader']),
  name: nonEmpty,
});

/**
 * Add a coordinator or the leader to an office. An office has at most one leader.
 *
 * @example
 * await addStaffMember(store.db, 'admin', { officeId, role: 'coordinator', name: 'Coordinator 1' });
 */
export async function addStaffMember(
  db: Kysely<Database>,
  actor: string,
  input: z.input<typeof staffInputSchema>,
): Promise<StaffMember> {
  const p = parseInput(staffInputSchema, input, 'staff member');
  const member: StaffMember = { id: newId(), officeId: p.officeId, role: p.role, name: p.name };
  return writeAudited(db, { actor, action: 'create', entity: 'staff_member' }, async (trx) => {
    if (p.role === 'leader') {
      const existing = await trx
        .selectFrom('staff_member')
        .select('id')
        .where('office_id', '=', p.officeId)
        .where('role', '=', 'leader')
        .executeTakeFirst();
      if (existing !== undefined)
        throw new TiltakError('LEADER_EXISTS', `office ${p.officeId} already has a leader`);
    }
    await trx
      .insertInto('staff_member')
      .values({ id: member.id, office_id: member.officeId, role: member.role, name: member.name })
      .execute();
    return { entityId: member.id, before: null, after: member, result: member };
  });
}

/**
 * The staff of an office, leader first.
 *
 * @example
 * const staff = await listStaff(store.db, officeId);
 */
export async function listStaff(db: Kysely<Database>, officeId: string): Promise<StaffMember[]> {
  const rows = await db
    .selectFrom('staff_member')
    .selectAll()
    .where('office_id', '=', officeId)
    .orderBy('role', 'desc')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, officeId: r.office_id, role: r.role, name: r.name }));
}

function toOffice(r: {
  id: string;
  trial_id: string;
  code: string;
  name: string;
  covariates: unknown;
}): Office {
  return {
    id: r.id,
    trialId: r.trial_id,
    code: r.code,
    name: r.name,
    covariates: r.covariates as Office['covariates'],
  };
}

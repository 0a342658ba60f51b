import { type Kysely, sql } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import { type Database, toIso } from '../../store/index.ts';
import type { Trial } from '../../trial/types.ts';
import { actorOf, officeScope, pseudonymisedOnly, type SessionUser } from '../auth/roles.ts';
import type { AuditBatcher } from './audit-batch.ts';
import { FAMILY_INSTRUMENTS, instrumentName } from './instruments.ts';

/**
 * One row of the families list.
 *
 * @example
 * const r: FamilyListRow = (await listFamiliesFor(db, user, trial, {})).rows[0]!;
 */
export interface FamilyListRow {
  id: string;
  pseudonym: string;
  officeId: string;
  officeCode: string;
  officeName: string;
  armKey: string | null;
  eligible: boolean | null;
  drawGroup: 'drawn' | 'comparison' | null;
  enrolment: string | null;
  members: number;
  submittedWaves: string[];
}

/**
 * Filters of the families list.
 *
 * @example
 * const q: FamilyQuery = { search: 'F-00', officeId: undefined, limit: 50, offset: 0 };
 */
export interface FamilyQuery {
  readonly search?: string | undefined;
  readonly officeId?: string | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/**
 * Families the user may see, searched by pseudonym (case-insensitive substring), page by page.
 * A coordinator or office leader only ever gets their own office, whatever office they ask for.
 *
 * @example
 * const { rows, total } = await listFamiliesFor(db, user, trial, { search: 'F-01' });
 */
export async function listFamiliesFor(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  query: FamilyQuery,
): Promise<{ total: number; rows: FamilyListRow[] }> {
  const scope = officeScope(user);
  const officeId = scope ?? query.officeId;
  let base = db
    .selectFrom('family')
    .innerJoin('office', 'office.id', 'family.office_id')
    .where('office.trial_id', '=', trial.id);
  if (officeId !== undefined) base = base.where('family.office_id', '=', officeId);
  const search = query.search?.trim();
  if (search !== undefined && search.length > 0) {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where('family.pseudonym', 'ilike', pattern);
  }
  const rows = await base
    .leftJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
    .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
    .leftJoin('enrolment', 'enrolment.family_id', 'family.id')
    .select([
      'family.id',
      'family.pseudonym',
      'family.office_id',
      'office.code',
      'office.name',
      'allocation_office.arm_key',
      'eligibility.eligible',
      'family_draw.draw_group',
      'enrolment.status',
      (eb) =>
        eb
          .selectFrom('family_member')
          .select(sql<number>`count(*)::int`.as('m'))
          .whereRef('family_member.family_id', '=', 'family.id')
          .as('members'),
      (eb) =>
        eb
          .selectFrom('questionnaire_response')
          .select(sql<string>`string_agg(distinct wave, ',' order by wave)`.as('w'))
          .whereRef('questionnaire_response.respondent_id', '=', 'family.id')
          .where('questionnaire_response.respondent_type', '=', 'family')
          .where('questionnaire_response.status', '=', 'submitted')
          .as('waves'),
    ])
    .orderBy('family.pseudonym')
    .limit(Math.min(query.limit ?? 50, 200))
    .offset(query.offset ?? 0)
    .execute();
  // Counted apart: a window count over the page query would run its per-row subqueries for
  // every matching family, not just the page.
  const total = (await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      pseudonym: r.pseudonym,
      officeId: r.office_id,
      officeCode: r.code,
      officeName: r.name,
      armKey: r.arm_key,
      eligible: r.eligible,
      drawGroup: r.draw_group,
      enrolment: r.status,
      members: Number(r.members ?? 0),
      submittedWaves: r.waves === null || r.waves === '' ? [] : r.waves.split(','),
    })),
  };
}

/**
 * A family record as the detail page shows it.
 *
 * @example
 * const d: FamilyDetail = await familyDetail(db, user, trial, familyId);
 */
export interface FamilyDetail {
  id: string;
  pseudonym: string;
  office: { id: string; code: string; name: string };
  armKey: string | null;
  members: { pseudonym: string; role: 'adult' | 'child'; birthYear: number | null }[];
  eligibility: { eligible: boolean; rule: string; reasons: string[]; decidedAt: string } | null;
  draw: { group: 'drawn' | 'comparison'; drawnAt: string } | null;
  enrolment: {
    status: string;
    consentDate: string | null;
    enrolledDate: string | null;
    withdrawnDate: string | null;
  } | null;
  /** The office's staff; names are replaced by numbered labels for pseudonymised-only roles. */
  staff: { role: 'leader' | 'coordinator'; name: string }[];
  /** The coordinator who follows the family (a drawn family), named as in `staff`. */
  coordinator: string | null;
  waves: {
    key: string;
    label: string;
    questionnaires: {
      instrumentKey: string;
      instrumentName: { nb: string; en: string };
      status: 'none' | 'draft' | 'submitted';
      submittedAt: string | null;
      answered: number;
    }[];
  }[];
}

/**
 * Read one family record for a user: access-checked, then logged in the audit log (through the
 * app's group-committing {@link AuditBatcher}) before it is returned, so no record is shown
 * without its entry; a denied read logs nothing. The record is read in one statement (household,
 * office staff and questionnaire responses as JSON aggregates), one consistent snapshot.
 *
 * @example
 * const detail = await familyDetail({ db, audit }, user, trial, familyId);
 */
export async function familyDetail(
  ctx: { readonly db: Kysely<Database>; readonly audit: AuditBatcher },
  user: SessionUser,
  trial: Trial,
  familyId: string,
): Promise<FamilyDetail> {
  const row = await ctx.db
    .selectFrom('family')
    .innerJoin('office', 'office.id', 'family.office_id')
    .leftJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
    .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
    .leftJoin('enrolment', 'enrolment.family_id', 'family.id')
    .select([
      'family.id',
      'family.pseudonym',
      'office.id as office_id',
      'office.code',
      'office.name',
      'allocation_office.arm_key',
      'eligibility.eligible',
      'eligibility.rule',
      'eligibility.reasons',
      'eligibility.decided_at',
      'family_draw.draw_group',
      'family_draw.drawn_at',
      'enrolment.status',
      'enrolment.consent_date',
      'enrolment.enrolled_date',
      'enrolment.withdrawn_date',
      sql<
        { pseudonym: string; role: 'adult' | 'child'; birthYear: number | null }[] | null
      >`(select json_agg(json_build_object('pseudonym', m.pseudonym, 'role', m.role, 'birthYear', m.birth_year) order by m.role, m.pseudonym) from family_member m where m.family_id = family.id)`.as(
        'members',
      ),
      sql<
        { id: string; role: 'leader' | 'coordinator'; name: string }[] | null
      >`(select json_agg(json_build_object('id', s.id, 'role', s.role, 'name', s.name) order by s.role desc, s.name) from staff_member s where s.office_id = office.id)`.as(
        'staff',
      ),
      sql<
        string | null
      >`(select fc.staff_id from family_coordinator fc where fc.family_id = family.id)`.as(
        'coordinator_id',
      ),
      sql<
        | {
            wave: string;
            status: 'draft' | 'submitted';
            submittedAt: string | null;
            answers: unknown;
            key: string;
          }[]
        | null
      >`(select json_agg(json_build_object('wave', r.wave, 'status', r.status, 'submittedAt', r.submitted_at, 'answers', r.answers, 'key', i.key)) from questionnaire_response r join instrument i on i.id = r.instrument_id where r.respondent_type = 'family' and r.respondent_id = family.id and r.trial_id = ${trial.id})`.as(
        'responses',
      ),
    ])
    .where('family.id', '=', familyId)
    .executeTakeFirst();
  if (row === undefined) throw new TiltakError('NOT_FOUND', `family ${familyId} does not exist`);
  const scope = officeScope(user);
  if (scope !== null && scope !== row.office_id)
    throw new TiltakError('FORBIDDEN', 'this family belongs to another office');
  await ctx.audit.logRead({
    actor: actorOf(user),
    entity: 'family',
    entityId: familyId,
    purpose: 'family record',
  });
  const responses = row.responses ?? [];
  const hideNames = pseudonymisedOnly(user);
  let n = 0;
  const rawStaff = row.staff ?? [];
  const staff = rawStaff.map((s) => ({
    role: s.role,
    name: hideNames ? (s.role === 'leader' ? 'L' : `K${++n}`) : s.name,
  }));
  const coordinator = rawStaff.findIndex((s) => s.id === row.coordinator_id);
  return {
    id: row.id,
    pseudonym: row.pseudonym,
    office: { id: row.office_id, code: row.code, name: row.name },
    armKey: row.arm_key,
    members: (row.members ?? []).map((m) => ({
      pseudonym: m.pseudonym,
      role: m.role,
      birthYear: m.birthYear,
    })),
    eligibility:
      row.eligible === null
        ? null
        : {
            eligible: row.eligible,
            rule: row.rule ?? '',
            reasons: (row.reasons ?? []) as string[],
            decidedAt: toIso(row.decided_at ?? new Date(0)),
          },
    draw:
      row.draw_group === null
        ? null
        : { group: row.draw_group, drawnAt: toIso(row.drawn_at ?? new Date(0)) },
    enrolment:
      row.status === null
        ? null
        : {
            status: row.status,
            consentDate: row.consent_date,
            enrolledDate: row.enrolled_date,
            withdrawnDate: row.withdrawn_date,
          },
    staff,
    coordinator: coordinator === -1 ? null : staff[coordinator]!.name,
    waves: trial.waves.map((w) => ({
      key: w.key,
      label: w.label,
      questionnaires: FAMILY_INSTRUMENTS.map((key) => {
        const r = responses.find((x) => x.wave === w.key && x.key === key);
        const answers = (r?.answers ?? {}) as Record<string, number | null>;
        return {
          instrumentKey: key,
          instrumentName: instrumentName(key),
          status: r === undefined ? ('none' as const) : r.status,
          submittedAt:
            r === undefined || r.submittedAt === null
              ? null
              : new Date(r.submittedAt).toISOString(),
          answered: Object.values(answers).filter((v) => v !== null).length,
        };
      }),
    })),
  };
}

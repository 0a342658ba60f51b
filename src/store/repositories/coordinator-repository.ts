import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import { appendAuditEntries, checkActor, inTransaction, toIso } from '../audit.ts';
import type { Database } from '../schema.ts';

/** Families per `IN (…)` lookup and rows per INSERT. */
const CHUNK = 500;

/**
 * The coordinator who follows a family.
 *
 * @example
 * const a: CoordinatorAssignment = { familyId, staffId, assignedAt: '2016-10-01T00:00:00.000Z' };
 */
export interface CoordinatorAssignment {
  readonly familyId: string;
  readonly staffId: string;
  readonly assignedAt: string;
}

/**
 * Assign each family its coordinator, in one transaction: the family must have been drawn into
 * follow-up, and the staff member must be a coordinator of the family's office. A family already
 * assigned to the same coordinator is left as it is; a new coordinator replaces the old one,
 * audited with before and after. Any violation rejects the whole batch, naming the item.
 *
 * @example
 * await assignCoordinators(store.db, 'leader:7', [{ familyId, staffId: coordinatorId }]);
 */
export async function assignCoordinators(
  db: Kysely<Database>,
  actor: string,
  items: readonly { familyId: string; staffId: string }[],
): Promise<{ assigned: number; unchanged: number }> {
  checkActor(actor);
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.familyId))
      throw new TiltakError('DUPLICATE', `items[${i}]: family ${it.familyId} appears twice`);
    seen.add(it.familyId);
  });
  if (items.length === 0) return { assigned: 0, unchanged: 0 };
  return inTransaction(db, async (trx) => {
    const families = new Map<string, { office: string; group: string; current: string | null }>();
    const staff = new Map<string, { office: string; role: string }>();
    for (let i = 0; i < items.length; i += CHUNK) {
      const slice = items.slice(i, i + CHUNK);
      const rows = await trx
        .selectFrom('family')
        .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
        .leftJoin('family_coordinator', 'family_coordinator.family_id', 'family.id')
        .select([
          'family.id',
          'family.office_id',
          'family_draw.draw_group',
          'family_coordinator.staff_id',
        ])
        .where(
          'family.id',
          'in',
          slice.map((s) => s.familyId),
        )
        .execute();
      for (const r of rows)
        families.set(r.id, {
          office: r.office_id,
          group: r.draw_group ?? '',
          current: r.staff_id,
        });
      const members = await trx
        .selectFrom('staff_member')
        .select(['id', 'office_id', 'role'])
        .where('id', 'in', [...new Set(slice.map((s) => s.staffId))])
        .execute();
      for (const m of members) staff.set(m.id, { office: m.office_id, role: m.role });
    }
    const assignedAt = toIso(new Date());
    const changes: { familyId: string; staffId: string; before: string | null }[] = [];
    items.forEach((it, i) => {
      const f = families.get(it.familyId);
      const s = staff.get(it.staffId);
      if (f === undefined)
        throw new TiltakError('NOT_FOUND', `items[${i}]: family ${it.familyId} does not exist`);
      if (f.group !== 'drawn')
        throw new TiltakError(
          'NOT_DRAWN',
          `items[${i}]: family ${it.familyId} was not drawn into follow-up, so it has no coordinator`,
        );
      if (s === undefined || s.role !== 'coordinator')
        throw new TiltakError(
          'NOT_A_COORDINATOR',
          `items[${i}]: ${it.staffId} is not a coordinator`,
        );
      if (s.office !== f.office)
        throw new TiltakError(
          'WRONG_OFFICE',
          `items[${i}]: coordinator ${it.staffId} works at another office than family ${it.familyId}`,
        );
      if (f.current !== it.staffId)
        changes.push({ familyId: it.familyId, staffId: it.staffId, before: f.current });
    });
    for (let i = 0; i < changes.length; i += CHUNK)
      await trx
        .insertInto('family_coordinator')
        .values(
          changes.slice(i, i + CHUNK).map((c) => ({
            family_id: c.familyId,
            staff_id: c.staffId,
            assigned_at: assignedAt,
          })),
        )
        .onConflict((oc) =>
          oc.column('family_id').doUpdateSet((eb) => ({
            staff_id: eb.ref('excluded.staff_id'),
            assigned_at: eb.ref('excluded.assigned_at'),
          })),
        )
        .execute();
    await appendAuditEntries(
      trx,
      changes.map((c) => ({
        actor,
        action: 'assign',
        entity: 'family_coordinator',
        entityId: c.familyId,
        before: c.before === null ? null : { staffId: c.before },
        after: { familyId: c.familyId, staffId: c.staffId, assignedAt },
      })),
    );
    return { assigned: changes.length, unchanged: items.length - changes.length };
  });
}

/**
 * The coordinator assignment of a family, or `undefined`.
 *
 * @example
 * const a = await getFamilyCoordinator(store.db, familyId);
 */
export async function getFamilyCoordinator(
  db: Kysely<Database>,
  familyId: string,
): Promise<CoordinatorAssignment | undefined> {
  const r = await db
    .selectFrom('family_coordinator')
    .selectAll()
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return r === undefined
    ? undefined
    : { familyId: r.family_id, staffId: r.staff_id, assignedAt: toIso(r.assigned_at) };
}

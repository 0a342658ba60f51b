import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { EligibilityResult, Family } from '../../trial/types.ts';
import { appendAuditEntries, checkActor, inTransaction, toIso } from '../audit.ts';
import { toJsonValue } from '../canonical-json.ts';
import { newId } from '../ids.ts';
import { assertPseudonym } from '../pseudonym.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { eligibilitySchema } from './eligibility-repository.ts';
import { familyInputSchema } from './family-repository.ts';

/** Rows per multi-row INSERT or `IN (…)` lookup (well under PostgreSQL's parameter limit). */
const CHUNK = 500;

const screenedSchema = familyInputSchema.extend({
  eligibility: eligibilitySchema.omit({ familyId: true }),
});

/**
 * One screened family to store: the household and its eligibility decision.
 *
 * @example
 * const f: ScreenedFamilyInput = { officeId, pseudonym: 'F-1', members: [{ pseudonym: 'F-1', role: 'adult' }],
 *   eligibility: { eligible: true, rule: 'holf@1', reasons: ['meets every inclusion rule'] } };
 */
export type ScreenedFamilyInput = z.input<typeof screenedSchema>;

/**
 * What {@link storeScreenedFamilies} did.
 *
 * @example
 * const { created, updated, unchanged } = await storeScreenedFamilies(db, actor, families);
 */
export interface StoredScreening {
  /** New families, stored with their eligibility. */
  readonly created: number;
  /** Families already stored whose eligibility changed (recorded with before and after). */
  readonly updated: number;
  /** Families already stored with the same eligibility: nothing written. */
  readonly unchanged: number;
  /** Family id by family pseudonym, for every family given. */
  readonly familyIds: ReadonlyMap<string, string>;
}

/**
 * Store a screening run's families and their eligibility decisions in one transaction: new
 * families are created with their household and decision; families already stored (by pseudonym)
 * get their decision re-recorded only when it changed (outcome, rule or reasons; not the date), so storing the same run twice changes
 * nothing. Every item is validated first and any bad one rejects the whole batch with its index;
 * each created family and each recorded decision has its audit entry (as `createFamily` and
 * `recordEligibility` write them), appended under one chain-head lock. Thousands of families take
 * a few statements per 500, not several per family.
 *
 * @example
 * const r = await storeScreenedFamilies(store.db, 'system:screening', [
 *   { officeId, pseudonym: 'F-1', members: [{ pseudonym: 'F-1', role: 'adult' }],
 *     eligibility: { eligible: true, rule: 'holf@1', reasons: ['meets every inclusion rule'] } },
 * ]);
 * r.created; // 1
 */
export async function storeScreenedFamilies(
  db: Kysely<Database>,
  actor: string,
  families: readonly ScreenedFamilyInput[],
): Promise<StoredScreening> {
  checkActor(actor);
  const now = toIso(new Date());
  const seen = new Set<string>();
  const items = families.map((raw, i) => {
    const p = parseInput(screenedSchema, raw, `families[${i}]`);
    assertPseudonym(p.pseudonym, `families[${i}].pseudonym`);
    p.members.forEach((m, j) => {
      assertPseudonym(m.pseudonym, `families[${i}].members.${j}.pseudonym`);
    });
    if (seen.has(p.pseudonym))
      throw new TiltakError(
        'DUPLICATE',
        `families[${i}]: pseudonym '${p.pseudonym}' appears more than once in the batch`,
      );
    seen.add(p.pseudonym);
    return { ...p, decidedAt: toIso(p.eligibility.decidedAt ?? now) };
  });
  if (items.length === 0) return { created: 0, updated: 0, unchanged: 0, familyIds: new Map() };

  return inTransaction(db, async (trx) => {
    await checkOffices(trx, [...new Set(items.map((f) => f.officeId))]);
    const existing = await existingFamilies(
      trx,
      items.map((f) => f.pseudonym),
    );
    const familyIds = new Map<string, string>();
    const audit: Parameters<typeof appendAuditEntries>[1][number][] = [];
    const newFamilies: Family[] = [];
    const decisions: EligibilityResult[] = [];
    let updated = 0;
    let unchanged = 0;
    for (const f of items) {
      const old = existing.get(f.pseudonym);
      const familyId = old?.id ?? newId();
      familyIds.set(f.pseudonym, familyId);
      const decision: EligibilityResult = {
        familyId,
        eligible: f.eligibility.eligible,
        rule: f.eligibility.rule,
        reasons: f.eligibility.reasons,
        decidedAt: f.decidedAt,
      };
      if (old === undefined) {
        const family: Family = {
          id: familyId,
          officeId: f.officeId,
          pseudonym: f.pseudonym,
          members: f.members,
        };
        newFamilies.push(family);
        audit.push(entry(actor, 'create', 'family', familyId, null, family));
      } else if (old.eligibility !== null && sameDecision(old.eligibility, decision)) {
        unchanged++;
        continue;
      } else {
        updated++;
      }
      decisions.push(decision);
      audit.push(
        entry(actor, 'record', 'eligibility', familyId, old?.eligibility ?? null, decision),
      );
    }
    const familyRows = newFamilies.map((f) => ({
      id: f.id,
      office_id: f.officeId,
      pseudonym: f.pseudonym,
    }));
    for (let i = 0; i < familyRows.length; i += CHUNK)
      await trx
        .insertInto('family')
        .values(familyRows.slice(i, i + CHUNK))
        .execute();
    const memberRows = newFamilies.flatMap((f) =>
      f.members.map((m) => ({
        family_id: f.id,
        pseudonym: m.pseudonym,
        role: m.role,
        birth_year: m.birthYear,
      })),
    );
    for (let i = 0; i < memberRows.length; i += CHUNK)
      await trx
        .insertInto('family_member')
        .values(memberRows.slice(i, i + CHUNK))
        .execute();
    for (let i = 0; i < decisions.length; i += CHUNK)
      await trx
        .insertInto('eligibility')
        .values(
          decisions.slice(i, i + CHUNK).map((d) => ({
            family_id: d.familyId,
            eligible: d.eligible,
            rule: d.rule,
            reasons: JSON.stringify(d.reasons),
            decided_at: d.decidedAt,
          })),
        )
        .onConflict((oc) =>
          oc.column('family_id').doUpdateSet((eb) => ({
            eligible: eb.ref('excluded.eligible'),
            rule: eb.ref('excluded.rule'),
            reasons: eb.ref('excluded.reasons'),
            decided_at: eb.ref('excluded.decided_at'),
          })),
        )
        .execute();
    await appendAuditEntries(trx, audit);
    return { created: newFamilies.length, updated, unchanged, familyIds };
  });
}

function entry(
  actor: string,
  action: string,
  entity: string,
  entityId: string,
  before: EligibilityResult | null,
  after: Family | EligibilityResult,
) {
  return {
    actor,
    action,
    entity,
    entityId,
    before: before === null ? null : toJsonValue(before),
    after: toJsonValue(after),
  };
}

// The decision, not when it was taken: re-screening a later month with the same outcome writes nothing.
function sameDecision(a: EligibilityResult, b: EligibilityResult): boolean {
  return (
    a.eligible === b.eligible &&
    a.rule === b.rule &&
    a.reasons.length === b.reasons.length &&
    a.reasons.every((r, i) => r === b.reasons[i])
  );
}

async function checkOffices(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('office')
      .select('id')
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new TiltakError('NOT_FOUND', `office ${missing[0]} does not exist`, { missing });
}

async function existingFamilies(
  trx: Transaction<Database>,
  pseudonyms: readonly string[],
): Promise<Map<string, { id: string; eligibility: EligibilityResult | null }>> {
  const out = new Map<string, { id: string; eligibility: EligibilityResult | null }>();
  for (let i = 0; i < pseudonyms.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('family')
      .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
      .select([
        'family.id',
        'family.pseudonym',
        'eligibility.eligible',
        'eligibility.rule',
        'eligibility.reasons',
        'eligibility.decided_at',
      ])
      .where('family.pseudonym', 'in', pseudonyms.slice(i, i + CHUNK))
      .execute();
    for (const r of rows)
      out.set(r.pseudonym, {
        id: r.id,
        eligibility:
          r.eligible === null || r.rule === null || r.decided_at === null
            ? null
            : {
                familyId: r.id,
                eligible: r.eligible,
                rule: r.rule,
                reasons: r.reasons as string[],
                decidedAt: toIso(r.decided_at),
              },
      });
  }
  return out;
}

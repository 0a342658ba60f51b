import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { Trial, WaveKey } from '../../trial/types.ts';

/**
 * Counts for one office (or one arm): screening, the within-office draw, enrolment and, per
 * wave, submitted family questionnaires.
 *
 * @example
 * const c: FlowCounts = emptyCounts(['T1', 'T2']);
 */
export interface FlowCounts {
  screened: number;
  eligible: number;
  excluded: number;
  drawn: number;
  comparison: number;
  enrolled: number;
  declined: number;
  withdrawn: number;
  /** Families with a submitted questionnaire in the wave. */
  waves: Record<string, number>;
}

/**
 * The trial overview: CONSORT counts by arm, and enrolment and wave completion per office.
 *
 * @example
 * const o = await trialOverview(db, trial);
 * o.arms[0]?.counts.enrolled;
 */
export interface TrialOverview {
  trial: { id: string; name: string; registration: string | null; startDate: string };
  waves: { key: WaveKey; label: string }[];
  allocated: boolean;
  total: FlowCounts;
  arms: { key: string; name: string; offices: number; counts: FlowCounts }[];
  unallocated: { offices: number; counts: FlowCounts };
  offices: {
    id: string;
    code: string;
    name: string;
    armKey: string | null;
    counts: FlowCounts;
  }[];
  /** Reasons for exclusion at screening (the decisive rule), with counts. */
  exclusions: { rule: string; count: number }[];
}

/**
 * Empty counts with a zero for each wave.
 *
 * @example
 * emptyCounts(['T1']).waves.T1; // 0
 */
export function emptyCounts(waves: readonly string[]): FlowCounts {
  return {
    screened: 0,
    eligible: 0,
    excluded: 0,
    drawn: 0,
    comparison: 0,
    enrolled: 0,
    declined: 0,
    withdrawn: 0,
    waves: Object.fromEntries(waves.map((w) => [w, 0])),
  };
}

/**
 * Compute the overview from the store in three queries (families with their screening, draw and
 * enrolment; submitted family responses per wave; offices with their arm). Counts are aggregates,
 * so every role may see them; no family is identified.
 *
 * @example
 * const overview = await trialOverview(db, await workspaceTrial(db));
 */
export async function trialOverview(db: Kysely<Database>, trial: Trial): Promise<TrialOverview> {
  const waveKeys = trial.waves.map((w) => w.key);
  const offices = await db
    .selectFrom('office')
    .leftJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .select(['office.id', 'office.code', 'office.name', 'allocation_office.arm_key'])
    .where('office.trial_id', '=', trial.id)
    .orderBy('office.code')
    .execute();
  const families = await db
    .selectFrom('family')
    .innerJoin('office', 'office.id', 'family.office_id')
    .leftJoin('eligibility', 'eligibility.family_id', 'family.id')
    .leftJoin('family_draw', 'family_draw.family_id', 'family.id')
    .leftJoin('enrolment', 'enrolment.family_id', 'family.id')
    .select([
      'family.id',
      'family.office_id',
      'eligibility.eligible',
      'eligibility.rule',
      'family_draw.draw_group',
      'enrolment.status',
    ])
    .where('office.trial_id', '=', trial.id)
    .execute();
  const responses = await db
    .selectFrom('questionnaire_response')
    .select(['respondent_id', 'wave'])
    .distinct()
    .where('trial_id', '=', trial.id)
    .where('respondent_type', '=', 'family')
    .where('status', '=', 'submitted')
    .execute();
  const wavesByFamily = new Map<string, string[]>();
  for (const r of responses) {
    const list = wavesByFamily.get(r.respondent_id) ?? [];
    list.push(r.wave);
    wavesByFamily.set(r.respondent_id, list);
  }
  const perOffice = new Map(offices.map((o) => [o.id, emptyCounts(waveKeys)]));
  const exclusions = new Map<string, number>();
  for (const f of families) {
    const c = perOffice.get(f.office_id);
    if (c === undefined) continue;
    if (f.eligible !== null) {
      c.screened += 1;
      if (f.eligible) c.eligible += 1;
      else {
        c.excluded += 1;
        const rule = f.rule ?? 'unknown';
        exclusions.set(rule, (exclusions.get(rule) ?? 0) + 1);
      }
    }
    if (f.draw_group === 'drawn') c.drawn += 1;
    if (f.draw_group === 'comparison') c.comparison += 1;
    if (f.status === 'enrolled') c.enrolled += 1;
    if (f.status === 'declined') c.declined += 1;
    if (f.status === 'withdrawn') c.withdrawn += 1;
    for (const w of wavesByFamily.get(f.id) ?? []) c.waves[w] = (c.waves[w] ?? 0) + 1;
  }
  const total = emptyCounts(waveKeys);
  const byArm = new Map(
    trial.arms.map((a) => [a.key, { offices: 0, counts: emptyCounts(waveKeys) }]),
  );
  const unallocated = { offices: 0, counts: emptyCounts(waveKeys) };
  for (const o of offices) {
    const c = perOffice.get(o.id)!;
    addInto(total, c);
    const arm = (o.arm_key === null ? undefined : byArm.get(o.arm_key)) ?? unallocated;
    arm.offices += 1;
    addInto(arm.counts, c);
  }
  return {
    trial: {
      id: trial.id,
      name: trial.name,
      registration: trial.registration,
      startDate: trial.startDate,
    },
    waves: trial.waves.map((w) => ({ key: w.key, label: w.label })),
    allocated: offices.some((o) => o.arm_key !== null),
    total,
    arms: trial.arms.map((a) => ({ key: a.key, name: a.name, ...byArm.get(a.key)! })),
    unallocated,
    offices: offices.map((o) => ({
      id: o.id,
      code: o.code,
      name: o.name,
      armKey: o.arm_key,
      counts: perOffice.get(o.id)!,
    })),
    exclusions: [...exclusions]
      .map(([rule, count]) => ({ rule, count }))
      .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
  };
}

function addInto(into: FlowCounts, c: FlowCounts): void {
  into.screened += c.screened;
  into.eligible += c.eligible;
  into.excluded += c.excluded;
  into.drawn += c.drawn;
  into.comparison += c.comparison;
  into.enrolled += c.enrolled;
  into.declined += c.declined;
  into.withdrawn += c.withdrawn;
  for (const [w, n] of Object.entries(c.waves)) into.waves[w] = (into.waves[w] ?? 0) + n;
}

import type { Kysely } from 'kysely';
import { type DataFrame, dataFrame } from '../stats/data-frame.ts';
import { TiltakError } from '../stats/errors.ts';
import type { Store } from '../store/open-store.ts';
import type { Database } from '../store/schema.ts';
import {
  BUILTIN_INSTRUMENTS,
  type BuiltinInstrumentId,
  loadBuiltinInstrument,
} from '../trial/instruments/load.ts';
import { scoreResponse } from '../trial/instruments/score.ts';
import type { Wave } from '../trial/types.ts';

/**
 * What is known about one enrolled family at one wave, from register outcomes (months inside the
 * wave's window, counted from the month follow-up started) and submitted questionnaires.
 *
 * @example
 * const obs = await trialObservations(store.db, trialId);
 * obs.families.filter((f) => f.waves.T2?.income !== undefined).length;
 */
export interface FamilyWaveObservation {
  /** Register months with data inside the window. */
  readonly months: number;
  /** Mean monthly income over those months (summed over the household's adults). */
  readonly income: number | null;
  /** 1 when employed in at least half of those months (any adult), else 0. */
  readonly employed: number | null;
  /** Submitted questionnaire scores at this wave, by instrument key (total score). */
  readonly scores: Readonly<Record<string, number | null>>;
}

/**
 * One enrolled family (enrolment date set: enrolled, or enrolled and later withdrawn) with its
 * office, arm and observations per wave.
 *
 * @example
 * const f: EnrolledFamily = obs.families[0]!;
 */
export interface EnrolledFamily {
  readonly familyId: string;
  readonly pseudonym: string;
  readonly officeId: string;
  readonly officeCode: string;
  readonly armKey: string;
  readonly armName: string;
  readonly enrolledDate: string;
  readonly withdrawnDate: string | null;
  readonly children: number;
  readonly waves: Readonly<Partial<Record<string, FamilyWaveObservation>>>;
}

/**
 * Everything the analysis and CONSORT need about the enrolled families of a trial.
 *
 * @example
 * const { waves, families } = await trialObservations(store.db, trialId);
 */
export interface TrialObservations {
  readonly trialId: string;
  readonly trialName: string;
  readonly waves: readonly Wave[];
  readonly families: readonly EnrolledFamily[];
}

/**
 * Collect, for every enrolled family of an allocated trial, its register outcomes and submitted
 * questionnaires per wave. A register month belongs to a wave when its offset from the month of
 * the enrolment date lies in the wave's window [start, end). Families in offices without an
 * allocation are left out (they have no arm). Throws `NOT_FOUND` for an unknown trial and
 * `NOT_ALLOCATED` before randomisation.
 *
 * @example
 * const obs = await trialObservations(store.db, trialId);
 */
export async function trialObservations(
  target: Store | Kysely<Database>,
  trialId: string,
): Promise<TrialObservations> {
  const db = 'db' in target ? target.db : target;
  const trial = await db
    .selectFrom('trial')
    .select(['id', 'name'])
    .where('id', '=', trialId)
    .executeTakeFirst();
  if (trial === undefined) throw new TiltakError('NOT_FOUND', `trial ${trialId} does not exist`);
  const waveRows = await db
    .selectFrom('trial_wave')
    .selectAll()
    .where('trial_id', '=', trialId)
    .orderBy('start_months')
    .execute();
  const waves: Wave[] = waveRows.map((w) => ({
    key: w.key as Wave['key'],
    label: w.label,
    targetMonths: w.target_months,
    startMonths: w.start_months,
    endMonths: w.end_months,
  }));
  const allocated = await db
    .selectFrom('allocation')
    .select('id')
    .where('trial_id', '=', trialId)
    .executeTakeFirst();
  if (allocated === undefined)
    throw new TiltakError('NOT_ALLOCATED', `trial ${trial.name} has not been randomised yet`);
  const rows = await db
    .selectFrom('enrolment')
    .innerJoin('family', 'family.id', 'enrolment.family_id')
    .innerJoin('office', 'office.id', 'family.office_id')
    .innerJoin('allocation_office', 'allocation_office.office_id', 'office.id')
    .innerJoin('trial_arm', (j) =>
      j
        .onRef('trial_arm.key', '=', 'allocation_office.arm_key')
        .onRef('trial_arm.trial_id', '=', 'office.trial_id'),
    )
    .select([
      'family.id as familyId',
      'family.pseudonym as pseudonym',
      'office.id as officeId',
      'office.code as officeCode',
      'trial_arm.key as armKey',
      'trial_arm.name as armName',
      'enrolment.enrolled_date as enrolledDate',
      'enrolment.withdrawn_date as withdrawnDate',
    ])
    .where('office.trial_id', '=', trialId)
    .where('enrolment.enrolled_date', 'is not', null)
    .orderBy('office.code')
    .orderBy('family.pseudonym')
    .execute();
  const ids = rows.map((r) => r.familyId);
  const members =
    ids.length === 0
      ? []
      : await db
          .selectFrom('family_member')
          .select(['family_id', 'pseudonym', 'role'])
          .where('family_id', 'in', ids)
          .execute();
  const adults = new Map<string, string[]>();
  const children = new Map<string, number>();
  const familyOfAdult = new Map<string, string>();
  for (const m of members) {
    if (m.role === 'child') children.set(m.family_id, (children.get(m.family_id) ?? 0) + 1);
    else {
      adults.set(m.family_id, [...(adults.get(m.family_id) ?? []), m.pseudonym]);
      familyOfAdult.set(m.pseudonym, m.family_id);
    }
  }
  // Months per family: calendar index -> summed income and any employment.
  const months = new Map<string, Map<number, { income: number; employed: number }>>();
  const adultPseudonyms = [...familyOfAdult.keys()];
  for (let i = 0; i < adultPseudonyms.length; i += 1000) {
    const part = adultPseudonyms.slice(i, i + 1000);
    const outcomes = await db
      .selectFrom('register_outcome')
      .select(['pseudonym', 'year', 'month', 'variables'])
      .where('pseudonym', 'in', part)
      .execute();
    for (const o of outcomes) {
      const fam = familyOfAdult.get(o.pseudonym)!;
      const v = o.variables as Record<string, unknown>;
      const m = months.get(fam) ?? new Map();
      months.set(fam, m);
      const idx = o.year * 12 + o.month - 1;
      const prev = m.get(idx) ?? { income: 0, employed: 0 };
      m.set(idx, {
        income: prev.income + (typeof v.income === 'number' ? v.income : 0),
        employed: Math.max(prev.employed, v.employed === 1 || v.employed === true ? 1 : 0),
      });
    }
  }
  const scores = await questionnaireScores(db, trialId, ids);
  const families: EnrolledFamily[] = rows.map((r) => {
    const start =
      Number(r.enrolledDate!.slice(0, 4)) * 12 + Number(r.enrolledDate!.slice(5, 7)) - 1;
    const fm = months.get(r.familyId);
    const perWave: Record<string, FamilyWaveObservation> = {};
    for (const w of waves) {
      let n = 0;
      let income = 0;
      let employed = 0;
      for (let off = w.startMonths; off < w.endMonths; off++) {
        const x = fm?.get(start + off);
        if (x === undefined) continue;
        n++;
        income += x.income;
        employed += x.employed;
      }
      const s = scores.get(`${r.familyId}|${w.key}`) ?? {};
      if (n === 0 && Object.keys(s).length === 0) continue;
      perWave[w.key] = {
        months: n,
        income: n === 0 ? null : income / n,
        employed: n === 0 ? null : employed * 2 >= n ? 1 : 0,
        scores: s,
      };
    }
    return {
      familyId: r.familyId,
      pseudonym: r.pseudonym,
      officeId: r.officeId,
      officeCode: r.officeCode,
      armKey: r.armKey,
      armName: r.armName,
      enrolledDate: r.enrolledDate!,
      withdrawnDate: r.withdrawnDate,
      children: children.get(r.familyId) ?? 0,
      waves: perWave,
    };
  });
  return { trialId, trialName: trial.name, waves, families };
}

async function questionnaireScores(
  db: Kysely<Database>,
  trialId: string,
  familyIds: readonly string[],
): Promise<Map<string, Record<string, number | null>>> {
  const out = new Map<string, Record<string, number | null>>();
  if (familyIds.length === 0) return out;
  const rows = await db
    .selectFrom('questionnaire_response')
    .innerJoin('instrument', 'instrument.id', 'questionnaire_response.instrument_id')
    .select(['respondent_id', 'wave', 'instrument.key as key', 'answers'])
    .where('trial_id', '=', trialId)
    .where('respondent_type', '=', 'family')
    .where('status', '=', 'submitted')
    .execute();
  const wanted = new Set(familyIds);
  for (const r of rows) {
    if (!wanted.has(r.respondent_id)) continue;
    const k = `${r.respondent_id}|${r.wave}`;
    // Built-in instruments are scored by their definition; others count as data, unscored.
    let score: number | null = null;
    if ((BUILTIN_INSTRUMENTS as readonly string[]).includes(r.key)) {
      const ins = loadBuiltinInstrument(r.key as BuiltinInstrumentId);
      score = scoreResponse(ins, r.answers as Record<string, number | null>).total?.score ?? null;
    }
    out.set(k, { ...(out.get(k) ?? {}), [r.key]: score });
  }
  return out;
}

/**
 * The long-format analysis data of a trial, built from the store: one row per enrolled family and
 * wave at which it has register data or a submitted questionnaire. Columns: `office` (office
 * code), `arm` (arm name, e.g. HOLF / control), `family` (pseudonym), `wave`, `months` (the wave's
 * target month), `income` (mean monthly income over the wave window), `income_t1` (the family's
 * baseline income, missing when it has no T1 data), `employed` (0/1), `children`, and one column
 * per family questionnaire (e.g. `wai_sr`, missing where not answered). This is what locked
 * analysis plans run on.
 *
 * @example
 * const data = await trialLongData(store, trialId); // or store.db, or a transaction
 * runPlan(plan, data);
 */
export async function trialLongData(
  target: Store | Kysely<Database>,
  trialId: string,
): Promise<DataFrame> {
  const obs = await trialObservations(target, trialId);
  return observationsToFrame(obs);
}

/**
 * Turn {@link TrialObservations} into the long-format data frame of {@link trialLongData}.
 *
 * @example
 * const data = observationsToFrame(await trialObservations(store.db, trialId));
 */
export function observationsToFrame(obs: TrialObservations): DataFrame {
  const instrumentKeys = new Set<string>();
  for (const f of obs.families)
    for (const w of Object.values(f.waves))
      for (const k of Object.keys(w?.scores ?? {})) instrumentKeys.add(k);
  const keys = [...instrumentKeys].sort();
  const office: string[] = [];
  const arm: string[] = [];
  const family: string[] = [];
  const wave: string[] = [];
  const months: number[] = [];
  const income: (number | null)[] = [];
  const incomeT1: (number | null)[] = [];
  const employed: (number | null)[] = [];
  const children: number[] = [];
  const score = new Map(keys.map((k) => [k, [] as (number | null)[]]));
  for (const f of obs.families) {
    const t1 = f.waves.T1?.income ?? null;
    for (const w of obs.waves) {
      const o = f.waves[w.key];
      if (o === undefined) continue;
      office.push(f.officeCode);
      arm.push(f.armName);
      family.push(f.pseudonym);
      wave.push(w.key);
      months.push(w.targetMonths);
      income.push(o.income);
      incomeT1.push(t1);
      employed.push(o.employed);
      children.push(f.children);
      for (const k of keys) score.get(k)!.push(o.scores[k] ?? null);
    }
  }
  const cols: Record<string, ArrayLike<number | null> | ReadonlyArray<string | null>> = {
    office,
    arm,
    family,
    wave,
    months,
    income,
    income_t1: incomeT1,
    employed,
    children,
  };
  for (const k of keys) cols[k.replaceAll('-', '_')] = score.get(k)!;
  return dataFrame(cols);
}

/**
 * A long-format data frame as CSV text (comma separated, header first, missing values empty,
 * text quoted when it holds a comma, quote or line break), for `tiltak fit` and `tiltak report`.
 *
 * @example
 * writeFileSync('holf-demo.csv', dataFrameToCsv(await trialLongData(store.db, trialId)));
 */
export function dataFrameToCsv(df: DataFrame): string {
  const names = [...df.columns.keys()];
  const cols = names.map((n) => df.columns.get(n)!);
  const cell = (i: number, j: number): string => {
    const c = cols[j]!;
    if (c.kind === 'numeric') {
      const v = c.values[i]!;
      return Number.isNaN(v) ? '' : String(v);
    }
    const v = c.values[i];
    if (v === null || v === undefined) return '';
    return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  };
  const lines = [names.join(',')];
  for (let i = 0; i < df.nrow; i++) lines.push(names.map((_, j) => cell(i, j)).join(','));
  return `${lines.join('\n')}\n`;
}

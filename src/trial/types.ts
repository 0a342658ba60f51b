/**
 * Domain types of a cluster-randomised follow-up trial: what the store keeps and what the rest of
 * Tiltak reads back. Plain data, no behaviour; identifiers are strings chosen by the store.
 *
 * @example
 * const arm: Arm = { key: 'holf', name: 'HOLF model' };
 */

/**
 * Any value JSON can carry, used for covariates, instrument definitions and answers.
 *
 * @example
 * const v: JsonValue = { region: 'Oslo', size: 12000, urban: true };
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/**
 * A trial arm.
 *
 * @example
 * const arm: Arm = { key: 'control', name: 'Locally developed family projects' };
 */
export interface Arm {
  readonly key: string;
  readonly name: string;
}

/**
 * Keys of the five measurement waves: T1 baseline, then yearly to +48 months.
 *
 * @example
 * const k: WaveKey = 'T2';
 */
export type WaveKey = 'T1' | 'T2' | 'T3' | 'T4' | 'T5';

/**
 * A measurement wave and the window in which a measurement counts for it, in months from the start
 * of follow-up (a family's enrolment date).
 *
 * @example
 * const t2: Wave = { key: 'T2', label: '+12 months', targetMonths: 12, startMonths: 9, endMonths: 15 };
 */
export interface Wave {
  readonly key: WaveKey;
  readonly label: string;
  readonly targetMonths: number;
  /** Inclusive lower edge of the window, months from start. */
  readonly startMonths: number;
  /** Exclusive upper edge of the window, months from start. */
  readonly endMonths: number;
}

/**
 * A trial with its arms and waves.
 *
 * @example
 * const t: Trial = { id, name: 'HOLF', registration: 'NCT03102775', startDate: '2016-09-01', arms, waves };
 */
export interface Trial {
  readonly id: string;
  readonly name: string;
  readonly registration: string | null;
  /** ISO date `YYYY-MM-DD`. */
  readonly startDate: string;
  readonly arms: readonly Arm[];
  readonly waves: readonly Wave[];
}

/**
 * A labour and welfare office: the unit of randomisation.
 *
 * @example
 * const o: Office = { id, trialId, code: '0301-01', name: 'NAV Grünerløkka', covariates: { size: 3 } };
 */
export interface Office {
  readonly id: string;
  readonly trialId: string;
  readonly code: string;
  readonly name: string;
  readonly covariates: { readonly [k: string]: JsonValue };
}

/**
 * Roles of office staff taking part in the trial.
 *
 * @example
 * const r: StaffRole = 'coordinator';
 */
export type StaffRole = 'coordinator' | 'leader';

/**
 * A member of an office's staff: a family coordinator or the office leader.
 *
 * @example
 * const s: StaffMember = { id, officeId, role: 'leader', name: 'Leader A' };
 */
export interface StaffMember {
  readonly id: string;
  readonly officeId: string;
  readonly role: StaffRole;
  readonly name: string;
}

/**
 * A person in a household, known only by pseudonym.
 *
 * @example
 * const p: HouseholdMember = { pseudonym: 'P-000123', role: 'child', birthYear: 2012 };
 */
export interface HouseholdMember {
  readonly pseudonym: string;
  readonly role: 'adult' | 'child';
  readonly birthYear: number | null;
}

/**
 * A family (household of adults and children) at an office, identified by a pseudonym only.
 *
 * @example
 * const f: Family = { id, officeId, pseudonym: 'F-0001', members: [] };
 */
export interface Family {
  readonly id: string;
  readonly officeId: string;
  readonly pseudonym: string;
  readonly members: readonly HouseholdMember[];
}

/**
 * Outcome of screening a family against the eligibility criteria, with the rule that decided it.
 *
 * @example
 * const e: EligibilityResult = { familyId, eligible: false, rule: 'exclusion:child-welfare', reasons: ['ongoing investigation'], decidedAt };
 */
export interface EligibilityResult {
  readonly familyId: string;
  readonly eligible: boolean;
  readonly rule: string;
  readonly reasons: readonly string[];
  /** ISO timestamp. */
  readonly decidedAt: string;
}

/**
 * An office-level allocation: the allocation record as made, its SHA-256, and office to arm.
 *
 * @example
 * const a: Allocation = { id, trialId, record, recordSha256, offices: [{ officeId, armKey: 'holf' }], createdBy: 'stat', createdAt };
 */
export interface Allocation {
  readonly id: string;
  readonly trialId: string;
  readonly record: JsonValue;
  readonly recordSha256: string;
  readonly offices: readonly { readonly officeId: string; readonly armKey: string }[];
  readonly createdBy: string;
  /** ISO timestamp. */
  readonly createdAt: string;
}

/**
 * Result of the within-office draw: drawn into follow-up or left as comparison.
 *
 * @example
 * const d: FamilyDraw = { familyId, officeId, group: 'drawn', drawnAt };
 */
export interface FamilyDraw {
  readonly familyId: string;
  readonly officeId: string;
  readonly group: 'drawn' | 'comparison';
  /** ISO timestamp. */
  readonly drawnAt: string;
}

/**
 * Enrolment status of a family.
 *
 * @example
 * const s: EnrolmentStatus = 'enrolled';
 */
export type EnrolmentStatus = 'invited' | 'consented' | 'declined' | 'enrolled' | 'withdrawn';

/**
 * Enrolment and consent of a family, with dates as ISO `YYYY-MM-DD`.
 *
 * @example
 * const e: Enrolment = { familyId, status: 'enrolled', consentDate: '2017-01-10', enrolledDate: '2017-01-15', withdrawnDate: null };
 */
export interface Enrolment {
  readonly familyId: string;
  readonly status: EnrolmentStatus;
  readonly consentDate: string | null;
  readonly enrolledDate: string | null;
  readonly withdrawnDate: string | null;
}

/**
 * A questionnaire instrument: items, response scale, reverse-keyed items, subscales, missing codes.
 *
 * @example
 * const wai: Instrument = { id, key: 'wai-sr', name: 'WAI-SR', version: '1', items: [{ id: 'q1' }], responseScale: { min: 1, max: 5 }, reverseKeyed: [], subscales: { task: ['q1'] }, missingCodes: [-9] };
 */
export interface Instrument {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly items: readonly { readonly id: string; readonly text?: string }[];
  readonly responseScale: {
    readonly min: number;
    readonly max: number;
    readonly labels?: readonly string[];
  };
  readonly reverseKeyed: readonly string[];
  readonly subscales: { readonly [name: string]: readonly string[] };
  readonly missingCodes: readonly number[];
}

/**
 * Who answered a questionnaire.
 *
 * @example
 * const r: RespondentType = 'coordinator';
 */
export type RespondentType = 'family' | 'coordinator';

/**
 * One questionnaire response in one wave.
 *
 * @example
 * const r: QuestionnaireResponse = { id, trialId, wave: 'T2', respondentType: 'family', respondentId: familyId, instrumentId, answers: { q1: 4 }, status: 'draft', submittedAt: null };
 */
export interface QuestionnaireResponse {
  readonly id: string;
  readonly trialId: string;
  readonly wave: WaveKey;
  readonly respondentType: RespondentType;
  readonly respondentId: string;
  readonly instrumentId: string;
  readonly answers: { readonly [itemId: string]: number | null };
  readonly status: 'draft' | 'submitted';
  /** ISO timestamp, set when submitted. */
  readonly submittedAt: string | null;
}

/**
 * Register outcomes of one person in one calendar month.
 *
 * @example
 * const o: RegisterOutcome = { pseudonym: 'P-1', year: 2018, month: 3, variables: { employed: 1 } };
 */
export interface RegisterOutcome {
  readonly pseudonym: string;
  readonly year: number;
  readonly month: number;
  readonly variables: { readonly [name: string]: JsonValue };
}

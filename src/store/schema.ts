import type { ColumnType, Generated } from 'kysely';
import type { JsonValue } from '../trial/types.ts';

/**
 * A `jsonb` column: read as parsed JSON, written as JSON text. Writing text (not objects) matters
 * because node-postgres would turn a JS array into a Postgres array literal instead of JSON.
 *
 * @example
 * const col: JsonColumn = '{"a":1}'; // as inserted
 */
export type JsonColumn = ColumnType<JsonValue, string, string>;

/**
 * A `timestamptz` column: read as a Date, written as a Date or ISO string.
 *
 * @example
 * const at: Timestamp = new Date();
 */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/**
 * A `timestamptz` column with a database default.
 *
 * @example
 * const at: DefaultTimestamp = undefined as never;
 */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** @example const t: TrialTable = { id: 'x', name: 'HOLF', registration: null, start_date: '2016-09-01', created_at: new Date() }; */
export interface TrialTable {
  id: string;
  name: string;
  registration: string | null;
  /** `date`, read as `YYYY-MM-DD` text (the store installs that parser on both backends). */
  start_date: string;
  created_at: DefaultTimestamp;
}

/** @example const a: TrialArmTable = { trial_id: 'x', key: 'holf', name: 'HOLF', position: 0 }; */
export interface TrialArmTable {
  trial_id: string;
  key: string;
  name: string;
  position: number;
}

/** @example const w: TrialWaveTable = { trial_id: 'x', key: 'T2', label: '+12 months', target_months: 12, start_months: 9, end_months: 15 }; */
export interface TrialWaveTable {
  trial_id: string;
  key: string;
  label: string;
  target_months: number;
  start_months: number;
  end_months: number;
}

/** @example const o: OfficeTable = { id: 'o', trial_id: 'x', code: '0301', name: 'NAV A', covariates: '{}' } as never; */
export interface OfficeTable {
  id: string;
  trial_id: string;
  code: string;
  name: string;
  covariates: JsonColumn;
}

/** @example const s: StaffMemberTable = { id: 's', office_id: 'o', role: 'leader', name: 'A' }; */
export interface StaffMemberTable {
  id: string;
  office_id: string;
  role: 'coordinator' | 'leader';
  name: string;
}

/** @example const f: FamilyTable = { id: 'f', office_id: 'o', pseudonym: 'F-1', created_at: new Date() }; */
export interface FamilyTable {
  id: string;
  office_id: string;
  pseudonym: string;
  created_at: DefaultTimestamp;
}

/** @example const m: FamilyMemberTable = { family_id: 'f', pseudonym: 'P-1', role: 'adult', birth_year: null }; */
export interface FamilyMemberTable {
  family_id: string;
  pseudonym: string;
  role: 'adult' | 'child';
  birth_year: number | null;
}

/** @example const e = {} as EligibilityTable; */
export interface EligibilityTable {
  family_id: string;
  eligible: boolean;
  rule: string;
  reasons: JsonColumn;
  decided_at: Timestamp;
}

/** @example const a = {} as AllocationTable; */
export interface AllocationTable {
  id: string;
  trial_id: string;
  /** The allocation record in canonical JSON, kept as text so its SHA-256 can be re-checked byte for byte. */
  record_canonical: string;
  record_sha256: string;
  created_by: string;
  created_at: Timestamp;
}

/** @example const a: AllocationOfficeTable = { allocation_id: 'a', office_id: 'o', arm_key: 'holf' }; */
export interface AllocationOfficeTable {
  allocation_id: string;
  office_id: string;
  arm_key: string;
}

/** @example const d = {} as FamilyDrawTable; */
export interface FamilyDrawTable {
  family_id: string;
  office_id: string;
  draw_group: 'drawn' | 'comparison';
  drawn_at: Timestamp;
}

/** @example const c = {} as FamilyCoordinatorTable; */
export interface FamilyCoordinatorTable {
  family_id: string;
  staff_id: string;
  assigned_at: Timestamp;
}

/** @example const e = {} as EnrolmentTable; */
export interface EnrolmentTable {
  family_id: string;
  status: 'invited' | 'consented' | 'declined' | 'enrolled' | 'withdrawn';
  consent_date: string | null;
  enrolled_date: string | null;
  withdrawn_date: string | null;
  updated_at: Timestamp;
}

/** @example const i = {} as InstrumentTable; */
export interface InstrumentTable {
  id: string;
  key: string;
  version: string;
  name: string;
  /** Items, response scale, reverse-keyed items, subscales and missing codes. */
  definition: JsonColumn;
}

/** @example const r = {} as QuestionnaireResponseTable; */
export interface QuestionnaireResponseTable {
  id: string;
  trial_id: string;
  wave: string;
  respondent_type: 'family' | 'coordinator';
  respondent_id: string;
  instrument_id: string;
  answers: JsonColumn;
  status: 'draft' | 'submitted';
  submitted_at: Timestamp | null;
  updated_at: Timestamp;
}

/** @example const r = {} as RegisterOutcomeTable; */
export interface RegisterOutcomeTable {
  pseudonym: string;
  year: number;
  month: number;
  variables: JsonColumn;
}

/** @example const e = {} as AuditLogTable; */
export interface AuditLogTable {
  /** `bigint`, read as a JS number (safe to 2^53 entries). */
  seq: number;
  prev_hash: string;
  hash: string;
  actor: string;
  at: Timestamp;
  action: string;
  entity: string;
  entity_id: string;
  before: ColumnType<JsonValue | null, string | null, never>;
  after: ColumnType<JsonValue | null, string | null, never>;
}

/** @example const h: AuditChainHeadTable = { id: 1, seq: 0, hash: '0'.repeat(64) }; */
export interface AuditChainHeadTable {
  id: Generated<number>;
  seq: number;
  hash: string;
}

/**
 * The typed database: one entry per table, as created by the migrations in `migrations/`.
 *
 * @example
 * const db: Kysely<Database> = store.db;
 * const offices = await db.selectFrom('office').selectAll().execute();
 */
export interface Database {
  trial: TrialTable;
  trial_arm: TrialArmTable;
  trial_wave: TrialWaveTable;
  office: OfficeTable;
  staff_member: StaffMemberTable;
  family: FamilyTable;
  family_member: FamilyMemberTable;
  eligibility: EligibilityTable;
  allocation: AllocationTable;
  allocation_office: AllocationOfficeTable;
  family_draw: FamilyDrawTable;
  family_coordinator: FamilyCoordinatorTable;
  enrolment: EnrolmentTable;
  instrument: InstrumentTable;
  questionnaire_response: QuestionnaireResponseTable;
  register_outcome: RegisterOutcomeTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
}

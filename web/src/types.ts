import type { z } from 'zod';
import type { jobInfoSchema } from '../../src/jobs/schemas.ts';
import type {
  auditListSchema,
  familyDetailSchema,
  familyListSchema,
  officesSchema,
  overviewSchema,
  questionnaireSchema,
  screeningSchema,
  sessionUserSchema,
} from '../../src/server/schemas.ts';

/** The signed-in user. @example const u: User = session.user!; */
export type User = z.output<typeof sessionUserSchema>;
/** The trial overview. @example const o: Overview = await api.get('/api/overview'); */
export type Overview = z.output<typeof overviewSchema>;
/** One page of families. @example const l: FamilyList = await api.get('/api/families'); */
export type FamilyList = z.output<typeof familyListSchema>;
/** A family record. @example const f: FamilyDetail = await api.get(`/api/families/${id}`); */
export type FamilyDetail = z.output<typeof familyDetailSchema>;
/** A questionnaire in a wave. @example const q: Questionnaire = await api.get(url); */
export type Questionnaire = z.output<typeof questionnaireSchema>;
/** The offices and allocation. @example const o: Offices = await api.get('/api/offices'); */
export type Offices = z.output<typeof officesSchema>;
/** Screening results. @example const s: Screening = await api('GET', '/api/screening'); */
export type Screening = z.output<typeof screeningSchema>;
/** Audit-log entries. @example const a: AuditList = await api('GET', '/api/audit'); */
export type AuditList = z.output<typeof auditListSchema>;
/** A background job. @example const j: Job = await api('GET', `/api/jobs/${id}`); */
export type Job = z.output<typeof jobInfoSchema>;

/** The trial analysis page's data. @example const a: TrialAnalysis = await api('GET', '/api/analysis/trial'); */
export interface TrialAnalysis {
  trial: { id: string; name: string };
  plan: {
    title: string;
    hash: string;
    locked: boolean;
    lockedAt: string | null;
    lockedBy: string | null;
  };
  source: { kind: 'recorded' | 'computed'; at: string; by: string };
  level: number;
  adjustment: string;
  effects: {
    outcome: string;
    label: string;
    family: string;
    term: string;
    estimate: number | null;
    stdError: number | null;
    df: number | null;
    confLow: number | null;
    confHigh: number | null;
    pValue: number | null;
    pAdjusted: number | null;
    nObs: number;
  }[];
  iccs: { outcome: string; group: string; icc: number; low: number; high: number }[];
  randomisationTests: {
    outcome: string;
    label: string;
    observed: number;
    pValue: number;
    evaluated: number;
    exact: boolean;
  }[];
  charts: {
    forest: Record<string, unknown>;
    trajectories: { label: string; spec: Record<string, unknown> }[];
    icc: Record<string, unknown> | null;
    randomisation: { label: string; observed: number; spec: Record<string, unknown> }[];
    power: { spec: Record<string, unknown>; caption: string } | null;
  };
  trajectoryNote: string;
  outcomeColumns: string[];
}

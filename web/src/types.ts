import type { z } from 'zod';
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

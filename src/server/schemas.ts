import { z } from 'zod';
import { instrumentSchema } from '../trial/instruments/schema.ts';

/**
 * An error as every route returns it: a stable code and a one-line message.
 *
 * @example
 * errorBody.parse({ code: 'FORBIDDEN', message: 'this family belongs to another office' });
 */
export const errorBody = z.object({ code: z.string(), message: z.string() });

/**
 * The error responses every authenticated route may give.
 *
 * @example
 * schema: { response: { 200: body, ...errorResponses } }
 */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
} as const;

/**
 * The signed-in user.
 *
 * @example
 * sessionUserSchema.parse({ id, username: 'admin', displayName: 'Admin', role: 'administrator', officeId: null });
 */
export const sessionUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['administrator', 'researcher', 'office_leader', 'coordinator']),
  officeId: z.string().nullable(),
});

const flowCounts = z.object({
  screened: z.number().int(),
  eligible: z.number().int(),
  excluded: z.number().int(),
  drawn: z.number().int(),
  comparison: z.number().int(),
  enrolled: z.number().int(),
  declined: z.number().int(),
  withdrawn: z.number().int(),
  waves: z.record(z.string(), z.number().int()),
});

/**
 * The trial overview (CONSORT counts by arm, per office).
 *
 * @example
 * overviewSchema.shape.arms;
 */
export const overviewSchema = z.object({
  trial: z.object({
    id: z.string(),
    name: z.string(),
    registration: z.string().nullable(),
    startDate: z.string(),
  }),
  waves: z.array(z.object({ key: z.string(), label: z.string() })),
  allocated: z.boolean(),
  total: flowCounts,
  arms: z.array(
    z.object({ key: z.string(), name: z.string(), offices: z.number().int(), counts: flowCounts }),
  ),
  unallocated: z.object({ offices: z.number().int(), counts: flowCounts }),
  offices: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      armKey: z.string().nullable(),
      counts: flowCounts,
    }),
  ),
  exclusions: z.array(z.object({ rule: z.string(), count: z.number().int() })),
});

/**
 * One page of the families list.
 *
 * @example
 * familyListSchema.shape.rows;
 */
export const familyListSchema = z.object({
  total: z.number().int(),
  rows: z.array(
    z.object({
      id: z.string(),
      pseudonym: z.string(),
      officeId: z.string(),
      officeCode: z.string(),
      officeName: z.string(),
      armKey: z.string().nullable(),
      eligible: z.boolean().nullable(),
      drawGroup: z.enum(['drawn', 'comparison']).nullable(),
      enrolment: z.string().nullable(),
      members: z.number().int(),
      submittedWaves: z.array(z.string()),
    }),
  ),
});

const bilingual = z.object({ nb: z.string(), en: z.string() });

/**
 * A family record (detail page).
 *
 * @example
 * familyDetailSchema.shape.eligibility;
 */
export const familyDetailSchema = z.object({
  id: z.string(),
  pseudonym: z.string(),
  office: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  armKey: z.string().nullable(),
  members: z.array(
    z.object({
      pseudonym: z.string(),
      role: z.enum(['adult', 'child']),
      birthYear: z.number().int().nullable(),
    }),
  ),
  eligibility: z
    .object({
      eligible: z.boolean(),
      rule: z.string(),
      reasons: z.array(z.string()),
      decidedAt: z.string(),
    })
    .nullable(),
  draw: z.object({ group: z.enum(['drawn', 'comparison']), drawnAt: z.string() }).nullable(),
  enrolment: z
    .object({
      status: z.string(),
      consentDate: z.string().nullable(),
      enrolledDate: z.string().nullable(),
      withdrawnDate: z.string().nullable(),
    })
    .nullable(),
  staff: z.array(z.object({ role: z.enum(['leader', 'coordinator']), name: z.string() })),
  coordinator: z.string().nullable(),
  waves: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      questionnaires: z.array(
        z.object({
          instrumentKey: z.string(),
          instrumentName: bilingual,
          status: z.enum(['none', 'draft', 'submitted']),
          submittedAt: z.string().nullable(),
          answered: z.number().int(),
        }),
      ),
    }),
  ),
});

const scaleScore = z.object({
  id: z.string(),
  score: z.number().nullable(),
  answered: z.number().int(),
  nItems: z.number().int(),
  minAnswered: z.number().int(),
});

/**
 * Answers by item id: a whole number on the scale, a missing code, or null (not yet answered).
 *
 * @example
 * answersSchema.parse({ wai01: 4, wai02: null });
 */
export const answersSchema = z.record(z.string(), z.number().int().nullable());

/**
 * A family's questionnaire in one wave.
 *
 * @example
 * questionnaireSchema.shape.instrument;
 */
export const questionnaireSchema = z.object({
  family: z.object({ id: z.string(), pseudonym: z.string() }),
  wave: z.object({ key: z.string(), label: z.string() }),
  instrument: instrumentSchema,
  response: z
    .object({
      id: z.string(),
      status: z.enum(['draft', 'submitted']),
      answers: answersSchema,
      submittedAt: z.string().nullable(),
    })
    .nullable(),
  score: z
    .object({
      total: scaleScore.nullable(),
      subscales: z.array(scaleScore),
      answered: z.number().int(),
      missing: z.array(z.object({ item: z.string(), code: z.number().int().nullable() })),
    })
    .nullable(),
});

/**
 * The offices of the trial with their arm, covariates and counts.
 *
 * @example
 * officesSchema.shape.offices;
 */
export const officesSchema = z.object({
  arms: z.array(z.object({ key: z.string(), name: z.string() })),
  offices: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      armKey: z.string().nullable(),
      covariates: z.record(z.string(), z.unknown()),
      families: z.number().int(),
      coordinators: z.number().int(),
    }),
  ),
  balance: z.array(
    z.object({
      column: z.string(),
      means: z.record(z.string(), z.number().nullable()),
      stdDiff: z.number().nullable(),
    }),
  ),
  allocation: z
    .object({
      id: z.string(),
      recordSha256: z.string(),
      createdBy: z.string(),
      createdAt: z.string(),
    })
    .nullable(),
  /**
   * The validity check of the allocation record's accepted space: pairs of offices always in the
   * same arm or always apart, and the range of the share of schemes putting a pair together.
   * `checked: false` (with the reason) when the record is not a constrained design's.
   */
  validity: z
    .object({
      checked: z.boolean(),
      reason: z.string().nullable(),
      scheme: z.string().nullable(),
      totalSchemes: z.number().nullable(),
      acceptedSchemes: z.number().nullable(),
      enumerated: z.boolean().nullable(),
      alwaysTogether: z.number().int().nullable(),
      alwaysApart: z.number().int().nullable(),
      minShare: z.number().nullable(),
      maxShare: z.number().nullable(),
    })
    .nullable(),
});

/**
 * Audit-log entries (administrators only).
 *
 * @example
 * auditListSchema.shape.entries;
 */
export const auditListSchema = z.object({
  /** Whether the whole chain verifies; null when not asked (verify=true). */
  verified: z.boolean().nullable(),
  entries: z.array(
    z.object({
      seq: z.number().int(),
      actor: z.string(),
      at: z.string(),
      action: z.string(),
      entity: z.string(),
      entityId: z.string(),
    }),
  ),
});

/**
 * Screening results: counts by deciding rule and a page of families with their reasons.
 *
 * @example
 * screeningSchema.shape.rows;
 */
export const screeningSchema = z.object({
  summary: z.object({
    screened: z.number().int(),
    eligible: z.number().int(),
    excluded: z.number().int(),
    byRule: z.array(z.object({ rule: z.string(), eligible: z.boolean(), count: z.number().int() })),
  }),
  total: z.number().int(),
  rows: z.array(
    z.object({
      familyId: z.string(),
      pseudonym: z.string(),
      officeCode: z.string(),
      officeName: z.string(),
      eligible: z.boolean(),
      rule: z.string(),
      reasons: z.array(z.string()),
      decidedAt: z.string(),
    }),
  ),
});

const tidyRow = z.object({
  term: z.string(),
  estimate: z.number(),
  std_error: z.number(),
  statistic: z.number(),
  df: z.number(),
  p_value: z.number(),
  conf_low: z.number(),
  conf_high: z.number(),
});

/**
 * The municipality analysis: coefficients in broom's columns, the KVP slopes by size, two SVGs.
 *
 * @example
 * municipalitySchema.shape.slopes;
 */
export const municipalitySchema = z.object({
  source: z.string(),
  kind: z.enum(['cross-section', 'panel']),
  years: z.array(z.number().int()),
  municipalities: z.number().int(),
  small: z.number().int(),
  formula: z.string(),
  vcov: z.string(),
  coefficients: z.array(tidyRow),
  slopes: z.array(tidyRow),
  coefficientSvg: z.string(),
  scatterSvg: z.string(),
});

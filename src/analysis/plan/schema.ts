import { z } from 'zod';

const VCOV = z.enum(['classical', 'HC0', 'HC1', 'HC2', 'HC3', 'CR0', 'CR1', 'CR1S', 'CR2', 'CR3']);

/** A model in an analysis plan, as `tiltak fit` takes it. */
export const PlanModel = z
  .object({
    type: z.enum(['ols', 'logit', 'lmm']),
    formula: z.string().min(3),
    vcov: VCOV.optional(),
    cluster: z.string().optional(),
    df: z.enum(['residual', 'satterthwaite', 'kenward-roger']).optional(),
    ml: z.boolean().optional(),
    label: z.string().optional(),
  })
  .strict();

/** A randomisation test in an analysis plan, over the allocation actually used. */
export const PlanRandomization = z
  .object({
    type: z.literal('ri'),
    statistic: z.enum(['diff-in-means', 'cluster-means']),
    /** Column holding the arm, and the value that marks the treated arm. */
    treatment: z.string().default('arm'),
    treated: z.string(),
    cluster: z.string(),
    draws: z.number().int().positive().optional(),
    label: z.string().optional(),
  })
  .strict();

/** One pre-specified outcome with its primary model and sensitivity analyses. */
export const PlanOutcome = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'outcome ids are lower-case letters, digits and _'),
    label: z.string().min(1),
    family: z.enum(['primary', 'secondary', 'other']).default('primary'),
    /** Waves of the long-format data this outcome uses (all when omitted). */
    waves: z.array(z.string()).optional(),
    model: PlanModel,
    /** The coefficient reported as the effect, in R's naming, e.g. `armHOLF`. */
    effect: z.string(),
    /** Term labels to F-test as whole terms, e.g. `arm:wave` (mixed models). */
    terms: z.array(z.string()).default([]),
    sensitivity: z.array(z.union([PlanModel, PlanRandomization])).default([]),
  })
  .strict();

/**
 * A trial's pre-specified analysis plan. It is locked (stored with its SHA-256) before outcomes are
 * unblinded, and every analysis run records the hash of the plan it ran.
 *
 * @example
 * const plan = AnalysisPlan.parse(JSON.parse(readFileSync('plan.json', 'utf8')));
 */
export const AnalysisPlan = z
  .object({
    format: z.literal('tiltak-analysis-plan/1'),
    trial: z.string().min(1),
    title: z.string().min(1),
    level: z.number().gt(0).lt(1).default(0.95),
    seed: z.number().int(),
    adjustment: z
      .object({
        method: z.enum(['holm', 'BH', 'bonferroni', 'none']),
        families: z.array(z.enum(['primary', 'secondary', 'other'])).default(['primary']),
      })
      .strict(),
    outcomes: z.array(PlanOutcome).min(1),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.outcomes.forEach((o, i) => {
      if (seen.has(o.id))
        ctx.addIssue({
          code: 'custom',
          path: ['outcomes', i, 'id'],
          message: `duplicate outcome id '${o.id}'`,
        });
      seen.add(o.id);
    });
  });

/** A validated analysis plan. */
export type AnalysisPlan = z.infer<typeof AnalysisPlan>;
/** A validated outcome of a plan. */
export type PlanOutcome = z.infer<typeof PlanOutcome>;
/** A model of a plan. */
export type PlanModel = z.infer<typeof PlanModel>;
/** A randomisation test of a plan. */
export type PlanRandomization = z.infer<typeof PlanRandomization>;

import { z } from 'zod';
import type { JsonValue } from '../../trial/types.ts';

/**
 * An ISO calendar date `YYYY-MM-DD` that exists.
 *
 * @example
 * isoDate.parse('2017-02-28');
 */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a calendar date');

/**
 * Any JSON value.
 *
 * @example
 * jsonValue.parse({ a: [1, 'x', null] });
 */
export const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'numbers must be finite'),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

/**
 * A JSON object (the shape of covariates, answers and register variables).
 *
 * @example
 * jsonObject.parse({ size: 3 });
 */
export const jsonObject = z.record(z.string(), jsonValue);

/**
 * A non-empty actor name.
 *
 * @example
 * nonEmpty.parse('stat:anne');
 */
export const nonEmpty = z.string().trim().min(1, 'must not be empty');

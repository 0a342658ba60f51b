import type { z } from 'zod';
import { TiltakError } from '../stats/errors.ts';

/**
 * Parse repository input with a zod schema, turning the first issue into a one-line
 * {@link TiltakError} that names the field and what is wrong with it.
 *
 * @example
 * const input = parseInput(trialInputSchema, raw, 'trial');
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
  throw new TiltakError('INVALID_INPUT', `${what}: ${path}: ${issue.message}`, {
    path: issue.path.map(String),
  });
}

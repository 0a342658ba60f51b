import { TiltakError } from '../stats/errors.ts';

/**
 * Check that a value is usable as a pseudonym and is not a raw personal id: an 11-digit number
 * (a Norwegian fødselsnummer or D-number), also when written with spaces, dots or dashes. The same
 * rule is a CHECK constraint in the database, so a direct SQL insert cannot slip one in either.
 *
 * @example
 * assertPseudonym('F-000123', 'pseudonym');      // ok
 * assertPseudonym('010190 12345', 'pseudonym');  // throws PERSONAL_ID
 */
export function assertPseudonym(value: string, field: string): void {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new TiltakError('BAD_PSEUDONYM', `${field} must be a non-empty pseudonym`);
  if (value.length > 200)
    throw new TiltakError('BAD_PSEUDONYM', `${field} is longer than 200 characters`);
  if (/^\d{11}$/.test(value.replace(/[\s.-]/g, '')))
    throw new TiltakError(
      'PERSONAL_ID',
      `${field} looks like an 11-digit personal id; store a pseudonym instead`,
      { field },
    );
}

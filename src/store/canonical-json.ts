import { canonicalJson as canonicalJsonOf } from '../io/canonical-json.ts';
import { TiltakError } from '../stats/errors.ts';
import type { JsonValue } from '../trial/types.ts';

export { sha256Hex } from '../io/canonical-json.ts';

/**
 * {@link canonicalJsonOf} for stored JSON values: keys sorted at every depth, no whitespace, so
 * that two values equal as Postgres `jsonb` sees them give the same string and hash.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: JsonValue): string {
  return canonicalJsonOf(value);
}

/**
 * Turn any value into plain JSON the way `JSON.stringify` would (Dates become ISO strings,
 * `undefined` properties vanish), rejecting what JSON cannot carry. Stored and hashed values go
 * through this first so that what is hashed is exactly what is read back.
 *
 * @example
 * toJsonValue({ at: new Date(0), x: undefined }); // { at: '1970-01-01T00:00:00.000Z' }
 */
export function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined)
    throw new TiltakError('NOT_JSON', `a value of type ${typeof value} cannot be stored as JSON`);
  if (text.includes('\\u0000'))
    throw new TiltakError('NOT_JSON', 'JSON text with a NUL character cannot be stored');
  return JSON.parse(text) as JsonValue;
}

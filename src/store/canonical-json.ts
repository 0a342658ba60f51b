import { createHash } from 'node:crypto';
import { TiltakError } from '../stats/errors.ts';
import type { JsonValue } from '../trial/types.ts';

/**
 * Serialise JSON canonically: object keys sorted by code unit at every depth, no whitespace,
 * numbers as JavaScript prints them. Two values that are equal as JSON (as Postgres `jsonb` sees
 * them) give the same string, which is what makes hashes over stored JSON reproducible.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TiltakError('NOT_JSON', `cannot serialise the number ${value} as JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = value[k];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TiltakError('NOT_JSON', `cannot serialise a value of type ${typeof value} as JSON`);
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

/**
 * Lower-case hex SHA-256 of a UTF-8 string.
 *
 * @example
 * sha256Hex(''); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

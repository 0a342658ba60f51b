/**
 * Canonical JSON text, the byte string that allocation-record hashes, audit-log chains and stored
 * JSON hashes are taken over. Dependency-free apart from the error type, so that both
 * `src/design` and `src/store` can use it (`src/stats` must not).
 */
import { createHash } from 'node:crypto';
import { TiltakError } from '../stats/errors.ts';

/**
 * Serialise JSON canonically: object keys sorted by UTF-16 code unit at every depth, members whose
 * value is `undefined` left out, no whitespace, numbers as JavaScript prints them. Two values that
 * are equal as JSON (as Postgres `jsonb` sees them) give the same string, and key order or
 * formatting of a stored file do not matter. What JSON cannot carry (non-finite numbers, functions,
 * `undefined` outside an object member) throws a `TiltakError` with `code` (default `NOT_JSON`).
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * canonicalJson(Number.NaN, 'BAD_RECORD'); // throws TiltakError BAD_RECORD
 */
export function canonicalJson(value: unknown, code = 'NOT_JSON'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TiltakError(code, `cannot serialise the number ${value} as JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, code)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(record).sort()) {
      const v = record[k];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJson(v, code)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TiltakError(code, `cannot serialise a value of type ${typeof value} as JSON`);
}

/**
 * Lower-case hex SHA-256 of a UTF-8 string or of raw bytes.
 *
 * @example
 * sha256Hex(''); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

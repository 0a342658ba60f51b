/**
 * Conversion of task results and errors to plain JSON before they leave a worker: typed arrays
 * become arrays, non-finite numbers become null (as JSON.stringify would write them), functions
 * are dropped, and exceptions become {@link JobError}s that keep the TiltakError code.
 */
import { TiltakError } from '../stats/errors.ts';
import type { JobError, JsonValue } from './types.ts';

/**
 * Deep-convert a value to {@link JsonValue}: typed arrays to arrays, `NaN`/`±Infinity` and
 * `undefined` to null, `Date` to an ISO string, `Map` to an object, functions dropped (object
 * keys whose value is a function or undefined are left out).
 *
 * @example
 * toJson({ p: Float64Array.from([0.5, Number.NaN]), f: () => 1 }); // { p: [0.5, null] }
 */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return null;
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toJson(v));
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of value) out[String(k)] = toJson(v);
    return out;
  }
  if (value instanceof Set) return [...value].map((v) => toJson(v));
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === 'function') continue;
    out[k] = toJson(v);
  }
  return out;
}

/**
 * Eleven-digit runs (the length of a Norwegian personal id) in a message are masked, so an
 * unexpected exception from an import cannot carry a raw id into a job record or a log.
 *
 * @example
 * maskIds('bad id 01028110029'); // 'bad id ***********'
 */
export function maskIds(message: string): string {
  return message.replace(/\d{11,}/g, (m) => '*'.repeat(m.length));
}

/**
 * The {@link JobError} of an exception: a TiltakError keeps its code, message and (JSON) details;
 * anything else becomes `fallbackCode` with its message, personal-id-like digit runs masked.
 *
 * @example
 * jobError(new TiltakError('EMPTY_DATA', 'no rows')); // { code: 'EMPTY_DATA', message: 'no rows' }
 */
export function jobError(e: unknown, fallbackCode = 'JOB_FAILED'): JobError {
  if (e instanceof TiltakError || isTiltakLike(e)) {
    const details = toJson(e.details ?? {});
    const hasDetails =
      details !== null && typeof details === 'object' && Object.keys(details).length > 0;
    return hasDetails
      ? { code: e.code, message: maskIds(e.message), details }
      : { code: e.code, message: maskIds(e.message) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: fallbackCode, message: maskIds(message) };
}

/** A TiltakError from another module instance (a worker's copy of errors.ts), recognised by shape. */
function isTiltakLike(e: unknown): e is { code: string; message: string; details?: unknown } {
  return (
    e instanceof Error &&
    e.name === 'TiltakError' &&
    typeof (e as { code?: unknown }).code === 'string'
  );
}

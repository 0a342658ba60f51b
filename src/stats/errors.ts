/**
 * Typed errors and warnings shared by the numeric core.
 *
 * Misuse (bad input, impossible request) throws a {@link TiltakError} with a stable `code`;
 * numerical trouble that still yields a result (aliased terms, no convergence) is returned as a
 * {@link StatWarning} on the result object.
 *
 * @example
 * throw new TiltakError('UNKNOWN_COLUMN', "unknown column 'ofice' in formula at position 12");
 */
export class TiltakError extends Error {
  /** Stable machine-readable code, e.g. `UNKNOWN_COLUMN`. */
  readonly code: string;
  /** Optional structured context (column, row, value, position). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TiltakError';
    this.code = code;
    this.details = details;
  }
}

/**
 * A numerical warning attached to a result.
 *
 * @example
 * const w: StatWarning = { code: 'RANK_DEFICIENT', message: 'aliased terms: x3' };
 */
export interface StatWarning {
  readonly code: string;
  readonly message: string;
}

/**
 * True when `e` is a {@link TiltakError}, optionally with the given code.
 *
 * @example
 * if (isTiltakError(err, 'EMPTY_DATA')) console.error(err.message);
 */
export function isTiltakError(e: unknown, code?: string): e is TiltakError {
  return e instanceof TiltakError && (code === undefined || e.code === code);
}

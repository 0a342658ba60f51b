/**
 * The in-memory table the numeric core works on: named columns, numeric as `Float64Array`
 * (NaN marks a missing value) or character (null marks a missing value).
 *
 * @example
 * const df = dataFrame({ y: [1, 2, 3], arm: ['HOLF', 'local', 'HOLF'] });
 * df.nrow; // 3
 */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly values: Float64Array;
}

/** A character column; `null` is missing. See {@link NumericColumn}. */
export interface CharacterColumn {
  readonly kind: 'character';
  readonly values: ReadonlyArray<string | null>;
}

/** One column of a {@link DataFrame}. */
export type Column = NumericColumn | CharacterColumn;

/** A table of equally long named columns, in insertion order. */
export interface DataFrame {
  readonly nrow: number;
  readonly columns: ReadonlyMap<string, Column>;
}

/**
 * Build a {@link DataFrame} from plain arrays. Numbers (with `null`/`NaN` as missing) become
 * numeric columns; strings (with `null` as missing) become character columns.
 *
 * @example
 * const df = dataFrame({ x: new Float64Array([1, 2]), g: ['a', null] });
 */
export function dataFrame(
  cols: Record<string, ArrayLike<number | null> | ReadonlyArray<string | null>>,
): DataFrame {
  const columns = new Map<string, Column>();
  let nrow = -1;
  for (const [name, raw] of Object.entries(cols)) {
    if (nrow === -1) nrow = raw.length;
    else if (raw.length !== nrow) {
      throw new RangeError(`column '${name}' has ${raw.length} rows, expected ${nrow}`);
    }
    columns.set(name, toColumn(raw));
  }
  return { nrow: Math.max(nrow, 0), columns };
}

function toColumn(raw: ArrayLike<number | null> | ReadonlyArray<string | null>): Column {
  if (raw instanceof Float64Array) return { kind: 'numeric', values: raw };
  let isChar = false;
  for (let i = 0; i < raw.length; i++) {
    if (typeof raw[i] === 'string') {
      isChar = true;
      break;
    }
  }
  if (isChar) {
    const values = Array.from(raw as ArrayLike<string | number | null>, (v) =>
      v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : String(v),
    );
    return { kind: 'character', values };
  }
  const values = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] as number | null;
    values[i] = v === null ? Number.NaN : v;
  }
  return { kind: 'numeric', values };
}

/**
 * The rows of `df` where `keep[i]` is true, as a new data frame (columns copied, same order).
 *
 * @example
 * const t2 = filterRows(df, waveColumn.values.map((w) => w === 'T2'));
 */
export function filterRows(df: DataFrame, keep: ArrayLike<boolean>): DataFrame {
  if (keep.length !== df.nrow) {
    throw new RangeError(`filterRows: mask has ${keep.length} entries for ${df.nrow} rows`);
  }
  const idx: number[] = [];
  for (let i = 0; i < df.nrow; i++) if (keep[i]) idx.push(i);
  const columns = new Map<string, Column>();
  for (const [name, col] of df.columns) {
    columns.set(
      name,
      col.kind === 'numeric'
        ? { kind: 'numeric', values: Float64Array.from(idx, (i) => col.values[i]!) }
        : { kind: 'character', values: idx.map((i) => col.values[i]!) },
    );
  }
  return { nrow: idx.length, columns };
}

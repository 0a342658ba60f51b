/**
 * The y encoding of the dot-and-whisker charts (forest plot, ICCs, municipality effects): one row
 * per label, kept in the order of the data rather than sorted alphabetically, long labels allowed.
 */

/**
 * A nominal y channel on `field`, ordered by the rows' `order` field, with no axis title.
 *
 * @example
 * const spec = { mark: 'point', encoding: { y: rowAxis('label'), x: { field: 'estimate' } } };
 */
export function rowAxis(field: string) {
  return {
    field,
    type: 'nominal' as const,
    title: null,
    sort: { field: 'order', op: 'min' as const },
    axis: { labelLimit: 320 },
  };
}

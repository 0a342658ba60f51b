/**
 * Fields that eligibility rules may test. Screening derives them per family from the register rows
 * in the 12-month window that ends at the reference month (see `src/registers/README.md`).
 *
 * @example
 * DERIVED_FIELDS.children_under_16.type; // 'count'
 */
export const DERIVED_FIELDS = {
  months_with_sa_last12: {
    type: 'count',
    description: 'months with any social assistance in the last 12 months',
  },
  months_with_sa_main_income_last12: {
    type: 'count',
    description: 'months with social assistance while social assistance was the main income',
  },
  months_with_sa_on_top_of_benefits_last12: {
    type: 'count',
    description:
      'months with social assistance while the main income was another benefit or a benefit status was recorded',
  },
  sa_amount_last12: { type: 'amount', description: 'social assistance paid in the last 12 months' },
  children_under_16: { type: 'count', description: 'children under 16 in the household' },
  children_under_18: { type: 'count', description: 'children under 18 in the household' },
  kvp_participant: {
    type: 'flag',
    description: 'work status 10: taking part in the qualification programme',
  },
  other_family_project: {
    type: 'flag',
    description: 'the family takes part in another comprehensive family project',
  },
  parent_in_treatment: {
    type: 'flag',
    description: 'a parent is in treatment for heavy substance abuse or serious mental disorder',
  },
  children_placed_outside_home: {
    type: 'flag',
    description: 'children are placed outside the home (institution, relatives)',
  },
  child_welfare_case: {
    type: 'flag',
    description: 'an ongoing child-welfare investigation or placement',
  },
} as const satisfies Record<string, { type: 'count' | 'amount' | 'flag'; description: string }>;

/**
 * Name of a derived field.
 *
 * @example
 * const f: DerivedFieldName = 'children_under_16';
 */
export type DerivedFieldName = keyof typeof DERIVED_FIELDS;

/**
 * All derived field names, in a fixed order.
 *
 * @example
 * DERIVED_FIELD_NAMES.includes('parent_in_treatment'); // true
 */
export const DERIVED_FIELD_NAMES = Object.keys(DERIVED_FIELDS) as [
  DerivedFieldName,
  ...DerivedFieldName[],
];

/**
 * The derived fields of one family: numbers for counts and amounts, booleans for flags.
 *
 * @example
 * const f: DerivedFields = { ...zeroFields, children_under_16: 2 };
 */
export type DerivedFields = {
  readonly [K in DerivedFieldName]: (typeof DERIVED_FIELDS)[K]['type'] extends 'flag'
    ? boolean
    : number;
};

/**
 * True when `name` is a flag (boolean) field.
 *
 * @example
 * isFlagField('child_welfare_case'); // true
 */
export function isFlagField(name: DerivedFieldName): boolean {
  return DERIVED_FIELDS[name].type === 'flag';
}

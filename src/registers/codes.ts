/**
 * Code lists of the register contract (see `README.md` in this folder). They follow the categories
 * of Statistics Norway's KOSTRA form 11C; the numbers named in the trial protocols are fixed
 * (main income 5 = social assistance, 8 = qualification benefit; benefit status 11 = work
 * assessment allowance; work status 10 = qualification programme), the rest are this contract's.
 *
 * @example
 * MAIN_INCOME_SOURCE[5]; // 'social assistance'
 */
export const MAIN_INCOME_SOURCE: Readonly<Record<number, string>> = {
  1: 'work income',
  2: 'course allowance or paid labour-market measure',
  3: 'pension or national insurance benefit',
  4: 'student grant or loan',
  5: 'social assistance',
  6: "spouse's or partner's income",
  7: 'other income',
  8: 'qualification benefit',
  9: 'introduction benefit',
};

/**
 * Main-income codes that are themselves welfare benefits: social assistance received while one of
 * these is the main income counts as social assistance "on top of other benefits".
 *
 * @example
 * BENEFIT_MAIN_INCOME_CODES.includes(8); // true
 */
export const BENEFIT_MAIN_INCOME_CODES: readonly number[] = [2, 3, 8, 9];

/**
 * Main-income code for social assistance.
 *
 * @example
 * row.main_income_source === SA_MAIN_INCOME_CODE; // social assistance is the main income
 */
export const SA_MAIN_INCOME_CODE = 5;

/**
 * Benefit status (trygdesituasjon); 0 means no benefit, every other code is a benefit.
 *
 * @example
 * BENEFIT_STATUS[11]; // 'work assessment allowance'
 */
export const BENEFIT_STATUS: Readonly<Record<number, string>> = {
  0: 'no benefit',
  1: 'unemployment benefit',
  2: 'sickness benefit',
  3: 'disability benefit',
  4: 'retirement pension',
  5: 'transitional benefit for single parents',
  6: 'introduction benefit',
  7: 'qualification benefit',
  8: 'other benefit',
  11: 'work assessment allowance',
};

/**
 * Work status (arbeidssituasjon); 10 = taking part in the qualification programme (KVP).
 *
 * @example
 * WORK_STATUS[10]; // 'qualification programme (KVP)'
 */
export const WORK_STATUS: Readonly<Record<number, string>> = {
  1: 'full-time work',
  2: 'part-time work',
  3: 'unemployed',
  4: 'pupil or student',
  5: 'labour-market measure',
  6: 'home-working',
  7: 'not working, other',
  10: 'qualification programme (KVP)',
};

/**
 * Sex as recorded on the form.
 *
 * @example
 * SEX[2]; // 'female'
 */
export const SEX: Readonly<Record<number, string>> = { 1: 'male', 2: 'female' };

/**
 * Marital status.
 *
 * @example
 * MARITAL_STATUS[3]; // 'cohabiting'
 */
export const MARITAL_STATUS: Readonly<Record<number, string>> = {
  1: 'unmarried',
  2: 'married or registered partner',
  3: 'cohabiting',
  4: 'separated',
  5: 'divorced',
  6: 'widowed',
};

/**
 * Housing situation.
 *
 * @example
 * HOUSING[3]; // 'municipal rental'
 */
export const HOUSING: Readonly<Record<number, string>> = {
  1: 'owner',
  2: 'private rental',
  3: 'municipal rental',
  4: 'living with parents or family',
  5: 'institution',
  6: 'temporary accommodation or no fixed dwelling',
  7: 'other',
};

import { z } from 'zod';

/**
 * One municipality-year of the Qualification Programme analysis (KOSTRA-style), after validation.
 * Shares are percentages (0–100); money is NOK.
 *
 * @example
 * MunicipalityRow.parse({ municipality: '0301', year: 2011, population: 613285, … });
 */
export const MunicipalityRow = z.object({
  municipality: z.string().regex(/^\d{4}$/, 'a municipality number has four digits, e.g. 0301'),
  name: z.string().optional(),
  year: z.number().int().min(1990).max(2100),
  population: z.number().int().positive(),
  sa_expenses_per_inhabitant: z.number().nonnegative(),
  kvp_participants_per_sa_recipient: z.number().nonnegative(),
  kvp_expenses_per_inhabitant: z.number().nonnegative(),
  refugees_per_1000: z.number().nonnegative(),
  share_divorced: z.number().min(0).max(100),
  share_unemployed: z.number().min(0).max(100),
  aap_per_sa_recipient: z.number().nonnegative(),
});

/** A validated municipality-year. */
export type MunicipalityRow = z.infer<typeof MunicipalityRow>;

/** The columns a municipality table must have, in documentation order. */
export const MUNICIPALITY_COLUMNS = Object.keys(MunicipalityRow.shape) as Array<
  keyof MunicipalityRow
>;

/** Population below which a municipality counts as small in the spending model. */
export const SMALL_MUNICIPALITY = 10_000;

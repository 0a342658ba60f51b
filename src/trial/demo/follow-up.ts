/**
 * Simulated follow-up of the demo trial's enrolled families: register outcomes per person-month
 * from the baseline window to the end of T5, with office and family effects, persistent
 * employment, a modest true HOLF effect on income (none on employment, as HOLF found), and attrition (consent withdrawn, or the
 * family leaves the registers, e.g. by moving abroad).
 */
import type { Rng } from '../../stats/random.ts';
import { normal } from './draws.ts';

/**
 * True effect of the HOLF arm on monthly income (NOK) once follow-up is under way (it ramps up
 * over the first 12 months).
 *
 * @example
 * DEMO_INCOME_EFFECT; // 900
 */
export const DEMO_INCOME_EFFECT = 900;

/**
 * Months of register data relative to the month follow-up starts: the baseline window starts 3
 * months before it, T5's window ends 51 months after it.
 *
 * @example
 * FOLLOW_UP_MONTHS; // { first: -3, last: 50 }
 */
export const FOLLOW_UP_MONTHS = { first: -3, last: 50 } as const;

/**
 * One family's simulated follow-up.
 *
 * @example
 * const f = simulateFollowUp(rng, { holf: true, officeIncome: 0, officeEmployment: 0, children: 2 });
 * f.months.length; // months with register data
 */
export interface FollowUp {
  /** Register months with data: offset from the start month, income (NOK) and employed (0/1). */
  readonly months: readonly { offset: number; income: number; employed: number }[];
  /** Month offset at which consent was withdrawn (no data after it), or null. */
  readonly withdrawnAt: number | null;
  /** A latent working-alliance level (standard normal scale) for the WAI-SR answers. */
  readonly alliance: number;
}

/**
 * Simulate one enrolled family's register months. Deterministic for a given generator state.
 *
 * @example
 * const f = simulateFollowUp(createRng(1), { holf: false, officeIncome: 300, officeEmployment: -0.2, children: 1 });
 */
export function simulateFollowUp(
  rng: Rng,
  p: { holf: boolean; officeIncome: number; officeEmployment: number; children: number },
): FollowUp {
  const familyIncome = normal(rng) * 2200;
  const familyEmployment = normal(rng) * 0.8;
  const withdrawnAt = rng.next() < 0.025 ? 1 + rng.nextInt(46) : null;
  // Leaving the registers (moving abroad and the like): about 8 % over four years.
  const leaveHazard = 0.0017;
  let z = normal(rng);
  const months: { offset: number; income: number; employed: number }[] = [];
  for (let m = FOLLOW_UP_MONTHS.first; m <= FOLLOW_UP_MONTHS.last; m++) {
    if (withdrawnAt !== null && m > withdrawnAt) break;
    if (m > 0 && rng.next() < leaveHazard) break;
    z = 0.93 * z + 0.3676 * normal(rng);
    const treated = p.holf && m > 0;
    const eta = -1.25 + 0.011 * Math.max(0, m) + p.officeEmployment + familyEmployment;
    const employed = eta + z > 0 ? 1 : 0;
    const effect = treated ? DEMO_INCOME_EFFECT * Math.min(1, m / 12) : 0;
    const income =
      12500 +
      p.officeIncome +
      familyIncome +
      8000 * employed +
      55 * Math.max(0, m) -
      700 * (p.children - 1) +
      effect +
      normal(rng) * 1500;
    months.push({ offset: m, income: Math.max(0, Math.round(income)), employed });
  }
  return { months, withdrawnAt, alliance: normal(rng) + (p.holf ? 0.25 : 0) };
}

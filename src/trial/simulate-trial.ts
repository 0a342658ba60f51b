import { createRng, type Rng, shuffleInPlace } from '../stats/random.ts';
import { HOLF_OFFICES } from './offices.ts';

/** One row of the simulated long-format trial: a family at a wave. */
export interface SimulatedRow {
  office: string;
  arm: 'HOLF' | 'control';
  family: string;
  wave: 'T1' | 'T2' | 'T3' | 'T4' | 'T5';
  months: number;
  employed: number;
  income: number;
  income_t1: number;
  children: number;
  immigrant: number;
}

/** Options of {@link simulateTrial}. */
export interface SimulateTrialOptions {
  seed: number;
  /** Families enrolled per office on average (HOLF: 884 / 29 ≈ 30). */
  familiesPerOffice?: number;
  /** True effect of HOLF on monthly income (NOK) from T2 on. */
  incomeEffect?: number;
  /** Share of families lost to follow-up at each later wave. */
  attritionPerWave?: number;
}

const WAVES = ['T1', 'T2', 'T3', 'T4', 'T5'] as const;

/**
 * Simulate a HOLF-shaped cluster-randomised trial in long format: 29 offices (15 HOLF, 14 local
 * projects), about 30 families each, five waves 12 months apart, office and family random effects
 * on income and employment, and monotone attrition. Deterministic for a given seed.
 *
 * @example
 * const rows = simulateTrial({ seed: 2016 });
 * rows.filter((r) => r.wave === 'T1').length; // number of enrolled families
 */
export function simulateTrial(options: SimulateTrialOptions): SimulatedRow[] {
  const rng = createRng(options.seed);
  const perOffice = options.familiesPerOffice ?? 30;
  const effect = options.incomeEffect ?? 600;
  const attrition = options.attritionPerWave ?? 0.04;
  const offices = [...HOLF_OFFICES];
  const arms: Array<'HOLF' | 'control'> = offices.map((_, i) => (i < 15 ? 'HOLF' : 'control'));
  shuffleInPlace(arms, rng);
  const rows: SimulatedRow[] = [];
  let familyNo = 0;
  offices.forEach((office, j) => {
    const arm = arms[j]!;
    const officeIncome = normal(rng) * 1800;
    const officeEmployment = normal(rng) * 0.35;
    const nFamilies = Math.max(10, Math.round(perOffice + normal(rng) * 5));
    for (let f = 0; f < nFamilies; f++) {
      familyNo++;
      const family = `F${String(familyNo).padStart(4, '0')}`;
      const children = 1 + rng.nextInt(4);
      const immigrant = rng.next() < 0.78 ? 1 : 0;
      const familyIncome = normal(rng) * 3500;
      const familyEmployment = normal(rng) * 1.1;
      let dropped = false;
      let incomeT1 = 0;
      WAVES.forEach((wave, w) => {
        if (w > 0 && !dropped && rng.next() < attrition) dropped = true;
        if (dropped) return;
        const treated = arm === 'HOLF' && w > 0 ? 1 : 0;
        const trend = 900 * w;
        const income = Math.round(
          16000 +
            officeIncome +
            familyIncome +
            trend -
            900 * (children - 1) -
            1200 * immigrant +
            treated * effect +
            normal(rng) * 2500,
        );
        if (w === 0) incomeT1 = income;
        const eta =
          -1.6 + 0.25 * w + officeEmployment + familyEmployment - 0.4 * immigrant + treated * 0.15;
        const employed = rng.next() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
        rows.push({
          office,
          arm,
          family,
          wave,
          months: 12 * w,
          employed,
          income,
          income_t1: incomeT1,
          children,
          immigrant,
        });
      });
    }
  });
  return rows;
}

/**
 * Write simulated rows as CSV text (comma separated, header first).
 *
 * @example
 * writeFileSync('trial.csv', toCsv(simulateTrial({ seed: 1 })));
 */
export function toCsv(rows: readonly SimulatedRow[]): string {
  const header = [
    'office',
    'arm',
    'family',
    'wave',
    'months',
    'employed',
    'income',
    'income_t1',
    'children',
    'immigrant',
  ] as const;
  const quote = (v: string | number) =>
    typeof v === 'string' && /[",;\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : String(v);
  return `${header.join(',')}\n${rows.map((r) => header.map((h) => quote(r[h])).join(',')).join('\n')}\n`;
}

function normal(rng: Rng): number {
  // Box–Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

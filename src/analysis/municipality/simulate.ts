import { createRng, type Rng } from '../../stats/random.ts';
import type { MunicipalityRow } from './schema.ts';

/**
 * Simulate a KOSTRA-like municipality panel for demos and tests: `count` municipalities over
 * `years`, with deprivation driving social-assistance spending, KVP participation lowering it,
 * and KVP operating expenses related to it only in municipalities under 10,000 inhabitants — the
 * pattern the Qualification Programme report found. Deterministic for a seed; not real data.
 *
 * @example
 * const rows = simulateMunicipalities({ seed: 2012, count: 350, years: [2011] });
 */
export function simulateMunicipalities(options: {
  seed: number;
  count?: number;
  years?: number[];
}): MunicipalityRow[] {
  const rng = createRng(options.seed);
  const count = options.count ?? 350;
  const years = options.years ?? [2011];
  const rows: MunicipalityRow[] = [];
  for (let m = 0; m < count; m++) {
    const municipality = String(101 + m * 5).padStart(4, '0');
    const population = Math.max(200, Math.round(Math.exp(8.8 + 1.25 * normal(rng))));
    const small = population < 10_000;
    const deprivation = normal(rng);
    const level = normal(rng) * 250;
    years.forEach((year, t) => {
      const refugees = Math.max(0, 6 + 3 * deprivation + 2 * normal(rng));
      const divorced = clamp(8.5 + 1.2 * deprivation + 0.8 * normal(rng), 2, 20);
      const unemployed = clamp(2.6 + 0.8 * deprivation + 0.6 * normal(rng) + 0.2 * t, 0.3, 12);
      const kvpShare = Math.max(0, 0.1 + 0.04 * normal(rng));
      const kvpExpenses = Math.max(0, 120 + 60 * deprivation + 40 * normal(rng));
      const aap = Math.max(0, 2.2 + 0.7 * normal(rng));
      const expenses =
        900 +
        level +
        45 * refugees +
        70 * divorced +
        140 * unemployed -
        1600 * kvpShare +
        (small ? 1.6 : 0.1) * kvpExpenses -
        90 * aap +
        60 * t +
        180 * normal(rng);
      rows.push({
        municipality,
        year,
        population,
        sa_expenses_per_inhabitant: round(Math.max(50, expenses), 1),
        kvp_participants_per_sa_recipient: round(kvpShare, 4),
        kvp_expenses_per_inhabitant: round(kvpExpenses, 1),
        refugees_per_1000: round(refugees, 2),
        share_divorced: round(divorced, 2),
        share_unemployed: round(unemployed, 2),
        aap_per_sa_recipient: round(aap, 3),
      });
    });
  }
  return rows;
}

/**
 * The municipality rows as CSV text, columns in documentation order.
 *
 * @example
 * writeFileSync('municipalities.csv', municipalitiesToCsv(rows));
 */
export function municipalitiesToCsv(rows: readonly MunicipalityRow[]): string {
  const cols = [
    'municipality',
    'year',
    'population',
    'sa_expenses_per_inhabitant',
    'kvp_participants_per_sa_recipient',
    'kvp_expenses_per_inhabitant',
    'refugees_per_1000',
    'share_divorced',
    'share_unemployed',
    'aap_per_sa_recipient',
  ] as const;
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => String(r[c])).join(',')).join('\n')}\n`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

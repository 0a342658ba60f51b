/**
 * Synthetic KOSTRA-11C-shaped register records for the demo trial: one row per recipient per
 * register year, with valid (generated) fødselsnumre, so that the real import validates and
 * pseudonymises them and the real HOLF screening decides who is identified and who is excluded.
 * No real person is behind any number here.
 */
import { createHash } from 'node:crypto';
import { splitTreated } from '../../design/randomize.ts';
import { withCheckDigits } from '../../registers/personal-id.ts';
import { type PseudonymKey, pseudonymKey } from '../../registers/pseudonym.ts';
import { REGISTER_COLUMNS } from '../../registers/schema.ts';
import { TiltakError } from '../../stats/errors.ts';
import { createRng, type Rng } from '../../stats/random.ts';
import { HOLF_OFFICES } from '../offices.ts';
import { normal, sampleIndices } from './draws.ts';

/**
 * The screening window ends here: June 2016, before the trial started in September 2016.
 *
 * @example
 * DEMO_AS_OF; // { year: 2016, month: 6 }
 */
export const DEMO_AS_OF = { year: 2016, month: 6 } as const;

/**
 * Families identified (meeting the HOLF inclusion rules) and excluded across the 29 offices, as
 * in the HOLF trial: 3,201 and 320.
 *
 * @example
 * HOLF_COUNTS.identified - HOLF_COUNTS.excluded; // 2881 eligible
 */
export const HOLF_COUNTS = { identified: 3201, excluded: 320 } as const;

/**
 * One demo office with its simulated covariates.
 *
 * @example
 * const o: DemoOffice = { code: 'alna', name: 'NAV Alna', municipality: '0301', covariates: { caseload: 610, urban: 1, share_immigrant: 81.2, identified: 131 } };
 */
export interface DemoOffice {
  readonly code: string;
  readonly name: string;
  readonly municipality: string;
  readonly covariates: {
    readonly caseload: number;
    readonly urban: number;
    readonly share_immigrant: number;
    readonly identified: number;
  };
}

/**
 * The raw register extract of the demo: one batch of rows per office (its own caseload, listed
 * before randomisation) and, at national scale, one batch for the rest of the country (`office`
 * null). Cells are in `REGISTER_COLUMNS` order, as text, exactly as a CSV file would hold them.
 *
 * @example
 * const { offices, batches } = demoRegisterRecords({ seed: 2016 });
 */
export interface DemoRegisterRecords {
  readonly offices: readonly DemoOffice[];
  readonly batches: readonly { readonly office: string | null; readonly cells: string[][] }[];
  /** Distinct recipients over all batches. */
  readonly recipients: number;
}

/**
 * Options of {@link demoRegisterRecords}.
 *
 * @example
 * const o: DemoRegisterOptions = { seed: 2016, offices: 6, identified: 300, excluded: 30 };
 */
export interface DemoRegisterOptions {
  readonly seed: number;
  /** `national` adds the rest of the country, about 130,000 recipients a year. */
  readonly scale?: 'holf' | 'national';
  /** Number of offices (the first of the 29 HOLF offices); default 29. */
  readonly offices?: number;
  /** Families meeting inclusion over all offices; default 3,201. */
  readonly identified?: number;
  /** Of those, families with an exclusion criterion; default 320. */
  readonly excluded?: number;
  /** Recipients in the whole national extract (national scale); default 130,000. */
  readonly nationalRecipients?: number;
}

// 2016 municipality numbers of the HOLF offices (Oslo, Bergen, Trondheim and Stavanger districts
// share their city's number). The Oslo, Bergen, Trondheim, Stavanger and Akershus offices count as
// urban.
const OFFICE_MUNICIPALITY: Readonly<Record<string, readonly [string, number]>> = {
  'NAV Alna': ['0301', 1],
  'NAV Asker': ['0220', 1],
  'NAV Bergenhus': ['1201', 1],
  'NAV Bjerke': ['0301', 1],
  'NAV Bodø': ['1804', 0],
  'NAV Bærum': ['0219', 1],
  'NAV Elverum': ['0427', 0],
  'NAV Fana': ['1201', 1],
  'NAV Frogner': ['0301', 1],
  'NAV Gamle Oslo': ['0301', 1],
  'NAV Gjøvik': ['0502', 0],
  'NAV Grünerløkka': ['0301', 1],
  'NAV Halden': ['0101', 0],
  'NAV Harstad': ['1903', 0],
  'NAV Haugesund': ['1106', 0],
  'NAV Horten': ['0701', 0],
  'NAV Larvik': ['0709', 0],
  'NAV Lerkendal': ['1601', 1],
  'NAV Lillehammer': ['0501', 0],
  'NAV Madla': ['1103', 1],
  'NAV Moss': ['0104', 0],
  'NAV Nordstrand': ['0301', 1],
  'NAV Rana': ['1833', 0],
  'NAV Ringsaker': ['0412', 0],
  'NAV Sandefjord': ['0706', 0],
  'NAV Sandnes': ['1102', 1],
  'NAV Skedsmo': ['0231', 1],
  'NAV St. Hanshaugen': ['0301', 1],
  'NAV Værnes': ['1714', 0],
};

/**
 * The office code used in the demo: the name without "NAV", lower case, ASCII.
 *
 * @example
 * officeCode('NAV St. Hanshaugen'); // 'st-hanshaugen'
 */
export function officeCode(name: string): string {
  return name
    .replace(/^NAV /, '')
    .toLowerCase()
    .replaceAll('æ', 'ae')
    .replaceAll('ø', 'o')
    .replaceAll('å', 'a')
    .replaceAll('ü', 'u')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * The demo's pseudonymisation key, derived in memory from the seed (SHA-256 of a fixed label and
 * the seed). It is never written to the store or to disk: the store holds only pseudonyms, and
 * whoever rebuilds the demo from the same seed gets the same pseudonyms. A real trial uses a
 * secret key from `--key-file` or `TILTAK_PSEUDONYM_KEY` instead.
 *
 * @example
 * const key = demoPseudonymKey(2016);
 */
export function demoPseudonymKey(seed: number): PseudonymKey {
  const text = createHash('sha256').update(`tiltak demo pseudonym key, seed ${seed}`).digest('hex');
  return pseudonymKey(text, `demo key derived from seed ${seed}`);
}

type FamilyKind = 'target' | 'few-months' | 'no-young-children' | 'many-children';

class IdFactory {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}
  /** A valid fødselsnummer of someone born in `year` (1900–1999 individual numbers). */
  next(year: number): string {
    for (;;) {
      const month = 1 + this.rng.nextInt(12);
      const day = 1 + this.rng.nextInt(28);
      const individual = this.rng.nextInt(500);
      const nine =
        String(day).padStart(2, '0') +
        String(month).padStart(2, '0') +
        String(year % 100).padStart(2, '0') +
        String(individual).padStart(3, '0');
      const id = withCheckDigits(nine);
      if (id !== null && !this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

const FLAG_OF = [
  'other_family_project',
  'parent_in_treatment',
  'children_placed_outside_home',
  'child_welfare_case',
] as const;
// Shares of the four exclusion reasons among excluded families (cumulative thresholds).
const FLAG_SHARES = [0.3, 0.55, 0.7, 1] as const;

/**
 * Generate the demo's register extract deterministically from the seed. At HOLF scale the 29
 * offices list 3,201 families who meet the HOLF inclusion rules (at least 6 of the last 12
 * months on social assistance as main income or on top of other benefits, 1–4 children under 16),
 * 320 of them with one of the four exclusion criteria set, plus about a quarter as many recipients
 * who do not meet inclusion (too few months, no child under 16, or more than four); each
 * recipient has a row for 2015 and for 2016 (January–June). At national scale the rest of the
 * country is added (about 130,000 recipients in all).
 *
 * @example
 * const rec = demoRegisterRecords({ seed: 2016 });
 * rec.batches.reduce((n, b) => n + b.cells.length, 0); // register rows
 */
export function demoRegisterRecords(options: DemoRegisterOptions): DemoRegisterRecords {
  const nOffices = options.offices ?? HOLF_OFFICES.length;
  const identified = options.identified ?? HOLF_COUNTS.identified;
  const excluded = options.excluded ?? HOLF_COUNTS.excluded;
  if (!Number.isInteger(nOffices) || nOffices < 2 || nOffices > HOLF_OFFICES.length)
    throw new TiltakError(
      'BAD_OPTION',
      `offices must be 2..${HOLF_OFFICES.length}, got ${nOffices}`,
    );
  if (!Number.isInteger(identified) || identified < nOffices * 4)
    throw new TiltakError(
      'BAD_OPTION',
      `identified must be at least 4 per office, got ${identified}`,
    );
  if (!Number.isInteger(excluded) || excluded < 0 || excluded >= identified / 2)
    throw new TiltakError(
      'BAD_OPTION',
      `excluded must be below half of identified, got ${excluded}`,
    );
  const rng = createRng(options.seed);
  const ids = new IdFactory(rng);
  const names = HOLF_OFFICES.slice(0, nOffices);
  const weights = names.map(() => Math.round(1000 * Math.exp(0.45 * normal(rng))));
  const perOffice = splitTreated(weights, identified);
  const offices: DemoOffice[] = names.map((name, i) => {
    const [municipality, urban] = OFFICE_MUNICIPALITY[name] ?? ['0301', 1];
    const share = Math.min(95, Math.max(35, (urban ? 80 : 68) + 7 * normal(rng)));
    return {
      code: officeCode(name),
      name,
      municipality,
      covariates: {
        caseload: Math.round(perOffice[i]! * (4 + rng.next())),
        urban,
        share_immigrant: Math.round(share * 10) / 10,
        identified: perOffice[i]!,
      },
    };
  });
  const excludedSet = new Set(sampleIndices(identified, excluded, rng));
  const batches: { office: string | null; cells: string[][] }[] = [];
  let familyNo = 0;
  let recipients = 0;
  offices.forEach((o, i) => {
    const cells: string[][] = [];
    const n = perOffice[i]!;
    const others = Math.round(n * 0.25);
    for (let f = 0; f < n; f++) {
      const flag = excludedSet.has(familyNo) ? pickFlag(rng) : null;
      familyNo++;
      cells.push(...recipientRows(rng, ids, o.municipality, 'target', flag));
    }
    for (let f = 0; f < others; f++) {
      const kinds: FamilyKind[] = ['few-months', 'no-young-children', 'many-children'];
      const kind = kinds[f % 10 < 6 ? 0 : f % 10 < 9 ? 1 : 2]!;
      cells.push(...recipientRows(rng, ids, o.municipality, kind, null));
    }
    recipients += n + others;
    batches.push({ office: o.code, cells });
  });
  if ((options.scale ?? 'holf') === 'national') {
    const total = options.nationalRecipients ?? 130_000;
    const rest = Math.max(0, total - recipients);
    const cells: string[][] = [];
    for (let r = 0; r < rest; r++) {
      // Synthetic municipality numbers for the rest of the country (not real ones).
      const municipality = String(2000 + rng.nextInt(350));
      const u = rng.next();
      const kind: FamilyKind =
        u < 0.2
          ? 'target'
          : u < 0.55
            ? 'few-months'
            : u < 0.97
              ? 'no-young-children'
              : 'many-children';
      cells.push(...recipientRows(rng, ids, municipality, kind, null));
    }
    recipients += rest;
    batches.push({ office: null, cells });
  }
  return { offices, batches, recipients };
}

function pickFlag(rng: Rng): (typeof FLAG_OF)[number] {
  const u = rng.next();
  return FLAG_OF[FLAG_SHARES.findIndex((s) => u < s)]!;
}

/** The 2015 and 2016 rows of one recipient, as text cells in REGISTER_COLUMNS order. */
function recipientRows(
  rng: Rng,
  ids: IdFactory,
  municipality: string,
  kind: FamilyKind,
  flag: (typeof FLAG_OF)[number] | null,
): string[][] {
  const birthYear = 1968 + rng.nextInt(27);
  const id = ids.next(birthYear);
  const onTop = kind === 'target' && rng.next() < 0.15;
  const mainIncome = onTop ? 3 : 5;
  const benefit = onTop ? 11 : 0;
  // Months with receipt in the window July 2015 – June 2016 (window index 0..11).
  const want =
    kind === 'few-months'
      ? 1 + rng.nextInt(5)
      : 6 + Math.min(6, Math.floor(Math.abs(normal(rng)) * 3));
  const inWindow = new Set(sampleIndices(12, want, rng));
  const ages2016 = childAges(rng, kind);
  const sex = rng.next() < 0.62 ? 2 : 1;
  const marital = [1, 2, 3, 4, 5][rng.nextInt(5)]!;
  const work = [3, 7, 2, 6][rng.nextInt(4)]!;
  const housing = rng.next() < 0.7 ? 2 : 3;
  const monthly = 5000 + Math.round(rng.next() * 9000);
  const rows: string[][] = [];
  for (const year of [2015, 2016]) {
    const receipt: number[] = [];
    for (let m = 1; m <= 12; m++) {
      const w = year === 2015 ? m - 7 : m + 5; // window index of this month
      if (w >= 0 && w < 12) receipt.push(inWindow.has(w) ? 1 : 0);
      else if (year === 2015) receipt.push(kind === 'few-months' ? 0 : rng.next() < 0.5 ? 1 : 0);
      else receipt.push(0); // July–December 2016 are not in the extract yet
    }
    const amounts = receipt
      .map((r) => (r ? monthly + Math.round(normal(rng) * 400) : 0))
      .map((a) => Math.max(0, a));
    const total = amounts.reduce((a, b) => a + b, 0);
    const loan = Math.round(total * 0.08);
    const ages = year === 2016 ? ages2016 : ages2016.map((a) => a - 1).filter((a) => a >= 0);
    const cell: Record<string, string> = {
      personal_id: id,
      municipality,
      year: String(year),
      sex: String(sex),
      marital_status: String(marital),
      children_under_18: String(ages.length),
      child_ages: ages.join('|'),
      main_income_source: String(mainIncome),
      benefit_status: String(benefit),
      work_status: String(work),
      housing: String(housing),
      grant_total: String(total - loan),
      loan_total: String(loan),
      other_family_project: '0',
      parent_in_treatment: '0',
      children_placed_outside_home: '0',
      child_welfare_case: '0',
    };
    receipt.forEach((r, j) => {
      const mm = String(j + 1).padStart(2, '0');
      cell[`m${mm}`] = String(r);
      cell[`amount_${mm}`] = String(amounts[j]);
    });
    // Exclusion criteria are recorded by the office in the latest year of the window.
    if (flag !== null && year === 2016) cell[flag] = '1';
    rows.push(REGISTER_COLUMNS.map((c) => cell[c] ?? ''));
  }
  return rows;
}

function childAges(rng: Rng, kind: FamilyKind): number[] {
  if (kind === 'no-young-children') return rng.next() < 0.5 ? [] : [16 + rng.nextInt(2)];
  const young =
    kind === 'many-children' ? 5 + rng.nextInt(2) : [1, 1, 2, 2, 2, 3, 3, 4][rng.nextInt(8)]!;
  const ages = Array.from({ length: young }, () => rng.nextInt(16));
  if (rng.next() < 0.15) ages.push(16 + rng.nextInt(2));
  return ages.sort((a, b) => a - b);
}

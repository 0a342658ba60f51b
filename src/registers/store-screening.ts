/**
 * From a screening run to the trial store: which office each identified family belongs to, its
 * household, and its eligibility decision with the rule that decided it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { TiltakError } from '../stats/errors.ts';
import {
  type ScreenedFamilyInput,
  type StoredScreening,
  storeScreenedFamilies,
} from '../store/repositories/screened-family-repository.ts';
import type { Database } from '../store/schema.ts';
import type { RuleSet } from '../trial/eligibility-rules.ts';
import type { FamilyScreeningResult } from './screening.ts';

/**
 * The reasons stored with a decision: for an eligible family one line; for an excluded family the
 * reason of every exclusion rule it matched, in rule-set order (the decisive one first).
 *
 * @example
 * eligibilityReasons(family, holfRuleSet()); // ['the family takes part in another comprehensive family project']
 */
export function eligibilityReasons(f: FamilyScreeningResult, rules: RuleSet): string[] {
  if (f.eligible) return ['meets every inclusion rule and no exclusion rule'];
  const reasons = rules.exclusion
    .filter((r) => f.matchedExclusions.includes(r.id))
    .map((r) => r.reason.en);
  return reasons.length > 0 ? reasons : [f.decisiveRule?.reason.en ?? 'not eligible'];
}

/**
 * A screened family as the store keeps it: the recipient as the adult, a child per age in the
 * latest register year (pseudonym `<family>-child-<n>`, birth year from the age at the reference
 * month), and the decision with the rule set (`id@version`, plus `:rule` when a rule excluded it).
 *
 * @example
 * const input = screenedFamilyInput(family, officeId, holfRuleSet(), '2016-07-01T00:00:00.000Z');
 */
export function screenedFamilyInput(
  f: FamilyScreeningResult,
  officeId: string,
  rules: RuleSet,
  decidedAt?: string,
): ScreenedFamilyInput {
  const refYear = Number(f.asOf.slice(0, 4));
  const rule = `${rules.id}@${rules.version}`;
  return {
    officeId,
    pseudonym: f.pseudonym,
    members: [
      { pseudonym: f.pseudonym, role: 'adult' },
      ...f.childAges.map((age, j) => ({
        pseudonym: `${f.pseudonym.slice(0, 32)}-child-${j + 1}`,
        role: 'child' as const,
        birthYear: refYear - age,
      })),
    ],
    eligibility: {
      eligible: f.eligible,
      rule: f.eligible ? rule : `${rule}:${f.decisiveRule?.id ?? 'unknown'}`,
      reasons: eligibilityReasons(f, rules),
      ...(decidedAt === undefined ? {} : { decidedAt }),
    },
  };
}

/**
 * Read an office map: a CSV (comma or semicolon) with the columns `municipality` (four digits)
 * and `office` (an office code of the trial). Municipality numbers stay text, so `0301` keeps
 * its zero.
 *
 * @example
 * readOfficeMap('offices.csv'); // Map { '0301' => 'alna', … }
 */
export function readOfficeMap(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TiltakError('FILE_NOT_FOUND', `${path}: ${(e as Error).message}`);
  }
  const first = text.split('\n', 1)[0] ?? '';
  const delimiter = first.includes(';') ? ';' : ',';
  const records = parse(text, {
    delimiter,
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  const map = new Map<string, string>();
  records.forEach((r, i) => {
    const row = i + 2;
    const m = r.municipality;
    const o = r.office;
    if (m === undefined || o === undefined)
      throw new TiltakError(
        'MISSING_COLUMN',
        `${path}: the office map needs the columns municipality and office`,
      );
    if (!/^\d{4}$/.test(m))
      throw new TiltakError(
        'INVALID_INPUT',
        `${path}: row ${row}, column municipality: '${m}' is not a four-digit municipality number`,
      );
    if (o === '')
      throw new TiltakError('INVALID_INPUT', `${path}: row ${row}, column office: empty`);
    const prev = map.get(m);
    if (prev !== undefined && prev !== o)
      throw new TiltakError(
        'INVALID_INPUT',
        `${path}: row ${row}: municipality ${m} is mapped to both '${prev}' and '${o}'`,
      );
    map.set(m, o);
  });
  return map;
}

/**
 * What {@link storeScreening} did: the store's counts, and where the families went.
 *
 * @example
 * const r = await storeScreening(db, actor, { trialId, families, rules });
 * r.created; r.outsideOffices;
 */
export interface StoreScreeningResult extends Omit<StoredScreening, 'familyIds'> {
  /** Families that met every inclusion rule and belong to one of the trial's offices: stored. */
  readonly identified: number;
  /** Families that failed an inclusion rule: not part of the target group, not stored. */
  readonly notIncluded: number;
  /** Families meeting inclusion in municipalities none of the trial's offices serves. */
  readonly outsideOffices: number;
  /** Identified and eligible families per office code. */
  readonly byOffice: readonly { office: string; identified: number; eligible: number }[];
}

/**
 * Store a screening run's identified families (those meeting every inclusion rule) in a trial:
 * each goes to `office` when the file is one office's caseload, else to the office serving its
 * municipality, from `officeMap` (municipality → office code) or else from the offices'
 * `municipality` covariate. A municipality served by several
 * offices needs the map (`AMBIGUOUS_OFFICE`); a map naming an office the trial does not have is
 * refused (`UNKNOWN_OFFICE`). Families outside the trial's offices are counted, not stored. All
 * in one audited transaction; storing the same run again changes nothing.
 *
 * @example
 * const run = await screen({ rows }, holfRuleSet(), { collect: true });
 * await storeScreening(store.db, 'cli:anne', { trialId, families: run.families!, rules: holfRuleSet() });
 */
export async function storeScreening(
  db: Kysely<Database>,
  actor: string,
  options: {
    readonly trialId: string;
    readonly families: readonly FamilyScreeningResult[];
    readonly rules: RuleSet;
    readonly officeMap?: ReadonlyMap<string, string>;
    /** Every family goes to this office (code): the file is that office's own caseload. */
    readonly office?: string;
    readonly decidedAt?: string;
  },
): Promise<StoreScreeningResult> {
  const offices = await db
    .selectFrom('office')
    .select(['id', 'code', 'covariates'])
    .where('trial_id', '=', options.trialId)
    .execute();
  if (offices.length === 0)
    throw new TiltakError('NO_OFFICES', `trial ${options.trialId} has no offices to screen for`);
  const idOfCode = new Map(offices.map((o) => [o.code, o.id]));
  const served = new Map<string, string[]>();
  for (const o of offices) {
    const m = (o.covariates as Record<string, unknown> | null)?.municipality;
    if (typeof m !== 'string' && typeof m !== 'number') continue;
    const key = String(m).padStart(4, '0');
    served.set(key, [...(served.get(key) ?? []), o.code]);
  }
  for (const [m, code] of options.officeMap ?? [])
    if (!idOfCode.has(code))
      throw new TiltakError(
        'UNKNOWN_OFFICE',
        `the office map sends municipality ${m} to '${code}', which is not an office of the trial`,
      );
  if (options.office !== undefined && !idOfCode.has(options.office))
    throw new TiltakError(
      'UNKNOWN_OFFICE',
      `'${options.office}' is not an office of the trial (offices: ${[...idOfCode.keys()].join(', ')})`,
    );
  const officeFor = (municipality: string): string | undefined => {
    if (options.office !== undefined) return options.office;
    const mapped = options.officeMap?.get(municipality);
    if (mapped !== undefined) return mapped;
    const codes = served.get(municipality) ?? [];
    if (codes.length > 1)
      throw new TiltakError(
        'AMBIGUOUS_OFFICE',
        `municipality ${municipality} is served by ${codes.length} offices (${codes.join(', ')}); give an office map (--office-map) saying which office screens its families`,
      );
    return codes[0];
  };

  let notIncluded = 0;
  let outsideOffices = 0;
  const byOffice = new Map<string, { identified: number; eligible: number }>();
  const inputs: ScreenedFamilyInput[] = [];
  for (const f of options.families) {
    if (f.failedInclusion.length > 0) {
      notIncluded++;
      continue;
    }
    const code = officeFor(f.municipality);
    if (code === undefined) {
      outsideOffices++;
      continue;
    }
    const counts = byOffice.get(code) ?? { identified: 0, eligible: 0 };
    counts.identified++;
    if (f.eligible) counts.eligible++;
    byOffice.set(code, counts);
    inputs.push(screenedFamilyInput(f, idOfCode.get(code)!, options.rules, options.decidedAt));
  }
  const { familyIds: _ids, ...stored } = await storeScreenedFamilies(db, actor, inputs);
  return {
    ...stored,
    identified: inputs.length,
    notIncluded,
    outsideOffices,
    byOffice: [...byOffice]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([office, c]) => ({ office, ...c })),
  };
}

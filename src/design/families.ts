/**
 * Second-level randomisation (as in HOLF): inside each office the coordinators draw their families
 * at random from the office's list of eligible families; the eligible families not drawn are kept
 * as a comparison group with ordinary follow-up.
 */
import { TiltakError } from '../stats/errors.ts';
import type { Rng } from '../stats/random.ts';

/**
 * Families drawn and kept as comparison in one office, each in the order of the eligible list.
 *
 * @example
 * const d: FamilyDraw = { drawn: ['f2'], comparison: ['f1', 'f3'] };
 */
export interface FamilyDraw {
  readonly drawn: string[];
  readonly comparison: string[];
}

/**
 * Draw `k` families uniformly at random within each office (k a number for every office, or a
 * per-office map, e.g. 42 for two coordinators with about 21 families each). Offices are processed
 * in code-point order of their ids, so the same seed gives the same draw whatever order the map
 * was built in. Throws when an office lists a family twice or has fewer eligible families than k.
 *
 * @example
 * const draw = drawFamilies(new Map([['NAV Bodø', ['f1', 'f2', 'f3']]]), 2, createRng(1));
 * draw.get('NAV Bodø')!.drawn.length; // 2
 */
export function drawFamilies(
  eligibleByOffice: ReadonlyMap<string, readonly string[]>,
  k: number | ReadonlyMap<string, number>,
  rng: Rng,
): Map<string, FamilyDraw> {
  const offices = [...eligibleByOffice.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, FamilyDraw>();
  for (const office of offices) {
    const list = eligibleByOffice.get(office)!;
    const want = typeof k === 'number' ? k : k.get(office);
    if (want === undefined) {
      throw new TiltakError('BAD_OPTION', `no number of families to draw for office '${office}'`);
    }
    if (!Number.isInteger(want) || want < 0) {
      throw new TiltakError('BAD_OPTION', `office '${office}': cannot draw ${want} families`);
    }
    const seen = new Set<string>();
    for (const f of list) {
      if (seen.has(f)) {
        throw new TiltakError('DUPLICATE_ID', `office '${office}' lists family '${f}' twice`);
      }
      seen.add(f);
    }
    if (list.length < want) {
      throw new TiltakError(
        'TOO_FEW_ELIGIBLE',
        `office '${office}' has ${list.length} eligible families, ${want} to draw`,
      );
    }
    const idx = Int32Array.from({ length: list.length }, (_, i) => i);
    for (let i = 0; i < want; i++) {
      const j = i + rng.nextInt(list.length - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    const chosen = new Uint8Array(list.length);
    for (let i = 0; i < want; i++) chosen[idx[i]!] = 1;
    const drawn: string[] = [];
    const comparison: string[] = [];
    list.forEach((f, i) => {
      (chosen[i] ? drawn : comparison).push(f);
    });
    out.set(office, { drawn, comparison });
  }
  return out;
}

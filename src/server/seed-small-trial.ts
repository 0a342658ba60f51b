import { createRng, shuffleInPlace } from '../stats/random.ts';
import {
  addStaffMember,
  assignCoordinators,
  createFamily,
  createOffice,
  createTrial,
  inTransaction,
  recordAllocation,
  recordEligibility,
  recordFamilyDraw,
  saveResponseDraft,
  setEnrolment,
  submitResponse,
} from '../store/index.ts';
import type { Store } from '../store/open-store.ts';
import { HOLF_OFFICES } from '../trial/offices.ts';
import type { Family, Office, Trial } from '../trial/types.ts';
import { builtinInstrument, storedInstrumentId } from './services/instruments.ts';

/**
 * Options of {@link seedSmallTrial}.
 *
 * @example
 * const o: SeedOptions = { seed: 6, offices: 4, familiesPerOffice: 8 };
 */
export interface SeedOptions {
  readonly seed?: number;
  readonly offices?: number;
  readonly familiesPerOffice?: number;
  /** Draw the office allocation (default true). */
  readonly allocate?: boolean;
  /** Prefix of family pseudonyms (default `F`); pseudonyms are unique across the store. */
  readonly prefix?: string;
}

const EXCLUSIONS = [
  { rule: 'exclusion:other-project', reason: 'takes part in another comprehensive family project' },
  { rule: 'exclusion:child-welfare', reason: 'ongoing child-welfare investigation or placement' },
  {
    rule: 'inclusion:sa-months',
    reason: 'fewer than 6 of the last 12 months on social assistance',
  },
];

/**
 * Seed a small HOLF-shaped trial through the store's repositories (so every write is audited),
 * deterministically from a seed: offices with covariates and staff, screened families with their
 * eligibility and reasons, the office allocation, the within-office draw, enrolment, and
 * submitted baseline (T1) WAI-SR questionnaires for most enrolled families. Used by the server's
 * tests and the benchmark (`--small`); `tiltak serve --demo` serves the store-backed demo trial.
 *
 * @example
 * const { trial, offices, families } = await seedSmallTrial(store, { seed: 6 });
 */
export async function seedSmallTrial(
  store: Store,
  options: SeedOptions = {},
): Promise<{ trial: Trial; offices: Office[]; families: Family[] }> {
  const seed = options.seed ?? 6;
  const nOffices = Math.min(options.offices ?? 4, HOLF_OFFICES.length);
  const perOffice = options.familiesPerOffice ?? 8;
  const rng = createRng(seed);
  const actor = 'system:seed';
  return inTransaction(store.db, async (db) => {
    const trial = await createTrial(db, actor, {
      name: 'HOLF (demo)',
      registration: 'NCT03102775',
      startDate: '2016-09-01',
      arms: [
        { key: 'holf', name: 'HOLF model' },
        { key: 'local', name: 'Local family projects' },
      ],
    });
    const offices: Office[] = [];
    const coordinatorsOf = new Map<string, string[]>();
    const drawnIn = new Map<string, number>();
    for (let i = 0; i < nOffices; i++) {
      const office = await createOffice(db, actor, {
        trialId: trial.id,
        code: `K${String(i + 1).padStart(2, '0')}`,
        name: HOLF_OFFICES[i]!,
        covariates: {
          caseload: 80 + rng.nextInt(300),
          urban: rng.next() < 0.6,
          immigrant_share: Math.round(rng.next() * 80) / 100,
        },
      });
      offices.push(office);
      await addStaffMember(db, actor, {
        officeId: office.id,
        role: 'leader',
        name: `Leder ${i + 1}`,
      });
      const coords: string[] = [];
      for (const c of [1, 2])
        coords.push(
          (
            await addStaffMember(db, actor, {
              officeId: office.id,
              role: 'coordinator',
              name: `Koordinator ${i + 1}.${c}`,
            })
          ).id,
        );
      coordinatorsOf.set(office.id, coords);
    }
    const order = offices.map((_, i) => i);
    shuffleInPlace(order, rng);
    const armOf = new Map(
      order.map((o, rank) => [offices[o]!.id, rank % 2 === 0 ? 'holf' : 'local']),
    );
    if (options.allocate ?? true)
      await recordAllocation(db, actor, {
        trialId: trial.id,
        record: { method: 'seeded demo allocation', seed, order },
        offices: offices.map((o) => ({ officeId: o.id, armKey: armOf.get(o.id)! })),
      });
    const instrumentId = await storedInstrumentId(db, actor, 'wai-sr');
    const items = builtinInstrument('wai-sr').items.map((it) => it.id);
    const families: Family[] = [];
    let n = 0;
    for (const office of offices) {
      for (let j = 0; j < perOffice; j++) {
        n += 1;
        const children = 1 + rng.nextInt(4);
        const family = await createFamily(db, actor, {
          officeId: office.id,
          pseudonym: `${options.prefix ?? 'F'}-${String(n).padStart(5, '0')}`,
          members: [
            {
              pseudonym: `${options.prefix ?? 'F'}P-${n}-a1`,
              role: 'adult',
              birthYear: 1975 + rng.nextInt(20),
            },
            ...Array.from({ length: children }, (_, c) => ({
              pseudonym: `${options.prefix ?? 'F'}P-${n}-c${c + 1}`,
              role: 'child' as const,
              birthYear: 2002 + rng.nextInt(15),
            })),
          ],
        });
        families.push(family);
        const excluded = rng.next() < 0.15 ? EXCLUSIONS[rng.nextInt(EXCLUSIONS.length)]! : null;
        await recordEligibility(db, 'system:screening', {
          familyId: family.id,
          eligible: excluded === null,
          rule: excluded?.rule ?? 'holf-v1',
          reasons:
            excluded === null
              ? [
                  '6 or more of the last 12 months with social assistance as main income',
                  `${children} children under 16 (at most 4)`,
                ]
              : [excluded.reason],
        });
        if (excluded !== null || !(options.allocate ?? true)) continue;
        const drawn = rng.next() < 0.7;
        await recordFamilyDraw(db, 'system:draw', family.id, drawn ? 'drawn' : 'comparison');
        if (!drawn) continue;
        const coords = coordinatorsOf.get(office.id)!;
        drawnIn.set(office.id, (drawnIn.get(office.id) ?? 0) + 1);
        await assignCoordinators(db, actor, [
          { familyId: family.id, staffId: coords[drawnIn.get(office.id)! % coords.length]! },
        ]);
        const declined = rng.next() < 0.1;
        await setEnrolment(
          db,
          actor,
          declined
            ? { familyId: family.id, status: 'declined' }
            : {
                familyId: family.id,
                status: 'enrolled',
                consentDate: '2017-01-10',
                enrolledDate: '2017-01-15',
              },
        );
        if (declined || rng.next() < 0.2) continue;
        const answers = Object.fromEntries(items.map((it) => [it, 2 + rng.nextInt(4)]));
        const r = await saveResponseDraft(db, actor, {
          trialId: trial.id,
          wave: 'T1',
          respondentType: 'family',
          respondentId: family.id,
          instrumentId,
          answers,
        });
        await submitResponse(db, actor, r.id);
      }
    }
    return { trial, offices, families };
  });
}

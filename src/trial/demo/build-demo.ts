import type { Kysely } from 'kysely';
import { simulateMunicipalities } from '../../analysis/municipality/simulate.ts';
import { drawFamilies } from '../../design/families.ts';
import { designSpec, randomize } from '../../design/randomize.ts';
import { allocationRecord } from '../../design/record.ts';
import { validateAndPseudonymise } from '../../registers/import.ts';
import type { PseudonymisedRegisterRow } from '../../registers/schema.ts';
import { screen } from '../../registers/screening.ts';
import { screenedFamilyInput } from '../../registers/store-screening.ts';
import { TiltakError } from '../../stats/errors.ts';
import { createRng, type Rng } from '../../stats/random.ts';
import {
  addStaffMember,
  assignCoordinators,
  createInstrument,
  createOffice,
  createTrial,
  importMunicipalityStatistics,
  inTransaction,
  recordAllocation,
  recordFamilyDraws,
  saveResponseDraft,
  setEnrolment,
  storeScreenedFamilies,
  submitResponse,
  upsertRegisterOutcomes,
} from '../../store/index.ts';
import type { Store } from '../../store/open-store.ts';
import type { Database } from '../../store/schema.ts';
import { holfRuleSet } from '../eligibility-rules.ts';
import { type BuiltinInstrumentId, loadBuiltinInstrument } from '../instruments/load.ts';
import type { RegisterOutcome } from '../types.ts';
import { addDays, normal, sampleIndices } from './draws.ts';
import { simulateFollowUp } from './follow-up.ts';
import {
  DEMO_AS_OF,
  type DemoOffice,
  demoPseudonymKey,
  demoRegisterRecords,
} from './register-records.ts';

/**
 * Name of the demo trial; `tiltak demo` looks for it to decide whether the demo exists.
 *
 * @example
 * await findTrialByName(store.db, DEMO_TRIAL_NAME);
 */
export const DEMO_TRIAL_NAME = 'HOLF';

/**
 * The actor every demo write is audited under.
 *
 * @example
 * (await listAuditEntries(store.db)).every((e) => e.actor === DEMO_ACTOR);
 */
export const DEMO_ACTOR = 'demo';

/**
 * Name of the stored municipality data set of the demo.
 *
 * @example
 * await listMunicipalityStatistics(store.db, DEMO_MUNICIPALITY_DATASET);
 */
export const DEMO_MUNICIPALITY_DATASET = 'kvp-demo';

/** The trial started here; families were enrolled over its first four months. */
const START_DATE = '2016-09-01';
/** Eligibility was decided after the June 2016 register extract. */
const DECIDED_AT = '2016-07-01T00:00:00.000Z';
/** Families drawn per office: two coordinators, 16 each (928 drawn; 44 decline; 884 enrol). */
const DRAW_PER_OFFICE = 32;
const DECLINE_SHARE = 44 / 928;

/**
 * Options of {@link buildDemoTrial}.
 *
 * @example
 * const o: BuildDemoOptions = { seed: 2016, onProgress: (s, d) => console.log(s, d) };
 */
export interface BuildDemoOptions {
  readonly seed: number;
  /** `national` screens a national-scale register extract (about 130,000 recipients). */
  readonly scale?: 'holf' | 'national';
  readonly onProgress?: (stage: string, detail: string) => void;
  /** Smaller demos (tests): number of offices, default 29. */
  readonly offices?: number;
  /** Families meeting inclusion, default 3,201. */
  readonly identified?: number;
  /** Of those, excluded, default 320. */
  readonly excluded?: number;
  /** Families drawn per office, default 32. */
  readonly drawPerOffice?: number;
  /** Municipalities in the municipality data set, default 350. */
  readonly municipalities?: number;
}

/**
 * What {@link buildDemoTrial} built, with the time each stage took (ms).
 *
 * @example
 * const s: DemoTrialSummary = await buildDemoTrial(store, { seed: 2016 });
 * s.enrolled; // 884
 */
export interface DemoTrialSummary {
  readonly trialId: string;
  readonly seed: number;
  readonly scale: 'holf' | 'national';
  readonly offices: number;
  readonly coordinators: number;
  readonly registerRows: number;
  readonly recipients: number;
  readonly screenedFamilies: number;
  readonly identified: number;
  readonly excluded: number;
  readonly eligible: number;
  readonly drawn: number;
  readonly enrolled: number;
  readonly withdrawn: number;
  readonly registerOutcomeRows: number;
  readonly responses: number;
  readonly municipalities: number;
  readonly allocationSha256: string;
  readonly treatedOffices: readonly string[];
  readonly timingsMs: Readonly<Record<string, number>>;
}

/**
 * The id of the trial with this name, or `undefined`. Throws `TRIAL_AMBIGUOUS` when several
 * trials share the name.
 *
 * @example
 * const id = await findTrialByName(store.db, 'HOLF');
 */
export async function findTrialByName(
  db: Kysely<Database>,
  name: string,
): Promise<string | undefined> {
  const rows = await db.selectFrom('trial').select('id').where('name', '=', name).execute();
  if (rows.length > 1)
    throw new TiltakError('TRIAL_AMBIGUOUS', `${rows.length} trials are named '${name}'`);
  return rows[0]?.id;
}

/**
 * Build the HOLF-shaped demo trial in the store, deterministically from the seed (the store's row
 * ids and timestamps are the only things that differ between two builds):
 *
 * - trial `HOLF` (arms `holf` "HOLF" and `control` "control" — the locally developed family
 *   projects; waves T1–T5), 29 offices with simulated covariates, each with a leader and two
 *   coordinators;
 * - KOSTRA-11C-shaped register records (valid generated fødselsnumre) run through the real import
 *   (validation and HMAC pseudonyms, with a key derived in memory from the seed and never stored:
 *   {@link demoPseudonymKey}) and the real HOLF screening; the 3,201 families meeting inclusion
 *   are stored with their eligibility result, rule and reasons (320 excluded);
 * - constrained randomisation of 15 of the 29 offices on caseload, urban and share immigrant. The
 *   29-choose-15 space (77.6 million) is sampled (20,000 distinct schemes scored, best 10 %
 *   accepted) instead of enumerated, for speed; the allocation record says so and is stored
 *   immutable;
 * - the within-office draw (32 per office), consent (884 enrolled), the others eligible kept as
 *   the comparison group;
 * - register outcomes per person-month (income, employed) for enrolled families from 3 months
 *   before follow-up to the end of T5, with attrition and a true HOLF effect on income of
 *   {@link DEMO_INCOME_EFFECT} NOK a month;
 * - WAI-SR answered by families at +18 months (filed under wave T2, the last wave before it) and
 *   coordinators' professional competence at T1 and +18 months (T2);
 * - a municipality data set of 350 municipalities (table `municipality_statistic`).
 *
 * Everything goes through the audited repositories as actor `demo`, in one transaction: a
 * failure leaves nothing behind. Refuses with `DEMO_EXISTS` when a trial named HOLF exists.
 *
 * @example
 * const store = await openStore({ memory: true });
 * const summary = await buildDemoTrial(store, { seed: 2016 });
 * summary.enrolled; // 884
 */
export async function buildDemoTrial(
  store: Store,
  options: BuildDemoOptions,
): Promise<DemoTrialSummary> {
  const seed = options.seed;
  if (!Number.isSafeInteger(seed))
    throw new TiltakError('BAD_OPTION', `seed must be an integer, got ${seed}`);
  const scale = options.scale ?? 'holf';
  if (scale !== 'holf' && scale !== 'national')
    throw new TiltakError('BAD_OPTION', `scale must be 'holf' or 'national', got '${scale}'`);
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (stage: string, detail: string) => {
    const now = performance.now();
    timings[stage] = Math.round(now - t0);
    t0 = now;
    progress(stage, detail);
  };
  if ((await findTrialByName(store.db, DEMO_TRIAL_NAME)) !== undefined)
    throw new TiltakError(
      'DEMO_EXISTS',
      `the store already has a trial named ${DEMO_TRIAL_NAME}; build the demo into an empty store (tiltak demo --reset)`,
    );

  // Registers: generate the offices' extracts, import them (validation + pseudonyms), screen.
  const records = demoRegisterRecords({
    seed,
    scale,
    ...(options.offices === undefined ? {} : { offices: options.offices }),
    ...(options.identified === undefined ? {} : { identified: options.identified }),
    ...(options.excluded === undefined ? {} : { excluded: options.excluded }),
  });
  const registerRows = records.batches.reduce((n, b) => n + b.cells.length, 0);
  lap('registers', `${registerRows} register rows for ${records.recipients} recipients generated`);
  const key = demoPseudonymKey(seed);
  const officeOf = new Map<string, string>();
  const imported: PseudonymisedRegisterRow[] = [];
  for (const batch of records.batches) {
    const rows = validateAndPseudonymise(
      batch.cells,
      key,
      `demo register extract ${batch.office ?? 'national'}`,
    );
    for (const r of rows) {
      if (batch.office !== null) officeOf.set(r.pseudonym, batch.office);
      imported.push(r);
    }
  }
  lap('import', `${imported.length} rows validated and pseudonymised`);
  const rules = holfRuleSet();
  const run = await screen({ rows: imported }, rules, { asOf: DEMO_AS_OF, collect: true });
  const screened = run.families ?? [];
  const identified = screened.filter(
    (f) => f.failedInclusion.length === 0 && officeOf.has(f.pseudonym),
  );
  lap(
    'screening',
    `${run.summary.families} families screened, ${identified.length} meet inclusion, ${run.summary.excluded} excluded`,
  );

  const rng = createRng(seed * 7 + 1);
  const summary = await inTransaction(store.db, async (db) => {
    const trial = await createTrial(db, DEMO_ACTOR, {
      name: DEMO_TRIAL_NAME,
      registration: 'NCT03102775',
      startDate: START_DATE,
      arms: [
        { key: 'holf', name: 'HOLF' },
        { key: 'control', name: 'control' },
      ],
    });
    const officeIds = new Map<string, string>();
    const coordinators = new Map<string, string[]>();
    for (const o of records.offices) {
      const office = await createOffice(db, DEMO_ACTOR, {
        trialId: trial.id,
        code: o.code,
        name: o.name,
        covariates: { ...o.covariates, municipality: o.municipality },
      });
      officeIds.set(o.code, office.id);
      await addStaffMember(db, DEMO_ACTOR, {
        officeId: office.id,
        role: 'leader',
        name: `Leader, ${o.name}`,
      });
      const ids: string[] = [];
      for (const n of [1, 2]) {
        const c = await addStaffMember(db, DEMO_ACTOR, {
          officeId: office.id,
          role: 'coordinator',
          name: `Coordinator ${n}, ${o.name}`,
        });
        ids.push(c.id);
      }
      coordinators.set(o.code, ids);
    }
    lap('offices', `${records.offices.length} offices, ${records.offices.length * 2} coordinators`);

    const familyIds = new Map<string, string>();
    const eligibleByOffice = new Map<string, string[]>();
    const childrenOf = new Map<string, number>();
    const screenedStored = await storeScreenedFamilies(
      db,
      DEMO_ACTOR,
      identified.map((f) =>
        screenedFamilyInput(f, officeIds.get(officeOf.get(f.pseudonym)!)!, rules, DECIDED_AT),
      ),
    );
    for (const f of identified) {
      const id = screenedStored.familyIds.get(f.pseudonym)!;
      familyIds.set(f.pseudonym, id);
      childrenOf.set(id, f.childAges.length);
      if (f.eligible) {
        const office = officeOf.get(f.pseudonym)!;
        const list = eligibleByOffice.get(office) ?? [];
        list.push(id);
        eligibleByOffice.set(office, list);
      }
    }
    const eligibleCount = identified.filter((f) => f.eligible).length;
    lap('families', `${identified.length} families stored, ${eligibleCount} eligible`);

    const allocation = randomiseOffices(records.offices, seed);
    const treated = new Set(allocation.allocation.treated_ids);
    const stored = await recordAllocation(db, DEMO_ACTOR, {
      trialId: trial.id,
      record: allocation,
      offices: records.offices.map((o) => ({
        officeId: officeIds.get(o.code)!,
        armKey: treated.has(o.code) ? 'holf' : 'control',
      })),
    });
    lap(
      'randomisation',
      `${treated.size} of ${records.offices.length} offices to HOLF; ${allocation.accepted_space.accepted} of ${allocation.accepted_space.schemes_scored} scored schemes accepted`,
    );

    const perOffice = options.drawPerOffice ?? DRAW_PER_OFFICE;
    const k = new Map(
      [...eligibleByOffice].map(([o, list]) => [o, Math.min(perOffice, list.length)] as const),
    );
    const draws = drawFamilies(eligibleByOffice, k, rng);
    const drawn: { familyId: string; office: string }[] = [];
    const drawRows: { familyId: string; group: 'drawn' | 'comparison' }[] = [];
    for (const [office, d] of draws) {
      for (const id of d.drawn) {
        drawRows.push({ familyId: id, group: 'drawn' });
        drawn.push({ familyId: id, office });
      }
      for (const id of d.comparison) drawRows.push({ familyId: id, group: 'comparison' });
    }
    await recordFamilyDraws(db, DEMO_ACTOR, drawRows);
    // Each office's two coordinators drew and follow its families: alternate them in draw order.
    await assignCoordinators(
      db,
      DEMO_ACTOR,
      [...draws].flatMap(([office, d]) => {
        const staff = coordinators.get(office)!;
        return d.drawn.map((familyId, i) => ({ familyId, staffId: staff[i % staff.length]! }));
      }),
    );
    lap(
      'draw',
      `${drawn.length} families drawn and assigned to the offices' coordinators, the other eligible kept as comparison`,
    );

    const declines = new Set(
      sampleIndices(drawn.length, Math.round(drawn.length * DECLINE_SHARE), rng),
    );
    const enrolled: {
      familyId: string;
      office: string;
      enrolledDate: string;
      consentDate: string;
    }[] = [];
    for (let i = 0; i < drawn.length; i++) {
      const d = drawn[i]!;
      if (declines.has(i)) {
        await setEnrolment(db, DEMO_ACTOR, { familyId: d.familyId, status: 'declined' });
        continue;
      }
      const consentDate = addDays(START_DATE, rng.nextInt(120));
      const enrolledDate = addDays(consentDate, rng.nextInt(14));
      await setEnrolment(db, DEMO_ACTOR, {
        familyId: d.familyId,
        status: 'enrolled',
        consentDate,
        enrolledDate,
      });
      enrolled.push({ ...d, consentDate, enrolledDate });
    }
    lap('enrolment', `${enrolled.length} enrolled with consent`);

    const office = new Map(
      records.offices.map((o) => [
        o.code,
        { income: normal(rng) * 1400, employment: normal(rng) * 0.3 },
      ]),
    );
    const outcomes: RegisterOutcome[] = [];
    const alliance = new Map<string, number>();
    const activeAt18 = new Set<string>();
    let withdrawn = 0;
    const pseudonymOf = new Map([...familyIds].map(([p, id]) => [id, p]));
    for (const e of enrolled) {
      const fx = office.get(e.office)!;
      const f = simulateFollowUp(rng, {
        holf: treated.has(e.office),
        officeIncome: fx.income,
        officeEmployment: fx.employment,
        children: Math.max(1, childrenOf.get(e.familyId) ?? 1),
      });
      const startIndex = monthIndex(e.enrolledDate);
      const pseudonym = pseudonymOf.get(e.familyId)!;
      for (const m of f.months) {
        const idx = startIndex + m.offset;
        outcomes.push({
          pseudonym,
          year: Math.floor(idx / 12),
          month: (idx % 12) + 1,
          variables: { income: m.income, employed: m.employed },
        });
      }
      alliance.set(e.familyId, f.alliance);
      if (f.months.some((m) => m.offset === 18)) activeAt18.add(e.familyId);
      if (f.withdrawnAt !== null) {
        withdrawn++;
        const idx = startIndex + f.withdrawnAt;
        const date = `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}-20`;
        await setEnrolment(db, DEMO_ACTOR, {
          familyId: e.familyId,
          status: 'withdrawn',
          consentDate: e.consentDate,
          enrolledDate: e.enrolledDate,
          withdrawnDate: date < e.enrolledDate ? e.enrolledDate : date,
        });
      }
    }
    if (outcomes.length > 0)
      await upsertRegisterOutcomes(db, DEMO_ACTOR, outcomes, 'demo register outcomes T1–T5');
    lap('outcomes', `${outcomes.length} person-months of register outcomes, ${withdrawn} withdrew`);

    const wai = await storeInstrument(db, 'wai-sr');
    const competence = await storeInstrument(db, 'professional-competence');
    let responses = 0;
    for (const e of enrolled) {
      if (!activeAt18.has(e.familyId) || rng.next() >= 0.92) continue;
      const a = alliance.get(e.familyId)!;
      const answers = answerItems(rng, wai.items, wai.missingCode, () => 3.7 + 0.7 * a);
      await submitAnswers(db, trial.id, 'T2', 'family', e.familyId, wai.id, answers);
      responses++;
    }
    for (const o of records.offices) {
      for (const c of coordinators.get(o.code)!) {
        const level = normal(rng);
        for (const wave of ['T1', 'T2'] as const) {
          const shift = wave === 'T2' && treated.has(o.code) ? 0.3 : 0;
          const answers = answerItems(
            rng,
            competence.items,
            competence.missingCode,
            () => 3.5 + 0.6 * level + shift,
          );
          await submitAnswers(db, trial.id, wave, 'coordinator', c, competence.id, answers);
          responses++;
        }
      }
    }
    lap('questionnaires', `${responses} questionnaires submitted`);

    const municipalities = simulateMunicipalities({ seed, count: options.municipalities ?? 350 });
    await importMunicipalityStatistics(
      db,
      DEMO_ACTOR,
      DEMO_MUNICIPALITY_DATASET,
      municipalities.map(({ municipality, year, ...values }) => ({
        municipality,
        year,
        values: JSON.parse(JSON.stringify(values)),
      })),
    );
    lap('municipalities', `${municipalities.length} municipality-years stored`);
    return {
      trialId: trial.id,
      seed,
      scale,
      offices: records.offices.length,
      coordinators: records.offices.length * 2,
      registerRows,
      recipients: records.recipients,
      screenedFamilies: run.summary.families,
      identified: identified.length,
      excluded: identified.length - eligibleCount,
      eligible: eligibleCount,
      drawn: drawn.length,
      enrolled: enrolled.length,
      withdrawn,
      registerOutcomeRows: outcomes.length,
      responses,
      municipalities: municipalities.length,
      allocationSha256: stored.recordSha256,
      treatedOffices: [...treated].sort(),
      timingsMs: timings,
    };
  });
  return summary;
}

/** Calendar month index (year * 12 + month - 1) of an ISO date. */
function monthIndex(iso: string): number {
  return Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
}

/**
 * Constrained randomisation of ceil(n/2) offices to HOLF, balanced on caseload, urban and share
 * immigrant (those that vary). Above a million schemes (29 choose 15 is 77.6 million) the space is sampled: 20,000
 * distinct schemes scored, the best 10 % accepted, the allocation drawn from those.
 */
function randomiseOffices(offices: readonly DemoOffice[], seed: number) {
  // A covariate that does not vary (all urban in a small demo) cannot be balanced; leave it out.
  const candidates = (['caseload', 'urban', 'share_immigrant'] as const)
    .map((c) => [c, offices.map((o) => o.covariates[c])] as const)
    .filter(([, v]) => new Set(v).size > 1);
  const spec = designSpec({
    ids: offices.map((o) => o.code),
    treated: Math.ceil(offices.length / 2),
    balance: {
      columns: candidates.map(([c]) => c),
      values: candidates.map(([, v]) => v),
    },
    cutoff: 0.1,
    maxEnumerate: 1e6,
    samples: 20_000,
  });
  return allocationRecord(randomize(spec, seed));
}

interface StoredInstrument {
  readonly id: string;
  readonly items: readonly string[];
  readonly missingCode: number | null;
}

/** Store a built-in instrument's structure (as the web app does: same key and version). */
async function storeInstrument(
  db: Kysely<Database>,
  key: BuiltinInstrumentId,
): Promise<StoredInstrument> {
  const ins = loadBuiltinInstrument(key);
  const items = ins.items.map((it) => it.id);
  const missingCode = ins.missingCodes[0]?.code ?? null;
  const found = await db
    .selectFrom('instrument')
    .select('id')
    .where('key', '=', ins.id)
    .where('version', '=', ins.version)
    .executeTakeFirst();
  if (found !== undefined) return { id: found.id, items, missingCode };
  const labels = [...ins.responseScale.labels].sort((a, b) => a.value - b.value);
  const created = await createInstrument(db, DEMO_ACTOR, {
    key: ins.id,
    name: ins.name.en,
    version: ins.version,
    items: ins.items.map((it) =>
      it.text === undefined ? { id: it.id } : { id: it.id, text: it.text.en },
    ),
    responseScale: {
      min: ins.responseScale.min,
      max: ins.responseScale.max,
      labels: labels.map((l) => l.en),
    },
    reverseKeyed: ins.reverseKeyed,
    subscales: Object.fromEntries(ins.subscales.map((s) => [s.id, s.items])),
    missingCodes: ins.missingCodes.map((m) => m.code),
  });
  return { id: created.id, items, missingCode };
}

function answerItems(
  rng: Rng,
  items: readonly string[],
  missingCode: number | null,
  mean: () => number,
): Record<string, number> {
  const answers: Record<string, number> = {};
  const m = mean();
  for (const item of items) {
    if (missingCode !== null && rng.next() < 0.02) answers[item] = missingCode;
    else answers[item] = Math.min(5, Math.max(1, Math.round(m + 0.6 * normal(rng))));
  }
  return answers;
}

async function submitAnswers(
  db: Kysely<Database>,
  trialId: string,
  wave: 'T1' | 'T2',
  respondentType: 'family' | 'coordinator',
  respondentId: string,
  instrumentId: string,
  answers: Record<string, number>,
): Promise<void> {
  const draft = await saveResponseDraft(db, DEMO_ACTOR, {
    trialId,
    wave,
    respondentType,
    respondentId,
    instrumentId,
    answers,
  });
  await submitResponse(db, DEMO_ACTOR, draft.id);
}

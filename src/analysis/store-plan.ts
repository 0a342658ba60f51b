import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import pkg from '../../package.json' with { type: 'json' };
import { recordSpace, verifyAllocationRecord } from '../design/record.ts';
import { TiltakError } from '../stats/errors.ts';
import { toJsonValue } from '../store/canonical-json.ts';
import {
  type AnalysisRun,
  getAllocation,
  getLockedPlan,
  lockAnalysisPlan,
  recordAnalysisRun,
} from '../store/index.ts';
import type { Database } from '../store/schema.ts';
import type { PlanRunResult } from './plan/results.ts';
import { planHash, type RunPlanOptions, runPlan } from './plan/run-plan.ts';
import { AnalysisPlan } from './plan/schema.ts';
import { trialLongData } from './trial-data.ts';

/**
 * The plan `tiltak plan lock` locks when no file is given: the shipped HOLF plan.
 *
 * @example
 * readPlanFile(DEFAULT_PLAN_PATH).trial; // 'HOLF'
 */
export const DEFAULT_PLAN_PATH = fileURLToPath(new URL('./plan/holf-plan.json', import.meta.url));

/**
 * Read and validate an analysis plan file. Throws `FILE_NOT_FOUND`, `BAD_JSON` or `BAD_PLAN`
 * (naming the first offending field).
 *
 * @example
 * const plan = readPlanFile('holf-plan.json');
 */
export function readPlanFile(path: string): AnalysisPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TiltakError(
      'FILE_NOT_FOUND',
      `${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? e)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TiltakError(
      'BAD_JSON',
      `${path}: not JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return parsePlan(json, path);
}

function parsePlan(json: unknown, source: string): AnalysisPlan {
  const r = AnalysisPlan.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new TiltakError(
      'BAD_PLAN',
      `${source}: ${issue.path.join('.') || '(plan)'}: ${issue.message}`,
    );
  }
  return r.data;
}

/**
 * A trial named by id or by name (default `HOLF`). Throws `TRIAL_NOT_FOUND` or, when several
 * trials share the name, `TRIAL_AMBIGUOUS`.
 *
 * @example
 * const { id } = await resolveTrial(store.db, 'HOLF');
 */
export async function resolveTrial(
  db: Kysely<Database>,
  ref = 'HOLF',
): Promise<{ id: string; name: string }> {
  const byId = await db
    .selectFrom('trial')
    .select(['id', 'name'])
    .where('id', '=', ref)
    .executeTakeFirst();
  if (byId !== undefined) return byId;
  const byName = await db
    .selectFrom('trial')
    .select(['id', 'name'])
    .where('name', '=', ref)
    .execute();
  if (byName.length > 1)
    throw new TiltakError(
      'TRIAL_AMBIGUOUS',
      `${byName.length} trials are named '${ref}'; give the trial id`,
    );
  if (byName.length === 0)
    throw new TiltakError(
      'TRIAL_NOT_FOUND',
      `no trial named or with id '${ref}' in the store (build one with tiltak demo)`,
    );
  return byName[0]!;
}

/**
 * A locked plan, parsed.
 *
 * @example
 * const { plan, hash } = await lockedPlan(store.db, trialId);
 */
export interface StoredPlan {
  readonly plan: AnalysisPlan;
  readonly hash: string;
  readonly lockedAt: string;
  readonly lockedBy: string;
}

/**
 * Lock a plan for a trial (validated first; its `trial` must be the trial's name, else
 * `PLAN_TRIAL_MISMATCH`). The stored hash is {@link planHash} of the validated plan. Locking the
 * same plan again changes nothing (`created: false`); a different plan is refused
 * (`PLAN_ALREADY_LOCKED`).
 *
 * @example
 * const { hash, created } = await lockPlan(store.db, 'stat:anne', trialId, readPlanFile(DEFAULT_PLAN_PATH));
 */
export async function lockPlan(
  db: Kysely<Database>,
  actor: string,
  trialId: string,
  plan: unknown,
): Promise<StoredPlan & { readonly created: boolean }> {
  const parsed = parsePlan(plan, 'plan');
  const trial = await db
    .selectFrom('trial')
    .select('name')
    .where('id', '=', trialId)
    .executeTakeFirst();
  if (trial === undefined)
    throw new TiltakError('TRIAL_NOT_FOUND', `trial ${trialId} does not exist`);
  if (parsed.trial !== trial.name)
    throw new TiltakError(
      'PLAN_TRIAL_MISMATCH',
      `the plan is for trial '${parsed.trial}', not '${trial.name}'`,
    );
  const locked = await lockAnalysisPlan(db, actor, trialId, toJsonValue(parsed));
  const hash = planHash(parsed);
  if (hash !== locked.planSha256)
    throw new TiltakError(
      'HASH_MISMATCH',
      `the stored plan hashes to ${locked.planSha256}, expected ${hash}`,
    );
  return {
    plan: parsed,
    hash,
    lockedAt: locked.lockedAt,
    lockedBy: locked.lockedBy,
    created: locked.created,
  };
}

/**
 * The trial's locked plan, parsed and re-hashed. Throws `PLAN_NOT_LOCKED` when none is locked.
 *
 * @example
 * const { plan, hash } = await lockedPlan(store.db, trialId);
 */
export async function lockedPlan(db: Kysely<Database>, trialId: string): Promise<StoredPlan> {
  const locked = await getLockedPlan(db, trialId);
  if (locked === undefined)
    throw new TiltakError(
      'PLAN_NOT_LOCKED',
      'no analysis plan is locked for this trial; lock one before analysing (tiltak plan lock PLAN.json)',
    );
  const plan = parsePlan(locked.plan, 'the locked plan');
  const hash = planHash(plan);
  if (hash !== locked.planSha256)
    throw new TiltakError(
      'HASH_MISMATCH',
      `the locked plan hashes to ${hash}, but ${locked.planSha256} is recorded`,
    );
  return { plan, hash, lockedAt: locked.lockedAt, lockedBy: locked.lockedBy };
}

/**
 * The randomisation space of the trial's stored allocation record, for the plan's randomisation
 * tests: the record is verified (schema, hash) and its accepted space decoded, over the offices in
 * the record's order translated to office codes (the `office` column of the analysis data).
 * `undefined` when the record's design is not a constrained (masks) space; the plan then uses
 * complete randomisation of the observed number of treated offices.
 *
 * @example
 * const allocation = await storedAllocationSpace(store.db, trialId);
 */
export async function storedAllocationSpace(
  db: Kysely<Database>,
  trialId: string,
): Promise<RunPlanOptions['allocation']> {
  const stored = await getAllocation(db, trialId);
  if (stored === undefined)
    throw new TiltakError(
      'NOT_ALLOCATED',
      'the trial has not been randomised: there is nothing to analyse',
    );
  const record = verifyAllocationRecord(stored.record);
  const space = recordSpace(record);
  if (space.kind !== 'masks') return undefined;
  const offices = await db
    .selectFrom('office')
    .select(['id', 'code'])
    .where('trial_id', '=', trialId)
    .execute();
  const codes = new Set(offices.map((o) => o.code));
  const codeOf = new Map(offices.map((o) => [o.id, o.code] as const));
  const clusterOrder = record.design.ids.map((id) => {
    if (codes.has(id)) return id;
    const code = codeOf.get(id);
    if (code === undefined)
      throw new TiltakError(
        'UNKNOWN_CLUSTER',
        `allocation record cluster '${id}' is not an office of the trial`,
      );
    return code;
  });
  return { space, clusterOrder };
}

/**
 * The software versions an analysis run records.
 *
 * @example
 * analysisSoftware(); // { tiltak: '0.1.0', node: 'v20.19.1' }
 */
export function analysisSoftware(): Record<string, string> {
  return { tiltak: pkg.version, node: process.version };
}

/**
 * Run the trial's locked plan over the store and record the run: load the plan (refusing with
 * `PLAN_NOT_LOCKED` without one), build {@link trialLongData}, run {@link runPlan} with the stored
 * allocation record's accepted space for randomisation tests, and store the results with the
 * plan's hash, the actor and the software versions.
 *
 * @example
 * const { result, run } = await analyzeTrial(store.db, 'stat:anne', trialId);
 * result.outcomes.map((o) => [o.id, o.effect.estimate, o.pAdjusted]);
 */
export async function analyzeTrial(
  db: Kysely<Database>,
  actor: string,
  trialId: string,
): Promise<{ result: PlanRunResult; run: AnalysisRun }> {
  const { plan, hash } = await lockedPlan(db, trialId);
  const data = await trialLongData(db, trialId);
  if (data.nrow === 0)
    throw new TiltakError('EMPTY_DATA', 'the trial has no enrolled families with data');
  const allocation = await storedAllocationSpace(db, trialId);
  const software = analysisSoftware();
  const result = runPlan(plan, data, {
    software,
    ...(allocation === undefined ? {} : { allocation }),
  });
  const run = await recordAnalysisRun(db, actor, {
    trialId,
    planSha256: hash,
    results: result,
    software,
  });
  return { result, run };
}

/**
 * One row of the effects table: an outcome's pre-specified effect with its CI, p-value,
 * adjusted p-value and ICCs.
 *
 * @example
 * const rows: EffectRow[] = effectsTable(result);
 */
export interface EffectRow {
  readonly outcome: string;
  readonly label: string;
  readonly family: string;
  readonly term: string;
  readonly estimate: number;
  readonly confLow: number;
  readonly confHigh: number;
  readonly pValue: number;
  readonly pAdjusted: number | null;
  readonly icc: readonly { group: string; icc: number }[];
  readonly sensitivity: readonly {
    label: string;
    estimate: number | null;
    pValue: number | null;
  }[];
}

/**
 * The effects table of a plan run.
 *
 * @example
 * effectsTable(result)[0].estimate;
 */
export function effectsTable(result: PlanRunResult): EffectRow[] {
  return result.outcomes.map((o) => ({
    outcome: o.id,
    label: o.label,
    family: o.family,
    term: o.effect.term,
    estimate: o.effect.estimate,
    confLow: o.effect.conf_low,
    confHigh: o.effect.conf_high,
    pValue: o.effect.p_value,
    pAdjusted: o.pAdjusted,
    icc: (o.icc ?? []).map((i) => ({ group: i.group, icc: i.icc })),
    sensitivity: o.sensitivity.map((s) => ({
      label: s.label,
      estimate: s.kind === 'ri' ? (s.ri?.observed ?? null) : (s.effect?.estimate ?? null),
      pValue: s.kind === 'ri' ? (s.ri?.pValue ?? null) : (s.effect?.p_value ?? null),
    })),
  }));
}

/**
 * The effects table as aligned text for the terminal.
 *
 * @example
 * process.stdout.write(formatEffectsTable(result));
 */
export function formatEffectsTable(result: PlanRunResult): string {
  const pct = Math.round(result.level * 100);
  const num = (x: number | null, d = 2) =>
    x === null || !Number.isFinite(x) ? 'NA' : x.toFixed(d);
  const p = (x: number | null) => (x === null ? '—' : x < 0.0001 ? '<0.0001' : x.toFixed(4));
  const header = [
    'outcome',
    'family',
    'estimate',
    `${pct}% CI`,
    'p',
    `p (${result.adjustment.method})`,
    'ICC',
  ];
  const rows = effectsTable(result).map((r) => [
    r.outcome,
    r.family,
    num(r.estimate, r.outcome.startsWith('income') ? 0 : 3),
    `[${num(r.confLow, r.outcome.startsWith('income') ? 0 : 3)}, ${num(r.confHigh, r.outcome.startsWith('income') ? 0 : 3)}]`,
    p(r.pValue),
    p(r.pAdjusted),
    r.icc.map((i) => `${i.group} ${num(i.icc, 3)}`).join('; ') || '—',
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, j) => c.padEnd(widths[j]!))
      .join('  ')
      .trimEnd()}\n`;
  let out = line(header);
  for (const r of rows) out += line(r);
  for (const r of effectsTable(result))
    for (const s of r.sensitivity)
      out += `  ${r.outcome} sensitivity: ${s.label}: ${s.estimate === null ? '' : `estimate ${num(s.estimate, 3)}, `}p ${p(s.pValue)}\n`;
  return out;
}

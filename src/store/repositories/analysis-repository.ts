import type { Kysely, Transaction } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import type { JsonValue } from '../../trial/types.ts';
import { toIso, writeAudited } from '../audit.ts';
import { canonicalJson, sha256Hex, toJsonValue } from '../canonical-json.ts';
import { newId } from '../ids.ts';
import type { Database, JsonColumn, Timestamp } from '../schema.ts';

/**
 * The `analysis_plan` table (migration 0006): one locked plan per trial, immutable by trigger.
 *
 * @example
 * const row = {} as AnalysisPlanTable;
 */
export interface AnalysisPlanTable {
  trial_id: string;
  /** The plan in canonical JSON, kept as text so its SHA-256 can be re-checked byte for byte. */
  plan_canonical: string;
  plan_sha256: string;
  locked_by: string;
  locked_at: Timestamp;
}

/**
 * The `analysis_run` table (migration 0006): append-only, immutable by trigger.
 *
 * @example
 * const row = {} as AnalysisRunTable;
 */
export interface AnalysisRunTable {
  id: string;
  trial_id: string;
  plan_sha256: string;
  results: JsonColumn;
  software: JsonColumn;
  actor: string;
  run_at: Timestamp;
}

/**
 * The `municipality_statistic` table (migration 0006).
 *
 * @example
 * const row = {} as MunicipalityStatisticTable;
 */
export interface MunicipalityStatisticTable {
  dataset: string;
  municipality: string;
  year: number;
  values: JsonColumn;
}

/**
 * The store's tables including those added by migration 0006. The base {@link Database} type is
 * left as it was, so code written against it keeps compiling.
 *
 * @example
 * const db = store.db as unknown as Kysely<AnalysisDatabase>;
 */
export interface AnalysisDatabase extends Database {
  analysis_plan: AnalysisPlanTable;
  analysis_run: AnalysisRunTable;
  municipality_statistic: MunicipalityStatisticTable;
}

/**
 * A plan as locked in the store.
 *
 * @example
 * const locked: LockedPlan = (await getLockedPlan(store.db, trialId))!;
 */
export interface LockedPlan {
  readonly trialId: string;
  readonly plan: JsonValue;
  readonly planSha256: string;
  readonly lockedBy: string;
  /** ISO timestamp. */
  readonly lockedAt: string;
}

/**
 * One recorded analysis run.
 *
 * @example
 * const runs: AnalysisRun[] = await listAnalysisRuns(store.db, trialId);
 */
export interface AnalysisRun {
  readonly id: string;
  readonly trialId: string;
  readonly planSha256: string;
  readonly results: JsonValue;
  readonly software: Readonly<Record<string, JsonValue>>;
  readonly actor: string;
  /** ISO timestamp. */
  readonly runAt: string;
}

function widen(db: Kysely<Database>): Kysely<AnalysisDatabase> {
  return db as unknown as Kysely<AnalysisDatabase>;
}

/**
 * Lock a trial's analysis plan: store it in canonical JSON with its SHA-256 (immutable by
 * trigger). Locking the identical plan again changes nothing and returns the stored lock with
 * `created: false`; a different plan is refused with `PLAN_ALREADY_LOCKED`.
 *
 * @example
 * const { planSha256, created } = await lockAnalysisPlan(store.db, 'stat:anne', trialId, plan);
 */
export async function lockAnalysisPlan(
  db: Kysely<Database>,
  actor: string,
  trialId: string,
  plan: unknown,
): Promise<LockedPlan & { readonly created: boolean }> {
  const json = toJsonValue(plan);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new TiltakError('BAD_PLAN', 'an analysis plan is a JSON object');
  const canonical = canonicalJson(json);
  const sha = sha256Hex(canonical);
  const existing = await getLockedPlan(db, trialId);
  if (existing !== undefined) {
    if (existing.planSha256 === sha) return { ...existing, created: false };
    throw new TiltakError(
      'PLAN_ALREADY_LOCKED',
      `trial ${trialId} already has a locked plan (SHA-256 ${existing.planSha256}, locked ${existing.lockedAt} by ${existing.lockedBy}); a locked plan cannot be replaced`,
    );
  }
  return writeAudited(db, { actor, action: 'lock', entity: 'analysis_plan' }, async (trx) => {
    const trial = await trx
      .selectFrom('trial')
      .select('id')
      .where('id', '=', trialId)
      .executeTakeFirst();
    if (trial === undefined) throw new TiltakError('NOT_FOUND', `trial ${trialId} does not exist`);
    const locked: LockedPlan = {
      trialId,
      plan: json,
      planSha256: sha,
      lockedBy: actor,
      lockedAt: new Date().toISOString(),
    };
    await widen(trx)
      .insertInto('analysis_plan')
      .values({
        trial_id: trialId,
        plan_canonical: canonical,
        plan_sha256: sha,
        locked_by: actor,
        locked_at: locked.lockedAt,
      })
      .execute();
    return {
      entityId: trialId,
      before: null,
      after: { trialId, planSha256: sha, lockedAt: locked.lockedAt },
      result: { ...locked, created: true },
    };
  });
}

/**
 * A trial's locked plan, or `undefined` before one is locked. The stored text is re-hashed on
 * read, so a plan altered behind the store's back is reported (`HASH_MISMATCH`), not trusted.
 *
 * @example
 * const locked = await getLockedPlan(store.db, trialId);
 */
export async function getLockedPlan(
  db: Kysely<Database>,
  trialId: string,
): Promise<LockedPlan | undefined> {
  const r = await widen(db)
    .selectFrom('analysis_plan')
    .selectAll()
    .where('trial_id', '=', trialId)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  if (sha256Hex(r.plan_canonical) !== r.plan_sha256)
    throw new TiltakError(
      'HASH_MISMATCH',
      `the locked analysis plan of trial ${trialId} no longer matches its SHA-256`,
    );
  return {
    trialId: r.trial_id,
    plan: JSON.parse(r.plan_canonical) as JsonValue,
    planSha256: r.plan_sha256,
    lockedBy: r.locked_by,
    lockedAt: toIso(r.locked_at),
  };
}

/**
 * Record an analysis run: its results, the SHA-256 of the plan it ran (which must be the trial's
 * locked plan, else `PLAN_NOT_LOCKED` or `PLAN_HASH_MISMATCH`) and the software versions.
 * Runs are append-only.
 *
 * @example
 * await recordAnalysisRun(store.db, 'stat:anne', { trialId, planSha256, results, software: { tiltak: '0.1.0' } });
 */
export async function recordAnalysisRun(
  db: Kysely<Database>,
  actor: string,
  input: {
    readonly trialId: string;
    readonly planSha256: string;
    readonly results: unknown;
    readonly software: Readonly<Record<string, string>>;
  },
): Promise<AnalysisRun> {
  const results = toJsonValue(input.results);
  if (results === null || typeof results !== 'object' || Array.isArray(results))
    throw new TiltakError('BAD_RESULTS', 'analysis results are a JSON object');
  return writeAudited(db, { actor, action: 'run', entity: 'analysis_run' }, async (trx) => {
    const locked = await getLockedPlan(trx, input.trialId);
    if (locked === undefined)
      throw new TiltakError(
        'PLAN_NOT_LOCKED',
        `trial ${input.trialId} has no locked analysis plan; lock one first (tiltak plan lock)`,
      );
    if (locked.planSha256 !== input.planSha256)
      throw new TiltakError(
        'PLAN_HASH_MISMATCH',
        `the run used plan ${input.planSha256}, but the locked plan is ${locked.planSha256}`,
      );
    const run: AnalysisRun = {
      id: newId(),
      trialId: input.trialId,
      planSha256: input.planSha256,
      results,
      software: { ...input.software },
      actor,
      runAt: new Date().toISOString(),
    };
    await insertRun(trx, run);
    // The audit entry names the run and its plan; the results themselves are in the run row.
    return {
      entityId: run.id,
      before: null,
      after: { trialId: run.trialId, planSha256: run.planSha256, software: run.software },
      result: run,
    };
  });
}

async function insertRun(trx: Transaction<Database>, run: AnalysisRun): Promise<void> {
  await widen(trx)
    .insertInto('analysis_run')
    .values({
      id: run.id,
      trial_id: run.trialId,
      plan_sha256: run.planSha256,
      results: JSON.stringify(run.results),
      software: JSON.stringify(run.software),
      actor: run.actor,
      run_at: run.runAt,
    })
    .execute();
}

/**
 * A trial's analysis runs, oldest first.
 *
 * @example
 * const latest = (await listAnalysisRuns(store.db, trialId)).at(-1);
 */
export async function listAnalysisRuns(
  db: Kysely<Database>,
  trialId: string,
): Promise<AnalysisRun[]> {
  const rows = await widen(db)
    .selectFrom('analysis_run')
    .selectAll()
    .where('trial_id', '=', trialId)
    .orderBy('run_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    trialId: r.trial_id,
    planSha256: r.plan_sha256,
    results: r.results,
    software: r.software as Record<string, JsonValue>,
    actor: r.actor,
    runAt: toIso(r.run_at),
  }));
}

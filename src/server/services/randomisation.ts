import type { Kysely } from 'kysely';
import { designSpec, randomize } from '../../design/randomize.ts';
import { allocationRecord } from '../../design/record.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type Database, getAllocation, listOffices, recordAllocation } from '../../store/index.ts';
import type { Trial } from '../../trial/types.ts';
import { actorOf, type SessionUser } from '../auth/roles.ts';

/**
 * How to draw the office allocation.
 *
 * @example
 * const r: DrawRequest = { seed: 20160901, scheme: 'constrained', cutoff: 0.1 };
 */
export interface DrawRequest {
  readonly seed: number;
  readonly scheme: 'complete' | 'constrained';
  /** Constrained only: the share of best-balanced schemes to draw from. */
  readonly cutoff?: number | undefined;
}

/**
 * The numeric covariates of offices (booleans as 0/1) that every office has, by name.
 *
 * @example
 * numericCovariates([{ covariates: { caseload: 10, urban: true, region: 'x' } }]); // ['caseload', 'urban']
 */
export function numericCovariates(
  offices: readonly { covariates: Readonly<Record<string, unknown>> }[],
): string[] {
  const names = new Set(offices.flatMap((o) => Object.keys(o.covariates)));
  return [...names]
    .filter((c) =>
      offices.every(
        (o) => typeof o.covariates[c] === 'number' || typeof o.covariates[c] === 'boolean',
      ),
    )
    .sort();
}

/**
 * Draw the office allocation once: the first arm gets ⌈n/2⌉ offices, by complete randomisation
 * or constrained on the offices' numeric covariates, from a seed, with the allocation record
 * (design, seed, accepted space, SHA-256) stored and audited. A second draw is refused: the
 * allocation is locked once made.
 *
 * @example
 * const a = await drawAllocation(db, user, trial, { seed: 20160901, scheme: 'constrained' });
 */
export async function drawAllocation(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  request: DrawRequest,
): Promise<{ recordSha256: string; treated: number; accepted: number; total: number }> {
  if ((await getAllocation(db, trial.id)) !== undefined)
    throw new TiltakError(
      'ALLOCATION_IMMUTABLE',
      'the allocation has already been drawn and is locked',
    );
  const offices = await listOffices(db, trial.id);
  if (offices.length < 2)
    throw new TiltakError('INVALID_INPUT', 'randomisation needs at least two offices');
  const [armT, armC] = trial.arms;
  if (armT === undefined || armC === undefined || trial.arms.length !== 2)
    throw new TiltakError('INVALID_INPUT', 'the web draw supports trials with exactly two arms');
  const columns = numericCovariates(offices);
  if (request.scheme === 'constrained' && columns.length === 0)
    throw new TiltakError('INVALID_INPUT', 'constrained randomisation needs numeric covariates');
  const spec = designSpec({
    ids: offices.map((o) => o.code),
    treated: Math.ceil(offices.length / 2),
    ...(request.scheme === 'constrained'
      ? {
          balance: {
            columns,
            values: columns.map((c) => offices.map((o) => Number(o.covariates[c]))),
          },
          cutoff: request.cutoff ?? 0.1,
          // Spaces beyond a million schemes are sampled so the draw stays interactive.
          maxEnumerate: 1_000_000,
        }
      : {}),
  });
  const result = randomize(spec, request.seed);
  const record = allocationRecord(result);
  const treated = new Set(result.treatedIds);
  const stored = await recordAllocation(db, actorOf(user), {
    trialId: trial.id,
    record,
    offices: offices.map((o) => ({
      officeId: o.id,
      armKey: treated.has(o.code) ? armT.key : armC.key,
    })),
  });
  return {
    // The store's hash of the record as stored (what the offices page shows and audits check).
    recordSha256: stored.recordSha256,
    treated: treated.size,
    accepted: result.acceptedSchemes,
    total: result.totalSchemes,
  };
}

/**
 * One row of the balance table: each arm's mean and the standardised difference
 * (mean of the first arm − mean of the second) / SD over all offices.
 *
 * @example
 * const rows = balanceRows(offices, ['holf', 'local'], ['caseload']);
 */
export function balanceRows(
  offices: readonly { armKey: string | null; covariates: Readonly<Record<string, unknown>> }[],
  arms: readonly string[],
  columns: readonly string[],
): { column: string; means: Record<string, number | null>; stdDiff: number | null }[] {
  return columns.map((c) => {
    const all = offices.map((o) => Number(o.covariates[c]));
    const mean = (xs: number[]) =>
      xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
    const m = mean(all) ?? 0;
    const sd =
      all.length < 2 ? 0 : Math.sqrt(all.reduce((a, x) => a + (x - m) ** 2, 0) / (all.length - 1));
    const means = Object.fromEntries(
      arms.map((a) => [
        a,
        mean(offices.filter((o) => o.armKey === a).map((o) => Number(o.covariates[c]))),
      ]),
    );
    const [a, b] = arms;
    const ma = a === undefined ? null : means[a];
    const mb = b === undefined ? null : means[b];
    return {
      column: c,
      means,
      stdDiff: ma == null || mb == null || sd === 0 ? null : (ma - mb) / sd,
    };
  });
}

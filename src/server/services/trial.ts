import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import type { Database } from '../../store/index.ts';
import { getTrial } from '../../store/index.ts';
import type { Trial } from '../../trial/types.ts';

/**
 * The trial the workspace shows: the given id, else the first trial created.
 *
 * @example
 * const trial = await workspaceTrial(db);
 */
export async function workspaceTrial(db: Kysely<Database>, trialId?: string): Promise<Trial> {
  const id =
    trialId ??
    (await db.selectFrom('trial').select('id').orderBy('created_at').executeTakeFirst())?.id;
  const trial = id === undefined ? undefined : await getTrial(db, id);
  if (trial === undefined) throw new TiltakError('NOT_FOUND', 'the store holds no trial yet');
  return trial;
}

/**
 * The workspace trial of an app, from its page cache (the trial's arms and waves change only by
 * a write, which clears the cache), saving four queries on every request.
 *
 * @example
 * const trial = await cachedTrial(ctx);
 */
export function cachedTrial(ctx: {
  readonly db: Kysely<Database>;
  readonly trialId: string | undefined;
  readonly cache: { get<T>(key: string, load: () => Promise<T>): Promise<T> };
}): Promise<Trial> {
  return ctx.cache.get('trial', () => workspaceTrial(ctx.db, ctx.trialId));
}

import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { TiltakError } from '../stats/errors.ts';
import type { Database } from '../store/index.ts';
import type { Store } from '../store/open-store.ts';
import type { Permission, SessionUser } from './auth/roles.ts';
import type { ServerDb } from './db.ts';
import type { AuditBatcher } from './services/audit-batch.ts';
import type { TtlCache } from './services/cache.ts';
import type { ServerJobs } from './services/jobs.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null (set by the session hook on every request). */
    user: SessionUser | null;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (login, session, OpenAPI). */
    public?: boolean;
    /** What the signed-in user must be allowed to do. */
    permission?: Permission;
  }
}

/**
 * The Fastify instance with the zod type provider, as routes see it.
 *
 * @example
 * export function registerX(app: ZodApp, ctx: AppContext): void { app.get('/api/x', ...) }
 */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * What route handlers need: the store, its database (store tables) and the server's view of it
 * (store tables plus accounts), and which trial the workspace shows.
 *
 * @example
 * const trial = await workspaceTrial(ctx.db, ctx.trialId);
 */
export interface AppContext {
  readonly store: Store;
  readonly db: Kysely<Database>;
  readonly sdb: ServerDb;
  readonly trialId: string | undefined;
  /** Municipality CSV of the municipality analysis; simulated demo data when undefined. */
  readonly municipalityCsv: string | undefined;
  /** Shared page data (overview, offices), cleared after every write. */
  readonly cache: TtlCache;
  /** Results that depend only on their inputs (power curves, the municipality model): kept an hour. */
  readonly analyses: TtlCache;
  /** Session lookups by token hash, for a few seconds; logout removes its entry. */
  readonly sessions: TtlCache;
  /** The trial's analysis data and plan results (minutes), cleared after every write. */
  readonly trialAnalyses: TtlCache;
  /** Group commit of audited reads into the store's hash chain. */
  readonly audit: AuditBatcher;
  /** The app's background job runner and upload folder (closed with the app). */
  readonly jobs: ServerJobs;
}

/**
 * The signed-in user of a request; routes behind the session hook always have one, this keeps
 * the type honest.
 *
 * @example
 * const user = userOf(request);
 */
export function userOf(request: FastifyRequest): SessionUser {
  if (request.user === null) throw new TiltakError('UNAUTHENTICATED', 'sign in first');
  return request.user;
}

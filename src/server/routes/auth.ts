import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import { authenticate, createSession, deleteSession } from '../auth/users.ts';
import type { AppContext, ZodApp } from '../context.ts';
import { errorBody, sessionUserSchema } from '../schemas.ts';

/**
 * Name of the session cookie.
 *
 * @example
 * request.cookies[SESSION_COOKIE];
 */
export const SESSION_COOKIE = 'tiltak_session';

/**
 * Options of the session routes.
 *
 * @example
 * const o: AuthRouteOptions = { secureCookies: true, sessionTtlMs: 8 * 3600_000, loginRateLimit: 10 };
 */
export interface AuthRouteOptions {
  readonly secureCookies: boolean;
  readonly sessionTtlMs: number;
  readonly loginRateLimit: number;
}

/**
 * `GET /api/session` (who am I, plus a CSRF token), `POST /api/login` (rate-limited per client
 * address) and `POST /api/logout`.
 *
 * @example
 * registerAuthRoutes(app, ctx, { secureCookies: true, sessionTtlMs: 28_800_000, loginRateLimit: 10 });
 */
export function registerAuthRoutes(app: ZodApp, ctx: AppContext, opts: AuthRouteOptions): void {
  app.get(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'The signed-in user (or null) and a CSRF token for state-changing requests',
        tags: ['session'],
        response: {
          200: z.object({ user: sessionUserSchema.nullable(), csrfToken: z.string() }),
        },
      },
    },
    async (request, reply) => ({ user: request.user, csrfToken: reply.generateCsrf() }),
  );

  app.post(
    '/api/login',
    {
      config: {
        public: true,
        rateLimit: { max: opts.loginRateLimit, timeWindow: '1 minute' },
      },
      schema: {
        summary: 'Sign in with username and password; sets the session cookie',
        tags: ['session'],
        body: z.object({
          username: z.string().trim().min(1).max(64),
          password: z.string().min(1).max(200),
        }),
        response: {
          200: z.object({ user: sessionUserSchema }),
          400: errorBody,
          401: errorBody,
          403: errorBody,
          429: errorBody,
        },
      },
    },
    async (request, reply) => {
      const user = await authenticate(ctx.sdb, request.body.username, request.body.password);
      if (user === null) throw new TiltakError('UNAUTHENTICATED', 'wrong username or password');
      // A session the browser already held ends here: a login always starts a fresh one.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous !== undefined) {
        await deleteSession(ctx.sdb, previous);
        ctx.sessions.delete(previous);
      }
      const token = await createSession(ctx.sdb, user.id, opts.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies,
        maxAge: Math.floor(opts.sessionTtlMs / 1000),
      });
      return { user };
    },
  );

  app.post(
    '/api/logout',
    {
      config: { public: true },
      schema: {
        summary: 'Sign out; ends the session',
        tags: ['session'],
        response: { 204: z.null(), 403: errorBody },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token !== undefined) {
        await deleteSession(ctx.sdb, token);
        ctx.sessions.delete(token);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
}

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Store } from '../store/open-store.ts';
import { can } from './auth/roles.ts';
import { sessionUser } from './auth/users.ts';
import type { AppContext } from './context.ts';
import { serverDb } from './db.ts';
import { errorHandler } from './errors.ts';
import { migrateServer } from './migrations/index.ts';
import { registerAuthRoutes, SESSION_COOKIE } from './routes/auth.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerReportRoutes } from './routes/report.ts';
import { registerWorkspaceRoutes } from './routes/workspace.ts';
import { AuditBatcher } from './services/audit-batch.ts';
import { TtlCache } from './services/cache.ts';
import { loadJobRecords, saveJobRecord } from './services/job-records.ts';
import { createServerJobs } from './services/jobs.ts';
import { cachedAnalysisPage, changesAnalysisData } from './services/trial-analysis.ts';

/**
 * Options of {@link buildApp}.
 *
 * @example
 * const o: AppOptions = { store, secureCookies: false, webRoot: 'web/dist' };
 */
export interface AppOptions {
  readonly store: Store;
  /** The trial to show; defaults to the first trial in the store. */
  readonly trialId?: string;
  /**
   * Mark cookies `Secure` (sent over HTTPS only). On by default; `tiltak serve` turns it off only
   * for plain http on a loopback address, where browsers would otherwise drop the cookie.
   */
  readonly secureCookies?: boolean;
  /** Secret signing the CSRF cookie; random per process by default. */
  readonly cookieSecret?: string;
  /** Login attempts per client address per minute (default 10). */
  readonly loginRateLimit?: number;
  /** Session lifetime (default 8 hours). */
  readonly sessionTtlMs?: number;
  /** Municipality table (CSV) for the municipality analysis page; simulated demo data if absent. */
  readonly municipalityCsv?: string;
  /** Folder of the built UI (`web/dist`); served with a single-page fallback when it exists. */
  readonly webRoot?: string;
  /** How long shared page data (overview, offices) may be served from memory (default 2 s). */
  readonly cacheTtlMs?: number;
  /** How long a session lookup is remembered (default 5 s; logout forgets it at once). */
  readonly sessionCacheTtlMs?: number;
  /** How long the trial's analysis (data, plan results) is kept when nothing is written (default 10 min). */
  readonly analysisTtlMs?: number;
  /**
   * Compute the trial's analysis page in the background at start and a few seconds after data
   * change, so researchers rarely wait for it (off by default; `tiltak serve` turns it on).
   */
  readonly warmAnalysis?: boolean;
  /** Background jobs running at once (default 1). */
  readonly jobConcurrency?: number;
  /** Fastify's logger option (off by default; no request bodies or cookies are ever logged). */
  readonly logger?: FastifyServerOptions['logger'];
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Build the web application on an open store: migrate the server's tables, then register
 * cookies, CSRF protection, login rate-limiting, the session and access hooks, the zod-typed API
 * routes, the OpenAPI description at `/api/openapi.json`, and the built UI.
 *
 * Access: every `/api` route is closed unless its config says `public`; a route's
 * `config.permission` is checked against the user's role (401 without a session, 403 without the
 * permission); office scoping and audit of family reads happen in the services.
 *
 * @example
 * const app = await buildApp({ store: await openStore({ memory: true }) });
 * const res = await app.inject({ method: 'GET', url: '/api/session' });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  await migrateServer(options.store.db);
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: false,
    bodyLimit: 256 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  const ctx: AppContext = {
    store: options.store,
    db: options.store.db,
    sdb: serverDb(options.store),
    trialId: options.trialId,
    municipalityCsv: options.municipalityCsv,
    cache: new TtlCache(options.cacheTtlMs ?? 2000),
    sessions: new TtlCache(options.sessionCacheTtlMs ?? 5000),
    analyses: new TtlCache(3600_000, 200),
    audit: new AuditBatcher(options.store.db),
    trialAnalyses: new TtlCache(options.analysisTtlMs ?? 10 * 60_000, 20),
    jobs: createServerJobs({
      ...(options.jobConcurrency === undefined ? {} : { maxConcurrent: options.jobConcurrency }),
      restore: await loadJobRecords(serverDb(options.store)),
      record: (job) => saveJobRecord(serverDb(options.store), job),
      onRecordError: (e, job) => app.log.error({ job: job.id, err: e }, 'could not record a job'),
    }),
  };
  const secureCookies = options.secureCookies ?? true;
  let warmTimer: ReturnType<typeof setTimeout> | undefined;
  // Debounced: a burst of submissions recomputes once, after it.
  const scheduleWarm = (delayMs = 3000) => {
    if (warmTimer !== undefined) clearTimeout(warmTimer);
    warmTimer = setTimeout(() => {
      warmTimer = undefined;
      cachedAnalysisPage(ctx).catch(() => {});
    }, delayMs);
    warmTimer.unref();
  };

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tiltak',
        description:
          'Trial workspace API. Sign in with POST /api/login; send the CSRF token from GET /api/session in the x-csrf-token header on every POST, PUT and DELETE.',
        version: '0.1.0',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyCookie, {
    secret: options.cookieSecret ?? randomBytes(32).toString('hex'),
  });
  await app.register(fastifyCsrf, {
    cookieKey: 'tiltak_csrf',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: secureCookies,
    },
  });
  await app.register(fastifyRateLimit, { global: false });

  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    request.user =
      token === undefined ? null : await ctx.sessions.get(token, () => sessionUser(ctx.sdb, token));
  });
  app.addHook('onResponse', async (request, reply) => {
    if (UNSAFE_METHODS.has(request.method) && reply.statusCode < 400) {
      ctx.cache.clear();
      if (changesAnalysisData(request.method, request.url)) {
        ctx.trialAnalyses.clear();
        if (options.warmAnalysis === true) scheduleWarm();
      }
    }
  });
  // Before validation, so an anonymous or unauthorised request learns nothing from a 400.
  app.addHook('preValidation', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const config = request.routeOptions.config;
    if (UNSAFE_METHODS.has(request.method)) {
      await new Promise<void>((done, fail) => {
        app.csrfProtection(request, reply, (err?: unknown) => (err ? fail(err) : done()));
      });
    }
    if (config.public === true) return;
    if (request.user === null)
      return reply.code(401).send({ code: 'UNAUTHENTICATED', message: 'sign in first' });
    if (config.permission !== undefined && !can(request.user.role, config.permission))
      return reply
        .code(403)
        .send({ code: 'FORBIDDEN', message: `role ${request.user.role} may not do this` });
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header(
      'content-security-policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    );
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  registerAuthRoutes(app, ctx, {
    secureCookies,
    sessionTtlMs: options.sessionTtlMs ?? 8 * 3600_000,
    loginRateLimit: options.loginRateLimit ?? 10,
  });
  registerWorkspaceRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const webRoot = options.webRoot === undefined ? undefined : resolve(options.webRoot);
  if (webRoot !== undefined && existsSync(resolve(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, index: 'index.html' });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/'))
        return reply.type('text/html').sendFile('index.html');
      return reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.url}` });
    });
  } else {
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.url}` }),
    );
  }
  app.addHook('onClose', async () => {
    if (warmTimer !== undefined) clearTimeout(warmTimer);
  });
  await app.ready();
  if (options.warmAnalysis === true) scheduleWarm(0);
  return app;
}

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateMunicipalities } from '../src/analysis/municipality/simulate.ts';
import { spendingModel } from '../src/analysis/municipality/spending-model.ts';
import { designSpec, randomize } from '../src/design/randomize.ts';
import { buildApp } from '../src/server/app.ts';
import { InjectClient } from '../src/server/inject-client.ts';
import { type DemoLogin, seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { seedSmallTrial } from '../src/server/seed-small-trial.ts';
import { clusterTrialPower } from '../src/stats/power/analytic.ts';
import {
  createFamily,
  listAuditEntries,
  openStore,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';

// Cheap argon2id parameters keep the suite fast; the hash format and algorithm are the real ones.
const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };
const WAI_ITEMS = Array.from({ length: 12 }, (_, i) => `wai${String(i + 1).padStart(2, '0')}`);

type Who = 'anonymous' | 'administrator' | 'researcher' | 'office_leader' | 'coordinator';
const WHO: readonly Who[] = [
  'anonymous',
  'administrator',
  'researcher',
  'office_leader',
  'coordinator',
];

let store: Store;
let app: FastifyInstance;
let seeded: Awaited<ReturnType<typeof seedSmallTrial>>;
let logins: DemoLogin[];
const clients = new Map<Who, InjectClient>();
/** A family at office A (where the office leader and coordinator work) and one at office C. */
let own: string;
let other: string;
/** Small power-simulation jobs, submitted by the researcher and by the administrator. */
let researcherJob: string;
let adminJob: string;

beforeAll(async () => {
  store = await openStore({ memory: true });
  seeded = await seedSmallTrial(store, { seed: 3, offices: 3, familiesPerOffice: 5 });
  logins = await seedDemoUsers(store, [seeded.offices[0]!.id, seeded.offices[1]!.id], CHEAP);
  app = await buildApp({ store, loginRateLimit: 50 });
  clients.set('anonymous', await InjectClient.anonymous(app));
  for (const l of logins.filter((x) => x.username !== 'koordinator2'))
    clients.set(l.role, await InjectClient.login(app, l.username, l.password));
  own = seeded.families.find((f) => f.officeId === seeded.offices[0]!.id)!.id;
  other = seeded.families.find((f) => f.officeId === seeded.offices[2]!.id)!.id;
  const small = { nClusters: 4, clusterSize: 5, icc: 0.05, effect: 0.3, reps: 10 };
  researcherJob = (await client('researcher').post('/api/jobs/power-simulation', small)).json().id;
  adminJob = (await client('administrator').post('/api/jobs/power-simulation', small)).json().id;
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

function client(who: Who): InjectClient {
  return clients.get(who)!;
}

// Expected status of each route for [anonymous, administrator, researcher, office leader, coordinator].
const q = (id: () => string, wave: string) => () =>
  `/api/families/${id()}/questionnaires/${wave}/wai-sr`;
const MATRIX: {
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  url: () => string;
  body?: unknown;
  expect: [number, number, number, number, number];
}[] = [
  { name: 'session', method: 'GET', url: () => '/api/session', expect: [200, 200, 200, 200, 200] },
  {
    name: 'overview',
    method: 'GET',
    url: () => '/api/overview',
    expect: [401, 200, 200, 200, 200],
  },
  {
    name: 'families',
    method: 'GET',
    url: () => '/api/families',
    expect: [401, 200, 200, 200, 200],
  },
  {
    name: 'own family',
    method: 'GET',
    url: () => `/api/families/${own}`,
    expect: [401, 200, 200, 200, 200],
  },
  {
    name: "another office's family",
    method: 'GET',
    url: () => `/api/families/${other}`,
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: 'own questionnaire',
    method: 'GET',
    url: q(() => own, 'T3'),
    expect: [401, 200, 200, 200, 200],
  },
  {
    name: "another office's questionnaire",
    method: 'GET',
    url: q(() => other, 'T3'),
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: 'save own draft',
    method: 'PUT',
    url: q(() => own, 'T4'),
    body: { answers: { wai01: 3 } },
    expect: [401, 200, 403, 403, 200],
  },
  {
    name: "save another office's draft",
    method: 'PUT',
    url: q(() => other, 'T4'),
    body: { answers: { wai01: 3 } },
    expect: [401, 200, 403, 403, 403],
  },
  { name: 'offices', method: 'GET', url: () => '/api/offices', expect: [401, 200, 200, 200, 200] },
  {
    name: 'draw the allocation (already drawn: locked)',
    method: 'POST',
    url: () => '/api/randomisation',
    body: { seed: 1, scheme: 'complete' },
    expect: [401, 409, 409, 403, 403],
  },
  {
    name: 'power curve for a next trial',
    method: 'GET',
    url: () => '/api/analysis/power',
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: 'municipality analysis',
    method: 'GET',
    url: () => '/api/analysis/municipality',
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: 'trial analysis (this trial has no outcome data for the plan)',
    method: 'GET',
    url: () => '/api/analysis/trial',
    expect: [401, 409, 409, 403, 403],
  },
  {
    name: 'report HTML (no analysis yet)',
    method: 'GET',
    url: () => '/api/report/html',
    expect: [401, 409, 409, 403, 403],
  },
  {
    name: 'report PDF (no analysis yet)',
    method: 'GET',
    url: () => '/api/report/pdf',
    expect: [401, 409, 409, 403, 403],
  },
  {
    name: 'bundle file (no analysis yet)',
    method: 'GET',
    url: () => '/api/report/bundle/data.csv',
    expect: [401, 409, 409, 403, 403],
  },
  {
    name: 'bundle archive (no analysis yet)',
    method: 'GET',
    url: () => '/api/report/bundle.tar',
    expect: [401, 409, 409, 403, 403],
  },
  { name: 'jobs', method: 'GET', url: () => '/api/jobs', expect: [401, 200, 200, 403, 403] },
  {
    name: 'start a simulation power job',
    method: 'POST',
    url: () => '/api/jobs/power-simulation',
    body: { nClusters: 4, clusterSize: 5, icc: 0.05, effect: 0.3, reps: 10 },
    expect: [401, 202, 202, 403, 403],
  },
  {
    name: 'start a randomisation test job',
    method: 'POST',
    url: () => '/api/jobs/randomisation-test',
    body: { outcome: 'wai_sr', wave: 'T1' },
    expect: [401, 202, 202, 403, 403],
  },
  {
    name: 'start a wild cluster bootstrap job',
    method: 'POST',
    url: () => '/api/jobs/wild-bootstrap',
    body: { outcome: 'wai_sr', wave: 'T1', reps: 99 },
    expect: [401, 202, 202, 403, 403],
  },
  {
    name: 'register import (a JSON body, not a file, is refused)',
    method: 'POST',
    url: () => '/api/jobs/register-import',
    body: { path: '/etc/passwd' },
    expect: [401, 400, 403, 403, 403],
  },
  {
    name: 'store a job’s screening (an administrator’s job without screening results: 409)',
    method: 'POST',
    url: () => `/api/jobs/${adminJob}/store-screening`,
    body: {},
    expect: [401, 409, 403, 403, 403],
  },
  {
    name: "a researcher's job",
    method: 'GET',
    url: () => `/api/jobs/${researcherJob}`,
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: "a researcher's job's progress events",
    method: 'GET',
    url: () => `/api/jobs/${researcherJob}/events`,
    expect: [401, 200, 200, 403, 403],
  },
  {
    name: "an administrator's job (hidden from the researcher)",
    method: 'GET',
    url: () => `/api/jobs/${adminJob}`,
    expect: [401, 200, 404, 403, 403],
  },
  {
    name: "cancel a researcher's job",
    method: 'DELETE',
    url: () => `/api/jobs/${researcherJob}`,
    expect: [401, 200, 200, 403, 403],
  },
  { name: 'users', method: 'GET', url: () => '/api/users', expect: [401, 200, 403, 403, 403] },
  { name: 'audit', method: 'GET', url: () => '/api/audit', expect: [401, 200, 403, 403, 403] },
];

describe('access rules, route by role', () => {
  for (const row of MATRIX)
    it(`${row.method} ${row.name}: ${row.expect.join(' ')}`, async () => {
      const got: number[] = [];
      for (const who of WHO) {
        const c = client(who);
        const res =
          row.method === 'GET'
            ? await c.get(row.url())
            : row.method === 'PUT'
              ? await c.put(row.url(), row.body)
              : row.method === 'DELETE'
                ? await c.request({ method: 'DELETE', url: row.url() })
                : await c.post(row.url(), row.body);
        got.push(res.statusCode);
        if (res.statusCode >= 400) expect(res.json()).toHaveProperty('code');
      }
      expect(got).toEqual(row.expect);
    });

  it('has a matrix row for every route in the OpenAPI description, and vice versa', async () => {
    const res = await client('anonymous').get('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const spec = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(spec.openapi).toMatch(/^3\./);
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        'GET /api/session',
        'POST /api/login',
        'POST /api/logout',
        'GET /api/overview',
        'GET /api/families',
        'GET /api/screening',
        'GET /api/families/{id}',
        'GET /api/families/{id}/questionnaires/{wave}/{instrument}',
        'PUT /api/families/{id}/questionnaires/{wave}/{instrument}',
        'POST /api/families/{id}/questionnaires/{wave}/{instrument}/submit',
        'GET /api/offices',
        'POST /api/randomisation',
        'GET /api/analysis/power',
        'GET /api/analysis/municipality',
        'GET /api/users',
        'GET /api/audit',
        'GET /api/analysis/trial',
        'GET /api/report/html',
        'GET /api/report/pdf',
        'GET /api/report/bundle/{file}',
        'GET /api/report/bundle.tar',
        'GET /api/jobs',
        'GET /api/jobs/{id}',
        'GET /api/jobs/{id}/events',
        'DELETE /api/jobs/{id}',
        'POST /api/jobs/randomisation-test',
        'POST /api/jobs/wild-bootstrap',
        'POST /api/jobs/power-simulation',
        'POST /api/jobs/register-import',
        'POST /api/jobs/{id}/store-screening',
      ].sort(),
    );
    const put = spec.paths['/api/families/{id}/questionnaires/{wave}/{instrument}']!.put as {
      requestBody: unknown;
      responses: Record<string, unknown>;
    };
    expect(put.requestBody).toBeDefined();
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '400', '403']));
  });
});

describe('office scoping and pseudonymisation', () => {
  it('gives a coordinator only their own office, even when asking for another', async () => {
    const res = await client('coordinator').get(
      `/api/families?officeId=${seeded.offices[2]!.id}&limit=200`,
    );
    const body = res.json() as { total: number; rows: { officeId: string }[] };
    expect(body.total).toBe(5);
    expect(new Set(body.rows.map((r) => r.officeId))).toEqual(new Set([seeded.offices[0]!.id]));
    const all = (await client('administrator').get('/api/families?limit=200')).json() as {
      total: number;
    };
    expect(all.total).toBe(15);
    const page2 = (
      await client('administrator').get('/api/families?limit=10&offset=10')
    ).json() as {
      total: number;
      rows: unknown[];
    };
    expect([page2.total, page2.rows.length]).toEqual([15, 5]);
    const past = (await client('administrator').get('/api/families?offset=100')).json() as {
      total: number;
      rows: unknown[];
    };
    expect([past.total, past.rows.length]).toEqual([15, 0]);
  });

  it('shows screening results with reasons, confined to the coordinator’s office', async () => {
    type S = {
      summary: { screened: number; eligible: number; excluded: number };
      total: number;
      rows: { pseudonym: string; officeCode: string; eligible: boolean; reasons: string[] }[];
    };
    const mine = (await client('coordinator').get('/api/screening?limit=200')).json() as S;
    expect(mine.summary.screened).toBe(5);
    expect(new Set(mine.rows.map((r) => r.officeCode))).toEqual(new Set(['K01']));
    for (const r of mine.rows) expect(r.reasons.length).toBeGreaterThan(0);
    const all = (
      await client('researcher').get('/api/screening?outcome=excluded&limit=200')
    ).json() as S;
    expect(all.summary.screened).toBe(15);
    expect(all.total).toBe(all.summary.excluded);
    expect(all.rows.every((r) => !r.eligible)).toBe(true);
    const excludedInStore = await store.db
      .selectFrom('eligibility')
      .select('family_id')
      .where('eligible', '=', false)
      .execute();
    expect(all.total).toBe(excludedInStore.length);
  });

  it('searches by pseudonym, case-insensitively, with wildcards taken literally', async () => {
    const hit = (await client('researcher').get('/api/families?search=f-00003')).json() as {
      rows: { pseudonym: string }[];
    };
    expect(hit.rows.map((r) => r.pseudonym)).toEqual(['F-00003']);
    const none = (await client('researcher').get('/api/families?search=%25')).json() as {
      total: number;
    };
    expect(none.total).toBe(0);
  });

  it('hides staff names from the researcher but not from the administrator', async () => {
    const r = (await client('researcher').get(`/api/families/${own}`)).json() as {
      staff: { name: string }[];
    };
    expect(r.staff.map((s) => s.name)).toEqual(['L', 'K1', 'K2']);
    const a = (await client('administrator').get(`/api/families/${own}`)).json() as {
      staff: { name: string }[];
    };
    expect(a.staff.map((s) => s.name)).toEqual(['Leder 1', 'Koordinator 1.1', 'Koordinator 1.2']);
  });

  it('names the family coordinator as the staff list does: by name, or K-label for the researcher', async () => {
    const assigned = await store.db
      .selectFrom('family_coordinator')
      .innerJoin('staff_member', 'staff_member.id', 'family_coordinator.staff_id')
      .innerJoin('family', 'family.id', 'family_coordinator.family_id')
      .select(['family.id', 'staff_member.name'])
      .where('family.office_id', '=', seeded.offices[0]!.id)
      .executeTakeFirstOrThrow();
    type Detail = { coordinator: string | null; staff: { name: string }[] };
    const a = (await client('administrator').get(`/api/families/${assigned.id}`)).json() as Detail;
    expect(a.coordinator).toBe(assigned.name);
    const r = (await client('researcher').get(`/api/families/${assigned.id}`)).json() as Detail;
    const i = a.staff.findIndex((s) => s.name === assigned.name);
    expect(r.coordinator).toBe(r.staff[i]!.name);
    expect(r.coordinator).toMatch(/^K\d$/);
    const comparison = await store.db
      .selectFrom('family_draw')
      .select('family_id')
      .where('draw_group', '=', 'comparison')
      .where('office_id', '=', seeded.offices[0]!.id)
      .executeTakeFirstOrThrow();
    const c = (
      await client('administrator').get(`/api/families/${comparison.family_id}`)
    ).json() as Detail;
    expect(c.coordinator).toBeNull();
  });

  it('never shows a raw personal id: the store refuses one, and no page or log contains one', async () => {
    await expect(
      createFamily(store.db, 'test', {
        officeId: seeded.offices[0]!.id,
        pseudonym: '01019012345',
        members: [{ pseudonym: 'P-x', role: 'adult' }],
      }),
    ).rejects.toMatchObject({ code: 'PERSONAL_ID' });
    const bodies: string[] = [];
    for (const url of [
      '/api/overview',
      '/api/families?limit=200',
      '/api/offices',
      '/api/audit?limit=500',
    ])
      bodies.push((await client('administrator').get(url)).body);
    for (const f of seeded.families)
      bodies.push((await client('administrator').get(`/api/families/${f.id}`)).body);
    const audit = await listAuditEntries(store.db);
    bodies.push(JSON.stringify(audit));
    // Eleven digits (optionally split 6+5 by a space, dot or dash) standing alone, not inside a
    // hash, UUID or timestamp.
    const personalId = /(?<![0-9A-Za-z:.-])\d{6}[\s.-]?\d{5}(?![0-9A-Za-z:-])/g;
    const found = bodies.flatMap((b) => b.match(personalId) ?? []);
    expect(found).toEqual([]);
    // The pattern does catch one, so the check above can fail.
    expect(JSON.stringify({ id: '010190 12345', p: '01019012345' }).match(personalId)).toHaveLength(
      2,
    );
  });
});

describe('sessions, cookies, CSRF and rate limiting', () => {
  it('sets a Secure, HttpOnly, SameSite=Strict session cookie', async () => {
    const anon = await InjectClient.anonymous(app);
    const res = await anon.post('/api/login', { username: 'admin', password: 'demo-admin-2016' });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'tiltak_session') as Record<string, unknown>;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
    expect(String(cookie.value)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await store.db
      .withTables<{ app_session: { token_sha256: string } }>()
      .selectFrom('app_session')
      .select('token_sha256')
      .execute();
    expect(stored.map((s) => s.token_sha256)).not.toContain(cookie.value);
  });

  it('stores argon2id hashes, never passwords', async () => {
    const rows = await store.db
      .withTables<{ app_user: { password_hash: string } }>()
      .selectFrom('app_user')
      .select('password_hash')
      .execute();
    expect(rows.length).toBe(5);
    for (const r of rows) expect(r.password_hash).toMatch(/^\$argon2id\$v=19\$/);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const anon = await InjectClient.anonymous(app);
    const a = await anon.post('/api/login', { username: 'admin', password: 'nope-nope' });
    const b = await anon.post('/api/login', { username: 'nobody', password: 'nope-nope' });
    expect([a.statusCode, b.statusCode]).toEqual([401, 401]);
    expect(a.json()).toEqual(b.json());
  });

  it('refuses state-changing requests without the CSRF token, and writes nothing', async () => {
    const c = client('coordinator');
    const before = (await listAuditEntries(store.db)).length;
    const res = await app.inject({
      method: 'PUT',
      url: `/api/families/${own}/questionnaires/T5/wai-sr`,
      headers: { cookie: c.cookieHeader(), 'content-type': 'application/json' },
      payload: { answers: { wai01: 2 } },
    });
    expect(res.statusCode).toBe(403);
    const forged = await app.inject({
      method: 'PUT',
      url: `/api/families/${own}/questionnaires/T5/wai-sr`,
      headers: { cookie: c.cookieHeader(), 'x-csrf-token': 'forged' },
      payload: { answers: { wai01: 2 } },
    });
    expect(forged.statusCode).toBe(403);
    const login = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'admin', password: 'demo-admin-2016' },
    });
    expect(login.statusCode).toBe(403);
    expect((await listAuditEntries(store.db)).length).toBe(before);
  });

  it('rate-limits login attempts per client address', async () => {
    const limited = await buildApp({ store, loginRateLimit: 3 });
    try {
      const anon = await InjectClient.anonymous(limited);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await anon.post('/api/login', { username: 'admin', password: 'bad-pw-x' })).statusCode,
        );
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('starts a fresh session on every login, ending the one the browser held', async () => {
    const c = await InjectClient.login(app, 'forsker', 'demo-forsker-2016');
    const old = c.cookieHeader();
    expect(
      (await c.post('/api/login', { username: 'admin', password: 'demo-admin-2016' })).statusCode,
    ).toBe(200);
    expect(c.cookieHeader()).not.toBe(old);
    const replay = await app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { cookie: old },
    });
    expect(replay.statusCode).toBe(401);
  });

  it('ends the session on logout', async () => {
    const c = await InjectClient.login(app, 'forsker', 'demo-forsker-2016');
    expect((await c.get('/api/overview')).statusCode).toBe(200);
    expect((await c.post('/api/logout')).statusCode).toBe(204);
    expect((await c.get('/api/overview')).statusCode).toBe(401);
  });
});

describe('questionnaire entry', () => {
  const url = () => `/api/families/${own}/questionnaires/T2/wai-sr`;

  it('validates answers against the instrument and names the item', async () => {
    const c = client('coordinator');
    const out = await c.put(url(), { answers: { wai01: 6 } });
    expect(out.statusCode).toBe(400);
    expect(out.json()).toMatchObject({ code: 'OUT_OF_RANGE' });
    expect(out.json().message).toContain('wai01');
    const unknown = await c.put(url(), { answers: { q99: 1 } });
    expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_ITEM' });
    const frac = await c.put(url(), { answers: { wai01: 2.5 } });
    expect(frac.statusCode).toBe(400);
    expect((await c.get(`/api/families/${own}/questionnaires/T9/wai-sr`)).statusCode).toBe(400);
    expect((await c.get(`/api/families/${own}/questionnaires/T2/nope`)).statusCode).toBe(404);
  });

  it('saves a draft with missing codes, refuses an incomplete submit, submits and locks', async () => {
    const c = client('coordinator');
    const listed = (await c.get('/api/families?limit=200')).json() as {
      rows: { id: string; submittedWaves: string[] }[];
    };
    expect(listed.rows.find((r) => r.id === own)!.submittedWaves).not.toContain('T2');
    const partial = { wai01: 4, wai02: 9, wai03: 8 };
    const saved = await c.put(url(), { answers: partial });
    expect(saved.statusCode).toBe(200);
    const body = saved.json() as {
      response: { status: string; answers: Record<string, number> };
      score: { answered: number; missing: { item: string; code: number | null }[] };
    };
    expect(body.response.status).toBe('draft');
    expect(body.response.answers).toEqual(partial);
    expect(body.score.answered).toBe(1);
    expect(body.score.missing.filter((m) => m.code !== null)).toEqual([
      { item: 'wai02', code: 9 },
      { item: 'wai03', code: 8 },
    ]);
    const early = await c.post(`${url()}/submit`);
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ code: 'INCOMPLETE_RESPONSE' });
    const full = Object.fromEntries(WAI_ITEMS.map((k, i) => [k, 1 + (i % 5)]));
    expect((await c.put(url(), { answers: full })).statusCode).toBe(200);
    const submitted = await c.post(`${url()}/submit`);
    expect(submitted.statusCode).toBe(200);
    const s = submitted.json() as {
      response: { status: string };
      score: { total: { score: number } };
    };
    expect(s.response.status).toBe('submitted');
    // Items 1..12 answered 1,2,3,4,5,1,2,3,4,5,1,2: the mean is 33 / 12.
    expect(s.score.total.score).toBeCloseTo(33 / 12, 12);
    const again = await c.put(url(), { answers: full });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'RESPONSE_SUBMITTED' });
    const detail = (await c.get(`/api/families/${own}`)).json() as {
      waves: { key: string; questionnaires: { status: string }[] }[];
    };
    expect(detail.waves.find((w) => w.key === 'T2')!.questionnaires[0]!.status).toBe('submitted');
    // Cached list pages are dropped on every write, so the submission shows at once.
    const list = (await c.get('/api/families?limit=200')).json() as {
      rows: { id: string; submittedWaves: string[] }[];
    };
    expect(list.rows.find((r) => r.id === own)!.submittedWaves).toContain('T2');
  });

  it('audits every family read and every write, and the chain verifies', async () => {
    const entries = await listAuditEntries(store.db, { entityId: own });
    const byCoordinator = entries.filter((e) => e.actor === 'user:koordinator');
    expect(byCoordinator.some((e) => e.action === 'read' && e.entity === 'family')).toBe(true);
    const writes = await listAuditEntries(store.db, { entity: 'questionnaire_response' });
    const mine = writes.filter((e) => e.actor === 'user:koordinator');
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['save', 'submit']));
    const readsBefore = (await listAuditEntries(store.db, { entity: 'family', entityId: other }))
      .length;
    await client('researcher').get(`/api/families/${other}`);
    await client('coordinator').get(`/api/families/${other}`); // denied: not logged as a read
    const readsAfter = await listAuditEntries(store.db, { entity: 'family', entityId: other });
    expect(readsAfter.length).toBe(readsBefore + 1);
    expect(readsAfter.at(-1)).toMatchObject({ action: 'read', actor: 'user:forsker' });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

describe('overview', () => {
  it('counts agree with the store, by arm and office', async () => {
    const o = (await client('office_leader').get('/api/overview')).json() as {
      total: {
        screened: number;
        eligible: number;
        excluded: number;
        drawn: number;
        comparison: number;
      };
      arms: { offices: number; counts: { screened: number } }[];
      offices: { counts: { screened: number; waves: Record<string, number> } }[];
      allocated: boolean;
    };
    expect(o.allocated).toBe(true);
    expect(o.total.screened).toBe(15);
    expect(o.total.eligible + o.total.excluded).toBe(15);
    const eligible = await store.db
      .selectFrom('eligibility')
      .select('family_id')
      .where('eligible', '=', true)
      .execute();
    expect(o.total.eligible).toBe(eligible.length);
    const draws = await store.db.selectFrom('family_draw').select('draw_group').execute();
    expect(o.total.drawn).toBe(draws.filter((d) => d.draw_group === 'drawn').length);
    expect(o.total.comparison).toBe(draws.filter((d) => d.draw_group === 'comparison').length);
    expect(o.arms.reduce((s, a) => s + a.offices, 0)).toBe(3);
    expect(o.arms.reduce((s, a) => s + a.counts.screened, 0)).toBe(15);
    const t1 = await store.db
      .selectFrom('questionnaire_response')
      .select('id')
      .where('wave', '=', 'T1')
      .where('status', '=', 'submitted')
      .execute();
    expect(o.offices.reduce((s, x) => s + (x.counts.waves.T1 ?? 0), 0)).toBe(t1.length);
  });

  it('verifies the audit chain only when asked', async () => {
    const plain = (await client('administrator').get('/api/audit?limit=5')).json() as {
      verified: boolean | null;
      entries: { seq: number }[];
    };
    expect(plain.verified).toBeNull();
    expect(plain.entries).toHaveLength(5);
    expect(plain.entries[0]!.seq).toBeGreaterThan(plain.entries[4]!.seq);
    const checked = (
      await client('administrator').get('/api/audit?limit=5&verify=true')
    ).json() as {
      verified: boolean | null;
    };
    expect(checked.verified).toBe(true);
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await client('administrator').get('/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('analysis', () => {
  it('gives the next-trial power curve from the power module, with its SVG', async () => {
    const res = await client('researcher').get(
      '/api/analysis/power?icc=0.05&clusterSize=21&effect=0.3&target=0.8',
    );
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      points: { nClusters: number; power: number }[];
      required: { nClusters: number; power: number };
      svg: string;
    };
    const at10 = clusterTrialPower({
      solveFor: 'power',
      nClusters: 10,
      clusterSize: 21,
      effect: 0.3,
      icc: 0.05,
    });
    // Same function, same inputs: equal to the last bit.
    expect(body.points.find((p) => p.nClusters === 10)!.power).toBe(at10.power);
    const k = body.required.nClusters;
    expect(Number.isInteger(k)).toBe(true);
    expect(body.points.find((p) => p.nClusters === k)!.power).toBeGreaterThanOrEqual(0.8);
    expect(body.points.find((p) => p.nClusters === k - 1)!.power).toBeLessThan(0.8);
    expect(body.svg).toMatch(/^<\?xml[^>]*>\s*<svg/);
    const bad = await client('researcher').get('/api/analysis/power?icc=2');
    expect(bad.statusCode).toBe(400);
  });
});

describe('municipality analysis', () => {
  it('serves the spending model of the municipality module, with both charts', async () => {
    const res = await client('administrator').get('/api/analysis/municipality');
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      source: string;
      slopes: { term: string; estimate: number; p_value: number }[];
      coefficients: { term: string; estimate: number }[];
      coefficientSvg: string;
      scatterSvg: string;
    };
    expect(body.source).toContain('simulated');
    const direct = spendingModel(simulateMunicipalities({ seed: 2012, count: 350, years: [2011] }));
    expect(body.coefficients.map((c) => c.term)).toEqual(
      direct.summary.coefficients.map((c) => c.term),
    );
    // Same module, same data; JSON round trip keeps doubles exactly.
    expect(body.coefficients.map((c) => c.estimate)).toEqual(
      direct.summary.coefficients.map((c) => c.estimate),
    );
    expect(body.slopes).toHaveLength(2);
    expect(body.slopes.map((s) => s.estimate)).toEqual(direct.slopes.map((s) => s.estimate));
    for (const svg of [body.coefficientSvg, body.scatterSvg]) expect(svg).toContain('<svg');
  });
});

describe('offices and randomisation', () => {
  it('draws the allocation once, reproducibly from the seed, then locks it', async () => {
    const fresh = await seedSmallTrial(store, {
      seed: 9,
      offices: 6,
      familiesPerOffice: 1,
      allocate: false,
      prefix: 'R',
    });
    const app2 = await buildApp({ store, trialId: fresh.trial.id, loginRateLimit: 50 });
    try {
      const researcher = await InjectClient.login(app2, 'forsker', 'demo-forsker-2016');
      const coordinator = await InjectClient.login(app2, 'koordinator', 'demo-koordinator-2016');
      const before = (await researcher.get('/api/offices')).json() as {
        allocation: unknown;
        balance: unknown[];
      };
      expect(before.allocation).toBeNull();
      expect(before.balance).toEqual([]);
      const denied = await coordinator.post('/api/randomisation', { seed: 42, scheme: 'complete' });
      expect(denied.statusCode).toBe(403);
      const bad = await researcher.post('/api/randomisation', { seed: -1, scheme: 'complete' });
      expect(bad.statusCode).toBe(400);
      const drawn = await researcher.post('/api/randomisation', {
        seed: 42,
        scheme: 'constrained',
      });
      expect(drawn.statusCode).toBe(200);
      expect(drawn.json()).toMatchObject({ treated: 3, total: 20 });
      const after = (await researcher.get('/api/offices')).json() as {
        offices: { code: string; armKey: string; covariates: Record<string, number | boolean> }[];
        allocation: { recordSha256: string; createdBy: string };
        balance: { column: string; means: Record<string, number>; stdDiff: number }[];
      };
      expect(after.allocation.createdBy).toBe('user:forsker');
      expect(after.allocation.recordSha256).toBe(drawn.json().recordSha256);
      // The same seed and design give the same offices, so anyone can re-run the draw.
      const columns = ['caseload', 'immigrant_share', 'urban'];
      const expected = randomize(
        designSpec({
          ids: after.offices.map((o) => o.code),
          treated: 3,
          balance: {
            columns,
            values: columns.map((c) => after.offices.map((o) => Number(o.covariates[c]))),
          },
          cutoff: 0.1,
          maxEnumerate: 1_000_000,
        }),
        42,
      );
      expect(after.offices.filter((o) => o.armKey === 'holf').map((o) => o.code)).toEqual(
        expected.treatedIds.slice().sort(),
      );
      const caseload = after.balance.find((b) => b.column === 'caseload')!;
      const holf = after.offices
        .filter((o) => o.armKey === 'holf')
        .map((o) => Number(o.covariates.caseload));
      expect(caseload.means.holf).toBeCloseTo(holf.reduce((a, b) => a + b, 0) / holf.length, 10);
      const again = await researcher.post('/api/randomisation', { seed: 43, scheme: 'complete' });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'ALLOCATION_IMMUTABLE' });
      const audit = await listAuditEntries(store.db, { entity: 'allocation' });
      expect(audit.at(-1)).toMatchObject({ action: 'allocate', actor: 'user:forsker' });
    } finally {
      await app2.close();
    }
  });
});

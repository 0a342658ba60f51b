import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeTrial,
  DEFAULT_PLAN_PATH,
  lockPlan,
  readPlanFile,
} from '../src/analysis/store-plan.ts';
import { recordSpace, verifyAllocationRecord } from '../src/design/record.ts';
import { pairValidity } from '../src/design/validity.ts';
import { forestPlotSpec } from '../src/report/charts/forest-plot.ts';
import { forestRows } from '../src/report/plan-chart-rows.ts';
import { chromiumPath } from '../src/report/render-pdf.ts';
import { buildApp } from '../src/server/app.ts';
import { InjectClient } from '../src/server/inject-client.ts';
import { seedDemoUsers } from '../src/server/seed-demo-users.ts';
import {
  getAllocation,
  listAuditEntries,
  openStore,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';
import { buildDemoTrial, type DemoTrialSummary } from '../src/trial/demo/index.ts';

const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };
const hasChromium = existsSync(chromiumPath());

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
let demo: DemoTrialSummary;
const clients = new Map<Who, InjectClient>();
const client = (who: Who) => clients.get(who)!;
/** Eleven digits standing alone (a fødselsnummer's shape), not inside a hash, UUID or number. */
const PERSONAL_ID = /(?<![0-9A-Za-z:.-])\d{6}[\s.-]?\d{5}(?![0-9A-Za-z:.-])/g;

beforeAll(async () => {
  store = await openStore({ memory: true });
  demo = await buildDemoTrial(store, {
    seed: 11,
    offices: 8,
    identified: 160,
    excluded: 16,
    drawPerOffice: 8,
    municipalities: 20,
  });
  await lockPlan(store.db, 'stat:anne', demo.trialId, readPlanFile(DEFAULT_PLAN_PATH));
  await analyzeTrial(store.db, 'stat:anne', demo.trialId);
  const offices = await store.db.selectFrom('office').select('id').orderBy('code').execute();
  const logins = await seedDemoUsers(store, [offices[0]!.id, offices[1]!.id], CHEAP);
  app = await buildApp({ store, loginRateLimit: 50 });
  clients.set('anonymous', await InjectClient.anonymous(app));
  for (const l of logins.filter((x) => x.username !== 'koordinator2'))
    clients.set(l.role, await InjectClient.login(app, l.username, l.password));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

const MATRIX: { name: string; url: string; expect: [number, number, number, number, number] }[] = [
  { name: 'trial analysis', url: '/api/analysis/trial', expect: [401, 200, 200, 403, 403] },
  { name: 'report HTML', url: '/api/report/html', expect: [401, 200, 200, 403, 403] },
  ...(hasChromium
    ? [
        {
          name: 'report PDF',
          url: '/api/report/pdf',
          expect: [401, 200, 200, 403, 403] as [number, number, number, number, number],
        },
      ]
    : []),
  ...['data.csv', 'codebook.csv', 'analysis.R', 'plan.json', 'results.json'].map((f) => ({
    name: `bundle ${f}`,
    url: `/api/report/bundle/${f}`,
    expect: [401, 200, 200, 403, 403] as [number, number, number, number, number],
  })),
  {
    name: 'a file not in the bundle',
    url: '/api/report/bundle/secret.txt',
    expect: [401, 400, 400, 403, 403] as [number, number, number, number, number],
  },
  { name: 'bundle archive', url: '/api/report/bundle.tar', expect: [401, 200, 200, 403, 403] },
  { name: 'offices', url: '/api/offices', expect: [401, 200, 200, 200, 200] },
];

describe('analysis and report exports, route by role', () => {
  for (const row of MATRIX)
    it(`GET ${row.name}: ${row.expect.join(' ')}`, async () => {
      const got: number[] = [];
      for (const who of WHO) got.push((await client(who).get(row.url)).statusCode);
      expect(got).toEqual(row.expect);
    }, 60_000);
});

describe('trial analysis page', () => {
  it('shows the latest recorded run of the locked plan, with the report’s chart specs', async () => {
    const res = await client('researcher').get('/api/analysis/trial');
    expect(res.statusCode).toBe(200);
    const page = res.json() as {
      plan: { hash: string; locked: boolean; lockedBy: string };
      source: { kind: string; by: string };
      effects: { outcome: string; estimate: number; confLow: number; pAdjusted: number | null }[];
      iccs: unknown[];
      charts: {
        forest: unknown;
        trajectories: { spec: { data: { values: { wave: string }[] } } }[];
        randomisation: { observed: number; spec: unknown }[];
        power: { spec: unknown } | null;
        icc: unknown;
      };
    };
    const plan = readPlanFile(DEFAULT_PLAN_PATH);
    expect(page.plan).toMatchObject({ locked: true, lockedBy: 'stat:anne' });
    expect(page.source).toMatchObject({ kind: 'recorded', by: 'stat:anne' });
    const runs = await store.db
      .withTables<{ analysis_run: { results: unknown; plan_sha256: string } }>()
      .selectFrom('analysis_run')
      .select(['results', 'plan_sha256'])
      .execute();
    expect(page.plan.hash).toBe(runs[0]!.plan_sha256);
    const results = runs[0]!.results as Parameters<typeof forestRows>[0];
    expect(page.effects.map((e) => e.outcome)).toEqual(plan.outcomes.map((o) => o.id));
    expect(page.effects.map((e) => e.estimate)).toEqual(
      results.outcomes.map((o) => o.effect.estimate),
    );
    // The page gets the very spec the report renders.
    expect(page.charts.forest).toEqual(
      JSON.parse(
        JSON.stringify(forestPlotSpec({ rows: forestRows(results), xTitle: 'Effect (95% CI)' })),
      ),
    );
    expect(page.iccs.length).toBeGreaterThan(0);
    expect(page.charts.icc).not.toBeNull();
    expect(page.charts.trajectories.length).toBeGreaterThan(0);
    const waves = new Set(page.charts.trajectories[0]!.spec.data.values.map((v) => v.wave));
    expect([...waves].sort()).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(page.charts.randomisation.length).toBeGreaterThan(0);
    expect(JSON.stringify(page.charts.randomisation[0]!.spec)).toContain(
      String(page.charts.randomisation[0]!.observed),
    );
    expect(page.charts.power).not.toBeNull();
  });

  it('shows the validity check of the stored allocation record on the offices page', async () => {
    const o = (await client('office_leader').get('/api/offices')).json() as {
      validity: {
        checked: boolean;
        alwaysTogether: number;
        alwaysApart: number;
        minShare: number;
        maxShare: number;
      };
    };
    const stored = await getAllocation(store.db, demo.trialId);
    const direct = pairValidity(recordSpace(verifyAllocationRecord(stored!.record)) as never);
    expect(o.validity.checked).toBe(true);
    expect(o.validity).toMatchObject({
      alwaysTogether: direct.alwaysTogether,
      alwaysApart: direct.alwaysApart,
      minShare: direct.minShare,
      maxShare: direct.maxShare,
    });
    expect(o.validity.minShare).toBeLessThanOrEqual(o.validity.maxShare);
  });
});

describe('report exports', () => {
  it('serves a self-contained HTML report with the CONSORT diagram and SVG charts', async () => {
    const res = await client('researcher').get('/api/report/html');
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".+\.html"$/);
    expect(res.body).toContain('<svg');
    expect(res.body).toContain('id="consort"');
    expect(res.body).not.toMatch(/<script|src="http/);
  });

  it.skipIf(!hasChromium)(
    'prints the report to PDF',
    async () => {
      const res = await client('administrator').get('/api/report/pdf');
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    },
    60_000,
  );

  it('serves the bundle as one ustar archive holding the same files', async () => {
    const res = await client('researcher').get('/api/report/bundle.tar');
    expect(res.headers['content-type']).toBe('application/x-tar');
    const tar = res.rawPayload;
    const names: string[] = [];
    let off = 0;
    while (off + 512 <= tar.length && tar[off] !== 0) {
      const h = tar.subarray(off, off + 512);
      const name = h.subarray(0, 100).toString().replace(/\0.*$/s, '');
      const size = Number.parseInt(h.subarray(124, 136).toString().replace(/\0.*$/s, ''), 8);
      expect(h.subarray(257, 262).toString()).toBe('ustar');
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
      expect(Number.parseInt(h.subarray(148, 154).toString(), 8)).toBe(sum);
      names.push(name);
      const body = tar.subarray(off + 512, off + 512 + size);
      if (name.endsWith('/data.csv')) {
        const single = await client('researcher').get('/api/report/bundle/data.csv');
        expect(body.equals(single.rawPayload)).toBe(true);
      }
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(names.map((n) => n.split('/')[1]).sort()).toEqual(
      ['analysis.R', 'codebook.csv', 'data.csv', 'plan.json', 'report.html', 'results.json'].sort(),
    );
  });

  it('never exports a raw personal id, and audits every export', async () => {
    // The archive's headers hold octal sizes and times (eleven digits); its files are checked
    // one by one below, and the archive is checked to hold exactly those files above.
    expect((await client('researcher').get('/api/report/bundle.tar')).statusCode).toBe(200);
    const bodies: string[] = [];
    for (const url of [
      '/api/analysis/trial',
      '/api/report/html',
      '/api/offices',
      ...['data.csv', 'codebook.csv', 'analysis.R', 'plan.json', 'results.json'].map(
        (f) => `/api/report/bundle/${f}`,
      ),
    ])
      bodies.push((await client('researcher').get(url)).body);
    const found = bodies.flatMap((b) => b.match(PERSONAL_ID) ?? []);
    expect(found).toEqual([]);
    const data = bodies[3]!;
    expect(data.split('\n')[0]).toContain('family');
    // The register extract behind the demo had real-shaped fødselsnumre; none reached the store.
    const familyColumn = data
      .split('\n')
      .slice(1, 20)
      .map((l) => l.split(',')[2]);
    for (const f of familyColumn) expect(f).not.toMatch(/^\d{11}$/);
    const exports = await listAuditEntries(store.db, { entity: 'report' });
    const byResearcher = exports.filter((e) => e.actor === 'user:forsker');
    expect(byResearcher.map((e) => (e.after as { format: string }).format)).toEqual(
      expect.arrayContaining([
        'html',
        'bundle.tar',
        'bundle:data.csv',
        'bundle:codebook.csv',
        'bundle:analysis.R',
      ]),
    );
    const denied = exports.filter(
      (e) => e.actor === 'user:koordinator' || e.actor === 'user:leder',
    );
    expect(denied).toEqual([]);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

/**
 * Benchmark of the web application on the demo trial (`buildDemoTrial`, seed 2016: 29 offices,
 * 3,201 families, with its HOLF plan locked and run, as `tiltak serve --demo` serves it; about a
 * minute to build), or with `--small` on the quick seeded trial (29 offices, `--families` each,
 * default 30): server time of every page's data (target: median < 100 ms each; p95 printed too),
 * then autocannon with 50 concurrent connections on loopback for 10 s (60 s with --full),
 * reporting errors and p99 latency (target < 200 ms).
 * Run: `node --import tsx bench/server-pages.ts [--full] [--small [--families N]]`.
 *
 * Page data is timed through `app.inject` (in-process: routing, session lookup, access checks,
 * queries, audit writes, serialisation; no sockets). There is no R peer for a web server, so no
 * ratio against R is printed.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { buildApp } from '../src/server/app.ts';
import { buildWeb } from '../src/server/build-web.ts';
import { prepareDemoStore } from '../src/server/demo-store.ts';
import { InjectClient } from '../src/server/inject-client.ts';
import { type DemoLogin, seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { seedSmallTrial } from '../src/server/seed-small-trial.ts';
import { municipalityAnalysis } from '../src/server/services/municipality.ts';
import { nextTrialPower } from '../src/server/services/power.ts';
import { openStore } from '../src/store/index.ts';

const args = process.argv.slice(2);
const full = args.includes('--full');
const small = args.includes('--small');
const fi = args.indexOf('--families');
const perOffice = fi >= 0 ? Number(args[fi + 1]) : 30;
const duration = full ? 60 : 10;
const PAGE_TARGET_MS = 100;
const P99_TARGET_MS = 200;

const t0 = performance.now();
const store = await openStore({ memory: true });
let logins: DemoLogin[];
let trialId: string;
if (small) {
  const seeded = await seedSmallTrial(store, {
    seed: 2016,
    offices: 29,
    familiesPerOffice: perOffice,
  });
  trialId = seeded.trial.id;
  logins = await seedDemoUsers(store, [seeded.offices[0]!.id, seeded.offices[1]!.id]);
} else {
  const demo = await prepareDemoStore(store, { seed: 2016 });
  trialId = demo.trialId;
  logins = demo.logins;
}
const offices = await store.db
  .selectFrom('office')
  .select('id')
  .where('trial_id', '=', trialId)
  .orderBy('code')
  .execute();
const nFamilies = (
  await store.db
    .selectFrom('family')
    .innerJoin('office', 'office.id', 'family.office_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('office.trial_id', '=', trialId)
    .executeTakeFirstOrThrow()
).n;
const webRoot = await buildWeb();
// Page data is timed with the page cache off (what a page costs when its data changed); the load
// test runs the app as served, with the 2-second page cache on.
const uncached = await buildApp({
  store,
  trialId,
  secureCookies: false,
  loginRateLimit: 1000,
  cacheTtlMs: 0,
  sessionCacheTtlMs: 0,
});
const app = await buildApp({ store, trialId, secureCookies: false, loginRateLimit: 1000, webRoot });
console.log(
  `${small ? 'seeded' : 'demo trial built:'} ${offices.length} offices, ${nFamilies} families in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const login = (name: string) => {
  const l = logins.find((x) => x.username === name)!;
  return InjectClient.login(uncached, l.username, l.password);
};
const admin = await login('admin');
const coordinator = await login('koordinator');
const researcher = await login('forsker');
const family = (await store.db
  .selectFrom('family')
  .select('id')
  .where('office_id', '=', offices[0]!.id)
  .orderBy('pseudonym')
  .executeTakeFirstOrThrow())!.id;
const pages: { name: string; client: InjectClient; url: string }[] = [
  { name: 'session', client: admin, url: '/api/session' },
  { name: 'overview', client: admin, url: '/api/overview' },
  { name: 'families (all offices, page 1)', client: admin, url: '/api/families?limit=50' },
  { name: 'families (search)', client: admin, url: '/api/families?search=F-001' },
  { name: 'families (coordinator)', client: coordinator, url: '/api/families?limit=50' },
  { name: 'family detail (audited)', client: coordinator, url: `/api/families/${family}` },
  {
    name: 'questionnaire (audited)',
    client: coordinator,
    url: `/api/families/${family}/questionnaires/T2/wai-sr`,
  },
  { name: 'offices', client: admin, url: '/api/offices' },
  { name: 'audit (last 100)', client: admin, url: '/api/audit' },
  { name: 'jobs', client: researcher, url: '/api/jobs' },
  ...(small
    ? []
    : [
        {
          name: 'trial analysis (kept until data change)',
          client: researcher,
          url: '/api/analysis/trial',
        },
      ]),
];

console.log('\nserver time per page, uncached (in-process, 30 requests after 3 warm-up)');
let pagesOk = true;
for (const p of pages) {
  for (let i = 0; i < 3; i++) await p.client.get(p.url);
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    const res = await p.client.get(p.url);
    times.push(performance.now() - s);
    if (res.statusCode !== 200) throw new Error(`${p.url}: ${res.statusCode} ${res.body}`);
  }
  times.sort((a, b) => a - b);
  const median = times[15]!;
  const p95 = times[28]!;
  const ok = median < PAGE_TARGET_MS;
  pagesOk &&= ok;
  console.log(
    `  ${p.name.padEnd(32)} median ${median.toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  ${ok ? 'ok' : `OVER ${PAGE_TARGET_MS} ms`}`,
  );
}

// Analyses depend only on their inputs, so the app computes each once and keeps it; time that
// first computation (model fit and server-side SVG rendering) directly.
console.log('\nanalysis pages, first computation (kept for an hour after)');
for (const [name, run] of [
  [
    'power curve',
    (i: number) =>
      nextTrialPower({
        icc: 0.05 + i / 1000,
        clusterSize: 30,
        effect: 0.3,
        alpha: 0.05,
        target: 0.8,
      }),
  ],
  ['municipality model', () => municipalityAnalysis(undefined)],
] as const) {
  await run(0);
  const times: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const s = performance.now();
    await run(i);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const ok = times[2]! < PAGE_TARGET_MS;
  pagesOk &&= ok;
  console.log(
    `  ${name.padEnd(32)} median ${times[2]!.toFixed(1).padStart(6)} ms  max ${times[4]!.toFixed(1).padStart(6)} ms  ${ok ? 'ok' : `OVER ${PAGE_TARGET_MS} ms`}`,
  );
}

if (!small) {
  // The trial analysis after its data changed: the long data from the store, the plan's latest
  // run, the randomisation distributions and the chart specs. The app does this in the
  // background after a change (`warmAnalysis`), so a page seldom waits for it.
  const cold = await buildApp({ store, trialId, secureCookies: false, analysisTtlMs: 0 });
  const r = await InjectClient.login(
    cold,
    'forsker',
    logins.find((x) => x.username === 'forsker')!.password,
  );
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const res = await r.get('/api/analysis/trial');
    times.push(performance.now() - s);
    if (res.statusCode !== 200) throw new Error(`analysis: ${res.statusCode} ${res.body}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${'trial analysis, recomputed'.padEnd(32)} median ${times[2]!.toFixed(1).padStart(6)} ms  max ${times[4]!.toFixed(1).padStart(6)} ms  (background after a data change)`,
  );
  await cold.close();
}

const address = await app.listen({ port: 0, host: '127.0.0.1' });
const headers = { cookie: coordinator.cookieHeader() };
const adminHeaders = { cookie: admin.cookieHeader() };
const researcherHeaders = { cookie: researcher.cookieHeader() };
const mix: autocannon.Request[] = [
  { method: 'GET', path: '/api/overview', headers: adminHeaders },
  { method: 'GET', path: '/api/families?limit=50', headers },
  { method: 'GET', path: `/api/families/${family}`, headers },
  { method: 'GET', path: '/api/offices', headers },
  { method: 'GET', path: '/', headers },
  { method: 'GET', path: '/api/jobs', headers: researcherHeaders },
  ...(small
    ? []
    : [{ method: 'GET' as const, path: '/api/analysis/trial', headers: researcherHeaders }]),
];
// The analysis is computed once before the load (as `tiltak serve` does at start).
if (!small)
  await app.inject({ method: 'GET', url: '/api/analysis/trial', headers: researcherHeaders });
// autocannon runs in a worker thread so the load generator does not share the server's event
// loop; a short warm-up run (not reported) lets the JIT settle first.
console.log(`\nautocannon: warm-up 3 s, then 50 connections for ${duration} s on ${address}`);
await autocannon({ url: address, connections: 50, duration: 3, workers: 1, requests: mix });
const result = await autocannon({
  url: address,
  connections: 50,
  duration,
  workers: 1,
  requests: mix,
});
const errors = result.errors + result.timeouts + result.non2xx;
console.log(
  `  requests ${result.requests.total}, ${result.requests.average.toFixed(0)} req/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
);
console.log(
  `  errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}: ${errors === 0 ? 'ok' : 'FAILED'}; p99 ${result.latency.p99 < P99_TARGET_MS ? 'ok' : `OVER ${P99_TARGET_MS} ms`}`,
);
console.log(
  `\npage data target (median < ${PAGE_TARGET_MS} ms per page): ${pagesOk ? 'met' : 'NOT met'}`,
);
await app.close();
await uncached.close();
await store.close();

import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLAN_PATH, lockPlan, readPlanFile } from '../src/analysis/store-plan.ts';
import { buildApp } from '../src/server/app.ts';
import { buildWeb } from '../src/server/build-web.ts';
import { seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { listAuditEntries, openStore, type Store } from '../src/store/index.ts';
import { buildDemoTrial } from '../src/trial/demo/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };
const POLL = { timeout: 30_000, interval: 100 };

describe.skipIf(!hasChromium)('trial analysis, jobs and report end to end (Chromium)', () => {
  let store: Store;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    const webRoot = await buildWeb();
    store = await openStore({ memory: true });
    const demo = await buildDemoTrial(store, {
      seed: 11,
      offices: 8,
      identified: 160,
      excluded: 16,
      drawPerOffice: 8,
      municipalities: 20,
    });
    await lockPlan(store.db, 'stat:anne', demo.trialId, readPlanFile(DEFAULT_PLAN_PATH));
    const offices = await store.db.selectFrom('office').select('id').orderBy('code').execute();
    await seedDemoUsers(store, [offices[0]!.id, offices[1]!.id], CHEAP);
    app = await buildApp({ store, secureCookies: false, webRoot });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  it('shows the researcher the locked plan, effects and the report’s charts drawn with vega-embed', async () => {
    await page.goto(base);
    await page.getByLabel('Brukernavn').fill('forsker');
    await page.getByLabel('Passord').fill('demo-forsker-2016');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('heading', { name: /Oversikt over forsøket/ }).waitFor();
    await page.getByRole('link', { name: 'Analyse' }).click();
    await page.getByRole('heading', { name: 'Analyse av forsøket' }).waitFor();
    await page.getByTestId('effects-table').waitFor({ timeout: 60_000 });
    const hash = await page.getByTestId('plan-hash').textContent();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    await page.getByText(/Låst analyseplan/).waitFor();
    const rows = await page.getByTestId('effects-table').locator('tbody tr').count();
    expect(rows).toBe(readPlanFile(DEFAULT_PLAN_PATH).outcomes.length);
    await page.getByRole('img', { name: /Forest-plott/ }).waitFor(POLL);
    await page
      .getByRole('img', { name: /by arm and wave/ })
      .first()
      .waitFor(POLL);
    await page.getByRole('img', { name: /Intraklassekorrelasjoner/ }).waitFor(POLL);
    await page.getByRole('img', { name: /Styrke for et nytt forsøk/ }).waitFor(POLL);
    const histograms = page.getByRole('img', { name: /randomisation test|Randomisation/i });
    await histograms.first().waitFor(POLL);
    // Each chart is an SVG with marks in it, not an empty frame.
    const marks = await page.locator('[data-testid="vega-chart"] svg path').count();
    expect(marks).toBeGreaterThan(20);
    await page.screenshot({ path: '/tmp/tiltak-e2e-trial-analysis.png', fullPage: true });
    await page.getByRole('heading', { name: 'Effekter' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/tiltak-e2e-trial-analysis-top.png' });
    await page.getByRole('heading', { name: /Randomiseringsfordelingen/ }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/tiltak-e2e-trial-analysis-ri.png' });
  }, 120_000);

  it('runs an exact randomisation test, a wild cluster bootstrap and a power simulation as jobs with live progress, and cancels one', async () => {
    await page.getByLabel('Utfall', { exact: true }).selectOption('income');
    await page.getByLabel('Bølge').selectOption('T2');
    await page.getByRole('button', { name: 'Start randomiseringstest' }).click();
    const ri = page.getByTestId('job').first();
    await expect.poll(() => ri.getAttribute('data-status'), POLL).toBe('succeeded');
    const riText = (await ri.getByTestId('job-result').textContent()) ?? '';
    expect(riText).toMatch(/p = /);
    await page.getByRole('button', { name: 'Start wild cluster bootstrap' }).click();
    const boot = page.getByTestId('job').first();
    await expect.poll(() => boot.getAttribute('data-status'), POLL).toBe('succeeded');
    expect((await boot.getByTestId('job-result').textContent()) ?? '').toMatch(/WCR, webb/);
    await page.getByLabel('Simuleringer').fill('20000');
    await page.getByRole('button', { name: 'Start simulering' }).click();
    const sim = page.getByTestId('job').first();
    await expect.poll(() => sim.getAttribute('data-status'), POLL).toBe('running');
    await page.screenshot({ path: '/tmp/tiltak-e2e-job-running.png', fullPage: false });
    await sim.getByRole('button', { name: 'Avbryt' }).click();
    await expect.poll(() => sim.getAttribute('data-status'), POLL).toBe('cancelled');
    await page.getByLabel('Simuleringer').fill('200');
    await page.getByRole('button', { name: 'Start simulering' }).click();
    const small = page.getByTestId('job').first();
    await expect.poll(() => small.getAttribute('data-status'), POLL).toBe('succeeded');
    await page.getByRole('link', { name: 'Jobber' }).click();
    await page.getByRole('heading', { name: 'Bakgrunnsjobber' }).waitFor();
    await expect.poll(() => page.getByTestId('job').count(), POLL).toBe(4);
    await page.screenshot({ path: '/tmp/tiltak-e2e-jobs.png', fullPage: true });
    const audit = await listAuditEntries(store.db, { entity: 'job' });
    expect(audit.map((e) => e.action).sort()).toEqual([
      'cancel',
      'submit',
      'submit',
      'submit',
      'submit',
    ]);
  }, 180_000);

  it('downloads the report and shows the randomisation validity check', async () => {
    await page.getByRole('link', { name: 'Analyse' }).click();
    await page.getByTestId('effects-table').waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Rapport (HTML)' }).click(),
    ]);
    const path = await download.path();
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('analysis report');
    const reportPage = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await reportPage.setContent(html);
    await reportPage.screenshot({ path: '/tmp/tiltak-e2e-report.png', fullPage: false });
    await reportPage.close();
    const exports = await listAuditEntries(store.db, { entity: 'report' });
    expect(exports.at(-1)).toMatchObject({ action: 'export', actor: 'user:forsker' });
    await page.getByRole('link', { name: 'Kontorer og randomisering' }).click();
    await page.getByTestId('validity').waitFor();
    const text = (await page.getByTestId('validity').textContent()) ?? '';
    expect(text).toContain('Kontorpar alltid i samme arm');
    await page.screenshot({ path: '/tmp/tiltak-e2e-validity.png', fullPage: true });
  }, 120_000);
  it('lets the administrator upload a register file as a background import job', async () => {
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await page.getByLabel('Brukernavn').fill('admin');
    await page.getByLabel('Passord').fill('demo-admin-2016');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('link', { name: 'Jobber' }).click();
    await page.getByRole('heading', { name: 'Importer og screen en registerfil' }).waitFor();
    // The administrator sees the researcher's jobs too.
    await expect.poll(() => page.getByTestId('job').count(), POLL).toBe(4);
    await page.locator('input[type=file]').setInputFiles({
      name: 'register.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('kommune;fnr\n0301;x\n'),
    });
    process.env.TILTAK_PSEUDONYM_KEY ??= 'e2e-key-0123456789abcdef0123456789';
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect.poll(() => page.getByTestId('job').count(), POLL).toBe(5);
    const job = page.getByTestId('job').first();
    await expect.poll(() => job.getAttribute('data-status'), POLL).toBe('failed');
    const message = (await job.textContent()) ?? '';
    expect(message).toContain('register.csv');
    expect(message).not.toContain('/tmp');
    const audit = await listAuditEntries(store.db, { entity: 'job' });
    expect(audit.at(-1)).toMatchObject({ action: 'submit', actor: 'user:admin' });
    // A real extract, as one office's caseload: screened, reviewed, then stored in the trial.
    const office = await store.db
      .selectFrom('office')
      .select(['id', 'code', 'name'])
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const before = await store.db
      .selectFrom('family')
      .select('id')
      .where('office_id', '=', office.id)
      .execute();
    await page.locator('input[type=file]').setInputFiles('test/fixtures/data/registers-holf.csv');
    await page.getByLabel('Kontorets saksmengde').selectOption(office.code);
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect.poll(() => page.getByTestId('job').count(), POLL).toBe(6);
    const good = page.getByTestId('job').first();
    await expect.poll(() => good.getAttribute('data-status'), POLL).toBe('succeeded');
    await good.getByRole('button', { name: 'Lagre familiene i forsøket' }).click();
    const stored = good.getByTestId('stored-screening');
    await stored.waitFor(POLL);
    expect(await stored.textContent()).toMatch(/Lagret i forsøket: \d+/);
    await page.screenshot({ path: '/tmp/tiltak-e2e-register-import.png' });
    const after = await store.db
      .selectFrom('family')
      .select('id')
      .where('office_id', '=', office.id)
      .execute();
    expect(after.length).toBeGreaterThan(before.length);
  }, 120_000);
});

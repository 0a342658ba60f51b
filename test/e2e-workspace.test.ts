import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { buildWeb } from '../src/server/build-web.ts';
import { seedDemoUsers } from '../src/server/seed-demo-users.ts';
import { seedSmallTrial } from '../src/server/seed-small-trial.ts';
import { listAuditEntries, openStore, type Store } from '../src/store/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const CHEAP = { memoryCost: 4096, timeCost: 1, parallelism: 1 };
// Generous: CI machines are shared, and a page may take a while to answer under load.
const POLL = { timeout: 15_000, interval: 100 };

if (!hasChromium)
  console.warn(`e2e tests skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('web workspace end to end (Chromium at /usr/bin/chromium)', () => {
  let store: Store;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let seeded: Awaited<ReturnType<typeof seedSmallTrial>>;

  beforeAll(async () => {
    const webRoot = await buildWeb();
    store = await openStore({ memory: true });
    seeded = await seedSmallTrial(store, { seed: 11, offices: 3, familiesPerOffice: 6 });
    await seedDemoUsers(store, [seeded.offices[0]!.id, seeded.offices[1]!.id], CHEAP);
    app = await buildApp({ store, secureCookies: false, webRoot });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  it('refuses a wrong password and signs a coordinator in to the overview', async () => {
    await page.goto(base);
    await page.getByLabel('Brukernavn').fill('koordinator');
    await page.getByLabel('Passord').fill('wrong-password');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await expect.poll(() => page.getByText('Feil brukernavn eller passord.').count(), POLL).toBe(1);
    await page.screenshot({ path: '/tmp/tiltak-e2e-login.png', fullPage: true });
    await page.getByLabel('Passord').fill('demo-koordinator-2016');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('heading', { name: /Oversikt over forsøket/ }).waitFor();
    await page.getByTestId('consort').waitFor();
    const consort = await page.getByTestId('consort').textContent();
    expect(consort).toContain('Vurdert for deltakelse');
    expect(consort).toContain('18 familier, 3 kontorer');
    await page.screenshot({ path: '/tmp/tiltak-e2e-overview.png', fullPage: true });
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'tiltak_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  });

  it('lists only the families of the coordinator’s own office and opens one', async () => {
    await page.getByRole('link', { name: 'Familier' }).click();
    await page.getByRole('heading', { name: 'Familier' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    const offices = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(offices.length).toBe(6);
    expect(new Set(offices)).toEqual(new Set([`K01 ${seeded.offices[0]!.name}`]));
    await page.getByLabel('Søk på pseudonym').fill('F-00002');
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(1);
    await page.getByRole('link', { name: 'F-00002' }).click();
    await page.getByRole('heading', { name: 'F-00002' }).waitFor();
    await page.getByRole('heading', { name: 'Vurdering av deltakelse' }).waitFor();
    await page.screenshot({ path: '/tmp/tiltak-e2e-family.png', fullPage: true });
    const family = seeded.families.find((f) => f.pseudonym === 'F-00002')!;
    // The family's coordinator, by name for the coordinator (or '–' for a family not drawn).
    const assigned = await store.db
      .selectFrom('family_coordinator')
      .innerJoin('staff_member', 'staff_member.id', 'family_coordinator.staff_id')
      .select('staff_member.name')
      .where('family_coordinator.family_id', '=', family.id)
      .executeTakeFirst();
    expect(await page.getByTestId('family-coordinator').textContent()).toBe(
      `Familiekoordinator: ${assigned?.name ?? '–'}`,
    );
    const reads = await listAuditEntries(store.db, { entity: 'family', entityId: family.id });
    expect(reads.some((e) => e.action === 'read' && e.actor === 'user:koordinator')).toBe(true);
  });

  it('enters, saves and submits a T2 questionnaire draft', async () => {
    await page.getByRole('link', { name: 'Åpne T2' }).click();
    await page.getByRole('heading', { name: /WAI-SR/ }).waitFor();
    const selects = page.locator('form select');
    expect(await selects.count()).toBe(12);
    for (let i = 0; i < 6; i++) await selects.nth(i).selectOption(String(1 + (i % 5)));
    await selects.nth(6).selectOption('8');
    await page.getByRole('button', { name: 'Lagre utkast' }).click();
    await page.getByText('Utkastet er lagret.').waitFor();
    await page.getByText('Ubesvarte spørsmål: 5 / 12').waitFor();
    const family = seeded.families.find((f) => f.pseudonym === 'F-00002')!;
    const draft = await store.db
      .selectFrom('questionnaire_response')
      .selectAll()
      .where('respondent_id', '=', family.id)
      .where('wave', '=', 'T2')
      .executeTakeFirstOrThrow();
    expect(draft.status).toBe('draft');
    expect((draft.answers as Record<string, number>).wai07).toBe(8);
    await page.screenshot({ path: '/tmp/tiltak-e2e-questionnaire-draft.png', fullPage: true });
    // Submitting with unanswered items is refused in the page, before any request.
    await page.getByRole('button', { name: 'Send inn' }).click();
    await page.getByText(/Alle spørsmål må ha et svar/).waitFor();
    for (let i = 7; i < 12; i++) await selects.nth(i).selectOption(String(1 + (i % 5)));
    await page.getByRole('button', { name: 'Send inn' }).click();
    await page.getByText('Skjemaet er sendt inn og låst.').first().waitFor();
    await page.screenshot({ path: '/tmp/tiltak-e2e-questionnaire-submitted.png', fullPage: true });
    const after = await store.db
      .selectFrom('questionnaire_response')
      .select(['status'])
      .where('id', '=', draft.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('submitted');
    expect(await page.locator('form select:disabled').count()).toBe(12);
  });

  it('shows the offices with the locked allocation and its balance table', async () => {
    await page.getByRole('link', { name: 'Kontorer og randomisering' }).click();
    await page.getByText('Tildelingen er trukket og låst.').waitFor();
    await page.getByRole('heading', { name: 'Balanse mellom armene' }).waitFor();
    expect(await page.getByRole('button', { name: 'Trekk tildeling' }).count()).toBe(0);
    await page.screenshot({ path: '/tmp/tiltak-e2e-offices.png', fullPage: true });
  });

  it('lists screening results with their reasons', async () => {
    await page.getByRole('link', { name: 'Screening' }).click();
    await page.getByRole('heading', { name: 'Screening av familier' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('6 or more of the last 12 months');
    await page.screenshot({ path: '/tmp/tiltak-e2e-screening.png', fullPage: true });
  });

  it('shows a researcher the questionnaire read-only, with staff pseudonymised', async () => {
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await page.getByLabel('Brukernavn').fill('forsker');
    await page.getByLabel('Passord').fill('demo-forsker-2016');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('heading', { name: /Oversikt over forsøket/ }).waitFor();
    const family = seeded.families.find((f) => f.pseudonym === 'F-00002')!;
    await page.goto(`${base}/families/${family.id}`);
    await page.getByRole('heading', { name: 'F-00002' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('Koordinator 1.1');
    expect(text).toContain('K1 (Koordinator)');
    await page.goto(`${base}/families/${family.id}/questionnaires/T3/wai-sr`);
    await page.getByText('Du kan se dette skjemaet, men ikke endre det.').waitFor();
    expect(await page.getByRole('button', { name: 'Lagre utkast' }).count()).toBe(0);
    expect(await page.locator('form select:disabled').count()).toBe(12);
  });

  it('draws the next-trial power curve for the researcher', async () => {
    await page.getByRole('link', { name: 'Analyse' }).click();
    await page.getByRole('heading', { name: 'Styrkekurve for et nytt forsøk' }).waitFor();
    await page.getByRole('img', { name: 'Styrkekurve for et nytt forsøk' }).waitFor();
    const before = await page.getByText('Kontorer per arm som trengs').textContent();
    await page.getByLabel('ICC', { exact: true }).fill('0.2');
    await expect
      .poll(() => page.getByText('Kontorer per arm som trengs').textContent(), POLL)
      .not.toBe(before);
    await page.getByRole('img', { name: 'Koeffisientplott' }).waitFor();
    await page.screenshot({ path: '/tmp/tiltak-e2e-analysis.png', fullPage: true });
  });

  it('lets the researcher draw the allocation of an unrandomised trial once', async () => {
    const fresh = await seedSmallTrial(store, {
      seed: 12,
      offices: 4,
      familiesPerOffice: 1,
      allocate: false,
      prefix: 'R',
    });
    const app2 = await buildApp({
      store,
      trialId: fresh.trial.id,
      secureCookies: false,
      webRoot: await buildWeb(),
    });
    try {
      const base2 = await app2.listen({ port: 0, host: '127.0.0.1' });
      const p2 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      p2.on('dialog', (d) => void d.accept());
      await p2.goto(base2);
      await p2.getByLabel('Brukernavn').fill('forsker');
      await p2.getByLabel('Passord').fill('demo-forsker-2016');
      await p2.getByRole('button', { name: 'Logg inn' }).click();
      await p2.getByRole('link', { name: 'Kontorer og randomisering' }).click();
      await p2.getByText('Tildelingen er ikke trukket ennå.').waitFor();
      await p2.getByLabel('Frø (seed)').fill('not a number');
      await p2.getByRole('button', { name: 'Trekk tildeling' }).click();
      await p2.getByText('Oppgi et heltall ≥ 0.').waitFor();
      await p2.getByLabel('Frø (seed)').fill('20160901');
      await p2.getByRole('button', { name: 'Trekk tildeling' }).click();
      await p2.getByText('Tildelingen er trukket og låst.').waitFor();
      await p2.getByRole('heading', { name: 'Balanse mellom armene' }).waitFor();
      expect(await p2.getByRole('button', { name: 'Trekk tildeling' }).count()).toBe(0);
      await p2.screenshot({ path: '/tmp/tiltak-e2e-randomised.png', fullPage: true });
      const arms = await store.db
        .selectFrom('allocation_office')
        .innerJoin('office', 'office.id', 'allocation_office.office_id')
        .select('allocation_office.arm_key')
        .where('office.trial_id', '=', fresh.trial.id)
        .execute();
      expect(arms.map((a) => a.arm_key).sort()).toEqual(['holf', 'holf', 'local', 'local']);
      await p2.close();
    } finally {
      await app2.close();
    }
  });

  it('switches the language to English', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: /Trial overview/ }).waitFor();
    await page.getByText('Assessed for eligibility').waitFor();
    await page.getByRole('button', { name: 'Norsk' }).click();
    await page.getByRole('heading', { name: /Oversikt over forsøket/ }).waitFor();
  });
});

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../src/store/index.ts';

/**
 * A backend the store tests run against: PGlite in memory always, PostgreSQL when
 * TILTAK_TEST_DATABASE_URL is set. Each PostgreSQL store gets a fresh database, dropped on close,
 * so parallel test files never see each other's rows or audit chains.
 *
 * @example
 * describe.each(storeBackends())('$name', ({ open }) => { ... });
 */
export interface StoreBackend {
  readonly name: string;
  open(): Promise<Store>;
}

/**
 * The backends available in this environment; the PGlite name says when PostgreSQL is skipped.
 *
 * @example
 * const names = storeBackends().map((b) => b.name);
 */
export function storeBackends(): StoreBackend[] {
  const url = process.env.TILTAK_TEST_DATABASE_URL;
  const pglite: StoreBackend = {
    name:
      url === undefined || url === ''
        ? 'pglite (PostgreSQL skipped: TILTAK_TEST_DATABASE_URL not set)'
        : 'pglite',
    open: () => openStore({ memory: true }),
  };
  if (url === undefined || url === '') return [pglite];
  return [pglite, { name: 'postgresql', open: () => openFreshPostgres(url) }];
}

async function openFreshPostgres(adminUrl: string): Promise<Store> {
  const name = `tiltak_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return {
    ...store,
    close: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        // The pool's sockets may still be closing; a forced drop would kill them mid-close and
        // surface as an unhandled error, so wait for them briefly first.
        for (let i = 0; i < 50; i += 1) {
          const { rows } = await c.query(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await c.query(`drop database if exists ${name}`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A small trial for tests: two arms, two offices, three families at the first office.
 *
 * @example
 * const { trial, offices, families } = await seedTrial(store);
 */
export async function seedTrial(store: Store) {
  const { createTrial, createOffice, createFamily } = await import('../src/store/index.ts');
  const trial = await createTrial(store.db, 'stat:anne', {
    name: 'HOLF',
    registration: 'NCT03102775',
    startDate: '2016-09-01',
    arms: [
      { key: 'holf', name: 'HOLF model' },
      { key: 'local', name: 'Local family projects' },
    ],
  });
  const offices = [
    await createOffice(store.db, 'stat:anne', {
      trialId: trial.id,
      code: '0301-01',
      name: 'NAV A',
      covariates: { caseload: 310, urban: true },
    }),
    await createOffice(store.db, 'stat:anne', {
      trialId: trial.id,
      code: '4601-02',
      name: 'NAV B',
      covariates: { caseload: 120, urban: false },
    }),
  ];
  const families = [];
  for (const n of [1, 2, 3])
    families.push(
      await createFamily(store.db, 'coordinator:1', {
        officeId: offices[0]!.id,
        pseudonym: `F-000${n}`,
        members: [
          { pseudonym: `P-${n}-a`, role: 'adult', birthYear: 1980 + n },
          { pseudonym: `P-${n}-c`, role: 'child', birthYear: 2010 + n },
        ],
      }),
    );
  return { trial, offices, families };
}

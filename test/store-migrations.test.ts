import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrial,
  getTrial,
  migrateStore,
  openStore,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';
import { migrations } from '../src/store/migrations/index.ts';
import { storeBackends } from './store-backends.ts';

const schemaSnapshot = async (store: Store) => {
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(store.db);
  return rows;
};

describe.each(storeBackends())('migrations on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('applies every migration in order on open', async () => {
    const { rows } = await sql<{ name: string }>`
      select name from kysely_migration order by timestamp, name`.execute(store.db);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    expect(Object.keys(migrations)).toEqual([...Object.keys(migrations)].sort());
  });

  it('is a no-op when run again: nothing applied, schema and data unchanged', async () => {
    const trial = await createTrial(store.db, 'stat', {
      name: 'T',
      startDate: '2020-01-01',
      arms: [
        { key: 'a', name: 'A' },
        { key: 'b', name: 'B' },
      ],
    });
    const before = await schemaSnapshot(store);
    expect(before.length).toBeGreaterThan(50);
    expect(await migrateStore(store.db)).toEqual([]);
    expect(await migrateStore(store.db)).toEqual([]);
    expect(await schemaSnapshot(store)).toEqual(before);
    expect(await getTrial(store.db, trial.id)).toEqual(trial);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

describe('PGlite data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created on first open, keeps data across reopen, and reopening migrates nothing', async () => {
    const dataDir = join(dir, 'nested', 'pglite');
    const first = await openStore({ dataDir, env: {} });
    expect(first.backend).toBe('pglite');
    expect(first.location).toBe(dataDir);
    const trial = await createTrial(first.db, 'stat', {
      name: 'Persisted',
      startDate: '2020-01-01',
      arms: [
        { key: 'a', name: 'A' },
        { key: 'b', name: 'B' },
      ],
    });
    await first.close();
    const second = await openStore({ dataDir, env: { DATABASE_URL: 'postgres://ignored/db' } });
    try {
      expect(second.backend).toBe('pglite');
      expect(await migrateStore(second.db)).toEqual([]);
      expect(await getTrial(second.db, trial.id)).toEqual(trial);
      expect(await verifyAuditChain(second)).toMatchObject({ ok: true, entries: 1 });
    } finally {
      await second.close();
    }
  });

  it('rejects a database URL that is not postgres://', async () => {
    await expect(openStore({ databaseUrl: 'mysql://x/y' })).rejects.toMatchObject({
      code: 'BAD_DATABASE_URL',
    });
  });
});

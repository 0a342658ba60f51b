import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  getAllocation,
  listAuditEntries,
  recordAllocation,
  type Store,
  sha256Hex,
} from '../src/store/index.ts';
import { seedTrial, storeBackends } from './store-backends.ts';

describe.each(storeBackends())('allocation on $name', (backend) => {
  let store: Store;
  let seeded: Awaited<ReturnType<typeof seedTrial>>;
  let record: Record<string, unknown>;

  beforeAll(async () => {
    store = await backend.open();
    seeded = await seedTrial(store);
    record = {
      scheme: 'complete',
      seed: 20160901,
      offices: [
        { code: '0301-01', arm: 'holf' },
        { code: '4601-02', arm: 'local' },
      ],
      createdAt: new Date('2016-09-01T08:00:00Z'),
    };
  });
  afterAll(async () => {
    await store?.close();
  });

  const offices = () => [
    { officeId: seeded.offices[0]!.id, armKey: 'holf' },
    { officeId: seeded.offices[1]!.id, armKey: 'local' },
  ];

  it('validates arms, offices and a supplied hash before storing anything', async () => {
    await expect(
      recordAllocation(store.db, 'stat', {
        trialId: seeded.trial.id,
        record,
        offices: [{ officeId: seeded.offices[0]!.id, armKey: 'placebo' }],
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ARM' });
    await expect(
      recordAllocation(store.db, 'stat', {
        trialId: seeded.trial.id,
        record,
        offices: offices(),
        recordSha256: '0'.repeat(64),
      }),
    ).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect(await getAllocation(store.db, seeded.trial.id)).toBeUndefined();
  });

  it('stores the record, its SHA-256 over canonical JSON, and office arms', async () => {
    const expectedSha = sha256Hex(
      canonicalJson({
        createdAt: '2016-09-01T08:00:00.000Z',
        offices: [
          { arm: 'holf', code: '0301-01' },
          { arm: 'local', code: '4601-02' },
        ],
        scheme: 'complete',
        seed: 20160901,
      }),
    );
    const made = await recordAllocation(store.db, 'stat:anne', {
      trialId: seeded.trial.id,
      record,
      offices: offices(),
      recordSha256: expectedSha,
    });
    expect(made.recordSha256).toBe(expectedSha);
    const back = await getAllocation(store.db, seeded.trial.id);
    expect(back).toEqual({
      ...made,
      offices: [...made.offices].sort((a, b) => (a.officeId < b.officeId ? -1 : 1)),
    });
    expect(back?.record).toMatchObject({ seed: 20160901, createdAt: '2016-09-01T08:00:00.000Z' });
    const audit = await listAuditEntries(store.db, { entity: 'allocation' });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ recordSha256: expectedSha });
  });

  it('refuses a second allocation in the repository', async () => {
    const first = await getAllocation(store.db, seeded.trial.id);
    await expect(
      recordAllocation(store.db, 'stat:mallory', {
        trialId: seeded.trial.id,
        record: { ...record, seed: 1 },
        offices: [...offices()]
          .reverse()
          .map((o, i) => ({ ...o, armKey: i === 0 ? 'holf' : 'local' })),
      }),
    ).rejects.toMatchObject({ code: 'ALLOCATION_IMMUTABLE' });
    expect(await getAllocation(store.db, seeded.trial.id)).toEqual(first);
  });

  it('rejects UPDATE, DELETE and TRUNCATE of allocation rows by trigger', async () => {
    const first = await getAllocation(store.db, seeded.trial.id);
    await expect(
      sql`update allocation_office set arm_key = 'local' where arm_key = 'holf'`.execute(store.db),
    ).rejects.toThrow(/immutable/);
    await expect(
      sql`update allocation set record_sha256 = ${'f'.repeat(64)}`.execute(store.db),
    ).rejects.toThrow(/immutable/);
    await expect(sql`delete from allocation_office`.execute(store.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from allocation`.execute(store.db)).rejects.toThrow(/immutable/);
    await expect(sql`truncate allocation_office`.execute(store.db)).rejects.toThrow(/immutable/);
    expect(await getAllocation(store.db, seeded.trial.id)).toEqual(first);
  });
});

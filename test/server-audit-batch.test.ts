import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditBatcher } from '../src/server/services/audit-batch.ts';
import { changesAnalysisData } from '../src/server/services/trial-analysis.ts';
import {
  auditRead,
  listAuditEntries,
  openStore,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';

let store: Store;

beforeAll(async () => {
  store = await openStore({ memory: true });
});

afterAll(async () => {
  await store?.close();
});

describe('group commit of audited reads', () => {
  it('appends concurrent reads in order to one verifying hash chain, with other writers between', async () => {
    const batcher = new AuditBatcher(store.db);
    await auditRead(store.db, { actor: 'user:a', entity: 'family', entityId: 'f0' });
    const reads = Array.from({ length: 120 }, (_, i) =>
      batcher.logRead({
        actor: `user:u${i % 3}`,
        entity: 'family',
        entityId: `f${i + 1}`,
        purpose: 'family record',
      }),
    );
    // A store write in the middle queues behind the chain-head lock like any other.
    const direct = auditRead(store.db, { actor: 'user:b', entity: 'office', entityId: 'o1' });
    await Promise.all([...reads, direct]);
    const entries = await listAuditEntries(store.db);
    expect(entries).toHaveLength(122);
    const batched = entries.filter((e) => e.entity === 'family' && e.entityId !== 'f0');
    expect(batched.map((e) => e.entityId)).toEqual(
      Array.from({ length: 120 }, (_, i) => `f${i + 1}`),
    );
    expect(batched[0]).toMatchObject({
      action: 'read',
      actor: 'user:u0',
      before: null,
      after: { purpose: 'family record' },
    });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('rejects a read without an actor and writes nothing', async () => {
    const before = (await listAuditEntries(store.db)).length;
    await expect(
      new AuditBatcher(store.db).logRead({ actor: ' ', entity: 'family', entityId: 'x' }),
    ).rejects.toThrow(/actor/);
    expect((await listAuditEntries(store.db)).length).toBe(before);
  });
});

describe('which writes change the analysis data', () => {
  it('is the allocation draw and questionnaire submissions, not drafts, jobs or sessions', () => {
    expect(changesAnalysisData('POST', '/api/randomisation')).toBe(true);
    expect(changesAnalysisData('POST', '/api/families/f1/questionnaires/T2/wai-sr/submit')).toBe(
      true,
    );
    expect(changesAnalysisData('PUT', '/api/families/f1/questionnaires/T2/wai-sr')).toBe(false);
    expect(changesAnalysisData('POST', '/api/jobs/power-simulation')).toBe(false);
    expect(changesAnalysisData('POST', '/api/login')).toBe(false);
  });
});

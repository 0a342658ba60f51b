import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAuditEntries,
  auditEntryHash,
  auditRead,
  createOffice,
  GENESIS_HASH,
  listAuditEntries,
  readFamilyAudited,
  type Store,
  updateOfficeCovariates,
  verifyAuditChain,
} from '../src/store/index.ts';
import { seedTrial, storeBackends } from './store-backends.ts';

describe.each(storeBackends())('audit log on $name', (backend) => {
  let store: Store;
  let seeded: Awaited<ReturnType<typeof seedTrial>>;

  beforeAll(async () => {
    store = await backend.open();
    seeded = await seedTrial(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('chains every write: seq 1..n, each prev_hash is the previous hash, hashes recompute', async () => {
    const entries = await listAuditEntries(store.db);
    // trial + 2 offices + 3 families
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    entries.forEach((e, i) => {
      if (i > 0) expect(e.prevHash).toBe(entries[i - 1]!.hash);
      expect(auditEntryHash(e)).toBe(e.hash);
    });
    expect(entries.map((e) => [e.action, e.entity])).toEqual([
      ['create', 'trial'],
      ['create', 'office'],
      ['create', 'office'],
      ['create', 'family'],
      ['create', 'family'],
      ['create', 'family'],
    ]);
    expect(entries[3]!.actor).toBe('coordinator:1');
    expect(entries[3]!.entityId).toBe(seeded.families[0]!.id);
    expect(entries[3]!.before).toBeNull();
    expect(entries[3]!.after).toMatchObject({ pseudonym: 'F-0001' });
    expect(await verifyAuditChain(store)).toEqual({
      ok: true,
      entries: 6,
      headHash: entries[5]!.hash,
    });
  });

  it('records before and after of an update', async () => {
    const office = seeded.offices[1]!;
    await updateOfficeCovariates(store.db, 'stat:bo', office.id, { caseload: 125, urban: false });
    const history = await listAuditEntries(store.db, { entity: 'office', entityId: office.id });
    expect(history.map((e) => e.action)).toEqual(['create', 'update']);
    const update = history[1]!;
    expect(update.action).toBe('update');
    expect(update.actor).toBe('stat:bo');
    expect(update.before).toMatchObject({ covariates: { caseload: 120, urban: false } });
    expect(update.after).toMatchObject({ covariates: { caseload: 125, urban: false } });
  });

  it('audits reads of a family record', async () => {
    const family = seeded.families[1]!;
    const read = await readFamilyAudited(store.db, 'coordinator:2', family.id, 'home visit');
    expect(read?.pseudonym).toBe('F-0002');
    const entries = await listAuditEntries(store.db, { entity: 'family', entityId: family.id });
    const last = entries.at(-1)!;
    expect(last).toMatchObject({
      action: 'read',
      actor: 'coordinator:2',
      after: { purpose: 'home visit' },
    });
    await auditRead(store.db, { actor: 'web:viewer', entity: 'family', entityId: family.id });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('refuses writes without an actor', async () => {
    await expect(
      createOffice(store.db, '  ', { trialId: seeded.trial.id, code: 'X', name: 'X' }),
    ).rejects.toMatchObject({ code: 'NO_ACTOR' });
  });

  it('appends a batch of entries in order, chained as single writes would be, or none of them', async () => {
    const before = await listAuditEntries(store.db);
    const head = before.at(-1)!;
    // More than one INSERT chunk (500 rows), so the chunking is exercised.
    const batch = Array.from({ length: 1203 }, (_, i) => ({
      actor: `web:${i % 7}`,
      action: 'read',
      entity: 'family',
      entityId: seeded.families[i % 3]!.id,
      before: null,
      after: i % 2 === 0 ? { purpose: `batch ${i}` } : null,
    }));
    await appendAuditEntries(store.db, batch);
    const after = await listAuditEntries(store.db);
    const added = after.slice(before.length);
    expect(added.map((e) => e.seq)).toEqual(batch.map((_, i) => head.seq + 1 + i));
    expect(added[0]!.prevHash).toBe(head.hash);
    expect(added.map((e) => [e.actor, e.entityId, e.after])).toEqual(
      batch.map((b) => [b.actor, b.entityId, b.after]),
    );
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true, entries: after.length });
    // One entry without an actor: the whole batch is refused and nothing is written.
    await expect(
      appendAuditEntries(store.db, [batch[0]!, { ...batch[1]!, actor: ' ' }]),
    ).rejects.toMatchObject({ code: 'NO_ACTOR' });
    expect((await listAuditEntries(store.db)).length).toBe(after.length);
  });

  it('does not fork the chain under concurrent writers', async () => {
    const before = (await listAuditEntries(store.db)).length;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createOffice(store.db, `stat:${i}`, {
          trialId: seeded.trial.id,
          code: `C-${String(i).padStart(2, '0')}`,
          name: `Concurrent ${i}`,
        }),
      ),
    );
    const v = await verifyAuditChain(store);
    expect(v).toMatchObject({ ok: true, entries: before + 12 });
  });

  it('rejects UPDATE, DELETE and TRUNCATE of the audit log by trigger', async () => {
    await expect(
      sql`update audit_log set actor = 'mallory' where seq = 1`.execute(store.db),
    ).rejects.toThrow(/immutable/);
    await expect(sql`delete from audit_log where seq = 1`.execute(store.db)).rejects.toThrow(
      /immutable/,
    );
    await expect(sql`truncate audit_log`.execute(store.db)).rejects.toThrow(/immutable/);
    const first = (await listAuditEntries(store.db, { limit: 1 }))[0]!;
    expect(first.actor).toBe('stat:anne');
  });

  it('detects tampering done with the trigger disabled, and a re-hashed forgery at the next link', async () => {
    expect((await verifyAuditChain(store)).ok).toBe(true);
    const tamper = async (statement: string) => {
      await store.db.transaction().execute(async (trx) => {
        await sql
          .raw('alter table audit_log disable trigger audit_log_no_update_delete')
          .execute(trx);
        await sql.raw(statement).execute(trx);
        await sql
          .raw('alter table audit_log enable trigger audit_log_no_update_delete')
          .execute(trx);
      });
    };
    const original = (await listAuditEntries(store.db, { afterSeq: 2, limit: 1 }))[0]!;

    await tamper(`update audit_log set after = '{"name":"forged"}' where seq = 3`);
    expect(await verifyAuditChain(store)).toMatchObject({
      ok: false,
      brokenAt: 3,
      entries: 2,
      reason: 'hash does not match the entry content',
    });

    // A forger who also recomputes the entry's own hash still breaks the link from entry 4.
    const forged = { ...original, after: { name: 'forged' } };
    await tamper(`update audit_log set hash = '${auditEntryHash(forged)}' where seq = 3`);
    expect(await verifyAuditChain(store)).toMatchObject({
      ok: false,
      brokenAt: 4,
      reason: 'prev_hash does not match the previous entry',
    });

    // Restore the original entry: the chain verifies again, so the checks above were about content.
    await tamper(
      `update audit_log set hash = '${original.hash}', after = '${JSON.stringify(original.after).replaceAll("'", "''")}' where seq = 3`,
    );
    expect((await verifyAuditChain(store)).ok).toBe(true);

    // Cutting entries off the end is caught by the chain head.
    const total = (await listAuditEntries(store.db)).length;
    await tamper(`delete from audit_log where seq = ${total}`);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, brokenAt: total });

    // A gap in the middle is reported at the missing sequence number.
    await tamper('delete from audit_log where seq = 2');
    expect(await verifyAuditChain(store)).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'entry 2 is missing',
    });
  });
});

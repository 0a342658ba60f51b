import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getEligibility,
  getFamily,
  getFamilyDraw,
  listAuditEntries,
  recordFamilyDraws,
  type ScreenedFamilyInput,
  type Store,
  storeScreenedFamilies,
  verifyAuditChain,
} from '../src/store/index.ts';
import { seedTrial, storeBackends } from './store-backends.ts';

const DECIDED = '2016-06-30T00:00:00.000Z';

describe.each(storeBackends())('batched screening and draws on $name', (backend) => {
  let store: Store;
  let seeded: Awaited<ReturnType<typeof seedTrial>>;
  let batch: ScreenedFamilyInput[];

  beforeAll(async () => {
    store = await backend.open();
    seeded = await seedTrial(store);
    // 1,203 families over both offices: more than two INSERT chunks of 500.
    batch = Array.from({ length: 1203 }, (_, i) => ({
      officeId: seeded.offices[i % 2]!.id,
      pseudonym: `S-${String(i).padStart(5, '0')}`,
      members: [
        { pseudonym: `S-${i}-a`, role: 'adult' as const },
        ...(i % 3 === 0
          ? [{ pseudonym: `S-${i}-c`, role: 'child' as const, birthYear: 2008 }]
          : []),
      ],
      eligibility: {
        eligible: i % 10 !== 0,
        rule: i % 10 !== 0 ? 'holf@1' : 'holf@1:other_family_project',
        reasons: [i % 10 !== 0 ? 'meets every inclusion rule' : 'in another family project'],
        decidedAt: DECIDED,
      },
    }));
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores every family with its household and decision, audited like single writes', async () => {
    const before = (await listAuditEntries(store.db)).length;
    const r = await storeScreenedFamilies(store.db, 'system:screening', batch);
    expect(r).toMatchObject({ created: 1203, updated: 0, unchanged: 0 });
    const id = r.familyIds.get('S-00003')!;
    expect(await getFamily(store.db, id)).toEqual({
      id,
      officeId: seeded.offices[1]!.id,
      pseudonym: 'S-00003',
      members: [
        { pseudonym: 'S-3-a', role: 'adult', birthYear: null },
        { pseudonym: 'S-3-c', role: 'child', birthYear: 2008 },
      ],
    });
    expect(await getEligibility(store.db, r.familyIds.get('S-00010')!)).toEqual({
      familyId: r.familyIds.get('S-00010'),
      eligible: false,
      rule: 'holf@1:other_family_project',
      reasons: ['in another family project'],
      decidedAt: DECIDED,
    });
    const entries = (await listAuditEntries(store.db)).slice(before);
    // A create and a record per family, in batch order.
    expect(entries).toHaveLength(2 * 1203);
    expect(entries.slice(0, 2).map((e) => [e.action, e.entity, e.entityId])).toEqual([
      ['create', 'family', r.familyIds.get('S-00000')],
      ['record', 'eligibility', r.familyIds.get('S-00000')],
    ]);
    expect(entries[0]!.after).toEqual({
      id: r.familyIds.get('S-00000'),
      officeId: seeded.offices[0]!.id,
      pseudonym: 'S-00000',
      members: [
        { pseudonym: 'S-0-a', role: 'adult', birthYear: null },
        { pseudonym: 'S-0-c', role: 'child', birthYear: 2008 },
      ],
    });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('changes nothing when the same run is stored again, and records only changed decisions', async () => {
    const before = (await listAuditEntries(store.db)).length;
    const again = await storeScreenedFamilies(store.db, 'system:screening', batch);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1203 });
    expect((await listAuditEntries(store.db)).length).toBe(before);
    const changed = batch.map((f, i) =>
      i === 7
        ? { ...f, eligibility: { ...f.eligibility, eligible: false, reasons: ['moved away'] } }
        : f,
    );
    const third = await storeScreenedFamilies(store.db, 'system:screening', changed);
    expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 1202 });
    const last = (await listAuditEntries(store.db)).at(-1)!;
    expect(last).toMatchObject({
      action: 'record',
      entity: 'eligibility',
      entityId: third.familyIds.get('S-00007'),
      before: { eligible: true },
      after: { eligible: false, reasons: ['moved away'] },
    });
  });

  it('rejects a batch with one bad item whole, naming it, and writes nothing', async () => {
    const before = (await listAuditEntries(store.db)).length;
    const fresh = (n: number): ScreenedFamilyInput => ({
      ...batch[0]!,
      pseudonym: `N-${n}`,
      members: [{ pseudonym: `N-${n}-a`, role: 'adult' }],
    });
    await expect(
      storeScreenedFamilies(store.db, 'system:screening', [
        fresh(1),
        { ...fresh(2), members: [{ pseudonym: '01017012345', role: 'adult' }] },
      ]),
    ).rejects.toMatchObject({ code: 'PERSONAL_ID', message: /families\[1\]\.members\.0/ });
    await expect(
      storeScreenedFamilies(store.db, 'system:screening', [fresh(3), fresh(3)]),
    ).rejects.toMatchObject({ code: 'DUPLICATE', message: /families\[1\]/ });
    await expect(
      storeScreenedFamilies(store.db, 'system:screening', [
        fresh(4),
        { ...fresh(5), officeId: 'no-such-office' },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: /no-such-office/ });
    await expect(storeScreenedFamilies(store.db, ' ', [fresh(6)])).rejects.toMatchObject({
      code: 'NO_ACTOR',
    });
    expect((await listAuditEntries(store.db)).length).toBe(before);
    const n = await store.db
      .selectFrom('family')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('pseudonym', 'like', 'N-%')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('draws many families at once under the single-draw rules, all or nothing', async () => {
    const ids = await storeScreenedFamilies(store.db, 'system:screening', batch);
    const get = (i: number) => ids.familyIds.get(batch[i]!.pseudonym)!;
    // Family 0 is not eligible: the whole batch is refused.
    await expect(
      recordFamilyDraws(store.db, 'system:draw', [
        { familyId: get(1), group: 'drawn' },
        { familyId: get(0), group: 'drawn' },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_ELIGIBLE' });
    expect(await getFamilyDraw(store.db, get(1))).toBeUndefined();
    const eligible = batch.map((_, i) => i).filter((i) => i % 10 !== 0 && i !== 7);
    const draws = eligible.map((i) => ({
      familyId: get(i),
      group: i % 2 === 0 ? ('drawn' as const) : ('comparison' as const),
    }));
    const before = (await listAuditEntries(store.db)).length;
    const out = await recordFamilyDraws(store.db, 'system:draw', draws);
    expect(out).toHaveLength(eligible.length);
    expect(await getFamilyDraw(store.db, get(2))).toMatchObject({
      group: 'drawn',
      officeId: seeded.offices[0]!.id,
    });
    expect((await listAuditEntries(store.db)).length).toBe(before + eligible.length);
    await expect(
      recordFamilyDraws(store.db, 'system:draw', [{ familyId: get(2), group: 'comparison' }]),
    ).rejects.toMatchObject({ code: 'ALREADY_DRAWN' });
    await expect(
      recordFamilyDraws(store.db, 'system:draw', [{ familyId: 'nobody', group: 'drawn' }]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

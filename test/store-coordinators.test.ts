import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStaffMember,
  assignCoordinators,
  getFamilyCoordinator,
  listAuditEntries,
  recordEligibility,
  recordFamilyDraw,
  type Store,
  verifyAuditChain,
} from '../src/store/index.ts';
import { seedTrial, storeBackends } from './store-backends.ts';

describe.each(storeBackends())('family coordinators on $name', (backend) => {
  let store: Store;
  let seeded: Awaited<ReturnType<typeof seedTrial>>;
  let coordA: string;
  let coordA2: string;
  let leaderA: string;
  let coordB: string;

  beforeAll(async () => {
    store = await backend.open();
    seeded = await seedTrial(store);
    const [a, b] = seeded.offices;
    coordA = (
      await addStaffMember(store.db, 'stat:anne', {
        officeId: a!.id,
        role: 'coordinator',
        name: 'K A1',
      })
    ).id;
    coordA2 = (
      await addStaffMember(store.db, 'stat:anne', {
        officeId: a!.id,
        role: 'coordinator',
        name: 'K A2',
      })
    ).id;
    leaderA = (
      await addStaffMember(store.db, 'stat:anne', { officeId: a!.id, role: 'leader', name: 'L A' })
    ).id;
    coordB = (
      await addStaffMember(store.db, 'stat:anne', {
        officeId: b!.id,
        role: 'coordinator',
        name: 'K B1',
      })
    ).id;
    // Families 0 and 1 are drawn into follow-up, family 2 is a comparison family.
    for (const [i, group] of [
      [0, 'drawn'],
      [1, 'drawn'],
      [2, 'comparison'],
    ] as const) {
      const familyId = seeded.families[i]!.id;
      await recordEligibility(store.db, 'system', {
        familyId,
        eligible: true,
        rule: 'holf@1',
        reasons: ['meets every inclusion rule'],
      });
      await recordFamilyDraw(store.db, 'coordinator:1', familyId, group);
    }
  });
  afterAll(async () => {
    await store?.close();
  });

  it('refuses comparison families, non-coordinators and coordinators of another office, writing nothing', async () => {
    const [f0, f1, f2] = seeded.families.map((f) => f.id);
    const code = async (items: { familyId: string; staffId: string }[]) => {
      try {
        await assignCoordinators(store.db, 'leader:1', items);
        return 'none';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(
      await code([
        { familyId: f0!, staffId: coordA },
        { familyId: f2!, staffId: coordA },
      ]),
    ).toBe('NOT_DRAWN');
    expect(await code([{ familyId: f0!, staffId: leaderA }])).toBe('NOT_A_COORDINATOR');
    expect(await code([{ familyId: f1!, staffId: coordB }])).toBe('WRONG_OFFICE');
    expect(await code([{ familyId: 'nobody', staffId: coordA }])).toBe('NOT_FOUND');
    expect(
      await code([
        { familyId: f0!, staffId: coordA },
        { familyId: f0!, staffId: coordA2 },
      ]),
    ).toBe('DUPLICATE');
    expect(await getFamilyCoordinator(store.db, f0!)).toBeUndefined();
    expect(await listAuditEntries(store.db, { entity: 'family_coordinator' })).toEqual([]);
  });

  it('assigns, leaves an unchanged assignment alone and audits a reassignment with before and after', async () => {
    const [f0, f1] = seeded.families.map((f) => f.id);
    expect(
      await assignCoordinators(store.db, 'leader:1', [
        { familyId: f0!, staffId: coordA },
        { familyId: f1!, staffId: coordA2 },
      ]),
    ).toEqual({ assigned: 2, unchanged: 0 });
    expect(await getFamilyCoordinator(store.db, f0!)).toMatchObject({
      familyId: f0,
      staffId: coordA,
    });
    expect(
      await assignCoordinators(store.db, 'leader:1', [{ familyId: f0!, staffId: coordA }]),
    ).toEqual({ assigned: 0, unchanged: 1 });
    await assignCoordinators(store.db, 'leader:1', [{ familyId: f0!, staffId: coordA2 }]);
    const history = await listAuditEntries(store.db, {
      entity: 'family_coordinator',
      entityId: f0!,
    });
    expect(
      history.map((e) => [e.action, e.before, (e.after as { staffId: string }).staffId]),
    ).toEqual([
      ['assign', null, coordA],
      ['assign', { staffId: coordA }, coordA2],
    ]);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });
});

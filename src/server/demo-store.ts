import {
  analyzeTrial,
  DEFAULT_PLAN_PATH,
  lockedPlan,
  lockPlan,
  readPlanFile,
} from '../analysis/store-plan.ts';
import { isTiltakError } from '../stats/errors.ts';
import { listAnalysisRuns } from '../store/index.ts';
import type { Store } from '../store/open-store.ts';
import {
  type BuildDemoOptions,
  buildDemoTrial,
  DEMO_ACTOR,
  DEMO_TRIAL_NAME,
  findTrialByName,
} from '../trial/demo/index.ts';
import type { PasswordCost } from './auth/passwords.ts';
import { type DemoLogin, seedDemoUsers } from './seed-demo-users.ts';

/**
 * What {@link prepareDemoStore} did.
 *
 * @example
 * const { trialId, built, logins } = await prepareDemoStore(store, { seed: 2016 });
 */
export interface DemoStore {
  readonly trialId: string;
  /** True when the demo trial was built now, false when the store already held it. */
  readonly built: boolean;
  readonly logins: DemoLogin[];
}

/**
 * Make a store serve the demo: when it has no demo trial (`HOLF`), build it with
 * `buildDemoTrial` (deterministic from the seed), lock the shipped HOLF plan and record a run of
 * it, as `tiltak demo` does; a store that already has the demo is used as it is (a plan lock or
 * run missing from it is added). Then create the demo logins (one per role; existing accounts are
 * kept). Demo passwords are public: never point this at a production store.
 *
 * @example
 * const store = await openStore();            // ./data/pglite
 * const demo = await prepareDemoStore(store, { seed: 2016, onProgress: (s, d) => log(s, d) });
 * const app = await buildApp({ store, trialId: demo.trialId });
 */
export async function prepareDemoStore(
  store: Store,
  options: BuildDemoOptions & { readonly passwordCost?: PasswordCost },
): Promise<DemoStore> {
  const { passwordCost, ...build } = options;
  let trialId = await findTrialByName(store.db, DEMO_TRIAL_NAME);
  const built = trialId === undefined;
  if (trialId === undefined) trialId = (await buildDemoTrial(store, build)).trialId;
  let hash: string;
  try {
    hash = (await lockedPlan(store.db, trialId)).hash;
  } catch (e) {
    if (!isTiltakError(e) || e.code !== 'PLAN_NOT_LOCKED') throw e;
    hash = (await lockPlan(store.db, DEMO_ACTOR, trialId, readPlanFile(DEFAULT_PLAN_PATH))).hash;
  }
  const runs = await listAnalysisRuns(store.db, trialId);
  if (!runs.some((r) => r.planSha256 === hash)) {
    options.onProgress?.('analysis', 'running the locked HOLF plan');
    await analyzeTrial(store.db, DEMO_ACTOR, trialId);
  }
  const offices = await store.db
    .selectFrom('office')
    .select('id')
    .where('trial_id', '=', trialId)
    .orderBy('code')
    .execute();
  const logins = await seedDemoUsers(
    store,
    [offices[0]!.id, offices[1]!.id],
    ...(passwordCost === undefined ? [] : [passwordCost]),
  );
  return { trialId, built, logins };
}

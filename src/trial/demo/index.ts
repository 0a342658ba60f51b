/**
 * The demo trial: a HOLF-shaped cluster-randomised trial built into the store from a seed, from
 * synthetic register records through screening, randomisation, draws and enrolment to follow-up.
 *
 * @example
 * import { buildDemoTrial } from './trial/demo/index.ts';
 * const summary = await buildDemoTrial(store, { seed: 2016 });
 */
export * from './build-demo.ts';
export * from './draws.ts';
export * from './follow-up.ts';
export * from './register-records.ts';

/**
 * The trial store: Kysely over PGlite (default) or PostgreSQL, versioned migrations, audited
 * repositories per aggregate, and the hash-chained append-only audit log.
 *
 * @example
 * import { openStore, createTrial, verifyAuditChain } from './store/index.ts';
 * const store = await openStore({ memory: true });
 * await createTrial(store.db, 'stat:anne', { name: 'HOLF', startDate: '2016-09-01', arms });
 * (await verifyAuditChain(store)).ok; // true
 */
export * from './audit.ts';
export * from './canonical-json.ts';
export * from './open-store.ts';
export * from './pseudonym.ts';
export * from './repositories/allocation-repository.ts';
export * from './repositories/analysis-repository.ts';
export * from './repositories/coordinator-repository.ts';
export * from './repositories/draw-repository.ts';
export * from './repositories/eligibility-repository.ts';
export * from './repositories/enrolment-repository.ts';
export * from './repositories/family-repository.ts';
export * from './repositories/instrument-repository.ts';
export * from './repositories/municipality-repository.ts';
export * from './repositories/office-repository.ts';
export * from './repositories/register-outcome-repository.ts';
export * from './repositories/response-repository.ts';
export * from './repositories/screened-family-repository.ts';
export * from './repositories/trial-repository.ts';
export type { Database } from './schema.ts';

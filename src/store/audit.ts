import type { Kysely, Transaction } from 'kysely';
import { TiltakError } from '../stats/errors.ts';
import type { JsonValue } from '../trial/types.ts';
import { canonicalJson, sha256Hex, toJsonValue } from './canonical-json.ts';
import type { Store } from './open-store.ts';
import type { Database } from './schema.ts';

/**
 * The `prev_hash` of the first entry: the chain starts from 64 zeros.
 *
 * @example
 * GENESIS_HASH.length; // 64
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * One audit-log entry as read back.
 *
 * @example
 * const e: AuditEntry = (await listAuditEntries(store.db))[0]!;
 */
export interface AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly actor: string;
  /** ISO timestamp with milliseconds. */
  readonly at: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: JsonValue | null;
  readonly after: JsonValue | null;
}

/**
 * Who does what to which kind of entity, given to {@link writeAudited}.
 *
 * @example
 * const m: AuditMeta = { actor: 'coordinator:17', action: 'create', entity: 'family' };
 */
export interface AuditMeta {
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
}

/**
 * What a change did, returned by the callback of {@link writeAudited}.
 *
 * @example
 * return { entityId: id, before: null, after: row, result: row };
 */
export interface AuditedChange<T> {
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly result: T;
}

/**
 * Result of {@link verifyAuditChain}.
 *
 * @example
 * const v = await verifyAuditChain(store);
 * if (!v.ok) console.error(`broken at ${v.brokenAt}: ${v.reason}`);
 */
export type AuditVerification =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly brokenAt: number;
      readonly reason: string;
    };

/**
 * Hash of an entry: SHA-256 over the canonical JSON of the array
 * `[prevHash, seq, actor, at, action, entity, entityId, before, after]`. An array, so the fields are
 * bound to their positions and no field can be shifted into another.
 *
 * @example
 * auditEntryHash({ prevHash: GENESIS_HASH, seq: 1, actor: 'a', at: '2026-01-01T00:00:00.000Z', action: 'create', entity: 'trial', entityId: 't', before: null, after: { name: 'HOLF' } });
 */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson([
      entry.prevHash,
      entry.seq,
      entry.actor,
      entry.at,
      entry.action,
      entry.entity,
      entry.entityId,
      entry.before,
      entry.after,
    ]),
  );
}

/**
 * Run `fn` in a transaction: the caller's, when `db` already is one (so many writes can share one
 * all-or-nothing transaction), else a new one.
 *
 * @example
 * await inTransaction(store.db, async (trx) => { await createFamily(trx, actor, a); await createFamily(trx, actor, b); });
 */
export function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

/**
 * The one way the store writes: apply a change and append its audit entry in the same transaction.
 * The chain head row is locked first (`SELECT ... FOR UPDATE`), so concurrent writers queue behind
 * each other and the chain cannot fork; if the change or the entry fails, neither is kept.
 *
 * @example
 * const id = await writeAudited(store.db, { actor, action: 'create', entity: 'office' }, async (trx) => {
 *   await trx.insertInto('office').values(row).execute();
 *   return { entityId: row.id, before: null, after: row, result: row.id };
 * });
 */
export async function writeAudited<T>(
  db: Kysely<Database>,
  meta: AuditMeta,
  apply: (trx: Transaction<Database>) => Promise<AuditedChange<T>>,
): Promise<T> {
  checkActor(meta.actor);
  return inTransaction(db, async (trx) => {
    const head = await lockChainHead(trx);
    const change = await apply(trx);
    await appendEntries(trx, head, [
      {
        actor: meta.actor,
        action: meta.action,
        entity: meta.entity,
        entityId: change.entityId,
        before: change.before === null ? null : toJsonValue(change.before),
        after: change.after === null ? null : toJsonValue(change.after),
      },
    ]);
    return change.result;
  });
}

/**
 * Log a read (the web app logs every read of a family record). `purpose`, when given, is kept in
 * the entry's `after` field.
 *
 * @example
 * await auditRead(store.db, { actor: 'coordinator:17', entity: 'family', entityId: familyId, purpose: 'follow-up meeting' });
 */
export async function auditRead(
  db: Kysely<Database>,
  read: { actor: string; entity: string; entityId: string; purpose?: string },
): Promise<void> {
  await appendAuditEntries(db, [
    {
      actor: read.actor,
      action: 'read',
      entity: read.entity,
      entityId: read.entityId,
      before: null,
      after: read.purpose === undefined ? null : { purpose: read.purpose },
    },
  ]);
}

/**
 * Audit entries in sequence order, optionally for one entity.
 *
 * @example
 * const history = await listAuditEntries(store.db, { entity: 'family', entityId: id });
 */
export async function listAuditEntries(
  db: Kysely<Database>,
  filter: { entity?: string; entityId?: string; afterSeq?: number; limit?: number } = {},
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('seq');
  if (filter.entity !== undefined) q = q.where('entity', '=', filter.entity);
  if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    actor: r.actor,
    at: toIso(r.at),
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
  }));
}

/**
 * Recompute the whole chain: sequence numbers must run 1, 2, 3, … without gaps, each entry must
 * point at the previous entry's hash, each stored hash must match its recomputed one, and the chain
 * head must point at the last entry (which catches entries cut off the end).
 *
 * @example
 * const v = await verifyAuditChain(store); // { ok: true, entries: 42, headHash: '…' }
 */
export async function verifyAuditChain(
  target: Store | Kysely<Database>,
): Promise<AuditVerification> {
  const db = 'db' in target ? target.db : target;
  const pageSize = 1000;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const page = await listAuditEntries(db, { afterSeq: expectedSeq - 1, limit: pageSize });
    for (const e of page) {
      const broken = (reason: string): AuditVerification => ({
        ok: false,
        entries,
        brokenAt: e.seq,
        reason,
      });
      if (e.seq !== expectedSeq)
        return {
          ok: false,
          entries,
          brokenAt: expectedSeq,
          reason: `entry ${expectedSeq} is missing`,
        };
      if (e.prevHash !== prevHash) return broken('prev_hash does not match the previous entry');
      if (auditEntryHash(e) !== e.hash) return broken('hash does not match the entry content');
      prevHash = e.hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (page.length < pageSize) break;
  }
  const head = await db
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (head === undefined)
    return { ok: false, entries, brokenAt: expectedSeq, reason: 'the chain head row is missing' };
  if (Number(head.seq) !== entries || head.hash !== prevHash)
    return {
      ok: false,
      entries,
      brokenAt: Math.min(Number(head.seq), entries) + 1,
      reason: `the chain head (seq ${head.seq}) does not match the last entry (seq ${entries})`,
    };
  return { ok: true, entries, headHash: prevHash };
}

async function lockChainHead(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
  const head = await trx
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirst();
  if (head === undefined)
    throw new TiltakError('AUDIT_BROKEN', 'the audit chain head row is missing; run audit verify');
  return { seq: Number(head.seq), hash: head.hash };
}

/** At most this many entries go into one INSERT (PostgreSQL allows 65,535 parameters). */
const INSERT_CHUNK = 500;

/** The fields of an entry its writer chooses; sequence, time and hashes are the chain's. */
type EntryFields = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'at'>;

async function appendEntries(
  trx: Transaction<Database>,
  head: { seq: number; hash: string },
  entries: readonly EntryFields[],
): Promise<void> {
  const at = new Date().toISOString();
  let seq = head.seq;
  let prevHash = head.hash;
  const rows = entries.map((fields) => {
    seq += 1;
    const entry = { ...fields, seq, prevHash, at };
    const hash = auditEntryHash(entry);
    prevHash = hash;
    return {
      seq,
      prev_hash: entry.prevHash,
      hash,
      actor: entry.actor,
      at,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === null ? null : JSON.stringify(entry.after),
    };
  });
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await trx
      .insertInto('audit_log')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  await trx
    .updateTable('audit_chain_head')
    .set({ seq, hash: prevHash })
    .where('id', '=', 1)
    .execute();
}

/**
 * Append several entries to the chain in one transaction (one head lock, chunked inserts, one head
 * update), in the order given and with one timestamp. For callers that log many events at once,
 * such as the web app's group-committed reads; each entry is chained and verifiable exactly as if
 * it had been written alone.
 *
 * @example
 * await appendAuditEntries(store.db, [
 *   { actor: 'user:forsker', action: 'read', entity: 'family', entityId: 'f1', before: null, after: null },
 * ]);
 */
export async function appendAuditEntries(
  db: Kysely<Database>,
  entries: readonly EntryFields[],
): Promise<void> {
  for (const e of entries) checkActor(e.actor);
  if (entries.length === 0) return;
  await inTransaction(db, async (trx) => {
    const head = await lockChainHead(trx);
    await appendEntries(trx, head, entries);
  });
}

/**
 * Refuse a write without an actor (`NO_ACTOR`): every audit entry names who made the change.
 *
 * @example
 * checkActor('stat:anne'); // passes; checkActor(' ') throws NO_ACTOR
 */
export function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim().length === 0)
    throw new TiltakError('NO_ACTOR', 'every write must name its actor (who made the change)');
}

/**
 * A timestamp column value as an ISO string, whichever form the driver returned it in.
 *
 * @example
 * toIso(new Date(0)); // '1970-01-01T00:00:00.000Z'
 */
export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

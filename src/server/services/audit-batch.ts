import type { Kysely } from 'kysely';
import { appendAuditEntries, type Database } from '../../store/index.ts';

/**
 * One read to log.
 *
 * @example
 * const r: AuditReadEntry = { actor: 'user:koordinator', entity: 'family', entityId: id, purpose: 'family record' };
 */
export interface AuditReadEntry {
  readonly actor: string;
  readonly entity: string;
  readonly entityId: string;
  readonly purpose?: string;
}

interface Pending extends AuditReadEntry {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit of audited reads. Every read a request makes is appended to the store's hash chain
 * before the request answers (the caller awaits {@link AuditBatcher.logRead}), but reads arriving
 * while an append is in flight share the next transaction: one chain-head lock, one multi-row
 * insert, one head update for the lot, instead of five statements per read. Entries are exactly
 * those `auditRead` writes (same fields, timestamps, hash), so `verifyAuditChain` checks them like
 * any other; other writers queue behind the chain-head row lock as usual.
 *
 * @example
 * const audit = new AuditBatcher(store.db);
 * await audit.logRead({ actor: 'user:forsker', entity: 'family', entityId: id, purpose: 'family record' });
 */
export class AuditBatcher {
  readonly #db: Kysely<Database>;
  #queue: Pending[] = [];
  #flushing = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Append a read to the audit log; resolves once it is committed.
   *
   * @example
   * await audit.logRead({ actor, entity: 'family', entityId });
   */
  logRead(entry: AuditReadEntry): Promise<void> {
    if (entry.actor.trim().length === 0)
      return Promise.reject(new Error('every audited read must name its actor'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ ...entry, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Let the other requests of this turn of the event loop join the batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await appendReads(this.#db, batch);
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.#flushing = false;
  }
}

function appendReads(db: Kysely<Database>, reads: readonly AuditReadEntry[]): Promise<void> {
  return appendAuditEntries(
    db,
    reads.map((r) => ({
      actor: r.actor,
      action: 'read',
      entity: r.entity,
      entityId: r.entityId,
      before: null,
      after: r.purpose === undefined ? null : { purpose: r.purpose },
    })),
  );
}

/**
 * A small in-process cache of computed values with a time to live. The app clears it after every
 * successful state-changing request, so this process's own writes show at once; the time to
 * live bounds how stale a value can be after writes by anyone else (another process on the same
 * PostgreSQL database, or the CLI).
 *
 * @example
 * const cache = new TtlCache(2000);
 * const overview = await cache.get('overview', () => trialOverview(db, trial));
 */
export class TtlCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(ttlMs: number, maxEntries = 1000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /**
   * The cached value for `key`, or the loader's (shared by concurrent callers; a failed load is
   * not kept).
   *
   * @example
   * await cache.get('offices', loadOffices);
   */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    this.#entries.delete(key);
    // Keys can come from query strings, so the cache is bounded: the oldest entry goes first.
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { until: now + this.#ttlMs, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }

  /**
   * Forget one key.
   *
   * @example
   * cache.delete('session:abc');
   */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /**
   * Forget everything (after a write).
   *
   * @example
   * cache.clear();
   */
  clear(): void {
    this.#entries.clear();
  }
}

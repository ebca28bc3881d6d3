import type { StorageHandle } from '../storage/handle.js';
import { partsOfStoreKey, type KeyFilter } from './key.js';
import type { CacheStore } from './store.js';

/** Expired rows are deleted at most this often, by a write (no timer of its own). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Cache entries in the configured database (`cache.store: database`): SQLite (in its storage
 * thread) or PostgreSQL, shared by every instance on the same PostgreSQL. Each lookup is one
 * indexed read by primary key. An expired entry is a miss; expired rows are deleted in one
 * statement at most once a minute, by a write. Storage not open yet, or down, rejects: the cache
 * treats that as a miss or a skipped write.
 */
export class DatabaseCacheStore implements CacheStore {
  readonly kind = 'database';
  #lastPruneAt = 0;

  constructor(
    private readonly storage: StorageHandle,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return this.storage.get().cacheGet(key, this.now());
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    const parts = partsOfStoreKey(key) ?? { namespace: '', model: '' };
    const storage = this.storage.get();
    const now = this.now();
    await storage.cacheSet({ key, namespace: parts.namespace, model: parts.model, value, expires_at: now + Math.ceil(ttlMs) });
    if (now - this.#lastPruneAt >= PRUNE_EVERY_MS) {
      this.#lastPruneAt = now;
      await storage.cachePruneExpired(now);
    }
  }

  async delete(key: string): Promise<void> {
    await this.storage.get().cacheDelete(key);
  }

  async deleteMatching(filter: KeyFilter): Promise<number> {
    return this.storage.get().cacheDeleteWhere({
      ...(filter.namespace !== undefined && { namespace: filter.namespace }),
      ...(filter.model !== undefined && { model: filter.model }),
    });
  }

  backend(): { kind: 'database' } {
    return { kind: 'database' };
  }

  /** The storage is the gateway's: it is closed with the gateway, not here. */
  async close(): Promise<void> {}
}

import type { KeyFilter } from './key.js';

/**
 * Where the response cache keeps its entries: in process (`MemoryCacheStore`) or shared through
 * Redis (`RedisCacheStore` in `redis-store.ts`). Values are opaque strings (serialized JSON entries);
 * `get` returns undefined for a missing or expired entry; `set` with `ttlMs <= 0` stores nothing.
 * A store may reject (Redis down): the caller treats that as a miss or a skipped write.
 */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Removes every entry the filter matches (an admin operation: it walks the store); returns how many. */
  deleteMatching(filter: KeyFilter): Promise<number>;
  close(): Promise<void>;
  /** For /health/ready: where entries live, and for Redis the connection state. */
  backend(): { kind: 'memory' | 'database' } | { kind: 'redis'; connection: string };
  readonly kind: 'memory' | 'redis' | 'database';
}

/** Options of `MemoryCacheStore`. */
export interface MemoryCacheStoreOptions {
  /** Upper bound of the estimated size of all entries (see `entryBytes`). */
  maxBytes: number;
  /** The clock for expiry, in ms (tests inject one; default `Date.now`). */
  now?: () => number;
}

interface MemoryEntry {
  value: string;
  expiresAt: number;
  bytes: number;
}

/**
 * Estimated memory of one entry: JavaScript strings are UTF-16, two bytes a code unit, plus a fixed
 * overhead for the Map slot and the entry object. An estimate, but a stable one, good for a bound.
 */
function entryBytes(key: string, value: string): number {
  return key.length * 2 + value.length * 2 + 64;
}

/**
 * An in-process LRU bounded by total bytes, for a single gateway instance. The Map's insertion
 * order is the recency order: a hit re-inserts its key, so the first key is always the least
 * recently used. No timers: an expired entry is dropped when read, otherwise evicted like any other.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: MemoryCacheStoreOptions) {
    this.#maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
  }

  /** Estimated bytes held by all entries (never more than `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.expiresAt) {
      this.#remove(key, entry);
      return undefined;
    }
    // Re-inserting moves the key to the end of the Map: the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` for `ttlMs`, evicting the least recently used entries to make room. A set that
   * cannot store (`ttlMs <= 0`, or an entry larger than `maxBytes` alone) leaves the store as it was.
   */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    // `!(ttlMs > 0)` also refuses NaN, which would otherwise never expire.
    if (!(ttlMs > 0)) return;
    const bytes = entryBytes(key, value);
    if (bytes > this.#maxBytes) return;
    const old = this.#entries.get(key);
    if (old !== undefined) this.#remove(key, old);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs, bytes });
    this.#bytes += bytes;
    // The new entry is last and fits alone, so this stops before reaching it.
    while (this.#bytes > this.#maxBytes) {
      const [oldestKey, oldest] = this.#entries.entries().next().value as [string, MemoryEntry];
      this.#remove(oldestKey, oldest);
    }
  }

  async delete(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(key, entry);
  }

  async deleteMatching(filter: KeyFilter): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (!filter.matches(key)) continue;
      this.#remove(key, entry);
      removed++;
    }
    return removed;
  }

  backend(): { kind: 'memory' } {
    return { kind: 'memory' };
  }

  /** Drops every entry. */
  async close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: string, entry: MemoryEntry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

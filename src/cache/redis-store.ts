import type { Redis } from 'ioredis';
import { connectRedis, scanKeys } from '../redis/connection.js';
import type { KeyFilter } from './key.js';
import type { CacheStore } from './store.js';

/** Options of `RedisCacheStore`. */
export interface RedisCacheStoreOptions {
  /** Prefix of every key (default `switchyard:cache:`). */
  prefix?: string;
  /** A command not answered within this many ms rejects (default 500). */
  commandTimeoutMs?: number;
  /** Connection errors (Redis down, reconnecting); the store itself never throws them. */
  onError?: (error: Error) => void;
}

/**
 * Cache entries shared by every gateway instance through one Redis, each a plain string key that
 * Redis expires itself (`SET ... PX`). When Redis is unreachable or slow, calls reject at once (no
 * offline queue) or after `commandTimeoutMs`; the caller treats that as a miss or a skipped write.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: RedisCacheStoreOptions = {}) {
    this.#redis = connectRedis(url, { commandTimeoutMs: options.commandTimeoutMs ?? 500, ...(options.onError && { onError: options.onError }) });
    this.#prefix = options.prefix ?? 'switchyard:cache:';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    // `!(ttlMs > 0)` also refuses NaN; PX takes whole milliseconds only.
    if (!(ttlMs > 0)) return;
    await this.#redis.set(this.#prefix + key, value, 'PX', Math.ceil(ttlMs));
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  /** Walks the prefix's matching keys with `SCAN MATCH` and unlinks them. */
  async deleteMatching(filter: KeyFilter): Promise<number> {
    let removed = 0;
    await scanKeys(this.#redis, this.#prefix + filter.pattern, async (keys) => {
      removed += await this.#redis.unlink(...keys);
    });
    return removed;
  }

  /** The connection state, for health and admin output (ioredis status: `ready`, `connecting`, ...). */
  backend(): { kind: 'redis'; connection: string } {
    return { kind: 'redis', connection: this.#redis.status };
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

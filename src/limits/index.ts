import { InProcessLimitStore } from './in-process-store.js';
import { RedisLimitStore, type RedisLimitStoreOptions } from './redis-store.js';
import type { LimitStore } from './store.js';

export type * from './store.js';
export { BUDGET_KEPT_AFTER_PERIOD_MS, CONCURRENCY_RETRY_AFTER_MS } from './store.js';
export { InProcessLimitStore } from './in-process-store.js';
export { RedisLimitStore, type RedisLimitStoreOptions } from './redis-store.js';

/** Shared limits through Redis when a URL is configured, otherwise this process's own. */
export function createLimitStore(options: { redisUrl?: string | undefined; maxIds?: number } & RedisLimitStoreOptions = {}): LimitStore {
  const { redisUrl, maxIds, ...redisOptions } = options;
  return redisUrl ? new RedisLimitStore(redisUrl, redisOptions) : new InProcessLimitStore({ maxIds });
}

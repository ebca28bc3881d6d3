import { Redis } from 'ioredis';

/**
 * A Redis connection for shared state that must never hold a request up: no offline queue (a
 * command while disconnected rejects at once), one retry, a command timeout, and an 'error'
 * listener (without one, ioredis's 'error' event would crash the process). Callers treat a
 * rejection as the store being unavailable.
 */
export function connectRedis(url: string, options: { commandTimeoutMs?: number; onError?: (error: Error) => void } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    ...(options.commandTimeoutMs !== undefined && { commandTimeout: options.commandTimeoutMs }),
  });
  redis.on('error', (error: Error) => options.onError?.(error));
  return redis;
}

/** Walks the keys matching a glob with `SCAN` (never `KEYS`, which would block Redis), a batch at a time. */
export async function scanKeys(redis: Redis, pattern: string, onBatch: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await onBatch(keys);
  } while (cursor !== '0');
}

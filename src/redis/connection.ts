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

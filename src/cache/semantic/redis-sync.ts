import { Redis } from 'ioredis';
import { connectRedis, scanKeys } from '../../redis/connection.js';
import type { KeyFilter } from '../key.js';
import { decodeRecord, encodeRecord, type SemanticRecord } from './record.js';
import type { Announcement, RecordSync, SyncListener } from './sync.js';

export interface RedisRecordSyncOptions {
  /** Prefix of the record keys (default `switchyard:semcache:`); the channel is the prefix without its colon. */
  prefix?: string;
  commandTimeoutMs?: number;
  onError?: (error: Error) => void;
}

/**
 * Records shared through Redis: each a key expiring with its answer (`SET ... PX`), announced on a
 * pub/sub channel that every instance subscribes to. A subscriber that reconnects may have missed
 * announcements, so it asks for a resync (a reload with `SCAN`).
 */
export class RedisRecordSync implements RecordSync {
  readonly kind = 'redis';
  #redisConnection: Redis | undefined;
  #subscriberConnection: Redis | undefined;
  readonly #url: string;
  readonly #options: RedisRecordSyncOptions;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #database?: RecordSync;

  /** With `database`, records persist there and Redis only carries the announcements. */
  constructor(url: string, options: RedisRecordSyncOptions = {}, database?: RecordSync) {
    this.#url = url;
    this.#options = options;
    this.#prefix = options.prefix ?? 'switchyard:semcache:';
    this.#channel = this.#prefix.replace(/:$/, '');
    if (database) this.#database = database;
  }

  async load(): Promise<SemanticRecord[]> {
    if (this.#database) return this.#database.load();
    await this.#connected();
    const records: SemanticRecord[] = [];
    await scanKeys(this.#redis, `${this.#prefix}*`, async (keys) => {
      for (const text of await this.#redis.mget(...keys)) {
        const record = text === null ? undefined : decodeRecord(text);
        if (record) records.push(record);
      }
    });
    return records;
  }

  async publish(record: SemanticRecord): Promise<void> {
    const text = encodeRecord(record);
    const ttlMs = Math.ceil(record.expiresAt - Date.now());
    if (!(ttlMs > 0)) return;
    if (this.#database) await this.#database.publish(record);
    else await this.#redis.set(this.#prefix + record.key, text, 'PX', ttlMs);
    await this.#announce({ add: text });
  }

  async clear(filter: KeyFilter): Promise<void> {
    if (this.#database) await this.#database.clear(filter);
    else {
      await scanKeys(this.#redis, this.#prefix + filter.pattern, async (keys) => {
        await this.#redis.unlink(...keys);
      });
    }
    await this.#announce({ clear: { ...(filter.namespace !== undefined && { namespace: filter.namespace }), ...(filter.model !== undefined && { model: filter.model }) } });
  }

  listen(listener: SyncListener): void {
    let subscribedOnce = false;
    this.#subscriber.on('ready', () => {
      // The first connection is the start (loaded by the caller); any later one follows a gap.
      if (subscribedOnce) listener.resync();
      subscribedOnce = true;
    });
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      let announcement: Announcement;
      try {
        announcement = JSON.parse(message) as Announcement;
      } catch {
        return;
      }
      if ('add' in announcement) {
        const record = decodeRecord(announcement.add);
        if (record) listener.added(record);
      } else if ('clear' in announcement) listener.cleared(announcement.clear ?? {});
    });
    this.#subscriber.subscribe(this.#channel).catch(() => {});
    this.#database?.listen(listener);
  }

  /** The command connection's state, for /health/ready. */
  connection(): string {
    return this.#redisConnection?.status ?? 'not_connected';
  }

  async close(): Promise<void> {
    await this.#database?.close();
    this.#subscriberConnection?.disconnect();
    this.#redisConnection?.disconnect();
  }

  /** Connected on first use: a gateway whose cache never goes semantic opens no connection for it. */
  get #redis(): Redis {
    this.#redisConnection ??= connectRedis(this.#url, {
      commandTimeoutMs: this.#options.commandTimeoutMs ?? 500,
      ...(this.#options.onError && { onError: this.#options.onError }),
    });
    return this.#redisConnection;
  }

  /** The subscriber queues its SUBSCRIBE until connected and resubscribes by itself after a reconnect. */
  get #subscriber(): Redis {
    if (!this.#subscriberConnection) {
      this.#subscriberConnection = new Redis(this.#url, { maxRetriesPerRequest: null });
      this.#subscriberConnection.on('error', (error: Error) => this.#options.onError?.(error));
    }
    return this.#subscriberConnection;
  }

  /** At start the connection may still be coming up: wait for it a little (commands are not queued). */
  async #connected(timeoutMs = 2_000): Promise<void> {
    if (this.#redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      this.#redis.once('ready', done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async #announce(announcement: Announcement): Promise<void> {
    await this.#redis.publish(this.#channel, JSON.stringify(announcement));
  }
}

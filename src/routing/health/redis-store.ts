import { Redis } from 'ioredis';
import type { TargetPlan } from '../../config/plan.js';
import type { Logger } from '../../telemetry/logger.js';
import { admit, newBreakerRecord, recordOutcome, type BreakerRecord, type BreakerSettings } from './breaker.js';
import { describe, type HealthStore, type TargetHealth } from './store.js';
import { setBounded } from '../bounded-map.js';

/** How often outcomes are written and other instances' verdicts read back. */
export const SYNC_INTERVAL_MS = 100;
/** Health records of deployments nobody calls any more expire. */
const RECORD_TTL_MS = 24 * 60 * 60 * 1000;
/** Outcomes kept per deployment while Redis cannot be reached. */
const MAX_PENDING = 1_000;

/**
 * Compare-and-set: writes the new record only if nobody changed it since it was read, so two
 * instances flushing at once never lose each other's outcomes (the loser retries with fresh data).
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

interface Entry {
  /** Latest known shared record with this instance's unflushed outcomes applied. */
  local: BreakerRecord;
  /** The record as last read from Redis (JSON), for compare-and-set. */
  shared: string;
  pending: boolean[];
  /** This instance holds the half-open probe. */
  probing: boolean;
}

/**
 * Circuit breakers shared by every instance through Redis. The request path never waits on Redis
 * except to claim a half-open probe (one `SET NX`, so exactly one instance probes): `admit` reads a
 * local copy, `record` applies the outcome locally and queues it. Every 100 ms one `MGET` reads all
 * known deployments and one pipelined compare-and-set per changed deployment writes the queued
 * outcomes, applied in order with the same state machine (`breaker.ts`) as the in-process store. If
 * Redis is unreachable, each instance keeps breaking circuits on its own outcomes and catches up later.
 */
export class RedisHealthStore implements HealthStore {
  readonly #redis: Redis;
  readonly #settings: () => BreakerSettings;
  readonly #prefix: string;
  readonly #logger: Logger | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #timer: NodeJS.Timeout;
  #syncing: Promise<void> | undefined;
  #lastErrorLogAt = 0;

  constructor(url: string, settings: () => BreakerSettings, options: { prefix?: string; logger?: Logger } = {}) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    this.#redis.on('error', (error: Error) => this.#logFailure(error));
    this.#settings = settings;
    this.#prefix = options.prefix ?? 'switchyard:health:';
    this.#logger = options.logger;
    this.#timer = setInterval(() => void this.sync(), SYNC_INTERVAL_MS);
    this.#timer.unref();
  }

  admit(target: TargetPlan, now = Date.now()): boolean | Promise<boolean> {
    const entry = this.#entries.get(target.key);
    if (!entry) {
      this.#entry(target.key); // start following it
      return true;
    }
    const { state } = entry.local;
    if (state === 'closed') return true;
    if (state === 'half_open' && !entry.probing) return false; // another instance probes
    if (!admit(entry.local, this.#settings(), now)) return false;
    // The cooldown is over: exactly one instance may probe.
    return this.#claimProbe(target.key, entry);
  }

  record(target: TargetPlan, ok: boolean | undefined, now = Date.now()): void {
    const entry = this.#entry(target.key);
    if (ok === undefined) {
      if (entry.probing) {
        entry.probing = false;
        entry.local.probeAt = 0;
        void this.#redis.del(this.#probeKey(target.key)).catch((error: Error) => this.#logFailure(error));
      }
      return;
    }
    recordOutcome(entry.local, this.#settings(), ok, now);
    if (entry.pending.length < MAX_PENDING) entry.pending.push(ok);
  }

  async health(target: TargetPlan, now = Date.now()): Promise<TargetHealth> {
    const entry = this.#entry(target.key);
    await this.sync();
    return describe(entry.local, this.#settings(), now);
  }

  /** Writes queued outcomes and reads everyone's state; one sync at a time. */
  sync(): Promise<void> {
    this.#syncing ??= this.#syncOnce().finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  backend(): { kind: 'redis'; connection: string } {
    return { kind: 'redis', connection: this.#redis.status };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.sync();
    this.#redis.disconnect();
  }

  async #syncOnce(): Promise<void> {
    if (this.#entries.size === 0 || this.#redis.status !== 'ready') return;
    const keys = [...this.#entries.keys()];
    try {
      const values = await this.#redis.mget(keys.map((key) => this.#prefix + key));
      const writes: Array<{ key: string; entry: Entry; flushed: number; next: BreakerRecord; json: string }> = [];
      const now = Date.now();
      keys.forEach((key, index) => {
        const entry = this.#entries.get(key);
        if (!entry) return; // dropped from the bounded map while the read was out
        const shared = values[index] ?? '';
        const next = this.#apply(shared, entry, now);
        entry.shared = shared;
        if (entry.pending.length === 0) {
          entry.local = next;
          return;
        }
        writes.push({ key, entry, flushed: entry.pending.length, next, json: JSON.stringify(next) });
      });
      if (writes.length === 0) return;
      const pipeline = this.#redis.pipeline();
      for (const write of writes) pipeline.eval(COMPARE_AND_SET, 1, this.#prefix + write.key, write.entry.shared, write.json, RECORD_TTL_MS);
      const results = (await pipeline.exec()) ?? [];
      writes.forEach((write, index) => {
        const [error, stored] = results[index] ?? [];
        if (error || stored !== 1) return; // someone else wrote first: retried next sync with fresh data
        // Outcomes recorded while the write was in flight stay queued, applied on top.
        write.entry.pending.splice(0, write.flushed);
        write.entry.shared = write.json;
        if (write.next.state !== 'half_open') write.entry.probing = false;
        write.entry.local = this.#apply(write.json, write.entry, Date.now());
      });
    } catch (error) {
      this.#logFailure(error as Error);
    }
  }

  /** The shared record with this instance's queued outcomes applied in order. */
  #apply(shared: string, entry: Entry, now: number): BreakerRecord {
    const record = parseRecord(shared) ?? { ...newBreakerRecord(), bucketStart: now };
    // Our probe's verdict must land on a half-open circuit, so a failed probe restarts the cooldown.
    if (entry.probing && record.state === 'open') {
      record.state = 'half_open';
      record.probeAt = entry.local.probeAt;
    }
    const settings = this.#settings();
    for (const ok of entry.pending) recordOutcome(record, settings, ok, now);
    return record;
  }

  async #claimProbe(key: string, entry: Entry): Promise<boolean> {
    try {
      const claimed = await this.#redis.set(this.#probeKey(key), '1', 'PX', this.#settings().cooldownMs, 'NX');
      entry.probing = claimed === 'OK';
    } catch (error) {
      // Redis is away: probe from here rather than never.
      this.#logFailure(error as Error);
      entry.probing = true;
    }
    if (!entry.probing) entry.local.probeAt = Date.now(); // someone else probes; don't ask again at once
    return entry.probing;
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { local: { ...newBreakerRecord(), bucketStart: Date.now() }, shared: '', pending: [], probing: false };
      setBounded(this.#entries, key, entry);
    }
    return entry;
  }

  #probeKey(key: string): string {
    return `${this.#prefix}probe:${key}`;
  }

  /** At most one log line per 10 s: a Redis outage must not flood the log. */
  #logFailure(error: Error): void {
    const now = Date.now();
    if (now - this.#lastErrorLogAt < 10_000) return;
    this.#lastErrorLogAt = now;
    this.#logger?.warn({ err: error.message }, 'redis: circuit breaker state not shared (each instance decides alone until it is back)');
  }
}

/** A stored record, or undefined when there is none or it is not one of ours (then it starts over). */
function parseRecord(json: string): BreakerRecord | undefined {
  if (json === '') return undefined;
  try {
    const record = JSON.parse(json) as BreakerRecord;
    return typeof record === 'object' && record !== null && typeof record.state === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../redis/connection.js';
import { fromNanoUsd, toNanoUsd } from './money.js';
import { ACQUIRE, SEED_BUDGET, SETTLE, type LuaScript } from './redis-scripts.js';
import type { AcquireResult, BudgetsSpent, LimitRule, LimitStore, Reservation, RuleState, Taken } from './store.js';
import { bucketMs, bucketOf, wholeUnits } from './window-math.js';

export interface RedisLimitStoreOptions {
  /** Prefix of every key (default `switchyard:limits:`). */
  prefix?: string;
  /** A command not answered within this many ms rejects (default 500). */
  commandTimeoutMs?: number;
  /** Connection errors (Redis down, reconnecting); the store itself never throws them. */
  onError?: (error: Error) => void;
}

/**
 * Limits shared by every gateway instance through one Redis: each acquire and each settle is one
 * script call (`redis-scripts.ts`), atomic in Redis, timed by the Redis server's clock so instances
 * with skewed clocks agree. Every key expires when idle. When Redis is unreachable or slow, calls
 * reject at once (no offline queue) or after `commandTimeoutMs`; failing open or closed is the
 * caller's choice. Needs a single Redis node (not Cluster): one acquire touches several ids' keys.
 */
export class RedisLimitStore implements LimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: RedisLimitStoreOptions = {}) {
    this.#redis = connectRedis(url, { commandTimeoutMs: options.commandTimeoutMs ?? 500, ...(options.onError && { onError: options.onError }) });
    this.#prefix = options.prefix ?? 'switchyard:limits:';
  }

  async acquire(rules: readonly LimitRule[], nowMs?: number): Promise<AcquireResult> {
    const id = randomUUID();
    const keys: string[] = [];
    const args: Array<string | number> = [nowMs ?? '', id];
    for (const rule of rules) {
      if (rule.kind === 'window') {
        keys.push(this.#windowKey(rule.id));
        args.push('w', rule.limit, rule.windowMs, bucketMs(rule.windowMs), wholeUnits(rule.amount));
      } else if (rule.kind === 'concurrency') {
        keys.push(this.#slotsKey(rule.id));
        args.push('c', rule.limit, rule.leaseMs, 0, 0);
      } else {
        keys.push(this.#budgetKey(rule.id), this.#budgetLeasesKey(rule.id));
        const periodEnd = Number.isFinite(rule.periodEndMs) ? rule.periodEndMs : 0;
        args.push('b', toNanoUsd(rule.limitUsd), toNanoUsd(rule.amountUsd), rule.leaseMs, periodEnd);
      }
    }
    const reply = (await this.#run(ACQUIRE, keys, args)) as number[];
    const [admitted, now = 0, refused = 0, wait = -1] = reply;
    const states: RuleState[] = rules.map((rule, index) => {
      const remaining = reply[4 + index * 2] ?? 0;
      const resetMs = reply[5 + index * 2] ?? 0;
      return rule.kind === 'budget'
        ? { id: rule.id, kind: rule.kind, limit: rule.limitUsd, remaining: fromNanoUsd(remaining), resetMs }
        : { id: rule.id, kind: rule.kind, limit: rule.limit, remaining, resetMs };
    });
    if (admitted !== 1) {
      return { ok: false, deniedBy: rules[refused - 1]?.id ?? '', retryAfterMs: wait < 0 ? undefined : wait, states };
    }
    const taken = rules.map((rule): Taken => {
      if (rule.kind === 'window') {
        const bucket = bucketOf(now, bucketMs(rule.windowMs));
        return { kind: 'window', id: rule.id, windowMs: rule.windowMs, bucket, amount: wholeUnits(rule.amount) };
      }
      if (rule.kind === 'concurrency') return { kind: 'concurrency', id: rule.id };
      return { kind: 'budget', id: rule.id, amountNanoUsd: toNanoUsd(rule.amountUsd) };
    });
    return { ok: true, reservation: { id, taken, settled: false }, states };
  }

  async settle(reservation: Reservation, actual: Readonly<Record<string, number>> = {}): Promise<BudgetsSpent> {
    const spent: Record<string, number> = {};
    if (reservation.settled) return spent;
    // Marked before the call: a settle that failed may still have run in Redis, and running it twice
    // would count a cost twice. Unreleased leases expire on their own.
    reservation.settled = true;
    const keys: string[] = [];
    const args: Array<string | number> = [reservation.id];
    const budgets: string[] = [];
    for (const taken of reservation.taken) {
      const real = actual[taken.id];
      if (taken.kind === 'window') {
        const delta = real === undefined ? 0 : wholeUnits(real) - taken.amount;
        if (delta === 0) continue;
        keys.push(this.#windowKey(taken.id));
        args.push('w', taken.bucket, delta);
      } else if (taken.kind === 'concurrency') {
        keys.push(this.#slotsKey(taken.id));
        args.push('c', 0, 0);
      } else {
        keys.push(this.#budgetKey(taken.id), this.#budgetLeasesKey(taken.id));
        args.push('b', taken.amountNanoUsd, real === undefined ? taken.amountNanoUsd : toNanoUsd(real));
        budgets.push(taken.id);
      }
    }
    if (keys.length === 0) return spent;
    const reply = (await this.#run(SETTLE, keys, args)) as number[];
    budgets.forEach((id, index) => {
      const nano = reply[index];
      if (nano !== undefined && nano >= 0) spent[id] = fromNanoUsd(nano);
    });
    return spent;
  }

  async seedBudget(id: string, spentUsd: number, periodEndMs: number): Promise<boolean> {
    const periodEnd = Number.isFinite(periodEndMs) ? periodEndMs : 0;
    return (await this.#run(SEED_BUDGET, [this.#budgetKey(id)], ['', toNanoUsd(spentUsd), periodEnd])) === 1;
  }

  async budgetSpent(id: string): Promise<number | undefined> {
    const spent = await this.#redis.hget(this.#budgetKey(id), 'spent');
    return spent === null ? undefined : fromNanoUsd(Number(spent));
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const set = await this.#redis.set(`${this.#prefix}once:${id}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return set === 'OK';
  }

  backend(): { kind: 'redis'; connection: string } {
    return { kind: 'redis', connection: this.#redis.status };
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  /** EVALSHA, falling back to EVAL once when Redis does not know the script yet (restart, flush). */
  async #run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.#redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  #windowKey(id: string): string {
    return `${this.#prefix}w:${id}`;
  }

  #slotsKey(id: string): string {
    return `${this.#prefix}c:${id}`;
  }

  #budgetKey(id: string): string {
    return `${this.#prefix}b:${id}`;
  }

  #budgetLeasesKey(id: string): string {
    return `${this.#prefix}bl:${id}`;
  }
}

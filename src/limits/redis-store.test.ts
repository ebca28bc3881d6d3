import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisUrlForTests } from '../../test/helpers/services.js';
import { InProcessLimitStore } from './in-process-store.js';
import { RedisLimitStore } from './redis-store.js';
import type { Reservation, WindowRule } from './store.js';
import { limitStoreSuite } from './store-suite.js';

const redis = redisUrlForTests();
const skip = 'skip' in redis ? redis.skip : false;
const url = 'url' in redis ? redis.url : '';

/** Keys of a test, removed after it: a prefix per test, so parallel test files never meet. */
const testPrefix = () => `switchyard-test:limits:${process.pid}:${randomUUID()}:`;
let admin: Redis | undefined;
const adminClient = () => (admin ??= new Redis(url, { maxRetriesPerRequest: 1 }));
after(() => admin?.disconnect());

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await adminClient().scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function ready(...stores: RedisLimitStore[]): Promise<void> {
  for (let i = 0; i < 200 && stores.some((store) => store.backend().connection !== 'ready'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Two connections on one prefix: two gateway instances sharing their limits. */
async function openPair(prefix = testPrefix()): Promise<{ stores: RedisLimitStore[]; close(): Promise<void> }> {
  const stores = [new RedisLimitStore(url, { prefix }), new RedisLimitStore(url, { prefix })];
  await ready(...stores);
  return {
    stores,
    async close() {
      for (const store of stores) await store.close();
      const keys = await keysUnder(prefix);
      if (keys.length > 0) await adminClient().del(...keys);
    },
  };
}

limitStoreSuite('redis, two instances', () => openPair(), { skip });

describe('redis limit store', { skip }, () => {
  test('on the server clock: every kind of rule, and every key it writes expires', async () => {
    const prefix = testPrefix();
    const { stores, close } = await openPair(prefix);
    try {
      const [one, two] = stores as [RedisLimitStore, RedisLimitStore];
      const rules = [
        { kind: 'window', id: 'rpm', limit: 2, windowMs: 60_000, amount: 1 },
        { kind: 'concurrency', id: 'slots', limit: 5, leaseMs: 30_000 },
        { kind: 'budget', id: 'day', limitUsd: 1, amountUsd: 0.1, periodEndMs: Date.now() + 3_600_000, leaseMs: 30_000 },
      ] as const;
      const first = await one.acquire(rules);
      assert.ok(first.ok);
      assert.ok((await two.acquire(rules)).ok);
      const third = await one.acquire(rules);
      assert.ok(!third.ok && third.deniedBy === 'rpm');
      assert.ok(third.retryAfterMs! > 58_000 && third.retryAfterMs! <= 61_000, `retry after ${third.retryAfterMs}`);
      await two.settle(first.reservation, { day: 0.04 });
      assert.equal(await one.budgetSpent('day'), 0.04);

      const keys = await keysUnder(prefix);
      assert.equal(keys.length, 4, keys.join(' '));
      for (const key of keys) {
        const ttl = await adminClient().pttl(key);
        assert.ok(ttl > 0, `${key} expires (pttl ${ttl})`);
      }
      const dayTtl = await adminClient().pttl(`${prefix}b:day`);
      assert.ok(dayTtl > 3_600_000 && dayTtl <= 3_600_000 + 86_400_000, 'a budget outlives its period by a day');
    } finally {
      await close();
    }
  });

  test('windows keep a running sum: 2,000 random acquires and settles agree with the in-process store', async () => {
    const { stores, close } = await openPair();
    const reference = new InProcessLimitStore();
    // A small deterministic generator (mulberry32), so a failure replays.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pickInt = (max: number) => Math.floor(random() * (max + 1));
    try {
      const taken: Array<{ redis: Reservation; memory: Reservation }> = [];
      let now = 1_800_000_000_000;
      for (let step = 0; step < 2_000; step++) {
        // Mostly small steps (buckets leave one by one), now and then a jump past whole windows.
        now += random() < 0.02 ? 30_000 + pickInt(100_000) : pickInt(1_500);
        if (taken.length > 0 && random() < 0.3) {
          const [settled] = taken.splice(pickInt(taken.length - 1), 1);
          const actual = { tpm: pickInt(500), short: pickInt(3) };
          await stores[pickInt(1)]!.settle(settled!.redis, actual);
          await reference.settle(settled!.memory, actual);
          continue;
        }
        const rules: WindowRule[] = [
          { kind: 'window', id: 'rpm', limit: 40, windowMs: 60_000, amount: 1 },
          { kind: 'window', id: 'tpm', limit: 3_000, windowMs: 60_000, amount: pickInt(400) },
          { kind: 'window', id: 'short', limit: 12, windowMs: 10_000, amount: pickInt(3) },
        ];
        const fromRedis = await stores[pickInt(1)]!.acquire(rules, now);
        const fromMemory = await reference.acquire(rules, now);
        const view = (result: typeof fromRedis) => ({
          ok: result.ok,
          deniedBy: result.ok ? undefined : result.deniedBy,
          retryAfterMs: result.ok ? undefined : result.retryAfterMs,
          remaining: result.states.map((state) => state.remaining),
        });
        assert.deepEqual(view(fromRedis), view(fromMemory), `step ${step} at +${now - 1_800_000_000_000} ms`);
        if (fromRedis.ok && fromMemory.ok) taken.push({ redis: fromRedis.reservation, memory: fromMemory.reservation });
      }
    } finally {
      await reference.close();
      await close();
    }
  });

  test('a window written by an older version (buckets only, no running sum) is summed once and kept', async () => {
    const prefix = testPrefix();
    const { stores, close } = await openPair(prefix);
    try {
      const now = 1_800_000_000_000;
      const bucket = (at: number) => String(Math.floor(at / 1_000));
      // Two buckets inside the window, one that has left it.
      await adminClient().hset(`${prefix}w:legacy`, bucket(now - 10_000), 3, bucket(now - 2_000), 4, bucket(now - 120_000), 50);
      const rule: WindowRule = { kind: 'window', id: 'legacy', limit: 10, windowMs: 60_000, amount: 2 };
      const first = await stores[0]!.acquire([rule], now);
      assert.ok(first.ok);
      assert.equal(first.states[0]!.remaining, 1, '3 + 4 counted, 50 gone, 2 taken');
      assert.equal(await adminClient().hexists(`${prefix}w:legacy`, bucket(now - 120_000)), 0, 'the old bucket is dropped');
      assert.ok(!(await stores[1]!.acquire([rule], now + 1)).ok, 'the sum is kept from then on');
    } finally {
      await close();
    }
  });

  test('scripts are loaded again after Redis forgot them (NOSCRIPT)', async () => {
    const { stores, close } = await openPair();
    try {
      const store = stores[0]!;
      assert.ok((await store.acquire([{ kind: 'window', id: 'reload', limit: 5, windowMs: 60_000, amount: 1 }])).ok);
      await adminClient().script('FLUSH');
      const again = await store.acquire([{ kind: 'window', id: 'reload', limit: 5, windowMs: 60_000, amount: 1 }]);
      assert.ok(again.ok);
      assert.equal(again.states[0]!.remaining, 3);
    } finally {
      await close();
    }
  });

  test('Redis unreachable: every call rejects at once, and nothing crashes', async () => {
    const errors: Error[] = [];
    const store = new RedisLimitStore('redis://127.0.0.1:1', { onError: (error) => errors.push(error) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await assert.rejects(store.acquire([{ kind: 'window', id: 'down', limit: 5, windowMs: 60_000, amount: 1 }]));
      await assert.rejects(store.seedBudget('down', 1, Date.now() + 1_000));
      await assert.rejects(store.budgetSpent('down'));
      assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
      assert.ok(errors.length > 0, 'connection errors reach onError');
      assert.notEqual(store.backend().connection, 'ready');
    } finally {
      await store.close();
    }
  });

  test('Redis stops answering: a call rejects after the command timeout', async () => {
    const proxy = await pausableProxy(new URL(url));
    const store = new RedisLimitStore(`redis://127.0.0.1:${proxy.port}`, { commandTimeoutMs: 200, onError: () => {} });
    try {
      await ready(store);
      assert.ok((await store.acquire([{ kind: 'concurrency', id: `hang-${randomUUID()}`, limit: 1, leaseMs: 1_000 }])).ok);
      proxy.pause();
      const started = Date.now();
      await assert.rejects(store.acquire([{ kind: 'concurrency', id: `hang-${randomUUID()}`, limit: 1, leaseMs: 1_000 }]), /timed out/i);
      const took = Date.now() - started;
      assert.ok(took >= 150 && took < 1_000, `took ${took} ms`);
    } finally {
      await store.close();
      proxy.close();
    }
  });
});

/** A TCP proxy to Redis that can stop forwarding requests, like a Redis that hangs. */
async function pausableProxy(target: URL): Promise<{ port: number; pause(): void; close(): void }> {
  let paused = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!paused) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    pause: () => (paused = true),
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

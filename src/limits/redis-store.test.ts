import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisUrlForTests } from '../../test/helpers/services.js';
import { RedisLimitStore } from './redis-store.js';
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

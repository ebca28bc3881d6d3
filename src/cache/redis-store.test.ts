import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisUrlForTests } from '../../test/helpers/services.js';
import { RedisCacheStore } from './redis-store.js';
import { keyFilter, storeKeyOf } from './key.js';

const redis = redisUrlForTests();
const skip = 'skip' in redis ? redis.skip : false;
const url = 'url' in redis ? redis.url : '';

/** Keys of a test, removed after it: a prefix per test, so parallel test files never meet. */
const testPrefix = () => `switchyard-test:cache:${process.pid}:${randomUUID()}:`;
let admin: Redis | undefined;
const adminClient = () => (admin ??= new Redis(url, { maxRetriesPerRequest: 1 }));
after(() => admin?.disconnect());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store on a fresh prefix, connected; `close` disconnects it and deletes every key it wrote. */
async function openStore(): Promise<{ store: RedisCacheStore; prefix: string; close(): Promise<void> }> {
  const prefix = testPrefix();
  const store = new RedisCacheStore(url, { prefix });
  for (let i = 0; i < 200 && store.backend().connection !== 'ready'; i++) await sleep(10);
  return {
    store,
    prefix,
    async close() {
      await store.close();
      const keys = await adminClient().keys(`${prefix}*`);
      if (keys.length > 0) await adminClient().del(...keys);
    },
  };
}

describe('redis cache store', { skip }, () => {
  test('set, get and delete under the prefix', async () => {
    const { store, prefix, close } = await openStore();
    try {
      assert.equal(store.kind, 'redis');
      assert.equal(store.backend().connection, 'ready');
      assert.equal(await store.get('k'), undefined);
      await store.set('k', '{"answer":42}', 60_000);
      assert.equal(await store.get('k'), '{"answer":42}');
      assert.equal(await adminClient().get(`${prefix}k`), '{"answer":42}');
      await store.delete('k');
      assert.equal(await store.get('k'), undefined);
      await store.delete('missing');
    } finally {
      await close();
    }
  });

  test('the key expires with the ttl: PTTL close to it, gone after it', async () => {
    const { store, prefix, close } = await openStore();
    try {
      await store.set('long', 'v', 60_000);
      const pttl = await adminClient().pttl(`${prefix}long`);
      assert.ok(pttl > 59_000 && pttl <= 60_000, `pttl ${pttl}`);

      await store.set('short', 'v', 50);
      assert.equal(await store.get('short'), 'v');
      await sleep(120);
      assert.equal(await store.get('short'), undefined);
    } finally {
      await close();
    }
  });

  test('deleteMatching removes one namespace, one model, or both, and leaves the rest (names with glob characters taken literally)', async () => {
    const { store, close } = await openStore();
    try {
      const keys = [storeKeyOf('global', 'fast', 'a1'), storeKeyOf('global', 'smart', 'a2'), storeKeyOf('key:k1', 'fast', 'a3'), storeKeyOf('team:t*', 'fast', 'a4')];
      for (const key of keys) await store.set(key, 'v', 60_000);
      assert.equal(await store.deleteMatching(keyFilter('team:t*')), 1, 'the * in the name is literal');
      assert.equal(await store.deleteMatching(keyFilter(undefined, 'fast')), 2);
      assert.equal(await store.get(keys[1]!), 'v');
      assert.equal(await store.deleteMatching(keyFilter()), 1);
      assert.equal(await store.get(keys[1]!), undefined);
    } finally {
      await close();
    }
  });

  test('ttl <= 0 writes nothing', async () => {
    const { store, prefix, close } = await openStore();
    try {
      await store.set('zero', 'v', 0);
      await store.set('negative', 'v', -1);
      assert.deepEqual(await adminClient().keys(`${prefix}*`), []);
    } finally {
      await close();
    }
  });

  test('Redis unreachable: get and set reject at once, and nothing crashes', async () => {
    const errors: Error[] = [];
    const store = new RedisCacheStore('redis://127.0.0.1:1', { onError: (error) => errors.push(error) });
    try {
      await sleep(50);
      const started = Date.now();
      await assert.rejects(store.get('k'));
      await assert.rejects(store.set('k', 'v', 1_000));
      await assert.rejects(store.delete('k'));
      assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
      assert.ok(errors.length > 0, 'connection errors reach onError');
      assert.notEqual(store.backend().connection, 'ready');
    } finally {
      await store.close();
    }
  });
});

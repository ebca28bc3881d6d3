import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storageBackendsForTests, storageForTests } from '../../test/helpers/services.js';
import { parseStorage, type StorageSpec } from '../storage/spec.js';
import { SqlStorage } from '../storage/store.js';
import type { StorageHandle } from '../storage/handle.js';
import { DatabaseCacheStore } from './database-store.js';
import { keyFilter, storeKeyOf } from './key.js';

for (const backend of storageBackendsForTests()) {
  describe(`database cache store on ${backend.name}`, { skip: backend.skip }, () => {
    let storage: SqlStorage;
    let cleanup: () => Promise<void>;
    let now = 1_800_000_000_000;
    let store: DatabaseCacheStore;
    before(async () => {
      const fresh = await storageForTests(backend.name);
      cleanup = fresh.cleanup;
      storage = await SqlStorage.open(parseStorage(fresh.storage, process.cwd()) as StorageSpec);
      store = new DatabaseCacheStore({ get: () => storage } as unknown as StorageHandle, () => now);
    });
    after(async () => {
      await storage.close();
      await cleanup();
    });

    test('set, get, replace and delete; an entry is a miss once expired, and expired rows are pruned by a later write', async () => {
      const key = storeKeyOf('global', 'fast', 'h1');
      assert.equal(await store.get(key), undefined);
      await store.set(key, 'one', 1_000);
      assert.equal(await store.get(key), 'one');
      await store.set(key, 'two', 1_000);
      assert.equal(await store.get(key), 'two');
      now += 1_000;
      assert.equal(await store.get(key), undefined, 'expired');
      now += 60_000;
      await store.set(storeKeyOf('global', 'fast', 'h2'), 'three', 1_000);
      assert.equal(await storage.cacheDeleteWhere({}), 1, 'the expired row was pruned: only the new one is left');
      await store.set(key, 'four', 0);
      assert.equal(await store.get(key), undefined, 'a ttl of 0 stores nothing');
      await store.set(key, 'five', 5_000);
      await store.delete(key);
      assert.equal(await store.get(key), undefined);
    });

    test('deleteMatching filters on the namespace and model columns (names with any characters)', async () => {
      const keys = [storeKeyOf('global', 'fast', 'a'), storeKeyOf('global', 'openai/gpt-4.1', 'b'), storeKeyOf('key:k|1%', 'fast', 'c')];
      for (const key of keys) await store.set(key, 'v', 60_000);
      assert.equal(await store.deleteMatching(keyFilter('key:k|1%')), 1);
      assert.equal(await store.deleteMatching(keyFilter(undefined, 'openai/gpt-4.1')), 1);
      assert.equal(await store.get(keys[0]!), 'v');
      assert.equal(await store.deleteMatching(keyFilter('global', 'fast')), 1);
      assert.equal(await store.deleteMatching(keyFilter()), 0);
    });
  });
}

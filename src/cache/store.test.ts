import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryCacheStore } from './store.js';
import { keyFilter, storeKeyOf } from './key.js';

/** A one-character key with this value is exactly 100 bytes: 1 * 2 + 17 * 2 + 64. */
const VALUE_100 = 'v'.repeat(17);
const HOUR = 3_600_000;

/** A store with a clock the test moves by hand. */
function storeWithClock(maxBytes: number): { store: MemoryCacheStore; advance(ms: number): void } {
  let now = 1_800_000_000_000;
  return { store: new MemoryCacheStore({ maxBytes, now: () => now }), advance: (ms) => (now += ms) };
}

describe('memory cache store', () => {
  test('a hit returns the value, a miss undefined', async () => {
    const store = new MemoryCacheStore({ maxBytes: 10_000 });
    assert.equal(store.kind, 'memory');
    await store.set('k', '{"answer":42}', HOUR);
    assert.equal(await store.get('k'), '{"answer":42}');
    assert.equal(await store.get('other'), undefined);
  });

  test('an entry expires after its ttl and is dropped when read', async () => {
    const { store, advance } = storeWithClock(10_000);
    await store.set('k', 'v', 1_000);
    advance(999);
    assert.equal(await store.get('k'), 'v');
    advance(1);
    assert.equal(await store.get('k'), undefined);
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
  });

  test('ttl <= 0 stores nothing and leaves an existing entry alone', async () => {
    const store = new MemoryCacheStore({ maxBytes: 10_000 });
    await store.set('zero', 'v', 0);
    await store.set('negative', 'v', -5);
    await store.set('nan', 'v', Number.NaN);
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
    await store.set('k', 'old', HOUR);
    await store.set('k', 'new', 0);
    assert.equal(await store.get('k'), 'old');
  });

  test('evicts the least recently used entries by bytes, and a get refreshes recency', async () => {
    const store = new MemoryCacheStore({ maxBytes: 300 });
    await store.set('a', VALUE_100, HOUR);
    await store.set('b', VALUE_100, HOUR);
    await store.set('c', VALUE_100, HOUR);
    assert.equal(store.bytes, 300);
    await store.get('a'); // now b is the least recently used
    await store.set('d', VALUE_100, HOUR);
    assert.equal(await store.get('b'), undefined);
    assert.deepEqual([await store.get('a'), await store.get('c'), await store.get('d')], [VALUE_100, VALUE_100, VALUE_100]);
    assert.equal(store.bytes, 300);

    // Read just now in the order a, c, d: a 200-byte entry pushes out a, then c.
    await store.set('e', 'v'.repeat(67), HOUR);
    assert.equal(store.size, 2);
    assert.equal(await store.get('a'), undefined);
    assert.equal(await store.get('c'), undefined);
    assert.equal(await store.get('d'), VALUE_100);
    assert.equal(store.bytes, 300);
  });

  test('replacing a key updates the byte total, and the key becomes most recent', async () => {
    const store = new MemoryCacheStore({ maxBytes: 300 });
    await store.set('a', VALUE_100, HOUR);
    await store.set('b', VALUE_100, HOUR);
    await store.set('a', 'v'.repeat(7), HOUR); // 80 bytes
    assert.equal(store.size, 2);
    assert.equal(store.bytes, 180);
    await store.set('a', VALUE_100, HOUR);
    assert.equal(store.bytes, 200);
    await store.set('c', VALUE_100, HOUR);
    await store.set('d', VALUE_100, HOUR); // evicts b: a was rewritten after it
    assert.equal(await store.get('b'), undefined);
    assert.equal(await store.get('a'), VALUE_100);
    assert.equal(store.bytes, 300);
  });

  test('an entry larger than maxBytes alone is not stored and evicts nothing', async () => {
    const store = new MemoryCacheStore({ maxBytes: 300 });
    await store.set('a', VALUE_100, HOUR);
    await store.set('b', VALUE_100, HOUR);
    await store.set('huge', 'v'.repeat(200), HOUR);
    assert.equal(await store.get('huge'), undefined);
    assert.equal(store.size, 2);
    assert.equal(store.bytes, 200);
    assert.equal(await store.get('a'), VALUE_100);
    assert.equal(await store.get('b'), VALUE_100);
  });

  test('an entry of exactly maxBytes fits', async () => {
    const store = new MemoryCacheStore({ maxBytes: 100 });
    await store.set('a', VALUE_100, HOUR);
    assert.equal(await store.get('a'), VALUE_100);
    assert.equal(store.bytes, 100);
  });

  test('delete removes an entry and its bytes; deleting a missing key is fine', async () => {
    const store = new MemoryCacheStore({ maxBytes: 10_000 });
    await store.set('a', VALUE_100, HOUR);
    await store.set('b', VALUE_100, HOUR);
    await store.delete('a');
    await store.delete('missing');
    assert.equal(await store.get('a'), undefined);
    assert.equal(await store.get('b'), VALUE_100);
    assert.equal(store.size, 1);
    assert.equal(store.bytes, 100);
  });

  test('deleteMatching removes the entries of a namespace and/or model, and their bytes', async () => {
    const store = new MemoryCacheStore({ maxBytes: 1_000_000 });
    const keys = [storeKeyOf('global', 'fast', 'a1'), storeKeyOf('global', 'openai/gpt-4.1', 'a2'), storeKeyOf('key:k1', 'fast', 'a3')];
    for (const key of keys) await store.set(key, 'value', 60_000);
    assert.equal(await store.deleteMatching(keyFilter('global', 'fast')), 1);
    assert.equal(await store.deleteMatching(keyFilter(undefined, 'openai/gpt-4.1')), 1);
    assert.equal(await store.get(keys[2]!), 'value');
    assert.equal(await store.deleteMatching(keyFilter()), 1);
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
  });

  test('close drops every entry', async () => {
    const store = new MemoryCacheStore({ maxBytes: 10_000 });
    await store.set('a', VALUE_100, HOUR);
    await store.close();
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
  });
});

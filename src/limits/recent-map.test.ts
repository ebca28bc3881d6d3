import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentMap } from './recent-map.js';

const entry = () => ({ recent: false });

test('a recent map evicts ids used once before ids used again', () => {
  const map = new RecentMap<{ recent: boolean }>(3);
  map.set('a', entry());
  map.set('b', entry());
  map.set('c', entry());
  map.get('a');
  map.set('d', entry()); // b: oldest never reused
  assert.equal(map.get('b'), undefined);
  assert.ok(map.get('a'));
  assert.ok(map.get('c'));
  map.set('e', entry()); // a and c were reused: each gets a second chance, d goes
  assert.equal(map.size, 3);
  assert.equal(map.get('d'), undefined);
  assert.ok(map.get('a') && map.get('c') && map.get('e'));
});

test('a recent map stays bounded when every entry is in use', () => {
  const map = new RecentMap<{ recent: boolean }>(10);
  for (let i = 0; i < 1_000; i++) {
    map.set(`k${i}`, entry());
    map.get(`k${i}`);
  }
  assert.equal(map.size, 10);
});

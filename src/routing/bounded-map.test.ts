import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from './bounded-map.js';

test('a bounded map drops its oldest entry when full, and updates in place without dropping', () => {
  const map = new Map<string, number>();
  for (let i = 0; i < 5; i++) setBounded(map, `k${i}`, i, 3);
  assert.deepEqual([...map.keys()], ['k2', 'k3', 'k4']);
  setBounded(map, 'k3', 30, 3);
  assert.deepEqual([...map.entries()], [['k2', 2], ['k3', 30], ['k4', 4]]);
});

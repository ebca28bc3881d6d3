import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Leases } from './leases.js';

test('leases: release and expire keep size and total exact', () => {
  const leases = new Leases();
  leases.add('a', 3, 10);
  leases.add('b', 4, 20);
  assert.equal(leases.size, 2);
  assert.equal(leases.total, 7);
  assert.equal(leases.release('a'), true);
  assert.equal(leases.release('a'), false, 'a second release of the same lease');
  assert.equal(leases.total, 4);
  leases.expire(25);
  assert.equal(leases.size, 0);
  assert.equal(leases.total, 0);
  assert.equal(leases.release('b'), false, 'an expired lease is gone');
});

test('leases: expiry stops at the first live lease unless asked to look at everything', () => {
  const leases = new Leases();
  leases.add('long', 1, 1_000);
  leases.add('short', 2, 10);
  leases.expire(15);
  assert.equal(leases.size, 2, 'taken in order, so a later lease is not looked at past a live one');
  leases.expire(15, true);
  assert.equal(leases.size, 1);
  assert.equal(leases.total, 1);
});

test('leases: one long request does not make later releases slower (ended leases are compacted)', () => {
  const leases = new Leases();
  leases.add('stream', 1, Number.MAX_SAFE_INTEGER);
  for (let index = 0; index < 50_000; index++) {
    leases.add(`r${index}`, 2, Number.MAX_SAFE_INTEGER);
    assert.equal(leases.release(`r${index}`), true);
    assert.ok(leases.held <= 2 * leases.size + 33, `${leases.held} leases held for ${leases.size} live`);
  }
  assert.equal(leases.size, 1);
  assert.equal(leases.total, 1);
  assert.equal(leases.release('stream'), true);
  assert.equal(leases.size, 0);
});
